using System.Numerics;
using System.Runtime.CompilerServices;
using SpatialSim.TorchCore.Ranking;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Parameters of <see cref="SinkhornSimilarity"/>.</summary>
public sealed record SinkhornOptions
{
    /// <summary>Default entropic regularisation: 0 = automatic, ε = max(1, (L/64)²) px² for a canvas whose longer side is L pixels.</summary>
    public const double DefaultEpsilon = 0.0;
    /// <summary>The automatic ε never goes below this (px²): within 2% of the exact W2² on 32² and 64² maps.</summary>
    public const double MinimumAutoEpsilon = 1.0;
    /// <summary>Default cap on the Sinkhorn iterations at the target ε (after the ε-scaling steps).</summary>
    public const int DefaultMaxIterations = 10000;
    /// <summary>Default stopping rule: the 2-norm of the marginal error (as POT's stopThr).</summary>
    public const double DefaultTolerance = 1e-4;

    /// <summary>
    /// Entropic regularisation ε in pixels² (the cost is the squared distance in pixels); smaller = closer to W2², slower.
    /// 0 (default) = automatic: max(1, (L/64)²) for a longer side of L pixels, so the entropic blur √ε is 1/64 of the
    /// canvas (never under 1 px²: ε = 1 on canvases up to 64 pixels a side).
    /// </summary>
    public double Epsilon { get; init; } = DefaultEpsilon;

    /// <summary>The ε used on a <paramref name="height"/> × <paramref name="width"/> canvas (resolves the automatic 0).</summary>
    public double EpsilonFor(int height, int width) =>
        Epsilon > 0 ? Epsilon : Math.Max(MinimumAutoEpsilon, Math.Pow(Math.Max(height, width) / 64.0, 2));
    /// <summary>Most Sinkhorn iterations at the target ε; a pair that needs more is scored with a Note.</summary>
    public int MaxIterations { get; init; } = DefaultMaxIterations;
    /// <summary>Stop when ‖P᎐1 − b‖₂ (the plan's column sums against the second map's masses) is below this.</summary>
    public double Tolerance { get; init; } = DefaultTolerance;

    internal void Check()
    {
        if (!double.IsFinite(Epsilon) || Epsilon < 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"Sinkhorn -Epsilon must be a positive number of pixels², or 0 for the automatic max(1, (L/64)²), got {Epsilon}.");
        if (MaxIterations < 1)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"Sinkhorn -MaxIterations must be at least 1 (default {DefaultMaxIterations}), got {MaxIterations}.");
        if (!double.IsFinite(Tolerance) || Tolerance <= 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"The Sinkhorn tolerance must be a positive number (default {DefaultTolerance}), got {Tolerance}.");
    }
}

