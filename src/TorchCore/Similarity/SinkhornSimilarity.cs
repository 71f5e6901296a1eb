using SpatialSim.TorchCore.Ranking;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Parameters of <see cref="SinkhornSimilarity"/>.</summary>
public sealed record SinkhornOptions
{
    /// <summary>Default entropic regularisation: 0 = automatic, ε = max(1, (L/64)²) px² for a canvas whose longer side is L pixels.</summary>
    public const double DefaultEpsilon = 0.0;
    /// <summary>The automatic ε never goes below this (px²): the pixel's own area, the finest blur the grid resolves.</summary>
    public const double MinimumAutoEpsilon = 1.0;
    /// <summary>
    /// The accuracy bound at ε ≥ 1 px² (every automatic ε), tested against POT's exact ot.emd2: the Distance is at most the
    /// exact W2² and falls short of it by at most this times ε, so it is within 2% of W2² once W2² ≥ 25 ε. Near-identical
    /// maps (W2² below a few ε) are where the shortfall shows: the exact W2² on the pixel grid counts every bit of mass
    /// moved to a neighbouring pixel at 1 px² or more, which the entropic blur √ε ≥ 1 pixel smooths away (a sub-pixel shift v
    /// scores about |v|², the continuous value, where the grid's W2² is larger).
    /// </summary>
    public const double ShortfallPerEpsilon = 0.5;
    /// <summary>Default cap on the Sinkhorn iterations at the target ε and full resolution (after the ε-scaling steps and the coarser levels).</summary>
    public const int DefaultMaxIterations = 10000;
    /// <summary>Default stopping rule: the 2-norm of the marginal error (as POT's stopThr).</summary>
    public const double DefaultTolerance = 1e-4;

    /// <summary>
    /// Entropic regularisation ε in pixels² (the cost is the squared distance in pixels); smaller = closer to W2², slower.
    /// 0 (default) = automatic: max(1, (L/64)²) for a longer side of L pixels, so the entropic blur √ε is 1/64 of the
    /// canvas (never under 1 px²: ε = 1 on canvases up to 64 pixels a side). The Distance is then at most ε/2 short of
    /// the exact W2² (<see cref="ShortfallPerEpsilon"/>).
    /// </summary>
    public double Epsilon { get; init; } = DefaultEpsilon;

    /// <summary>The ε used on a <paramref name="height"/> × <paramref name="width"/> canvas (resolves the automatic 0).</summary>
    public double EpsilonFor(int height, int width) =>
        Epsilon > 0 ? Epsilon : Math.Max(MinimumAutoEpsilon, Math.Pow(Math.Max(height, width) / 64.0, 2));
    /// <summary>Most Sinkhorn iterations at the target ε; a pair that needs more is scored with a Note.</summary>
    public int MaxIterations { get; init; } = DefaultMaxIterations;
    /// <summary>Stop when ‖P᎐1 − b‖₂ (the plan's column sums against the second map's masses) is below this.</summary>
    public double Tolerance { get; init; } = DefaultTolerance;

