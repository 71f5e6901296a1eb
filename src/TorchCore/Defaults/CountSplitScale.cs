using System.Diagnostics;
using System.Runtime.CompilerServices;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;
using SpatialSim.TorchCore.Smoothing;

namespace SpatialSim.TorchCore.Defaults;

/// <summary>
/// The default smoothing scale chosen from the data by Poisson count splitting — cross-validation that needs no
/// ground truth:
/// <list type="number">
/// <item>each gene's counts c are split into two halves by binomial thinning, A ~ Binomial(c, ½), B = c − A: for Poisson
/// counts two independent samples of the same pattern (count splitting: Neufeld et al. 2024, Biostatistics 25(1):270–287,
/// doi:10.1093/biostatistics/kxac047);</item>
/// <item>for each candidate σ, one half smoothed predicts the other; the held-out error Σ (B − G_σ*A)² over the canvas
/// (G_σ: the Gaussian the ranking uses), averaged over every possible split, has the closed form
/// <c>E(σ) = ¼ [Σ (G_σ*c − c)² + N (1 + 2 G_σ(0) + Σ G_σ²)]</c> (N = Σ c), so no split is drawn and no seed enters: the
/// least-squares cross-validated bandwidth of kernel density estimation (Rudemo 1982, Scand. J. Stat. 9:65–78; Bowman 1984,
/// Biometrika 71:353–360, doi:10.1093/biomet/71.2.353) for counts on a pixel grid, with the pairs of counts that share a
/// pixel taken at a credible value (<see cref="SelfPairs"/>);</item>
/// <item>each gene's optimum σ_g is the candidate with the smallest error, refined by a parabola through its neighbours in
/// log σ; the scale of the halves is the median of σ_g over the genes whose halves share a pattern (an optimum below the
/// ceiling), and σ = 2^(−1/6) × that median, because the optimal bandwidth of a 2-D density estimate shrinks as n^(−1/6)
/// and the full counts are twice a half.</item>
/// </list>
/// Why per gene, then the median: pooling the raw errors of all genes lets the few high-count genes, whose optimum is
/// small, outweigh the many sparse ones; each gene's own optimum weighs every gene alike. A dense, high-count spot grid
/// predicts itself best nearly unsmoothed (≈ 0.5 spot on the mouse olfactory bulb ST data), sparse single molecules need
/// wide smoothing (≈ 90 px on the CA1 ISS table at bin 1). The criterion sees only where molecules are, so binning the
/// data by k divides σ in pixels by k: σ × bin size is the same physical scale at every bin (the candidates are the same
/// physical scales at every bin, 2^(j/3) pixels of bin 1). One σ for all genes keeps every pair compared alike.
/// <para>Cost is bounded: at most <see cref="MaxGenes"/> genes (spread over the range of total counts) are evaluated, in
/// parallel; a candidate σ is evaluated on block sums of stride s = max(1, ⌊σ / <see cref="SigmaPerStride"/>⌋) that tile the
/// canvas (⌈W/s⌉ blocks of W/⌈W/s⌉ pixels, so 'reflect' mirrors at the canvas' own edges), with the kernels corrected for
/// the spread of the counts within their blocks (<see cref="HeldOutError"/>); the smallest candidate is
/// 1.5 × √(pixels / <see cref="EvaluationPixels"/>), so no grid has more than about twice that many pixels; candidates are
/// tried from the largest down, and a gene stops once its error has risen <see cref="RisesToStop"/> candidates in a row past
/// its minimum.</para>
/// <para>Each step of a gene's curve, E(σ_j) − E(σ_j+1), is measured on one grid (σ_j's), both errors on the same blocks:
/// block sums approximate the pixels' error with a bias that jumps with the stride, and many genes' curves are flat over a
/// factor of several in σ (differences of 10⁻⁵ of the error), so a curve pieced together from values on different grids puts
/// their minimum wherever the bias jumps. Measured on the bundled Stereo-seq patch, with each candidate on its own grid
/// σ × bin came out 39.6, 37.3, 47.4, 37.2, 46.2 and 41.8 px at bins 1, 2, 3, 4, 5 and 10 (11 to 30 of 64 genes at the
/// ceiling); with the steps on one grid 44.3, 44.8, 43.8, 44.8, 44.0 and 45.2 (25 or 26 at the ceiling), as the exact
/// evaluation on the pixels gives (45.5 to 43.7). The second evaluation per step doubles the cost (about 1 s for the CA1 ISS
/// table at full resolution on 2 cores).</para>
/// </summary>
public static class CountSplitScale
{
    /// <summary>Most genes evaluated.</summary>
    public const int MaxGenes = 64;
    /// <summary>Genes with fewer counts (about 10 per half) say little about a scale and are not evaluated.</summary>
    public const double MinGeneCounts = 20;
    /// <summary>Most pixels of an evaluation grid; larger canvases are evaluated on block sums.</summary>
    public const long EvaluationPixels = 1L << 18;
    /// <summary>A candidate σ is evaluated on a grid whose stride is at most σ / this.</summary>
    public const double SigmaPerStride = 2;
    /// <summary>Candidates are σ = 2^(j / this) pixels of bin 1.</summary>
    public const int CandidatesPerOctave = 3;
    /// <summary>Smallest candidate in the rasters' pixels: below it a Gaussian of radius ⌊4σ + ½⌋ barely mixes neighbours (weight e^−8).</summary>
    public const double MinSigma = 0.25;
    /// <summary>On a canvas of more than <see cref="EvaluationPixels"/> pixels the smallest candidate is this × √(pixels / EvaluationPixels).</summary>
    public const double MinSigmaInStrides = 1.5;
    /// <summary>The largest candidate is the canvas' shorter side divided by this.</summary>
    public const double CeilingDivisor = 4;
    /// <summary>A gene's search stops after this many candidates in a row above its minimum.</summary>
    public const int RisesToStop = 3;
    /// <summary>From half the counts to all of them: the optimal 2-D bandwidth scales as n^(−1/6).</summary>
    public static readonly double FullCountsFactor = Math.Pow(2, -1.0 / 6);