/// <summary>
/// The debiased Sinkhorn divergence between the two maps read as distributions of mass on the pixel grid: an
/// entropic approximation of the squared 2-Wasserstein distance W2² (how far, in pixels², mass must move on average to
/// turn one map into the other). Each map is normalised to unit mass, a = A/ΣA, b = B/ΣB (so multiplying a gene by a
/// constant changes nothing), the ground cost is the squared Euclidean distance between pixel centres in pixels²,
/// C_ij = |x_i − x_j|², and
/// <code>OT_ε(a, b) = min_{P ≥ 0, P1 = a, Pᵀ1 = b} ⟨P, C⟩ + ε KL(P ‖ a⊗b)            (Cuturi 2013)
/// S_ε(a, b) = OT_ε(a, b) − ½ OT_ε(a, a) − ½ OT_ε(b, b)                              (Feydy et al. 2019)</code>
/// Distance = S_ε (px², Details "Distance"; also "Distance units²" = S_ε · PixelSize², in the input's coordinate units
/// squared, e.g. DNB² for Stereo-seq) and Score = −Distance, so identical maps score exactly 0, the best value. The
/// debiasing removes the entropic blur of OT_ε: S_ε ≥ 0, S_ε(a, a) = 0, and S_ε tends to W2² as ε → 0. Details also give
/// "OT_ε" (the un-debiased OT_ε(a, b), px²), "Iterations" and "Marginal error" of the a–b problem.
/// <para>
/// Defaults: ε automatic = max(1, (L/64)²) px² for a canvas whose longer side is L pixels, i.e. ε = 1 px² up to 64
/// pixels a side (within 2% of the exact W2² of POT's ot.emd2 on 32² and 64² maps, tested) and an entropic blur √ε of
/// 1/64 of the canvas beyond, which keeps the iterations needed about constant (a 256² canvas gets ε = 16 px²); pass
/// -Epsilon for a fixed value. At most 10,000 iterations, stopping when the 2-norm of the marginal error is below
/// 1e-4 (POT's stopping rule, so a run compares with ot.sinkhorn2 at equal ε and stopThr).
/// </para>
/// <para>
/// Computation (Solomon et al. 2015, "Convolutional Wasserstein distances", ACM TOG 34(4):66): the Gibbs kernel
/// exp(−C/ε) of the grid is separable, exp(−Δy²/ε)·exp(−Δx²/ε), so each Sinkhorn half-step is a 1-D pass along the rows
/// then one along the columns; no H·W × H·W cost matrix exists (a 512² pair would need 550 GB). The passes are in the log
/// domain, in float64: f_i = −ε log Σ_j b_j exp((g_j − |x_i − x_j|²)/ε), a log-sum-exp per line, so ε far below the
/// squared canvas size works (exp(−C/ε) underflows in the ordinary domain). Each log-sum-exp is exact to rounding:
/// blocks of 8 terms are skipped only when an upper bound of their terms lies 40 nats below the running maximum
/// (e^−40 ≈ 4e−18), and a line whose dynamic range cannot underflow is summed as a plain convolution. ε-scaling
/// (Kosowsky &amp; Yuille 1994; Schmitzer 2019): ε starts at the squared diameter of the canvas and halves each step down
/// to the target ε, then the a–b iterations run over-relaxed (ω = 1.95, Thibault et al. 2017; same fixed point; halved
/// towards plain Sinkhorn, ω = 1, whenever the marginal error grows a thousandfold) until the marginal error is below
/// the tolerance, and a last half-step makes the first marginal exact so that
/// OT_ε(a, b) = ⟨a, f⟩ + ⟨b, g⟩. The symmetric terms use Feydy's averaged update f ← ½(f + T_a(f)) and
/// OT_ε(a, a) = 2⟨a, f⟩; they depend on one gene only, so <see cref="Prepare"/> computes them once per gene and
/// <see cref="CompareAll"/> reuses them for every pair. Computed on the CPU whatever the rasters' device.
/// </para>
/// <para>
/// Undefined (NaN, with a Note) for an all-zero gene (no mass to transport) and, by the shared convention that a map
/// without spatial pattern has no similarity score, for a constant gene, although OT to a uniform distribution would
/// be defined. Negative values are an error (masses must be non-negative). -Mask and -Pyramid are refused: pixels
/// outside a mask have no defined place in a transport plan, and a pyramid would average distances in different px².
/// </para>
/// References: M. Cuturi (2013) "Sinkhorn distances: lightspeed computation of optimal transport", NeurIPS 26;
/// J. Solomon et al. (2015) "Convolutional Wasserstein distances", ACM Trans. Graph. 34(4):66; J. Feydy et al. (2019)
/// "Interpolating between optimal transport and MMD using Sinkhorn divergences", AISTATS, PMLR 89:2681–2690.
/// </summary>
public static class SinkhornSimilarity
{
    public const string Name = "Sinkhorn";
    internal const double OverRelaxation = 1.95;