    /// <summary>
    /// The Parameters text, e.g. "ε=1px² (auto) maxiter=10000 tol=0.0001": the automatic ε resolved for a
    /// <paramref name="height"/> × <paramref name="width"/> canvas, or "ε=auto" when the canvas is not given.
    /// </summary>
    public string Describe(int height = 0, int width = 0) =>
        (Epsilon > 0 ? $"ε={Epsilon:g4}px²" : height > 0 && width > 0 ? $"ε={EpsilonFor(height, width):g4}px² (auto)" : "ε=auto") +
        $" maxiter={MaxIterations} tol={Tolerance:g3}";

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

/// <summary>−(debiased Sinkhorn divergence), an entropic approximation of the squared 2-Wasserstein distance in pixels².</summary>
/// <remarks>
/// <para>The debiased Sinkhorn divergence between the two maps read as distributions of mass on the pixel grid: an
/// entropic approximation of the squared 2-Wasserstein distance W2² (how far, in pixels², mass must move on average to
/// turn one map into the other). Each map is normalised to unit mass, a = A/ΣA, b = B/ΣB (so multiplying a gene by a
/// constant changes nothing), the ground cost is the squared Euclidean distance between pixel centres in pixels²,
/// C_ij = |x_i − x_j|², and
/// <code>OT_ε(a, b) = min_{P ≥ 0, P1 = a, Pᵀ1 = b} ⟨P, C⟩ + ε KL(P ‖ a⊗b)            (Cuturi 2013)
/// S_ε(a, b) = OT_ε(a, b) − ½ OT_ε(a, a) − ½ OT_ε(b, b)                              (Feydy et al. 2019)</code>
/// Distance = S_ε (px², Details "Distance"; also "Distance units²" = S_ε · PixelSize², in the input's coordinate units
/// squared, e.g. DNB² for Stereo-seq) and Score = −Distance, so identical maps score exactly 0, the best value. The
/// debiasing removes the entropic blur of OT_ε: S_ε ≥ 0, S_ε(a, a) = 0, and S_ε tends to W2² as ε → 0. Details also give
/// "OT_ε" (the un-debiased OT_ε(a, b), px²), "Iterations" and "Marginal error" of the a–b problem.</para>
/// <para>
/// Defaults: ε automatic = max(1, (L/64)²) px² for a canvas whose longer side is L pixels, i.e. ε = 1 px² up to 64
/// pixels a side and an entropic blur √ε of 1/64 of the canvas beyond, which keeps the iterations needed about constant
/// (a 256² canvas gets ε = 16 px²); pass -Epsilon for a fixed value. At most 10,000 iterations, stopping when the 2-norm
/// of the marginal error is below 1e-4 (POT's stopping rule, so a run compares with ot.sinkhorn2 at equal ε and stopThr).
/// </para>
/// <para>
/// Accuracy at ε ≥ 1 px² (every automatic ε), tested against POT's exact ot.emd2 on distant and near-identical pairs
/// from 32² to 256²: W2² − ε/2 ≤ Distance ≤ W2² (<see cref="SinkhornOptions.ShortfallPerEpsilon"/>; the largest
/// shortfall seen was 0.41 ε), so the Distance is within 2% of W2² once W2² ≥ 25 ε. Near-identical maps fall short
/// by more than 2%: 0.16 against 0.49 px² for a 48² map and its copy moved by (0.5, 0.25) pixels. There the exact W2²
/// of the pixel grid counts each bit of mass moved to a neighbouring pixel at 1 px² or more, which an entropic blur of
/// √ε ≥ 1 pixel smooths away; a sub-pixel shift v scores about |v|², its value between the continuous patterns. Smaller
/// ε comes closer at a cost that grows like 1/ε: below 1 px² the shortfall is up to about ε itself and halves as ε
/// halves (0.25 px²: 0.14 against 0.33 px² on a 32² sub-pixel shift), so 2% of a sub-pixel distance would need ε near
/// 1/100 px² and thousands of iterations.
/// </para>
/// <para>
/// Computation (Solomon et al. 2015, "Convolutional Wasserstein distances", ACM TOG 34(4):66): the Gibbs kernel
/// exp(−C/ε) of the grid is separable, exp(−Δy²/ε)·exp(−Δx²/ε), so each Sinkhorn half-step is a 1-D pass along the rows
/// then one along the columns; no H·W × H·W cost matrix exists (a 512² pair would need 550 GB). The passes are in the log
/// domain: f_i = −ε log Σ_j b_j exp((g_j − |x_i − x_j|²)/ε), a log-sum-exp per line around its exact maximum, so ε far
/// below the squared canvas size works (exp(−C/ε) underflows in the ordinary domain); terms more than 20 nats below the
/// maximum are skipped and the rest summed in float32 (a relative 3e-7, float64 when the tolerance is below 1e-6). The
/// solver (<see cref="SinkhornSolver"/>) is multiscale: ε-scaling from the squared canvas diameter down to the target ε
/// (Schmitzer 2019) on the coarsest 2×2-pooled level that resolves each ε, then the target problem solved coarse to
/// fine, each level starting from the coarser one's potentials (Anderson-accelerated, Walker &amp; Ni 2011; levels above
/// 1024² over-relaxed instead, ω = 1.9, Thibault et al. 2017, with the dual-ascent safeguard of Lehmann et al. 2022),
/// until the marginal error at full resolution is below the tolerance;
/// a last half-step makes the first marginal exact so that OT_ε(a, b) = ⟨a, f⟩ + ⟨b, g⟩. The coarse levels only choose
/// where the full-resolution iterations start: the result is the full-resolution fixed point. The symmetric terms use
/// Feydy's averaged update f ← ½(f + T_a(f)) and OT_ε(a, a) = 2⟨a, f⟩; they depend on one gene only, so
/// <see cref="Prepare"/> computes them once per gene and the all-pairs path (<see cref="Ranking.PreparedAllPairs"/>, also for a -Shard) reuses them for every pair. Computed on
/// the CPU whatever the rasters' device.
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
/// <para>References (also in <see cref="MeasureFacts.References"/>, from which the README and about_SpatialSim list them):</para>
/// <list type="bullet">
/// <item>M. Cuturi (2013). Sinkhorn distances: lightspeed computation of optimal transport. Adv. Neural Inf. Process. Syst. 26. <see href="https://arxiv.org/abs/1306.0895">arXiv:1306.0895</see></item>
/// <item>J. Feydy, T. Séjourné, F.-X. Vialard, S. Amari, A. Trouvé, G. Peyré (2019). Interpolating between optimal transport and MMD using Sinkhorn divergences. Proc. AISTATS, PMLR 89:2681–2690. <see href="https://arxiv.org/abs/1810.08278">arXiv:1810.08278</see></item>
/// <item>J. Solomon, F. de Goes, G. Peyré, M. Cuturi, A. Butscher, A. Nguyen, T. Du, L. Guibas (2015). Convolutional Wasserstein distances. ACM Trans. Graph. 34(4):66. <see href="https://doi.org/10.1145/2766963">doi:10.1145/2766963</see></item>
/// </list>
/// </remarks>
public sealed class SinkhornSimilarity : IPreparedMeasure<SinkhornPrepared>
{
    public const string Name = "Sinkhorn";

