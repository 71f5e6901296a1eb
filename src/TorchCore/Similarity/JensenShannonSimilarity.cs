using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Parameters of <see cref="JensenShannonSimilarity"/>.</summary>
public sealed record JensenShannonOptions
{
    /// <summary>Gaussian σ in pixels to smooth each map before normalising it (default 0 = no smoothing).</summary>
    public double Sigma { get; init; } = 0.0;
    /// <summary>How the smoothing blur is computed (direct or FFT; Auto picks the faster).</summary>
    public GaussianMethod SmoothingMethod { get; init; } = GaussianMethod.Auto;
}

/// <summary>1 − Jensen–Shannon divergence / ln 2 of the maps read as distributions of unit mass.</summary>
/// <remarks>
/// <para>One minus the Jensen–Shannon divergence of the two maps read as spatial distributions (J. Lin 1991, "Divergence
/// measures based on the Shannon entropy", IEEE Trans. Inf. Theory 37:145–151). Each map is normalised to unit mass,
/// p = a/Σa, q = b/Σb (after an optional Gaussian smoothing with σ pixels, scipy conventions, default σ = 0 = none), and
/// <code>JSD(p, q) = ½ Σ_i p_i ln(p_i/m_i) + ½ Σ_i q_i ln(q_i/m_i),   m = (p + q)/2,   0 ≤ JSD ≤ ln 2</code>
/// in nats (0·ln 0 = 0). Score = 1 − JSD/ln 2 ∈ [0, 1]: 1 = identical distributions, 0 = disjoint supports.
/// scipy.spatial.distance.jensenshannon(p, q, base=2) returns the distance √(JSD/ln 2), so Score = 1 − d²;
/// Details "JSD" (nats) and "Distance" (that base-2 distance). Scale invariance: the normalisation to unit mass.
/// Computed as Σ_i [H(m_i) − ½H(p_i) − ½H(q_i)] with H(t) = −t ln t, in float64 block by block.
/// Undefined (NaN) for an all-zero or constant gene (no spatial pattern); negative values are an error (a distribution
/// needs non-negative masses).</para>
/// <para>References (also in <see cref="MeasureFacts.References"/>, from which the README and about_SpatialSim list them):</para>
/// <list type="bullet">
/// <item>J. Lin (1991). Divergence measures based on the Shannon entropy. IEEE Trans. Inf. Theory 37:145–151. <see href="https://doi.org/10.1109/18.61115">doi:10.1109/18.61115</see></item>
/// </list>
/// </remarks>
public sealed class JensenShannonSimilarity : ISimilarityMeasure
{
    public const string Name = "JensenShannon";

    private JensenShannonSimilarity() { }

    static SimilarityMethod ISimilarityMeasure.Method => SimilarityMethod.JensenShannon;
    static MeasureFacts ISimilarityMeasure.Facts { get; } = new("1 − Jensen–Shannon divergence / ln 2 of the maps read as distributions of unit mass.")
    {
        Minimum = 0, Maximum = 1, SelfScore = 1,
        Parameters = FormattableString.Invariant($"-Sigma {new JensenShannonOptions().Sigma}"),
        Guidance = "Each map as a 2-D distribution (unit mass, optionally smoothed); Score = 1 - JS divergence / ln 2, 1 "
            + "= identical distributions, 0 = disjoint supports.",
        CheckedAgainst = "scipy jensenshannon",
        References = new[]
        {
            new MeasureReference("J. Lin (1991). Divergence measures based on the Shannon entropy. IEEE Trans. Inf. Theory 37:145–151", "doi:10.1109/18.61115"),
        },
    };
    static string ISimilarityMeasure.Describe(SimilarityOptions options) =>
        options.JensenShannon.Sigma > 0 ? $"σ={options.JensenShannon.Sigma:g4}" : "";
    static double ISimilarityMeasure.Scale(SimilarityOptions options) => options.JensenShannon.Sigma;
    static SimilarityScore ISimilarityMeasure.Compare(GeneRaster a, GeneRaster b, SimilarityOptions options) => Compare(a, b, options.JensenShannon);
    private const long BlockElements = 1 << 18; // float64 temporaries of 2 MB: reused from the heap, not fresh mmaps

    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, JensenShannonOptions options)
    {
        RasterChecks.RequireSameCanvas(a, b);
        GaussianSmoothing.CheckSigma(options.Sigma);
        using var scope = torch.NewDisposeScope();
        if (Degenerate(a) is { } noteA) return SimilarityScore.Undefined(noteA);
        if (Degenerate(b) is { } noteB) return SimilarityScore.Undefined(noteB);
        using var pa = Mass(a, options);
        using var pb = Mass(b, options);
        double totalA = pa.sum(ScalarType.Float64).item<double>();
        double totalB = pb.sum(ScalarType.Float64).item<double>();
        var fa = pa.reshape(-1);
        var fb = pb.reshape(-1);
        long n = fa.shape[0];
        double jsd = 0;
        for (long start = 0; start < n; start += BlockElements)
        {
            using var blockScope = torch.NewDisposeScope();
            long len = Math.Min(BlockElements, n - start);
            var p = fa.narrow(0, start, len).to(ScalarType.Float64) / totalA;
            var q = fb.narrow(0, start, len).to(ScalarType.Float64) / totalB;
            var m = (p + q) * 0.5;
            jsd += (torch.special.entr(m) - 0.5 * (torch.special.entr(p) + torch.special.entr(q))).sum().item<double>();
        }
        jsd = Math.Clamp(jsd, 0.0, Math.Log(2));
        double bits = jsd / Math.Log(2);
        return new SimilarityScore(1 - bits, null, new Dictionary<string, double> { ["JSD"] = jsd, ["Distance"] = Math.Sqrt(bits) });
    }

    private static string? Degenerate(GeneRaster g)
    {
        using var scope = torch.NewDisposeScope();
        double min = g.Values.min().item<float>();
        if (min < 0)
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"Gene '{g.Gene}' has negative values (minimum {min:g4}); the Jensen–Shannon measure compares the maps as distributions of " +
                "non-negative mass. Use raw or non-negative normalised counts, or a correlation measure (Pearson, Spearman).") { Gene = g.Gene };
        if (g.Max == 0) return $"gene '{g.Gene}' is all zero: it has no mass to compare as a distribution, so the Jensen–Shannon score is undefined";
        if (min == g.Max) return $"gene '{g.Gene}' is constant over the raster (all {min:g4}): it has no spatial pattern, so the Jensen–Shannon score is undefined";
        return null;
    }

    /// <summary>The map to normalise, a tensor the caller disposes: the raster, or its blur (clamped at 0 against FFT round-off).</summary>
    private static Tensor Mass(GeneRaster g, JensenShannonOptions options)
    {
        if (options.Sigma == 0) return g.Values.alias();
        var blurred = GaussianSmoothing.Blur(g.Values, g.Device, options.Sigma, options.SmoothingMethod);
        blurred.clamp_min_(0);
        return blurred;
    }
}