    /// <summary>S_ε between two rasters; Score = −S_ε.</summary>
    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, SinkhornOptions options)
    {
        RasterChecks.RequireSameCanvas(a, b);
        options.Check();
        var pa = Prepare(a, options);
        if (pa.Note is not null) return SimilarityScore.Undefined(pa.Note);
        var pb = ReferenceEquals(a, b) ? pa : Prepare(b, options);
        return Compare(pa, pb);
    }

    /// <summary>
    /// One gene made ready for any number of comparisons: its masses normalised to 1 and its self term OT_ε(a, a),
    /// computed once. A degenerate gene (all zero, constant) is prepared with a Note and no masses.
    /// </summary>
    public static SinkhornPrepared Prepare(GeneRaster g, SinkhornOptions options)
    {
        options.Check();
        var pixels = g.ToArray();
        double min = double.PositiveInfinity, max = double.NegativeInfinity, total = 0;
        foreach (float v in pixels)
        {
            if (v < min) min = v;
            if (v > max) max = v;
            total += v;
        }
        if (min < 0)
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"Gene '{g.Gene}' has negative values (minimum {min:g4}); the Sinkhorn measure transports the maps as distributions of " +
                "non-negative mass. Use raw or non-negative normalised counts, or a correlation measure (Pearson, Spearman).") { Gene = g.Gene };
        if (max == 0)
            return new SinkhornPrepared(g, options, null, 0, 0, 0,
                $"gene '{g.Gene}' is all zero: it has no mass to transport, so the Sinkhorn distance is undefined");
        if (min == max)
            return new SinkhornPrepared(g, options, null, 0, 0, 0,
                $"gene '{g.Gene}' is constant over the raster (all {min:g4}): it has no spatial pattern, so the Sinkhorn score is undefined (NaN, ranked last)");
        var mass = new double[pixels.Length];
        for (int i = 0; i < mass.Length; i++) mass[i] = pixels[i] / total;
        var solver = new SinkhornGrid(g.Height, g.Width);
        var (half, iterations, error) = solver.SolveSymmetric(mass, options);
        return new SinkhornPrepared(g, options, mass, half, iterations, error, null);
    }

    /// <summary>S_ε between two prepared genes (prepared with the same options); Score = −S_ε.</summary>
    public static SimilarityScore Compare(SinkhornPrepared a, SinkhornPrepared b)
    {
        RasterChecks.RequireSameCanvas(a.Gene, a.Width, a.Height, b.Gene, b.Width, b.Height);
        if (a.Options != b.Options)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"Genes '{a.Gene}' and '{b.Gene}' were prepared for Sinkhorn with different options ({a.Options} and {b.Options}); prepare both with the same.");
        if (a.Note is not null) return SimilarityScore.Undefined(a.Note);
        if (b.Note is not null) return SimilarityScore.Undefined(b.Note);
        var details = new Dictionary<string, double>();
        double distance, entropic;
        string? note = null;
        if (ReferenceEquals(a.Mass, b.Mass) || a.Mass!.AsSpan().SequenceEqual(b.Mass))
        {
            // S_ε(a, a) = 0 exactly; OT_ε(a, a) is the self term.
            distance = 0;
            entropic = 2 * a.SelfHalf;
            details["Iterations"] = a.SelfIterations;
            details["Marginal error"] = a.SelfError;
        }
        else
        {
            var solver = new SinkhornGrid(a.Height, a.Width);
            var r = solver.Solve(a.Mass!, b.Mass!, a.Options);
            entropic = r.Value;
            distance = Math.Max(0, r.Value - a.SelfHalf - b.SelfHalf);
            details["Iterations"] = r.Iterations;
            details["Marginal error"] = r.Error;
            if (!r.Converged)
                note = $"Sinkhorn did not reach marginal error {a.Options.Tolerance:g3} within {a.Options.MaxIterations} iterations at ε = {r.Epsilon:g4} px² " +
                       $"(error {r.Error:g3}); the distance is approximate. Raise -MaxIterations, or -Epsilon for a faster but blurrier distance.";
        }
        details["Distance"] = distance;
        if (a.PixelSize > 0 && a.PixelSize == b.PixelSize) details["Distance units²"] = distance * a.PixelSize * a.PixelSize;
        details["OT_ε"] = entropic;
        details["Epsilon"] = a.Options.EpsilonFor(a.Height, a.Width);
        return new SimilarityScore(-distance, note, details);
    }

    /// <summary>
    /// The Score matrix of all pairs: each gene prepared once (its self term solved once), then one a–b problem per
    /// pair; symmetric, diagonal 0 (NaN for undefined genes).
    /// </summary>
    public static double[,] CompareAll(IReadOnlyList<GeneRaster> rasters, SinkhornOptions options,
        IProgress<(int Done, int Total, string Step)>? progress = null, CancellationToken cancellationToken = default)
    {
        RasterChecks.RequireSameSize(rasters);
        options.Check();
        int n = rasters.Count;
        int total = n * (n - 1) / 2, done = 0;
        var prepared = new SinkhornPrepared[n];
        for (int i = 0; i < n; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report((0, total, $"gene {rasters[i].Gene}"));
            prepared[i] = Prepare(rasters[i], options);
        }
        var scores = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            scores[i, i] = prepared[i].Note is null ? 0.0 : double.NaN;
            for (int j = i + 1; j < n; j++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report((done, total, $"{rasters[i].Gene} × {rasters[j].Gene}"));
                double s = Compare(prepared[i], prepared[j]).Score;
                scores[i, j] = s;
                scores[j, i] = s;
                done++;
            }
        }
        progress?.Report((total, total, ""));
        return scores;
    }
}