    private static readonly ConditionalWeakTable<GeneRaster, GeneCurve> Curves = new();

    /// <summary>The σ for these rasters (see the class remarks).</summary>
    public static ScaleSelection Choose(IReadOnlyList<GeneRaster> rasters, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        if (rasters.Count == 0) throw new SpatialSimException(ErrorKind.InvalidArgument, "Choosing a scale needs at least one gene raster.");
        RasterChecks.RequireSameSize(rasters);
        var first = rasters[0];
        int w = first.Width, h = first.Height, bin = Math.Max(1, first.BinSize);
        var ladder = Ladder(w, h, bin, out int baseStride);
        var eligible = rasters.Where(r => r.Total >= MinGeneCounts).OrderBy(r => r.Total).ThenBy(r => r.Gene, StringComparer.Ordinal).ToList();
        int tooSparse = rasters.Count - eligible.Count;
        var chosen = Spread(eligible, MaxGenes);
        if (chosen.Count == 0 || ladder.Length < 3)
        {
            return new ScaleSelection
            {
                Sigma = SmoothedPearsonSimilarity.DefaultSigma, HalfSigma = double.NaN, BinSize = bin, Floor = ladder.FirstOrDefault(), Ceiling = ladder.LastOrDefault(),
                EvaluationStride = baseStride, Genes = [], GeneOptima = [], AtFloor = 0, AtCeiling = 0, TooSparse = tooSparse, Candidates = [],
                Fallback = chosen.Count == 0 ? $"no gene has {MinGeneCounts:g3} counts to split" : $"the {w}×{h} canvas is too small to compare scales",
                Elapsed = clock.Elapsed,
            };
        }
        var curves = new GeneCurve[chosen.Count];
        Parallel.For(0, chosen.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            g => curves[g] = CurveOf(chosen[g], ladder, cancellationToken));
        var optima = curves.Select(c => c.Optimum).ToArray();
        // A gene at the ceiling has its optimum there or beyond: the median of such censored values is exact while fewer
        // than half the genes are censored (and the ceiling otherwise).
        double half = Median(optima);
        double sigma = Math.Clamp(half * FullCountsFactor, ladder[0], ladder[^1]);
        return new ScaleSelection
        {
            Sigma = sigma, HalfSigma = half, BinSize = bin, Floor = ladder[0], Ceiling = ladder[^1], EvaluationStride = baseStride,
            Genes = chosen.Select(r => r.Gene).ToList(), GeneOptima = optima,
            AtFloor = curves.Count(c => c.AtFloor), AtCeiling = curves.Count(c => c.AtCeiling), TooSparse = tooSparse,
            Candidates = Table(ladder, bin, curves), Elapsed = clock.Elapsed,
        };
    }