    private SinkhornSimilarity() { }

    static SimilarityMethod ISimilarityMeasure.Method => SimilarityMethod.Sinkhorn;
    static MeasureFacts ISimilarityMeasure.Facts { get; } = new("−(debiased Sinkhorn divergence), an entropic approximation of the squared 2-Wasserstein distance in pixels².")
    {
        Maximum = 0, SelfScore = 0, AllPairs = AllPairsPath.Prepared,
        Parameters = FormattableString.Invariant($"-Epsilon auto, -MaxIterations {SinkhornOptions.DefaultMaxIterations}"),
        Guidance = "Optimal transport: each map is a distribution of unit mass, and the Distance is how far, on average, "
            + "mass must move to turn one map into the other, as a squared distance in pixels² (the debiased "
            + "Sinkhorn divergence of Feydy et al. 2019, an entropic approximation of the squared 2-Wasserstein "
            + "distance W2²). Score = -Distance: 0 for identical maps, more negative the further apart. Details "
            + "give the Distance in px², \"Distance units²\" in the input's coordinate units squared (PixelSize²), "
            + "the un-debiased OT_eps, the Epsilon used and the iterations. Unlike correlations it sees a near miss "
            + "as near: a pattern shifted by 5 pixels scores -25 whatever its shape, and disjoint patterns are "
            + "ranked by how far apart they lie. Epsilon (px²) trades accuracy for speed; the default is max(1, "
            + "(L/64)²) for a longer side of L pixels, and the Parameters text shows the value used (\"ε=1px² "
            + "(auto)\"). Accuracy at the default (any Epsilon of 1 px² or more), tested against POT's exact emd2 "
            + "from 32² to 256²: the Distance is not above the exact W2² and at most Epsilon/2 below it, so within "
            + "2% once W2² is 25 x Epsilon or more. Near-identical maps fall short by more than that (a 48² map and "
            + "its copy moved by half a pixel: 0.16 against 0.49 px²): the exact W2² of the pixel grid counts every "
            + "bit of mass moved to a neighbouring pixel at 1 px² or more, which the entropic blur of one pixel or "
            + "more smooths away (a sub-pixel shift v scores about |v|²). A smaller -Epsilon comes closer at a cost "
            + "growing like 1/Epsilon: below 1 px² the shortfall is up to about Epsilon and halves with it. "
            + "Computed with separable log-domain convolutions on the CPU, coarse to fine (a 2x2-pooled pyramid "
            + "gives the full-resolution iterations their start), so large rasters fit in memory; it is still the "
            + "slowest measure (a 256² pair takes 0.1-0.3 s at the default Epsilon and about 0.4 s at 1 px² on "
            + "smooth maps, but sparse count maps at 1 px² converge slowly, about 15 s): bin large rasters first "
            + "(-BinSize). -Mask and -Pyramid are not supported.",
        CheckedAgainst = "POT ot.emd2 (at most ε/2 short, so within 2% once W2² ≥ 25ε) and ot.sinkhorn (same ε)",
        References = new[]
        {
            new MeasureReference("M. Cuturi (2013). Sinkhorn distances: lightspeed computation of optimal transport. Adv. Neural Inf. Process. Syst. 26", "arXiv:1306.0895"),
            new MeasureReference("J. Feydy, T. Séjourné, F.-X. Vialard, S. Amari, A. Trouvé, G. Peyré (2019). Interpolating between optimal transport and MMD using Sinkhorn divergences. Proc. AISTATS, PMLR 89:2681–2690", "arXiv:1810.08278"),
            new MeasureReference("J. Solomon, F. de Goes, G. Peyré, M. Cuturi, A. Butscher, A. Nguyen, T. Du, L. Guibas (2015). Convolutional Wasserstein distances. ACM Trans. Graph. 34(4):66", "doi:10.1145/2766963"),
        },
    };
    static string ISimilarityMeasure.Describe(SimilarityOptions options) => options.Sinkhorn.Describe();
    static string? ISimilarityMeasure.DescribeOnCanvas(SimilarityOptions options, int height, int width) => options.Sinkhorn.Describe(height, width);
    static double ISimilarityMeasure.Scale(SimilarityOptions options) => 0;
    static SimilarityScore ISimilarityMeasure.Compare(GeneRaster a, GeneRaster b, SimilarityOptions options) => Compare(a, b, options.Sinkhorn);
    static SinkhornPrepared IPreparedMeasure<SinkhornPrepared>.Prepare(GeneRaster gene, SimilarityOptions options) => Prepare(gene, options.Sinkhorn);
    static SimilarityScore IPreparedMeasure<SinkhornPrepared>.Compare(SinkhornPrepared a, SinkhornPrepared b, SimilarityOptions options) => Compare(a, b);
    /// <summary>The unit masses in float64, and the float32 pixels while preparing.</summary>
    static long IPreparedMeasure<SinkhornPrepared>.PreparedBytes(int width, int height, SimilarityOptions options) => (long)width * height * (8 + 4);