/// <summary>A gene ready for <see cref="SinkhornSimilarity"/>: unit masses and the self term ½OT_ε(a, a) = ⟨a, f_aa⟩.</summary>
public sealed class SinkhornPrepared
{
    public string Gene { get; }
    public int Width { get; }
    public int Height { get; }
    public double PixelSize { get; }
    public SinkhornOptions Options { get; }
    /// <summary>Why the gene cannot be compared (all zero, constant), or null.</summary>
    public string? Note { get; }
    internal double[]? Mass { get; }
    /// <summary>½ OT_ε(a, a) in px².</summary>
    public double SelfHalf { get; }
    public int SelfIterations { get; }
    public double SelfError { get; }

    internal SinkhornPrepared(GeneRaster g, SinkhornOptions options, double[]? mass, double selfHalf, int iterations, double error, string? note)
    {
        Gene = g.Gene; Width = g.Width; Height = g.Height; PixelSize = g.PixelSize; Options = options;
        Mass = mass; SelfHalf = selfHalf; SelfIterations = iterations; SelfError = error; Note = note;
    }
}

/// <summary>
/// Log-domain convolutional Sinkhorn on an H×W grid with the squared-distance cost in pixels²: the soft c-transform
/// T_w(p)_i = −ε log Σ_j w_j exp((p_j − |x_i − x_j|²)/ε) as a row pass then a column pass of exact 1-D log-sum-exps.
/// </summary>
internal sealed class SinkhornGrid
{
    internal const int Block = 8;
    /// <summary>Terms more than this many nats below the running maximum are negligible (e^−40 ≈ 4e−18).</summary>
    private const double Margin = 40;
    /// <summary>A line whose terms span less than this many nats is summed directly (no underflow in float64).</summary>
    private const double DirectRange = 700;

    private readonly int _h, _w;
    private readonly double[] _transposed; // the row pass's output, [W, H]

    public SinkhornGrid(int height, int width)
    {
        _h = height; _w = width;
        _transposed = new double[(long)height * width];
    }

    public readonly record struct Result(double Value, int Iterations, double Error, bool Converged, double Epsilon);

    /// <summary>The ε of each ε-scaling step: the squared diameter halved until the target (included last).</summary>
    private IEnumerable<double> Schedule(double epsilon)
    {
        double e = Math.Max((double)(_h - 1) * (_h - 1) + (double)(_w - 1) * (_w - 1), 1.0);
        for (; e > epsilon; e *= 0.5) yield return e;
        yield return epsilon;
    }

    private static double[] LogOf(double[] mass)
    {
        var log = new double[mass.Length];
        for (int i = 0; i < mass.Length; i++) log[i] = mass[i] > 0 ? Math.Log(mass[i]) : double.NegativeInfinity;
        return log;
    }