    /// <summary>
    /// The candidate σ in the rasters' pixels: 2^(j/3) pixels of bin 1 divided by the bin size, from the floor
    /// (<see cref="MinSigma"/>, or 1.5 strides of the base evaluation grid) to the ceiling (the shorter side / 4).
    /// </summary>
    public static double[] Ladder(int width, int height, int binSize, out int baseStride)
    {
        // The floor is 1.5 × √(pixels / EvaluationPixels) (continuous, so it is the same physical scale at every bin);
        // evaluating there on strides of ⌊σ / 2⌋ keeps every grid within about 1.8 × EvaluationPixels.
        double coarsening = Math.Sqrt((double)width * height / EvaluationPixels);
        double floor = Math.Max(MinSigma, MinSigmaInStrides * coarsening);
        baseStride = Math.Max(1, (int)Math.Floor(floor / SigmaPerStride));
        double ceiling = Math.Min(width, height) / CeilingDivisor;
        var ladder = new List<double>();
        int j = (int)Math.Ceiling(CandidatesPerOctave * Math.Log2(floor * binSize) - 1e-9);
        for (; ; j++)
        {
            double s = Math.Pow(2, j / (double)CandidatesPerOctave) / binSize;
            if (s > ceiling * (1 + 1e-9)) break;
            ladder.Add(s);
        }
        return ladder.ToArray();
    }

    /// <summary>Up to <paramref name="count"/> items evenly spread over the list (its quantiles), first and last included.</summary>
    private static List<GeneRaster> Spread(List<GeneRaster> sorted, int count)
    {
        if (sorted.Count <= count) return sorted;
        var picked = new List<GeneRaster>(count);
        for (int k = 0; k < count; k++) picked.Add(sorted[(int)Math.Round(k * (sorted.Count - 1) / (double)(count - 1))]);
        return picked;
    }

    /// <summary>A gene's held-out errors over the ladder (NaN where not evaluated) and its optimum.</summary>
    private sealed class GeneCurve
    {
        public required double[] Errors { get; init; }
        public required double Flat { get; init; }
        public required double Optimum { get; init; }
        public required int Best { get; init; }
        public bool AtFloor { get; init; }
        public bool AtCeiling { get; init; }
        public required double[] Ladder { get; init; }
    }

    private static GeneCurve CurveOf(GeneRaster raster, double[] ladder, CancellationToken cancellationToken)
    {
        // A raster's curve depends only on its pixels and the ladder (fixed by its canvas and bin): computed once
        // (Measure-PatternSimilarity asks for the reference's with every input).
        if (Curves.TryGetValue(raster, out var cached) && cached.Ladder.SequenceEqual(ladder)) return cached;
        var curve = ComputeCurve(raster, ladder, cancellationToken);
        Curves.AddOrUpdate(raster, curve);
        return curve;
    }