    /// <summary>
    /// Sinkhorn refuses -Mask (a transport plan has no place for pixels outside it) and -Pyramid (its distance is in px²,
    /// and a pixel of pyramid level k is 4^k px² of level 0, so the level distances cannot be averaged).
    /// </summary>
    static void ISimilarityMeasure.Check(SimilarityOptions options)
    {
        if (options.Mask is not null)
            throw new SpatialSimException(ErrorKind.NotSupported,
                "-Mask is not supported by Sinkhorn: the maps are compared as whole distributions of mass, and pixels outside a mask " +
                "would have no place in the transport plan. Crop with Import-GeneRaster -Region, or set the pixels outside the tissue to 0.");
        if (options.Pyramid > 1)
            throw new SpatialSimException(ErrorKind.NotSupported,
                $"-Pyramid {options.Pyramid} is not supported by Sinkhorn: its distance is in pixels², and a pixel of pyramid level k covers 4^k pixels² " +
                "of the raster, so distances of different levels cannot be averaged. Use -Pyramid 1 (the default), or bin the rasters " +
                "(Import-GeneRaster -BinSize) and raise -Epsilon for a faster, coarser distance.");
    }

    /// <summary>S_ε between two rasters; Score = −S_ε.</summary>
    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, SinkhornOptions options)
    {
        RasterChecks.RequireSameCanvas(a, b);
        options.Check();
        var pa = Prepare(a, options);
        if (pa.Undefined is not null) return SimilarityScore.Undefined(pa.Undefined);
        var pb = ReferenceEquals(a, b) ? pa : Prepare(b, options);
        return Compare(pa, pb);
    }

