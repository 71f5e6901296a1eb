using SpatialSim.TorchCore.Smoothing;
using SpatialSim.TorchCore.Statistics;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>
/// Analytic p-values for the correlation of two smooth maps, corrected for their spatial autocorrelation: the modified
/// t-test of Clifford, Richardson &amp; Hémon (1989, Biometrics 45:123–134, doi:10.2307/2532039) and Dutilleul (1993,
/// Biometrics 49:305–314, doi:10.2307/2532625). Under H₀ (two independent stationary fields) the variance of Pearson's r
/// over N sites is
/// <code>
/// Var(r) ≈ (1/N²) Σ_{p,q} ρ_x(p − q) ρ_y(p − q) = Σ_h Γ_x(h) Γ_y(h) / (N_h Γ_x(0) Γ_y(0))
/// </code>
/// over the 2-D lags h, with Γ(h) = Σ_p z(p) z(p + h) the autocovariance sums of the centred maps and N_h the number of
/// site pairs at lag h. The effective sample size is n_eff = 1 + 1/Var(r), and
/// <code>t = r √((n_eff − 2)/(1 − r²)),   p = P(T_{n_eff − 2} ≥ t)</code>
/// (one-sided, positive association, like the toroidal-shift test). With a_g(h) = w_h Γ_g(h)/(Γ_g(0) √N_h) (w = √2 for the
/// two lags ±h, kept once) Var(r_ij) = a_i · a_j, so all pairs need one more matrix product [G × lags]·[lags × G].
/// <para>The autocovariances are taken on a coarse grid: the counts (inside the tissue) are summed into square cells of
/// c = ⌈max(W, H)/<see cref="MaxCells"/>⌉ pixels, smoothed there with σ/c as a normalised convolution (the map's own
/// smoothing), centred over the cells inside the tissue (at least half covered), and Γ and N_h computed by FFT over the lags
/// up to half the grid in each direction (<see cref="LagFraction"/>). A grid coarser than the map's smoothing caps
/// n_eff near the number of cells, which makes the test conservative there, never liberal. n_eff is clamped to
/// [3, pixels counted]. Genes constant over the tissue get NaN. Q-values are Benjamini–Hochberg over the pairs tested
/// (<see cref="MultipleTesting"/>).</para>
/// </summary>
public sealed class ModifiedTTest
{
    /// <summary>Most cells along the longer side of the coarse grid.</summary>
    public const int MaxCells = 48;

    /// <summary>Lags up to this fraction of the grid's extent in each direction (the usual half of the largest distance).</summary>
    public const double LagFraction = 0.5;

    /// <summary>Below this σ in cells the coarse map is not smoothed further (the cell sum already spans the kernel).</summary>
    private const double MinCoarseSigma = 0.3;

    private const int FftBatch = 256;

    /// <summary>Band rows whose variances are computed at a time.</summary>
    private const int VarianceRows = 64;

    private readonly double[] _profiles;   // [genes × Lags], row-major
    private readonly bool[] _undefined;
    private double[]? _p;
    private long _start, _end;
    private int _focus = -1;
    private int _n;

    private ModifiedTTest(int genes, int lags, double[] profiles, bool[] undefined, int cell, int gridWidth, int gridHeight, long pixels)
    {
        Genes = genes;
        Lags = lags;
        _profiles = profiles;
        _undefined = undefined;
        CellSize = cell;
        GridWidth = gridWidth;
        GridHeight = gridHeight;
        Pixels = pixels;
    }

    public int Genes { get; }
    /// <summary>Lags (half-plane) in each gene's autocorrelation profile.</summary>
    public int Lags { get; }
    /// <summary>Pixels per side of a coarse cell.</summary>
    public int CellSize { get; }
    public int GridWidth { get; }
    public int GridHeight { get; }
    /// <summary>Pixels the correlations are computed over (the tissue, or the canvas): the largest n_eff.</summary>
    public long Pixels { get; }

    /// <summary>Bytes of the profiles for <paramref name="genes"/> genes on a canvas of <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static long ProfileBytes(int genes, int width, int height)
    {
        var (_, gw, gh) = Grid(width, height);
        return 8L * genes * LagCount(gw, gh);
    }

    /// <summary>Bytes this test holds for a ranking: the profiles, and a p- and q-value per pair tested.</summary>
    public long ReservedBytes(int genes, PairShard shard, int? focus)
    {
        var (start, end) = shard.Range(genes);
        long tested = focus is null ? end - start : genes;
        return 8L * _profiles.LongLength + 16L * tested;
    }

