using SpatialSim.TorchCore.Similarity;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>Settings of the toroidal-shift significance test (<see cref="ToroidalShiftTest"/>).</summary>
public sealed record SignificanceOptions
{
    /// <summary>The default seed: the same shifts (and p-values) on every run unless -Seed says otherwise.</summary>
    public const int DefaultSeed = 1;
    /// <summary>Tissue overlap a shift must keep, as a fraction of the tissue; lowered by halves (to 1/20) when too few shifts qualify.</summary>
    public const double StartOverlap = 0.5;

    /// <summary>Number N of random shifts (the null sample size); the smallest possible p-value is 1/(N+1).</summary>
    public int Permutations { get; init; } = 99;
    public int Seed { get; init; } = DefaultSeed;
    /// <summary>Shifts shorter than this (pixels, toroidal distance) are not used; null = automatic (<see cref="ToroidalShiftTest.AutomaticMinDisplacement"/>).</summary>
    public double? MinDisplacement { get; init; }
}

/// <summary>The p- and q-values of the pairs tested (NaN elsewhere), and how the null was drawn.</summary>
public sealed class SignificanceResult
{
    public required double[,] PValues { get; init; }
    public required double[,] QValues { get; init; }
    public required IReadOnlyList<(int Dy, int Dx)> Shifts { get; init; }
    /// <summary>The minimum toroidal displacement in pixels.</summary>
    public double MinDisplacement { get; init; }
    /// <summary>The tissue overlap fraction every shift keeps (1 without a mask).</summary>
    public double MinOverlap { get; init; }
    /// <summary>How many shifts qualified (all of them are used when fewer than N).</summary>
    public int Eligible { get; init; }
    /// <summary>True when the correlations at all shifts came from FFT cross-correlation, false when the measure was recomputed per shift.</summary>
    public bool Fast { get; init; }
    public int Tested { get; init; }
}

/// <summary>
/// A spatially constrained permutation test for the similarity of two gene maps by toroidal shifts
/// (the null of MERINGUE, Miller et al. 2021, Genome Res. 31:1843, and of the "toroidal shift" test of
/// Fortin &amp; Jacquez 2000 / Upton &amp; Fingleton): one map is circularly shifted against the other by a random
/// 2-D displacement s = (dy, dx) on the torus of the canvas, which keeps each map's own spatial autocorrelation
/// but breaks their alignment. For N shifts s₁…s_N the measure gives a null sample T(s_k), and
/// <code>p = (1 + #{k : T(s_k) ≥ T_observed}) / (N + 1)</code>
/// (Phipson &amp; Smyth 2010: never 0, exact-level under the null). Null values that are undefined (NaN) are left
/// out of N. Q-values are Benjamini–Hochberg over the pairs tested (<see cref="MultipleTesting"/>).
///
/// Why not pixel shuffles or a t-test on r: smoothing (and tissue structure) makes neighbouring pixels strongly
/// dependent, so the effective number of independent observations is far below the pixel count; a shuffle
/// destroys that autocorrelation and a t-test assumes independent pixels, so both give p-values that are far
/// too small (anti-conservative) on smoothed maps. A shift keeps the autocorrelation of both maps.
///
/// Shifts: all displacements (dy, dx) on the canvas whose toroidal length √(min(dy,H−dy)² + min(dx,W−dx)²) is at
/// least the minimum displacement d_min (default <see cref="AutomaticMinDisplacement"/>: max(4σ, min(H,W)/10, 2)
/// with σ the measure's largest smoothing scale — shorter shifts leave the smoothed maps correlated with
/// themselves, so they are not draws from the null) and, with a tissue mask, that keep at least half of the
/// tissue overlapping itself (lowered by halves to 1/20 when fewer than N shifts qualify). From these, N are
/// drawn without replacement by a seeded generator (System.Random(seed)); all are used when fewer than N
/// qualify. The same shifts are used for every pair.
///
/// Fast path (Pearson and SmoothedPearson, no pyramid): the maps are prepared once per gene (smoothed, masked,
/// centred, unit norm: <see cref="CorrelationMaps"/>), each gene's map is Fourier transformed once (rfft2),
/// and per pair one product and one inverse FFT give the cross-correlation Σ_p a(p)·b(p+s) at ALL shifts at once.
/// With a tissue mask m the null value at shift s is the Pearson correlation over the overlap O(s) = tissue ∩
/// (tissue − s), from the five cross-correlations of a·m, a²·m, b·m, b²·m and m (only the first depends on
/// the pair), so it is exactly the masked correlation of a with the shifted b over the pixels where both are
/// tissue. Without a mask O(s) is the whole canvas and the value is the plain circular-shift correlation.
/// Several σ: the null value is the mean over σ, like the score.
/// Other measures (slow path): the measure is recomputed on N circularly shifted copies of the second map
/// (torch.roll; a tissue mask, if any, stays put), N evaluations per pair.
/// </summary>
public static class ToroidalShiftTest
{
    /// <summary>Whether the FFT path applies (else every shift recomputes the measure).</summary>
    public static bool HasFastPath(SimilarityMethod method, SimilarityOptions options) =>
        options.Pyramid <= 1 && SimilarityMeasures.For(method).CorrelationSigmas(options) is not null;