    /// <summary>OT_ε(a, b) = ⟨a, f⟩ + ⟨b, g⟩ at the solution, the iterations at the target ε and the final marginal error.</summary>
    public Result Solve(double[] a, double[] b, SinkhornOptions o)
    {
        var logA = LogOf(a);
        var logB = LogOf(b);
        int n = a.Length;
        var f = new double[n];
        var g = new double[n];
        var t = new double[n];
        foreach (double e in Schedule(o.EpsilonFor(_h, _w)))
        {
            Softmin(e, logB, g, f);
            Softmin(e, logA, f, g);
        }
        double eps = o.EpsilonFor(_h, _w), omega = SinkhornSimilarity.OverRelaxation, error = double.PositiveInfinity, best = double.PositiveInfinity;
        int iterations = 0;
        bool converged = false;
        while (iterations < o.MaxIterations)
        {
            Softmin(eps, logB, g, t);
            for (int i = 0; i < n; i++) f[i] = (1 - omega) * f[i] + omega * t[i];
            Softmin(eps, logA, f, t);
            // Column sums of the plan of (f, g): b_j exp((g_j − T_a(f)_j)/ε).
            double sq = 0;
            for (int j = 0; j < n; j++)
            {
                if (b[j] == 0) continue;
                double d = b[j] * Math.Exp((g[j] - t[j]) / eps) - b[j];
                sq += d * d;
            }
            error = Math.Sqrt(sq);
            for (int j = 0; j < n; j++) g[j] = (1 - omega) * g[j] + omega * t[j];
            iterations++;
            if (error < o.Tolerance) { converged = true; break; }
            // Safeguard: over-relaxation converges only near the solution (it oscillates a little on the way); when the
            // error grows a thousandfold over the best so far, relax less (plain Sinkhorn, ω = 1, converges from anywhere).
            if (!(error < 1000 * best)) omega = omega - 1 < 0.05 ? 1 : 1 + (omega - 1) / 2;
            best = Math.Min(best, error);
        }
        Softmin(eps, logB, g, f); // rows sum to a exactly: the dual value is then ⟨a, f⟩ + ⟨b, g⟩
        return new Result(Dot(a, f) + Dot(b, g), iterations, error, converged, eps);
    }

    /// <summary>½ OT_ε(a, a) = ⟨a, f⟩ with Feydy's symmetric update f ← ½(f + T_a(f)).</summary>
    public (double Half, int Iterations, double Error) SolveSymmetric(double[] a, SinkhornOptions o)
    {
        var logA = LogOf(a);
        int n = a.Length;
        var f = new double[n];
        var t = new double[n];
        bool first = true;
        foreach (double e in Schedule(o.EpsilonFor(_h, _w)))
        {
            Softmin(e, logA, f, t);
            for (int i = 0; i < n; i++) f[i] = first ? t[i] : 0.5 * (f[i] + t[i]);
            first = false;
        }
        double eps = o.EpsilonFor(_h, _w), error = double.PositiveInfinity;
        int iterations = 0;
        while (iterations < o.MaxIterations)
        {
            Softmin(eps, logA, f, t);
            double sq = 0;
            for (int i = 0; i < n; i++)
            {
                if (a[i] == 0) continue;
                double d = a[i] * Math.Exp((f[i] - t[i]) / eps) - a[i];
                sq += d * d;
            }
            error = Math.Sqrt(sq);
            for (int i = 0; i < n; i++) f[i] = 0.5 * (f[i] + t[i]);
            iterations++;
            if (error < o.Tolerance) break;
        }
        return (Dot(a, f), iterations, error);
    }

    private static double Dot(double[] mass, double[] potential)
    {
        double s = 0;
        for (int i = 0; i < mass.Length; i++)
            if (mass[i] > 0) s += mass[i] * potential[i];
        return s;
    }

    /// <summary>result = T_w(p) with log-weights <paramref name="logW"/> (−∞ where the mass is 0): rows, then columns.</summary>
    public void Softmin(double eps, double[] logW, double[] potential, double[] result)
    {
        double invEps = 1 / eps;
        int h = _h, w = _w;
        var kernelX = KernelTable(w, invEps);
        var kernelY = KernelTable(h, invEps);
        var transposed = _transposed;
        Parallel.For(0, h, () => new LineScratch(w), (y, _, s) =>
        {
            int row = y * w;
            for (int x = 0; x < w; x++) s.Line[x] = logW[row + x] + potential[row + x] * invEps;
            LogSumExpLine(s, w, invEps, kernelX, transposed, y, h, 1.0);
            return s;
        }, _ => { });
        Parallel.For(0, w, () => new LineScratch(h), (x, _, s) =>
        {
            Array.Copy(transposed, (long)x * h, s.Line, 0, h);
            LogSumExpLine(s, h, invEps, kernelY, result, x, w, -eps);
            return s;
        }, _ => { });
    }

