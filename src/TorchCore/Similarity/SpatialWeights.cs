using SpatialSim.TorchCore.Ranking;
using System.Numerics;
using System.Runtime.InteropServices;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// Which pixels are a pixel's neighbours in the spatial statistics (<see cref="LeeLSimilarity"/>,
/// <see cref="MoranBVSimilarity"/>). The raster's pixels are the spatial units; the weights are always
/// row-standardised (spdep style "W": each pixel's weights sum to 1 over the neighbours that lie inside the raster).
/// </summary>
public enum SpatialWeights
{
    /// <summary>The 8 pixels sharing an edge or a corner, weight 1 each, the pixel itself excluded (spdep <c>cell2nb(type = "queen")</c>).</summary>
    Queen,
    /// <summary>The 4 pixels sharing an edge, weight 1 each, the pixel itself excluded (spdep <c>cell2nb(type = "rook")</c>).</summary>
    Rook,
    /// <summary>
    /// Gaussian kernel weights exp(−d²/2σ²) over the square |Δrow|, |Δcol| ≤ r, r = ⌊4σ + 0.5⌋ (the support of our
    /// separable blur, truncate 4σ), the pixel itself included with weight 1 (it is a smoothing kernel).
    /// In spdep terms: a self-including neighbour list over that square with general weights, <c>nb2listw(style = "W")</c>.
    /// </summary>
    Gaussian,
}

/// <summary>
/// The row-standardised spatial lag shared by Lee's L and bivariate Moran's I, computed as a convolution:
/// <code>(W x)_i = Σ_j w_ij x_j / Σ_j w_ij</code>, the sums over the neighbours j of pixel i that lie inside the raster
/// (spdep's row standardisation; no padding values enter). With a translation-invariant kernel k that is
/// <code>W x = (k ⊛₀ x) / (k ⊛₀ 1)</code>, ⊛₀ the convolution with zero padding:
/// <list type="bullet">
/// <item>Queen / Rook: the 3×3 kernel without its centre (queen: ones; rook: the 4 edge neighbours), as sums of shifted
/// slices of the zero-padded map; the denominator is the number of neighbours inside the raster, in closed form
/// (queen: c_row(i)·c_col(j) − 1, rook: c_row(i) + c_col(j) − 2, c = 3 inside, 2 on an edge).</item>
/// <item>Gaussian: our separable blur (<see cref="GaussianSmoothing.Blur"/>, scipy conventions, truncate 4σ) of the map
/// padded with r zeros on each side (its 'reflect' border then only reflects zeros), cropped back; the denominator
/// k ⊛₀ 1 is separable, the outer product of the 1-D kernel sums that fall inside each axis, computed exactly in float64.
/// So near the border the weights that fall inside are renormalised to sum to 1, exactly as spdep's
/// <c>nb2listw(style = "W")</c> does for a neighbour list truncated by the raster's edge.</item>
/// </list>
/// With z = (x − x̄)/‖x − x̄‖ (centred, unit norm) both statistics are inner products:
/// Lee's L = ⟨W z_a, W z_b⟩, Moran's I_ab = ⟨z_a, W z_b⟩. So all pairs of G genes cost one lag (one blur) per gene and
/// one Gram-matrix product (ZᵀLag(Z)-type GEMM), like <see cref="Ranking.CorrelationGram"/>.
/// </summary>
public static class SpatialLag
{
    /// <summary>Gaussian weights are truncated at ⌊Truncate·σ + 0.5⌋ pixels per axis, like our blur.</summary>
    public const double Truncate = 4.0;
    // Blocks of 2¹⁸ values keep each float64 temporary (2 MB) below glibc's mmap threshold, so they are reused from the
    // heap instead of being fresh, page-faulted mappings (which made 2²² blocks several times slower).
    private const long BlockElements = 1 << 18;

    /// <summary>How far the weights reach, in pixels per axis (1 for queen and rook).</summary>
    public static int Radius(SpatialWeights weights, double sigma)
    {
        CheckOptions(weights, sigma);
        return weights == SpatialWeights.Gaussian ? CpuGaussianBlur.Kernel1D(sigma, Truncate).Length / 2 : 1;
    }