    private static GeneCurve ComputeCurve(GeneRaster raster, double[] ladder, CancellationToken cancellationToken)
    {
        int w = raster.Width, h = raster.Height;
        var (index, values) = NonZero(raster);
        var self = SelfPairs.Of(index, values, w, h);
        double total = 0;
        foreach (float v in values) total += v;
        double same = self.Credible;   // Σ c(c − 1), at most MaxExcess × its smooth-intensity value
        // σ → ∞: every half predicted by the other's mean, ¼ [Σ c² − N²/P + N].
        double flat = 0.25 * (same + total - total * total / ((double)w * h) + total);
        var errors = new double[ladder.Length];
        Array.Fill(errors, double.NaN);
        var error = new HeldOutError(index, values, w, h, total, same, self.Observed);
        int best = -1, rises = 0, previousStride = 0;
        double previous = double.NaN;
        for (int j = ladder.Length - 1; j >= 0; j--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Each step of the curve is measured on one grid: E(σ_j) − E(σ_j+1) both on σ_j's blocks, so the error of the
            // block sums, which changes with the stride, cancels from the differences the minimum is found by.
            int stride = Stride(ladder[j]);
            double here = error.At(ladder[j], stride);
            if (j == ladder.Length - 1) errors[j] = here;
            else errors[j] = errors[j + 1] + here - (stride == previousStride ? previous : error.At(ladder[j + 1], stride));
            (previous, previousStride) = (here, stride);
            if (best < 0 || errors[j] < errors[best]) { best = j; rises = 0; }
            else if (++rises >= RisesToStop) break;
        }
        double optimum;
        bool atFloor = best == 0, atCeiling = best == ladder.Length - 1;
        if (atFloor || atCeiling || double.IsNaN(errors[best - 1]) || double.IsNaN(errors[best + 1])) optimum = ladder[best];
        else
        {
            // Vertex of the parabola through the three errors around the minimum, in log σ (the ladder is geometric).
            double lo = errors[best - 1], mid = errors[best], hi = errors[best + 1];
            double curvature = lo - 2 * mid + hi;
            double offset = curvature > 0 ? Math.Clamp(0.5 * (lo - hi) / curvature, -0.5, 0.5) : 0;
            optimum = ladder[best] * Math.Pow(2, offset / CandidatesPerOctave);
        }
        return new GeneCurve { Errors = errors, Flat = flat, Optimum = optimum, Best = best, AtFloor = atFloor, AtCeiling = atCeiling, Ladder = ladder };
    }

    /// <summary>The stride of the block sums a candidate σ is evaluated on: max(1, ⌊σ / <see cref="SigmaPerStride"/>⌋).</summary>
    internal static int Stride(double sigma) => Math.Max(1, (int)Math.Floor(sigma / SigmaPerStride));

    /// <summary>The raster's non-zero pixels (flat indices, values): its sparse lists, or read from its dense pixels.</summary>
    private static (int[] Index, float[] Values) NonZero(GeneRaster raster)
    {
        if (raster.Sparse is { } sparse) return (sparse.Index.ToArray(), sparse.Values.ToArray());
        if (!raster.Device.IsCpu) return NonZero(raster.ToArray());
        using var scope = TorchSharp.torch.NewDisposeScope();
        return NonZero(TensorMemory.AsFloatSpan(raster.Values.contiguous()));
    }

    private static (int[] Index, float[] Values) NonZero(ReadOnlySpan<float> pixels)
    {
        int count = 0;
        foreach (float v in pixels) if (v > 0) count++;
        var index = new int[count];
        var values = new float[count];
        for (int i = 0, k = 0; k < count; i++)
            if (pixels[i] > 0) { index[k] = i; values[k++] = pixels[i]; }
        return (index, values);
    }

    private static List<ScaleCandidate> Table(double[] ladder, int bin, GeneCurve[] curves)
    {
        var rows = new List<ScaleCandidate>();
        for (int j = 0; j < ladder.Length; j++)
        {
            var losses = new List<double>();
            int optima = 0;
            foreach (var c in curves)
            {
                if (!double.IsNaN(c.Errors[j]))
                {
                    double gain = c.Flat - c.Errors[c.Best];
                    losses.Add(gain > 0 ? Math.Max(0, (c.Errors[j] - c.Errors[c.Best]) / gain) : double.NaN);
                }
                if (Math.Abs(Math.Log2(c.Optimum / ladder[j])) <= 0.5 / CandidatesPerOctave + 1e-12) optima++;
            }
            var finite = losses.Where(double.IsFinite).ToList();
            rows.Add(new ScaleCandidate(ladder[j], ladder[j] * bin, losses.Count, optima, finite.Count == 0 ? double.NaN : Median(finite)));
        }
        return rows;
    }

    private static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