    /// <summary>exp(−d²/ε) for d = −(n−1) … n−1, at index n−1+d; entries that underflow are 0 (the direct path is only used where none does).</summary>
    private static double[] KernelTable(int n, double invEps)
    {
        var k = new double[2 * n - 1];
        for (int d = 0; d < n; d++) k[n - 1 + d] = k[n - 1 - d] = Math.Exp(-(double)d * d * invEps);
        return k;
    }

    internal sealed class LineScratch
    {
        public readonly double[] Line;      // the line's terms h_j, padded with −∞ to whole blocks
        public readonly double[] Weights;   // direct path: exp(h_j − max)
        public readonly double[] BlockMax;
        public readonly double[] Bounds;
        public LineScratch(int n)
        {
            int blocks = (n + SinkhornGrid.Block - 1) / SinkhornGrid.Block;
            Line = new double[blocks * SinkhornGrid.Block];
            Array.Fill(Line, double.NegativeInfinity);
            Weights = new double[n];
            BlockMax = new double[blocks];
            Bounds = new double[blocks];
        }
    }

    /// <summary>
    /// dst[offset + i·stride] = scale · log Σ_j exp(h_j − (i − j)²/ε) for i &lt; n, h = s.Line[0..n) (−∞ allowed), exact to rounding.
    /// </summary>
    internal static void LogSumExpLine(LineScratch s, int n, double invEps, double[] kernel, double[] dst, int offset, int stride, double scale)
    {
        var line = s.Line;
        double max = double.NegativeInfinity, min = double.PositiveInfinity;
        for (int j = 0; j < n; j++)
        {
            double v = line[j];
            if (v > max) max = v;
            if (v < min && v > double.NegativeInfinity) min = v;
        }
        if (max == double.NegativeInfinity)
        {
            for (int i = 0; i < n; i++) dst[offset + (long)i * stride] = scale * double.NegativeInfinity;
            return;
        }
        if (max - min + (double)(n - 1) * (n - 1) * invEps < DirectRange)
        {
            // No product exp(h_j − max)·exp(−d²/ε) can underflow: a plain convolution is exact to rounding.
            var weights = s.Weights;
            for (int j = 0; j < n; j++) weights[j] = line[j] == double.NegativeInfinity ? 0 : Math.Exp(line[j] - max);
            for (int i = 0; i < n; i++)
            {
                double sum = DotSpan(kernel.AsSpan(n - 1 - i, n), weights.AsSpan(0, n));
                dst[offset + (long)i * stride] = scale * (max + Math.Log(sum));
            }
            return;
        }
        int blocks = (n + Block - 1) / Block;
        var blockMax = s.BlockMax;
        var bounds = s.Bounds;
        for (int k = 0; k < blocks; k++)
        {
            double m = double.NegativeInfinity;
            for (int j = k * Block, end = j + Block; j < end; j++) if (line[j] > m) m = line[j];
            blockMax[k] = m;
        }
        for (int i = 0; i < n; i++)
        {
            int own = i / Block, bestBlock = own;
            double best = double.NegativeInfinity;
            for (int k = 0; k < blocks; k++)
            {
                double d = k < own ? i - (k * Block + Block - 1) : k > own ? k * Block - i : 0;
                double u = blockMax[k] - d * d * invEps;
                bounds[k] = u;
                if (u > best) { best = u; bestBlock = k; }
            }
            var (top, sum) = BlockLogSumExp(line, bestBlock, i, invEps);
            for (int k = 0; k < blocks; k++)
            {
                if (k == bestBlock || bounds[k] <= top - Margin) continue;
                var (m, s2) = BlockLogSumExp(line, k, i, invEps);
                if (m == double.NegativeInfinity) continue;
                if (m > top) { sum = sum * Math.Exp(top - m) + s2; top = m; }
                else sum += s2 * Math.Exp(m - top);
            }
            dst[offset + (long)i * stride] = scale * (top + Math.Log(sum));
        }
    }

    private static readonly Vector<double> Lanes = MakeLanes();