    /// <summary>
    /// One gene made ready for any number of comparisons: its masses normalised to 1 and its self term OT_ε(a, a),
    /// computed once. A degenerate gene (all zero, constant) is prepared with <see cref="SinkhornPrepared.Undefined"/> set and no masses.
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
        var (half, iterations, error) = new SinkhornSolver(g.Height, g.Width, options).SolveSymmetric(mass);
        return new SinkhornPrepared(g, options, mass, half, iterations, error, null);
    }

    /// <summary>S_ε between two prepared genes (prepared with the same options); Score = −S_ε.</summary>
    public static SimilarityScore Compare(SinkhornPrepared a, SinkhornPrepared b)
    {
        RasterChecks.RequireSameCanvas(a.Gene, a.Width, a.Height, b.Gene, b.Width, b.Height);
        if (a.Options != b.Options)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"Genes '{a.Gene}' and '{b.Gene}' were prepared for Sinkhorn with different options ({a.Options} and {b.Options}); prepare both with the same.");
        if (a.Undefined is not null) return SimilarityScore.Undefined(a.Undefined);
        if (b.Undefined is not null) return SimilarityScore.Undefined(b.Undefined);
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
            var r = new SinkhornSolver(a.Height, a.Width, a.Options).Solve(a.Mass!, b.Mass!);
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
}

/// <summary>A gene ready for <see cref="SinkhornSimilarity"/>: unit masses and the self term ½OT_ε(a, a) = ⟨a, f_aa⟩.</summary>
public sealed class SinkhornPrepared : IPreparedGene
{
    public string Gene { get; }
    public int Width { get; }
    public int Height { get; }
    public double PixelSize { get; }
    public SinkhornOptions Options { get; }
    /// <summary>Why the gene cannot be compared (all zero, constant), or null.</summary>
    public string? Undefined { get; }
    internal double[]? Mass { get; }
    /// <summary>½ OT_ε(a, a) in px².</summary>
    public double SelfHalf { get; }
    public int SelfIterations { get; }
    public double SelfError { get; }

    internal SinkhornPrepared(GeneRaster g, SinkhornOptions options, double[]? mass, double selfHalf, int iterations, double error, string? note)
    {
        Gene = g.Gene; Width = g.Width; Height = g.Height; PixelSize = g.PixelSize; Options = options;
        Mass = mass; SelfHalf = selfHalf; SelfIterations = iterations; SelfError = error; Undefined = note;
    }

    /// <summary>Managed arrays only: nothing to release.</summary>
    public void Dispose() { }
}