    /// <summary>The largest smoothing or window scale (pixels) of a measure: the distance over which it makes pixels dependent.</summary>
    public static double Scale(SimilarityMethod method, SimilarityOptions options) => SimilarityMeasures.For(method).Scale(options);

    /// <summary>d_min = max(4·scale, min(H, W)/10, 2) pixels: beyond 4σ a Gaussian-smoothed map no longer shares kernel mass with its shifted self.</summary>
    public static double AutomaticMinDisplacement(SimilarityMethod method, SimilarityOptions options, int width, int height) =>
        Math.Max(Math.Max(4 * Scale(method, options), Math.Min(width, height) / 10.0), 2.0);

    /// <summary>
    /// P- and q-values for <paramref name="pairs"/> (indices into <paramref name="rasters"/>) given their observed scores.
    /// </summary>
    public static SignificanceResult Compute(IReadOnlyList<GeneRaster> rasters, double[,] observed, IReadOnlyList<(int I, int J)> pairs,
        SimilarityMethod method, SimilarityOptions options, SignificanceOptions significance,
        IProgress<(int Done, int Total, string Step)>? progress = null, CancellationToken cancellationToken = default)
    {
        if (significance.Permutations < 1)
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"The number of permutations must be at least 1; got {significance.Permutations}.");
        RasterChecks.RequireSameSize(rasters);
        int n = rasters.Count, h = rasters[0].Height, w = rasters[0].Width;
        double dmin = significance.MinDisplacement ?? AutomaticMinDisplacement(method, options, w, h);
        using var scope = torch.NewDisposeScope();
        var device = rasters[0].Device.TorchDevice;
        Tensor? inside = options.Mask is null ? null : (options.Mask.Values.to(device) > 0).to(ScalarType.Float32);
        if (options.Mask is not null) RasterChecks.RequireMaskFits(options.Mask, rasters[0]);
        var (shifts, overlap, eligible, fraction) = ChooseShifts(w, h, inside, significance.Permutations, significance.Seed, dmin);
        bool fast = HasFastPath(method, options);
        var nulls = fast
            ? FastNull(rasters, pairs, shifts, overlap, inside, options, method, progress, cancellationToken)
            : SlowNull(rasters, pairs, shifts, method, options, progress, cancellationToken);