    private static (int Cell, int Width, int Height) Grid(int width, int height)
    {
        int cell = Math.Max(1, (Math.Max(width, height) + MaxCells - 1) / MaxCells);
        return (cell, (width + cell - 1) / cell, (height + cell - 1) / cell);
    }

    private static (int Dy, int Dx) LagLimits(int gw, int gh) =>
        ((int)Math.Floor(LagFraction * (gh - 1)), (int)Math.Floor(LagFraction * (gw - 1)));

    private static int LagCount(int gw, int gh)
    {
        var (ly, lx) = LagLimits(gw, gh);
        return lx + 1 + ly * (2 * lx + 1);   // dy = 0: dx = 0 … lx; dy = 1 … ly: dx = −lx … lx
    }

    /// <summary>Each gene's autocorrelation profile of its (smoothed, masked) map.</summary>
    /// <param name="sigma">The ranking's Gaussian σ in pixels (0: Pearson).</param>
    /// <param name="mask">Tissue mask (pixels &gt; 0 inside), or null.</param>
    public static ModifiedTTest Prepare(IReadOnlyList<GeneRaster> rasters, double sigma, GeneRaster? mask = null,
        GaussianMethod method = GaussianMethod.Auto, IProgress<(int Done, int Total, string Step)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        int n = rasters.Count;
        if (n == 0) return new ModifiedTTest(0, 0, Array.Empty<double>(), Array.Empty<bool>(), 1, 0, 0, 0);
        RasterChecks.RequireSameSize(rasters);
        int w = rasters[0].Width, h = rasters[0].Height;
        var (cell, gw, gh) = Grid(w, h);
        var inside = mask?.ToArray();
        if (inside is not null) RasterChecks.RequireMaskFits(mask!, rasters[0]);
        long pixels = inside is null ? (long)w * h : inside.LongCount(v => v > 0);

        // Cell areas (pixels inside the tissue) and, smoothed, the normaliser of the coarse maps.
        var area = new float[gw * gh];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (inside is null || inside[y * w + x] > 0) area[y / cell * gw + x / cell] += 1;
        var keep = area.Select(a => a >= 0.5f * cell * cell).ToArray();
        double coarseSigma = sigma / cell;
        bool smooth = coarseSigma >= MinCoarseSigma;
        var norm = (float[])area.Clone();
        if (smooth) CpuGaussianBlur.Blur(area, norm, gw, gh, coarseSigma, method, GaussianSmoothing.DefaultTruncate, 1);

        Devices.TorchRuntime.EnsureInitialized();
        int ph = 2 * gh, pw = 2 * gw;
        var (ly, lx) = LagLimits(gw, gh);
        int lags = LagCount(gw, gh);
        var lagIndex = new int[lags];
        var lagWeight = new double[lags];
        int li = 0;
        for (int dy = 0; dy <= ly; dy++)
            for (int dx = dy == 0 ? 0 : -lx; dx <= lx; dx++)
            {
                lagIndex[li] = dy * pw + (dx + pw) % pw;
                lagWeight[li] = dy == 0 && dx == 0 ? 1 : Math.Sqrt(2);
                li++;
            }
        // N_h: pairs of kept cells at each lag, by FFT of the indicator.
        var pairCounts = new double[lags];
        using (var scope = torch.NewDisposeScope())
        {
            var indicator = torch.zeros(new long[] { ph, pw }, ScalarType.Float64);
            var ind = new double[ph * pw];
            for (int y = 0; y < gh; y++)
                for (int x = 0; x < gw; x++) ind[y * pw + x] = keep[y * gw + x] ? 1 : 0;
            var auto = AutoCovariance(torch.tensor(ind, new long[] { 1, ph, pw }), ph, pw);
            var values = TensorMemory.ToDoubleArray(auto);
            for (int k = 0; k < lags; k++) pairCounts[k] = Math.Round(values[lagIndex[k]]);
        }
        double keptCells = keep.Count(k => k);

        var profiles = new double[(long)n * lags];
        var undefined = new bool[n];
        var coarse = new float[gw * gh];
        var blurred = new float[gw * gh];
        for (int b0 = 0; b0 < n; b0 += FftBatch)
        {
            int count = Math.Min(FftBatch, n - b0);
            var batch = new double[(long)count * ph * pw];
            var moment = new double[count];   // Σ value² over the kept cells, before centring
            for (int g = 0; g < count; g++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var raster = rasters[b0 + g];
                progress?.Report((b0 + g, n, raster.Gene));
                Array.Clear(coarse);
                if (raster.Sparse is { } sparse && !raster.HasDenseValues)
                {
                    var index = sparse.Index;
                    var v = sparse.Values;
                    for (int k = 0; k < index.Length; k++)
                    {
                        int p = index[k];
                        if (inside is not null && !(inside[p] > 0)) continue;
                        coarse[p / w / cell * gw + p % w / cell] += v[k];
                    }
                }
                else
                {
                    var values = raster.ToArray();
                    for (int p = 0; p < values.Length; p++)
                        if (values[p] != 0 && (inside is null || inside[p] > 0)) coarse[p / w / cell * gw + p % w / cell] += values[p];
                }
                if (smooth) CpuGaussianBlur.Blur(coarse, blurred, gw, gh, coarseSigma, method, GaussianSmoothing.DefaultTruncate, 1);
                else coarse.CopyTo(blurred, 0);
                double sum = 0;
                int cells = 0;
                for (int c = 0; c < blurred.Length; c++)
                    if (keep[c])
                    {
                        double value = blurred[c] / norm[c];
                        sum += value;
                        moment[g] += value * value;
                        cells++;
                    }
                double mean = cells > 0 ? sum / cells : 0;
                long offset = (long)g * ph * pw;
                for (int y = 0; y < gh; y++)
                    for (int x = 0; x < gw; x++)
                    {
                        int c = y * gw + x;
                        batch[offset + y * pw + x] = keep[c] ? blurred[c] / norm[c] - mean : 0;
                    }
            }
            using var scope = torch.NewDisposeScope();
            var auto = AutoCovariance(torch.tensor(batch, new long[] { count, ph, pw }), ph, pw);
            var gamma = TensorMemory.ToDoubleArray(auto);
            for (int g = 0; g < count; g++)
            {
                long offset = (long)g * ph * pw;
                double zero = gamma[offset];
                var row = profiles.AsSpan(checked((int)((long)(b0 + g) * lags)), lags);
                // A map constant over the kept cells has no variance: undefined (its correlation is NaN too).
                if (!(zero > 1e-12 * moment[g]))
                {
                    undefined[b0 + g] = true;
                    continue;
                }
                // ρ̂(h) = N Γ(h) / (N_h Γ(0)) is biased low by about Var(x̄)/σ² at every lag (the map is centred on its own mean);
                // that bias is estimated from the lags in the window, c = Σ_{h in window, both signs} Γ(h) / (N Γ(0)), and
                // added back: ρ̃ = (ρ̂ + c)/(1 + c).
                double c = 0;
                for (int k = 0; k < lags; k++) c += (lagWeight[k] > 1 ? 2 : 1) * gamma[offset + lagIndex[k]];
                c /= keptCells * zero;
                c = Math.Max(0, c);
                for (int k = 0; k < lags; k++)
                {
                    if (pairCounts[k] < 1) { row[k] = 0; continue; }
                    double rho = keptCells * gamma[offset + lagIndex[k]] / (pairCounts[k] * zero);
                    row[k] = lagWeight[k] * (rho + c) / (1 + c) * Math.Sqrt(pairCounts[k]) / keptCells;
                }
            }
        }
        progress?.Report((n, n, ""));
        return new ModifiedTTest(n, lags, profiles, undefined, cell, gw, gh, pixels);
    }