    public static void CheckOptions(SpatialWeights weights, double sigma)
    {
        if (!Enum.IsDefined(weights))
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"Unknown spatial weights '{weights}'; use Queen, Rook or Gaussian.");
        if (weights == SpatialWeights.Gaussian && !(sigma > 0 && double.IsFinite(sigma)))
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"Gaussian spatial weights need a finite Sigma > 0 (pixels), got {sigma}. Use e.g. -Sigma 2, or -Weights Queen.");
    }

    /// <summary>The weights as shown in output parameters, e.g. "queen" or "gaussian σ=2".</summary>
    public static string Describe(SpatialWeights weights, double sigma) =>
        weights == SpatialWeights.Gaussian ? $"gaussian σ={sigma:g4}" : weights.ToString().ToLowerInvariant();

    /// <summary>
    /// The row-standardised spatial lag W·x of a [H, W] map (any float dtype; computed in float32) on <paramref name="device"/>.
    /// Returns a new float32 [H, W] tensor the caller owns (not in any dispose scope).
    /// </summary>
    public static Tensor Lag(Tensor map, ComputeDevice device, SpatialWeights weights, double sigma, GaussianMethod method = GaussianMethod.Auto)
    {
        CheckOptions(weights, sigma);
        if (map.ndim != 2) throw new ArgumentException($"Expected a [H, W] map, got [{string.Join(", ", map.shape)}].", nameof(map));
        using var scope = torch.NewDisposeScope();
        var x = map.to(ScalarType.Float32).contiguous();
        Tensor lag;
        if (weights == SpatialWeights.Gaussian) lag = GaussianLag(x, device, sigma, method);
        else if (device.IsCpu && IsCpuFloat(x)) lag = CpuContiguityLag(x, weights == SpatialWeights.Queen, 0, 1);
        else lag = TorchContiguityLag(x, weights == SpatialWeights.Queen);
        return lag.contiguous().MoveToOuterDisposeScope().DetachFromDisposeScope();
    }

    /// <summary>
    /// Queen or rook lag of the standardised map, ((W x)_i − mean)·scale = (W ((x − mean)·scale))_i (W 1 = 1), in float64
    /// from the raw float32 pixels, written to one new float32 tensor; rows in parallel. (A 3×3 stencil per pixel:
    /// the column sums of three rows, then three of them, minus the centre for queen; the neighbour count in closed form.)
    /// </summary>
    internal static Tensor CpuContiguityLag(Tensor x, bool queen, double mean, double scale)
    {
        int h = (int)x.shape[0], w = (int)x.shape[1];
        var output = torch.empty(new long[] { h, w }, ScalarType.Float32);
        Parallel.For(0, h, () => new double[w + 2], (y, _, column) =>
        {
            ReadOnlySpan<float> all = TensorMemory.AsFloatSpan(x);
            var here = all.Slice(y * w, w);
            var above = y > 0 ? all.Slice((y - 1) * w, w) : default;
            var below = y < h - 1 ? all.Slice((y + 1) * w, w) : default;
            var lag = TensorMemory.AsFloatSpan(output).Slice(y * w, w);
            int rowsInside = 1 + (y > 0 ? 1 : 0) + (y < h - 1 ? 1 : 0);
            // column[c + 1] = Σ of the (up to) three rows at column c; column[0] = column[w + 1] = 0 (outside).
            for (int c = 0; c < w; c++)
            {
                double v = here[c];
                if (!above.IsEmpty) v += above[c];
                if (!below.IsEmpty) v += below[c];
                column[c + 1] = v;
            }
            for (int c = 0; c < w; c++)
            {
                int colsInside = 1 + (c > 0 ? 1 : 0) + (c < w - 1 ? 1 : 0);
                double sum, count;
                if (queen)
                {
                    sum = column[c] + column[c + 1] + column[c + 2] - here[c];
                    count = rowsInside * colsInside - 1;
                }
                else
                {
                    sum = column[c + 1] - here[c] + (c > 0 ? here[c - 1] : 0) + (c < w - 1 ? here[c + 1] : 0);
                    count = rowsInside + colsInside - 2;
                }
                lag[c] = (float)((sum / count - mean) * scale);
            }
            return column;
        }, _ => { });
        return output;
    }

    /// <summary>The device-agnostic queen/rook lag (CUDA): sums of shifted slices of the zero-padded map over the neighbour counts.</summary>
    internal static Tensor TorchContiguityLag(Tensor x, bool queen)
    {
        long h = x.shape[0], w = x.shape[1];
        var padded = nn.functional.pad(x, (1, 1, 1, 1));
        var vertical = padded.narrow(0, 0, h) + padded.narrow(0, 1, h) + padded.narrow(0, 2, h);
        Tensor sum;
        if (queen)
            sum = vertical.narrow(1, 0, w) + vertical.narrow(1, 1, w) + vertical.narrow(1, 2, w) - x;
        else
        {
            var middle = padded.narrow(0, 1, h);
            sum = vertical.narrow(1, 1, w) - x + middle.narrow(1, 0, w) + middle.narrow(1, 2, w);
        }
        // Pixels of {i−1, i, i+1} inside the raster, per axis.
        var rows = InsideCount(h, x.device).view(h, 1);
        var cols = InsideCount(w, x.device).view(1, w);
        var neighbours = queen ? rows * cols - 1 : rows + cols - 2;
        return sum.div_(neighbours);
    }

    private static Tensor InsideCount(long n, Device device)
    {
        var c = new float[n];
        for (long i = 0; i < n; i++) c[i] = 1 + (i > 0 ? 1 : 0) + (i < n - 1 ? 1 : 0);
        return torch.tensor(c, ScalarType.Float32, device);
    }

    private static Tensor GaussianLag(Tensor x, ComputeDevice device, double sigma, GaussianMethod method)
    {
        long h = x.shape[0], w = x.shape[1];
        double[] k = CpuGaussianBlur.Kernel1D(sigma, Truncate);
        int r = k.Length / 2;
        var padded = nn.functional.pad(x, (r, r, r, r));
        var blurred = GaussianSmoothing.Blur(padded, device, sigma, method);
        var inside = blurred.narrow(0, r, h).narrow(1, r, w);
        var rows = KernelMassInside(k, h, x.device).view(h, 1);
        var cols = KernelMassInside(k, w, x.device).view(1, w);
        var lag = inside.div(rows).div_(cols);
        blurred.Dispose();
        return lag;
    }

    /// <summary>Σ k[d + r] over the offsets d with 0 ≤ i + d &lt; n, for each i (the zero-padded blur of ones along one axis).</summary>
    private static Tensor KernelMassInside(double[] k, long n, Device device)
    {
        int r = k.Length / 2;
        var mass = new float[n];
        for (long i = 0; i < n; i++)
        {
            double s = 0;
            for (long d = Math.Max(-r, -i); d <= Math.Min(r, n - 1 - i); d++) s += k[d + r];
            mass[i] = (float)s;
        }
        return torch.tensor(mass, ScalarType.Float32, device);
    }

    /// <summary>
    /// The centred unit-norm map z = (x − x̄)/‖x − x̄‖ (float32 [H, W], centred in float64) and its lag W·z, both owned by
    /// the caller; or null with a note naming the gene when it is constant (no spatial pattern: the statistics are undefined).
    /// Without <paramref name="keepZ"/>, Z may be null (on CPU the queen/rook lag is computed from the raw pixels directly).
    /// </summary>
    internal static (Tensor? Z, Tensor LagZ)? Standardise(GeneRaster g, SpatialWeights weights, double sigma, GaussianMethod method,
        string statistic, bool keepZ, out string? note)
    {
        CheckOptions(weights, sigma);
        using var scope = torch.NewDisposeScope();
        var x = g.Values.contiguous();
        bool cpu = g.Device.IsCpu && IsCpuFloat(x);
        var (mean, ss) = cpu ? CpuMoments(x) : TorchMoments(x.view(-1));
        if (!(ss > 0) || !double.IsFinite(ss))
        {
            note = $"gene '{g.Gene}' is constant over the raster (all {mean:g4}): it has no spatial pattern, so {statistic} is undefined";
            return null;
        }
        note = null;
        double scale = 1 / Math.Sqrt(ss);
        if (cpu && weights != SpatialWeights.Gaussian && !keepZ)
            return (null, CpuContiguityLag(x, weights == SpatialWeights.Queen, mean, scale).DetachFromDisposeScope());
        var z = torch.empty(new long[] { g.Height, g.Width }, ScalarType.Float32, g.Device.TorchDevice);
        if (cpu) CpuStandardise(x, z, mean, scale);
        else TorchStandardise(x.view(-1), z.view(-1), mean, scale);
        var lag = Lag(z, g.Device, weights, sigma, method);
        return (z.MoveToOuterDisposeScope().DetachFromDisposeScope(), lag);
    }

    /// <summary>As <see cref="Standardise"/>, for the all-pairs engines: a constant gene gives NaN-filled maps (so every product
    /// with it is NaN) and the note in <see cref="SpatialLagPrepared.Undefined"/>.</summary>
    internal static SpatialLagPrepared Prepare(GeneRaster g, SpatialLagOptions options, string statistic)
    {
        var prepared = Standardise(g, options.Weights, options.Sigma, options.SmoothingMethod, statistic, keepZ: true, out string? note);
        if (prepared is { } p) return new SpatialLagPrepared(g, p.Z!, p.LagZ, null);
        Tensor Nan() => torch.full(new long[] { g.Height, g.Width }, float.NaN, ScalarType.Float32, g.Device.TorchDevice).DetachFromDisposeScope();
        return new SpatialLagPrepared(g, Nan(), Nan(), note);
    }

    /// <summary>
    /// The pair term of Lee's L or Moran's I from two rasters: both standardised and lagged (<see cref="Standardise"/>, Z kept
    /// only when <paramref name="keepZ"/>), then <paramref name="term"/>(Z_a, Lag_a, Z_b, Lag_b); NaN with the note of the
    /// first gene that is constant.
    /// </summary>
    internal static SimilarityScore ComparePair(GeneRaster a, GeneRaster b, SpatialLagOptions options, string statistic, bool keepZ,
        Func<Tensor?, Tensor, Tensor?, Tensor, SimilarityScore> term)
    {
        RasterChecks.RequireSameCanvas(a, b);
        using var scope = torch.NewDisposeScope();
        var pa = Standardise(a, options.Weights, options.Sigma, options.SmoothingMethod, statistic, keepZ, out string? noteA);
        if (pa is not { } za) return SimilarityScore.Undefined(noteA!);
        using var zA = za.Z;
        using var lagA = za.LagZ;
        var pb = Standardise(b, options.Weights, options.Sigma, options.SmoothingMethod, statistic, keepZ, out string? noteB);
        if (pb is not { } zb) return SimilarityScore.Undefined(noteB!);
        using var zB = zb.Z;
        using var lagB = zb.LagZ;
        return term(zA, lagA, zB, lagB);
    }

    /// <summary>The pair term from two prepared genes (NaN with the note of the first undefined one).</summary>
    internal static SimilarityScore ComparePrepared(SpatialLagPrepared a, SpatialLagPrepared b, Func<Tensor?, Tensor, Tensor?, Tensor, SimilarityScore> term)
    {
        RasterChecks.RequireSameCanvas(a.Gene, a.Width, a.Height, b.Gene, b.Width, b.Height);
        if (a.Undefined is not null) return SimilarityScore.Undefined(a.Undefined);
        if (b.Undefined is not null) return SimilarityScore.Undefined(b.Undefined);
        return term(a.Z, a.LagZ, b.Z, b.LagZ);
    }

    /// <summary>Σ x_i y_i over two equally shaped tensors, accumulated in float64 (per chunk, chunks added in order).</summary>
    internal static double Dot(Tensor x, Tensor y)
    {
        using var scope = torch.NewDisposeScope();
        var cx = x.contiguous();
        var cy = y.contiguous();
        if (IsCpuFloat(cx) && IsCpuFloat(cy))
            return ChunkSums(cx.numel(), (start, len) => DotChunk(TensorMemory.AsFloatSpan(cx).Slice(start, len), TensorMemory.AsFloatSpan(cy).Slice(start, len)));
        var fx = cx.view(-1);
        var fy = cy.view(-1);
        long n = fx.shape[0];
        double sum = 0;
        for (long start = 0; start < n; start += BlockElements)
        {
            using var blockScope = torch.NewDisposeScope();
            long len = Math.Min(BlockElements, n - start);
            sum += (fx.narrow(0, start, len).to(ScalarType.Float64) * fy.narrow(0, start, len).to(ScalarType.Float64)).sum().item<double>();
        }
        return sum;
    }

    // ---- float64-accurate reductions: vectorised span loops on CPU (chunks in parallel, added in a fixed order), torch blocks elsewhere.

    private static bool IsCpuFloat(Tensor t) => t.device_type == DeviceType.CPU && t.dtype == ScalarType.Float32 && t.is_contiguous();

    /// <summary>Σ over chunks of <paramref name="chunkSum"/>(start, length), added in chunk order; deterministic for a given length.</summary>
    private static double ChunkSums(long n, Func<int, int, double> chunkSum) => ChunkedParallel.Reduce(n, chunkSum, 0.0, (x, y) => x + y);

    private static (double Mean, double SumOfSquares) CpuMoments(Tensor x)
    {
        long n = x.numel();
        double mean = ChunkSums(n, (start, len) => SumChunk(TensorMemory.AsFloatSpan(x).Slice(start, len))) / n;
        double ss = ChunkSums(n, (start, len) => SquaredDeviationChunk(TensorMemory.AsFloatSpan(x).Slice(start, len), mean));
        return (mean, ss);
    }

    private static void CpuStandardise(Tensor x, Tensor z, double mean, double scale)
    {
        ChunkedParallel.For(x.numel(), (start, len) =>
            StandardiseChunk(TensorMemory.AsFloatSpan(x).Slice(start, len), TensorMemory.AsFloatSpan(z).Slice(start, len), mean, scale));
    }

    private static (double Mean, double SumOfSquares) TorchMoments(Tensor flat)
    {
        long n = flat.shape[0];
        double sum = 0;
        for (long start = 0; start < n; start += BlockElements)
        {
            using var blockScope = torch.NewDisposeScope();
            sum += flat.narrow(0, start, Math.Min(BlockElements, n - start)).to(ScalarType.Float64).sum().item<double>();
        }
        double mean = sum / n, ss = 0;
        for (long start = 0; start < n; start += BlockElements)
        {
            using var blockScope = torch.NewDisposeScope();
            ss += (flat.narrow(0, start, Math.Min(BlockElements, n - start)).to(ScalarType.Float64) - mean).square().sum().item<double>();
        }
        return (mean, ss);
    }

    private static void TorchStandardise(Tensor flat, Tensor z, double mean, double scale)
    {
        long n = flat.shape[0];
        for (long start = 0; start < n; start += BlockElements)
        {
            using var blockScope = torch.NewDisposeScope();
            long len = Math.Min(BlockElements, n - start);
            z.narrow(0, start, len).copy_((flat.narrow(0, start, len).to(ScalarType.Float64) - mean) * scale);
        }
    }

    private static double SumChunk(ReadOnlySpan<float> x)
    {
        var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
        var acc = Vector<double>.Zero;
        foreach (var v in vx)
        {
            Vector.Widen(v, out var lo, out var hi);
            acc += lo + hi;
        }
        double s = Vector.Sum(acc);
        for (int i = vx.Length * Vector<float>.Count; i < x.Length; i++) s += x[i];
        return s;
    }

    private static double SquaredDeviationChunk(ReadOnlySpan<float> x, double mean)
    {
        var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
        var m = new Vector<double>(mean);
        var acc = Vector<double>.Zero;
        foreach (var v in vx)
        {
            Vector.Widen(v, out var lo, out var hi);
            lo -= m;
            hi -= m;
            acc += lo * lo + hi * hi;
        }
        double s = Vector.Sum(acc);
        for (int i = vx.Length * Vector<float>.Count; i < x.Length; i++) { double d = x[i] - mean; s += d * d; }
        return s;
    }

    private static void StandardiseChunk(ReadOnlySpan<float> x, Span<float> z, double mean, double scale)
    {
        var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
        var vz = MemoryMarshal.Cast<float, Vector<float>>(z);
        var m = new Vector<double>(mean);
        var k = new Vector<double>(scale);
        for (int i = 0; i < vx.Length; i++)
        {
            Vector.Widen(vx[i], out var lo, out var hi);
            vz[i] = Vector.Narrow((lo - m) * k, (hi - m) * k);
        }
        for (int i = vx.Length * Vector<float>.Count; i < x.Length; i++) z[i] = (float)((x[i] - mean) * scale);
    }

    private static double DotChunk(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
        var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
        var acc = Vector<double>.Zero;
        for (int i = 0; i < vx.Length; i++)
        {
            Vector.Widen(vx[i], out var xl, out var xh);
            Vector.Widen(vy[i], out var yl, out var yh);
            acc += xl * yl + xh * yh;
        }
        double s = Vector.Sum(acc);
        for (int i = vx.Length * Vector<float>.Count; i < x.Length; i++) s += (double)x[i] * y[i];
        return s;
    }

}
