using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Parameters of <see cref="MoranBVSimilarity"/>: its spatial weights.</summary>
public sealed record MoranBVOptions : SpatialLagOptions;

/// <summary>Bivariate Moran's I: one standardised map against the spatial lag of the other, both directions averaged.</summary>
/// <remarks>
/// <para>Bivariate Moran's I (D. L. Wartenberg 1985, "Multivariate spatial correlation: a method for exploratory geographical
/// analysis", Geogr. Anal. 17:263–283), the raster's pixels as spatial units, row-standardised weights W
/// (<see cref="SpatialWeights"/>), equal to R spdep's <c>moran_bv(x, y, listw, nsim)$t0</c>:
/// <code>I_xy = Σ_i x̃_i (W ỹ)_i / Σ_i x̃_i²,   x̃ = scale(x), ỹ = scale(y)  (centred, divided by the standard deviation)</code>
/// i.e. with the centred unit-norm maps z = (x − x̄)/‖x − x̄‖, <c>I_xy = ⟨z_x, W z_y⟩</c>: how well x predicts the
/// neighbourhood average of y. It is NOT symmetric: I_xy uses the lag of y, I_yx the lag of x, and they differ because
/// row-standardised weights are not symmetric at the raster border (and for any gene pair whose fine structure differs).
/// Score = the symmetrised mean (I_ab + I_ba)/2 = ⟨z_a, ½(W + Wᵀ) z_b⟩, so the ranking does not depend on the order of
/// the pair; Details "I_ab" (= moran_bv(x = gene a, y = gene b)) and "I_ba" give both directions.
/// I_xx is the univariate Moran's I of x, not 1: a gene is not necessarily its own best partner.
/// Defaults: queen weights; σ = 2 pixels for Gaussian weights (self included, truncated at ⌊4σ + 0.5⌋ pixels per axis).
/// Scale invariance: both maps are standardised. Undefined (NaN) for a constant gene.
/// For all pairs, <see cref="Prepare"/> gives Z and Lag(Z); the matrix of I is Z·Lag(Z)ᵀ (one GEMM) and the Score
/// matrix its symmetric part.</para>
/// <para>References (also in <see cref="MeasureFacts.References"/>, from which the README and about_SpatialSim list them):</para>
/// <list type="bullet">
/// <item>D. Wartenberg (1985). Multivariate spatial correlation: a method for exploratory geographical analysis. Geogr. Anal. 17:263–283. <see href="https://doi.org/10.1111/j.1538-4632.1985.tb00849.x">doi:10.1111/j.1538-4632.1985.tb00849.x</see></item>
/// </list>
/// </remarks>
public sealed class MoranBVSimilarity : IPreparedMeasure<SpatialLagPrepared>
{
    public const string Name = "MoranBV";
    private const string Statistic = "bivariate Moran's I";

    private MoranBVSimilarity() { }

    static SimilarityMethod ISimilarityMeasure.Method => SimilarityMethod.MoranBV;
    static MeasureFacts ISimilarityMeasure.Facts { get; } = new("Bivariate Moran's I: one standardised map against the spatial lag of the other, both directions averaged.")
    {
        AllPairs = AllPairsPath.CrossLagGram,
        Parameters = FormattableString.Invariant($"-Weights Queen|Rook|Gaussian, -Sigma {SpatialLagOptions.DefaultSigma} for Gaussian"),
        Guidance = "Bivariate Moran's I (Wartenberg 1985): one gene against the spatial lag of the other; equal to "
            + "spdep's moran_bv(). Not symmetric: the Score is the mean of both directions, each given in Details.",
        CheckedAgainst = "R spdep moran_bv()",
        References = new[]
        {
            new MeasureReference("D. Wartenberg (1985). Multivariate spatial correlation: a method for exploratory geographical analysis. Geogr. Anal. 17:263–283", "doi:10.1111/j.1538-4632.1985.tb00849.x"),
        },
    };
    static string ISimilarityMeasure.Describe(SimilarityOptions options) => options.MoranBV.Describe();
    static double ISimilarityMeasure.Scale(SimilarityOptions options) => options.MoranBV.Scale;
    static SimilarityScore ISimilarityMeasure.Compare(GeneRaster a, GeneRaster b, SimilarityOptions options) => Compare(a, b, options.MoranBV);
    static SpatialLagPrepared IPreparedMeasure<SpatialLagPrepared>.Prepare(GeneRaster gene, SimilarityOptions options) => Prepare(gene, options.MoranBV);
    static SimilarityScore IPreparedMeasure<SpatialLagPrepared>.Compare(SpatialLagPrepared a, SpatialLagPrepared b, SimilarityOptions options) =>
        SpatialLag.ComparePrepared(a, b, Term);
    /// <summary>Z and Lag(Z), two float32 maps.</summary>
    static long IPreparedMeasure<SpatialLagPrepared>.PreparedBytes(int width, int height, SimilarityOptions options) => (long)width * height * 4 * 2;

    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, MoranBVOptions options) =>
        SpatialLag.ComparePair(a, b, options, Statistic, keepZ: true, Term);

    /// <summary>(I_ab + I_ba)/2 with I_ab = ⟨z_a, Lag z_b⟩; both directions in Details.</summary>
    private static SimilarityScore Term(Tensor? zA, Tensor lagA, Tensor? zB, Tensor lagB)
    {
        double iab = SpatialLag.Dot(zA!, lagB);
        double iba = SpatialLag.Dot(zB!, lagA);
        return new SimilarityScore(0.5 * (iab + iba), null, new Dictionary<string, double> { ["I_ab"] = iab, ["I_ba"] = iba });
    }

    /// <summary>
    /// Per-gene preparation for an all-pairs engine: Z = (x − x̄)/‖x − x̄‖ and LagZ = W·Z, float32 [H, W] on the gene's
    /// device, owned by the caller. I_ab = ⟨Z_a, LagZ_b⟩: with the flattened maps as rows of Z and M, the matrix of I is
    /// Z·Mᵀ and the Score matrix (Z·Mᵀ + M·Zᵀ)/2. A constant gene gives NaN-filled maps (every product with it is NaN).
    /// </summary>
    public static SpatialLagPrepared Prepare(GeneRaster g, MoranBVOptions options) => SpatialLag.Prepare(g, options, Statistic);
}