    /// <summary>Γ(h) = Σ_p z(p) z(p + h) for a batch [B, ph, pw] of zero-padded maps (the padding makes the circular correlation linear).</summary>
    private static Tensor AutoCovariance(Tensor batch, int ph, int pw)
    {
        var f = torch.fft.rfft2(batch);
        var power = (f * f.conj()).real;
        return torch.fft.irfft2(power.to_type(ScalarType.ComplexFloat64), s: new long[] { ph, pw }).contiguous();
    }

    /// <summary>Var(r_ij) under H₀ from the two genes' profiles.</summary>
    public double Variance(int i, int j)
    {
        if (_undefined[i] || _undefined[j]) return double.NaN;
        double sum = 0;
        var a = _profiles.AsSpan(i * Lags, Lags);
        var b = _profiles.AsSpan(j * Lags, Lags);
        for (int k = 0; k < Lags; k++) sum += a[k] * b[k];
        return sum;
    }

    /// <summary>The effective sample size 1 + 1/Var(r), clamped to [3, <paramref name="pixels"/>].</summary>
    public static double EffectiveSampleSize(double variance, long pixels)
    {
        if (double.IsNaN(variance)) return double.NaN;
        double neff = variance > 0 ? 1 + 1 / variance : pixels;
        return Math.Clamp(neff, 3, Math.Max(3, pixels));
    }