    private static Vector<double> MakeLanes()
    {
        var l = new double[Vector<double>.Count];
        for (int i = 0; i < l.Length; i++) l[i] = i;
        return new Vector<double>(l);
    }

    /// <summary>The maximum m of the block's terms h_j − (i − j)²/ε and Σ exp(term − m); (−∞, 0) for an empty block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (double Max, double Sum) BlockLogSumExp(double[] line, int block, int i, double invEps)
    {
        int vc = Vector<double>.Count;
        int j0 = block * Block;
        Span<double> terms = stackalloc double[Block];
        var inv = new Vector<double>(invEps);
        var maxV = new Vector<double>(double.NegativeInfinity);
        for (int q = 0; q < Block; q += vc) // Block is a multiple of every Vector<double>.Count (2, 4 or 8)
        {
            var d = new Vector<double>(i - j0 - q) - Lanes;
            var t = new Vector<double>(line, j0 + q) - d * d * inv;
            t.CopyTo(terms.Slice(q));
            maxV = Vector.Max(maxV, t);
        }
        double m = double.NegativeInfinity;
        for (int l = 0; l < vc; l++) if (maxV[l] > m) m = maxV[l];
        if (m == double.NegativeInfinity) return (m, 0);
        var sum = Vector<double>.Zero;
        var mv = new Vector<double>(m);
        for (int q = 0; q < Block; q += vc) sum += VectorMath.ExpNonPositive(new Vector<double>(terms.Slice(q)) - mv);
        return (m, Vector.Sum(sum));
    }

    private static double DotSpan(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int vc = Vector<double>.Count, n = x.Length, j = 0;
        var acc = Vector<double>.Zero;
        for (; j <= n - vc; j += vc) acc += new Vector<double>(x.Slice(j)) * new Vector<double>(y.Slice(j));
        double s = Vector.Sum(acc);
        for (; j < n; j++) s += x[j] * y[j];
        return s;
    }
}

/// <summary>Vectorised exp for the log-sum-exps (System.Numerics has none on .NET 8).</summary>
internal static class VectorMath
{
    private const double Log2E = 1.4426950408889634;
    private const double Ln2Hi = 0.693145751953125;
    private const double Ln2Lo = 1.42860682030941723212e-6;

    /// <summary>
    /// exp(x) for x ≤ 0 (−∞ allowed) to about 2 ulp: x = k ln 2 + r, |r| ≤ ln2/2 (Cody–Waite), exp(r) by its Taylor
    /// polynomial of degree 13 (truncation below 1e−17), times 2^k built in the exponent bits. Below −708 the result is 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> ExpNonPositive(Vector<double> x)
    {
        var underflow = Vector.LessThan(x, new Vector<double>(-708.0));
        x = Vector.Max(x, new Vector<double>(-708.0));
        var k = Vector.Floor(x * new Vector<double>(Log2E) + new Vector<double>(0.5));
        var r = x - k * new Vector<double>(Ln2Hi) - k * new Vector<double>(Ln2Lo);
        var p = new Vector<double>(1.0 / 6227020800.0);
        p = p * r + new Vector<double>(1.0 / 479001600.0);
        p = p * r + new Vector<double>(1.0 / 39916800.0);
        p = p * r + new Vector<double>(1.0 / 3628800.0);
        p = p * r + new Vector<double>(1.0 / 362880.0);
        p = p * r + new Vector<double>(1.0 / 40320.0);
        p = p * r + new Vector<double>(1.0 / 5040.0);
        p = p * r + new Vector<double>(1.0 / 720.0);
        p = p * r + new Vector<double>(1.0 / 120.0);
        p = p * r + new Vector<double>(1.0 / 24.0);
        p = p * r + new Vector<double>(1.0 / 6.0);
        p = p * r + new Vector<double>(0.5);
        p = p * r + Vector<double>.One;
        p = p * r + Vector<double>.One;
        var bits = Vector.ShiftLeft(Vector.ConvertToInt64(k) + new Vector<long>(1023), 52);
        var result = p * Vector.AsVectorDouble(bits);
        return Vector.ConditionalSelect(underflow, Vector<double>.Zero, result);
    }
}