        var p = Filled(n, double.NaN);
        var pList = new double[pairs.Count];
        for (int k = 0; k < pairs.Count; k++)
        {
            var (i, j) = pairs[k];
            pList[k] = PValue(observed[i, j], nulls[k]);
            p[i, j] = p[j, i] = pList[k];
        }
        var qList = MultipleTesting.BenjaminiHochberg(pList);
        var q = Filled(n, double.NaN);
        for (int k = 0; k < pairs.Count; k++) { var (i, j) = pairs[k]; q[i, j] = q[j, i] = qList[k]; }
        return new SignificanceResult
        {
            PValues = p, QValues = q, Shifts = shifts, MinDisplacement = dmin, MinOverlap = fraction,
            Eligible = eligible, Fast = fast, Tested = pairs.Count,
        };
    }

    /// <summary>(1 + #{null ≥ observed}) / (#finite nulls + 1); NaN when the observed score or every null value is undefined.</summary>
    public static double PValue(double observed, IReadOnlyList<double> nulls)
    {
        if (double.IsNaN(observed)) return double.NaN;
        int valid = 0, atLeast = 0;
        // A tolerance far below any meaningful score difference but above float32 FFT rounding: ties count against the pair.
        double bar = observed - 1e-6;
        foreach (double t in nulls)
        {
            if (double.IsNaN(t)) continue;
            valid++;
            if (t >= bar) atLeast++;
        }
        return valid == 0 ? double.NaN : (1.0 + atLeast) / (valid + 1.0);
    }

    /// <summary>
    /// The null scores T(s) of each pair at the given shifts (b'(p) = b(p + s)): by FFT where the measure allows
    /// it, or by recomputing the measure on shifted copies when <paramref name="recompute"/> is set or no FFT path exists.
    /// </summary>
    public static List<double[]> NullScores(IReadOnlyList<GeneRaster> rasters, IReadOnlyList<(int I, int J)> pairs,
        IReadOnlyList<(int Dy, int Dx)> shifts, SimilarityMethod method, SimilarityOptions options, bool recompute = false)
    {
        RasterChecks.RequireSameSize(rasters);
        if (recompute || !HasFastPath(method, options)) return SlowNull(rasters, pairs, shifts, method, options, null, default);
        using var scope = torch.NewDisposeScope();
        int h = rasters[0].Height, w = rasters[0].Width;
        Tensor? inside = null;
        double[] overlap;
        if (options.Mask is null) overlap = shifts.Select(_ => (double)h * w).ToArray();
        else
        {
            RasterChecks.RequireMaskFits(options.Mask, rasters[0]);
            inside = (options.Mask.Values.to(rasters[0].Device.TorchDevice) > 0).to(ScalarType.Float32);
            var o = TensorMemory.ToDoubleArray(CrossCorrelation(inside.to(ScalarType.Float64), inside.to(ScalarType.Float64)).reshape(-1));
            overlap = shifts.Select(s => Math.Round(o[s.Dy * w + s.Dx])).ToArray();
        }
        return FastNull(rasters, pairs, shifts, overlap, inside, options, method, null, default);
    }

    private static double[,] Filled(int n, double value)
    {
        var m = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m[i, j] = value;
        return m;
    }

    /// <summary>
    /// The shifts used for every pair (see the class remarks) and, per shift, the number of tissue pixels that
    /// overlap their shifted copy (the canvas size without a mask).
    /// </summary>
    public static (IReadOnlyList<(int Dy, int Dx)> Shifts, double[] Overlap, int Eligible, double Fraction) ChooseShifts(
        int width, int height, Tensor? inside, int count, int seed, double minDisplacement)
    {
        long pixels = (long)width * height;
        double[] overlapMap;
        double tissue;
        if (inside is null)
        {
            overlapMap = Array.Empty<double>();
            tissue = pixels;
        }
        else
        {
            using var scope = torch.NewDisposeScope();
            var f = torch.fft.rfft2(inside.to(ScalarType.Float64));
            var o = torch.fft.irfft2(f.conj() * f, new long[] { height, width });
            overlapMap = TensorMemory.ToDoubleArray(o.reshape(-1));
            tissue = inside.sum(ScalarType.Float64).item<double>();
        }
        if (tissue < 3)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"The tissue mask has {tissue} pixel(s) inside; the shift test needs a tissue of at least 3 pixels.");
        double fraction = SignificanceOptions.StartOverlap;
        var eligible = new List<int>();
        while (true)
        {
            eligible.Clear();
            double needed = Math.Max(3, fraction * tissue);
            for (int dy = 0; dy < height; dy++)
            {
                int ty = Math.Min(dy, height - dy);
                for (int dx = 0; dx < width; dx++)
                {
                    int tx = Math.Min(dx, width - dx);
                    if (Math.Sqrt((double)ty * ty + (double)tx * tx) < minDisplacement) continue;
                    int index = dy * width + dx;
                    if (inside is not null && Math.Round(overlapMap[index]) < needed) continue;
                    eligible.Add(index);
                }
            }
            if (eligible.Count >= count || inside is null || fraction <= 0.05) break;
            fraction = Math.Max(0.05, fraction / 2);
        }
        if (eligible.Count == 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"No shift of the {width}×{height} canvas is at least {minDisplacement:g3} pixels long" +
                (inside is null ? "" : $" and keeps {fraction:P0} of the tissue overlapping") +
                ": the canvas is too small for a shift test at this smoothing scale. Use a larger region, a smaller -Sigma" +
                (inside is null ? "." : ", or -NoTissueMask."));
        var rng = new Random(seed);
        int take = Math.Min(count, eligible.Count);
        for (int k = 0; k < take; k++)
        {
            int r = k + rng.Next(eligible.Count - k);
            (eligible[k], eligible[r]) = (eligible[r], eligible[k]);
        }
        var chosen = eligible.Take(take).ToList();
        var shifts = chosen.Select(ix => (ix / width, ix % width)).ToList();
        var overlap = chosen.Select(ix => inside is null ? (double)pixels : Math.Round(overlapMap[ix])).ToArray();
        return (shifts, overlap, eligible.Count, inside is null ? 1.0 : fraction);
    }

    /// <summary>
    /// Cross-correlation c(s) = Σ_p a(p)·b(p+s) of two [H, W] maps at every circular shift s = (dy, dx), as an
    /// [H, W] tensor indexed [dy, dx]: irfft2(conj(rfft2 a) · rfft2 b).
    /// </summary>
    public static Tensor CrossCorrelation(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        long h = a.shape[^2], w = a.shape[^1];
        var fa = torch.fft.rfft2(a);
        var fb = torch.fft.rfft2(b);
        return torch.fft.irfft2(fa.conj() * fb, new long[] { h, w }).MoveToOuterDisposeScope();
    }

    private static List<double[]> FastNull(IReadOnlyList<GeneRaster> rasters, IReadOnlyList<(int I, int J)> pairs,
        IReadOnlyList<(int Dy, int Dx)> shifts, double[] overlap, Tensor? inside, SimilarityOptions options, SimilarityMethod method,
        IProgress<(int Done, int Total, string Step)>? progress, CancellationToken cancellationToken)
    {
        int n = rasters.Count, h = rasters[0].Height, w = rasters[0].Width, ns = shifts.Count;
        var device = rasters[0].Device.TorchDevice;
        var sigmas = SimilarityMeasures.For(method).CorrelationSigmas(options)!.ToArray();
        var used = new bool[n];
        foreach (var (i, j) in pairs) used[i] = used[j] = true;
        var shiftIndex = torch.tensor(shifts.Select(s => (long)(s.Dy * w + s.Dx)).ToArray(), ScalarType.Int64, device);
        var hw = new long[] { h, w };
        // The tissue indicator's spectrum (all ones without a mask).
        using var ones = inside is null ? torch.ones(new long[] { h, w }, ScalarType.Float32, device) : null;
        var m = inside ?? ones!;
        using var fm = torch.fft.rfft2(m);
        double[] Gather(Tensor map) { using var s = map.reshape(-1).index_select(0, shiftIndex); using var d = s.to(ScalarType.Float64); return TensorMemory.ToDoubleArray(d); }

        // Per σ and gene: the spectrum of z (kept for the pair products) and the per-shift sums
        // SA(s) = Σ z(p) m(p+s), QA(s) = Σ z(p)² m(p+s), SB(s) = Σ m(p) z(p+s), QB(s) = Σ m(p) z(p+s)².
        var spectra = new Tensor?[sigmas.Length, n];
        var sa = new double[sigmas.Length, n][];
        var qa = new double[sigmas.Length, n][];
        var sb = new double[sigmas.Length, n][];
        var qb = new double[sigmas.Length, n][];
        int prepTotal = sigmas.Length * n, prepDone = 0;
        try
        {
            for (int l = 0; l < sigmas.Length; l++)
            {
                using var maps = new CorrelationMaps(rasters[0], options.Mask, sigmas[l], options.SmoothingMethod);
                for (int g = 0; g < n; g++, prepDone++)
                {
                    if (!used[g]) continue;
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report((prepDone, prepTotal + pairs.Count, $"null: spectrum of {rasters[g].Gene}"));
                    using var z = maps.Prepare(rasters[g]);
                    if (z is null) continue;
                    using var geneScope = torch.NewDisposeScope();
                    var fz = torch.fft.rfft2(z);
                    var fz2 = torch.fft.rfft2(z.square());
                    sa[l, g] = Gather(torch.fft.irfft2(fz.conj() * fm, hw));
                    qa[l, g] = Gather(torch.fft.irfft2(fz2.conj() * fm, hw));
                    sb[l, g] = Gather(torch.fft.irfft2(fm.conj() * fz, hw));
                    qb[l, g] = Gather(torch.fft.irfft2(fm.conj() * fz2, hw));
                    spectra[l, g] = fz.DetachFromDisposeScope();
                }
            }

            var nulls = new List<double[]>(pairs.Count);
            for (int k = 0; k < pairs.Count; k++) nulls.Add(new double[ns]);
            long bytesPerPair = (long)h * w * 16;
            int chunk = (int)Math.Clamp((1L << 27) / Math.Max(1, bytesPerPair), 1, 64);
            int done = 0;
            foreach (var group in Enumerable.Range(0, pairs.Count).GroupBy(k => pairs[k].I))
            {
                int i = group.Key;
                foreach (var block in group.Chunk(chunk))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report((prepTotal + done, prepTotal + pairs.Count, $"null: {rasters[i].Gene} × {block.Length} partner(s)"));
                    var sum = new double[block.Length, ns];
                    var undefined = new bool[block.Length];
                    for (int l = 0; l < sigmas.Length; l++)
                    {
                        if (spectra[l, i] is null) { Array.Fill(undefined, true); continue; }
                        using var blockScope = torch.NewDisposeScope();
                        var partners = block.Select(k => spectra[l, pairs[k].J]).ToList();
                        for (int b = 0; b < block.Length; b++) if (partners[b] is null) undefined[b] = true;
                        var present = Enumerable.Range(0, block.Length).Where(b => partners[b] is not null).ToList();
                        if (present.Count == 0) continue;
                        var stack = torch.stack(present.Select(b => partners[b]!).ToArray());
                        var c = torch.fft.irfft2(spectra[l, i]!.conj().unsqueeze(0) * stack, hw);
                        var gathered = c.reshape(present.Count, -1).index_select(1, shiftIndex).to(ScalarType.Float64);
                        var values = TensorMemory.ToDoubleArray(gathered);
                        for (int pi = 0; pi < present.Count; pi++)
                        {
                            int b = present[pi], j = pairs[block[b]].J;
                            for (int s = 0; s < ns; s++)
                                sum[b, s] += OverlapCorrelation(values[pi * ns + s], sa[l, i]![s], qa[l, i]![s], sb[l, j]![s], qb[l, j]![s], overlap[s]);
                        }
                    }
                    for (int b = 0; b < block.Length; b++)
                    {
                        var row = nulls[block[b]];
                        for (int s = 0; s < ns; s++) row[s] = undefined[b] ? double.NaN : sum[b, s] / sigmas.Length;
                    }
                    done += block.Length;
                }
            }
            progress?.Report((prepTotal + pairs.Count, prepTotal + pairs.Count, ""));
            return nulls;
        }
        finally
        {
            foreach (var t in spectra) t?.Dispose();
            shiftIndex.Dispose();
        }
    }

    /// <summary>Pearson correlation over the overlap of n pixels from the cross sums; NaN when either side is constant there.</summary>
    private static double OverlapCorrelation(double cross, double sumA, double sqA, double sumB, double sqB, double n)
    {
        if (n < 2) return double.NaN;
        double va = sqA - sumA * sumA / n, vb = sqB - sumB * sumB / n;
        // Both maps have unit norm over the tissue: a variance this small is rounding noise, the map is flat on the overlap.
        if (va <= 1e-9 || vb <= 1e-9) return double.NaN;
        return Math.Clamp((cross - sumA * sumB / n) / Math.Sqrt(va * vb), -1.0, 1.0);
    }

    private static List<double[]> SlowNull(IReadOnlyList<GeneRaster> rasters, IReadOnlyList<(int I, int J)> pairs,
        IReadOnlyList<(int Dy, int Dx)> shifts, SimilarityMethod method, SimilarityOptions options,
        IProgress<(int Done, int Total, string Step)>? progress, CancellationToken cancellationToken)
    {
        var nulls = new List<double[]>(pairs.Count);
        int total = pairs.Count * shifts.Count, done = 0;
        foreach (var (i, j) in pairs)
        {
            var row = new double[shifts.Count];
            for (int s = 0; s < shifts.Count; s++, done++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report((done, total, $"null: {rasters[i].Gene} × {rasters[j].Gene}, shift {s + 1}/{shifts.Count}"));
                var (dy, dx) = shifts[s];
                // b'(p) = b(p + s): roll by −s.
                using var shifted = rasters[j].With(rasters[j].Values.roll(new long[] { -dy, -dx }, new long[] { 0, 1 }), $"shift ({dy},{dx})");
                row[s] = SimilarityMeasures.Compare(method, rasters[i], shifted, options).Score;
            }
            nulls.Add(row);
        }
        progress?.Report((total, total, ""));
        return nulls;
    }
}