    /// <summary>One-sided p-value P(T ≥ t) of correlation <paramref name="r"/> with effective sample size <paramref name="neff"/>.</summary>
    public static double PValue(double r, double neff)
    {
        if (double.IsNaN(r) || double.IsNaN(neff)) return double.NaN;
        if (r >= 1) return 0;
        if (r <= -1) return 1;
        double df = neff - 2;
        double t = r * Math.Sqrt(df / (1 - r * r));
        return SpecialFunctions.StudentTUpperTail(t, df);
    }

    /// <summary>The p-value of pair (i, j) with correlation r.</summary>
    public double PValue(int i, int j, double r) => PValue(r, EffectiveSampleSize(Variance(i, j), Pixels));

    /// <summary>Starts collecting p-values for the pairs of a ranking (all pairs of the shard, or the focus gene's pairs).</summary>
    public void Begin(int genes, PairShard shard, int? focus)
    {
        if (genes != Genes) throw new ArgumentException($"The test was prepared for {Genes} genes, not {genes}.", nameof(genes));
        _n = genes;
        (_start, _end) = shard.Range(genes);
        _focus = focus ?? -1;
        _p = new double[focus is null ? _end - _start : genes];
        Array.Fill(_p, double.NaN);
    }

    /// <summary>The p-values of a band's pairs numbered in [start, end) (and of the focus gene's, with one).</summary>
    public void Add(CorrelationBlock block, long start, long end)
    {
        if (_p is null) throw new InvalidOperationException("Add before Begin.");
        int rows = block.Rows, columns = block.Columns, r0 = block.RowStart, n = _n;
        var p = _p;
        using var scope = torch.NewDisposeScope();
        var profiles = torch.tensor(_profiles, new long[] { Genes, Lags });
        var columnProfiles = profiles.narrow(0, r0, columns);
        // Var(r) for VarianceRows rows of the band at a time: [rows × lags]·[lags × columns], so the variances never take
        // more than a sliver of the band's memory.
        for (int c0 = 0; c0 < rows; c0 += VarianceRows)
        {
            int count = Math.Min(VarianceRows, rows - c0);
            using var chunkScope = torch.NewDisposeScope();
            var v = TensorMemory.ToDoubleArray(torch.mm(profiles.narrow(0, r0 + c0, count), columnProfiles.t()));
            Parallel.For(r0 + c0, Math.Min(r0 + c0 + count, n - 1), i =>
            {
                long rowStart = PairShard.PairNumber(i, i + 1, n);
                long first = Math.Max(start, rowStart), last = Math.Min(end, rowStart + (n - i - 1));
                var scores = block.Row(i);
                for (long k = first; k < last; k++)
                {
                    int j = (int)(k - rowStart) + i + 1;
                    if (_focus >= 0 && i != _focus && j != _focus) continue;
                    long cellIndex = (long)(i - r0 - c0) * columns + (j - r0);
                    double var = _undefined[i] || _undefined[j] ? double.NaN : v[cellIndex];
                    double pv = PValue(scores[j - r0], EffectiveSampleSize(var, Pixels));
                    if (_focus >= 0) p[i == _focus ? j : i] = pv;
                    else p[k - _start] = pv;
                }
            });
        }
    }

    /// <summary>Benjamini–Hochberg over the pairs tested; the lookup of a pair's p- and q-value by input positions.</summary>
    public Func<int, int, (double PValue, double QValue)> Finish()
    {
        if (_p is null) throw new InvalidOperationException("Finish before Begin.");
        var p = _p;
        var q = MultipleTesting.BenjaminiHochberg(p);
        int n = _n, focus = _focus;
        long start = _start, end = _end;
        return (i, j) =>
        {
            if (i > j) (i, j) = (j, i);
            long index;
            if (focus >= 0)
            {
                if (i != focus && j != focus) return (double.NaN, double.NaN);
                index = i == focus ? j : i;
            }
            else
            {
                long k = PairShard.PairNumber(i, j, n);
                if (k < start || k >= end) return (double.NaN, double.NaN);
                index = k - start;
            }
            return (p[index], q[index]);
        };
    }
}
