using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Parameters of <see cref="LeeLSimilarity"/>: its spatial weights.</summary>
public sealed record LeeLOptions : SpatialLagOptions;

/// <summary>Lee's L: the inner product of the two standardised maps' spatial lags (Pearson's r and Moran's I combined).</summary>
/// <remarks>
/// <para>Lee's L, a bivariate spatial association measure (S.-I. Lee 2001, "Developing a bivariate spatial association
/// measure: an integration of Pearson's r and Moran's I", J. Geogr. Syst. 3:369–385), with the raster's pixels as
/// spatial units and row-standardised weights W (<see cref="SpatialWeights"/>):
/// <code>L(x, y) = n / Σ_i (Σ_j w_ij)² · Σ_i [Σ_j w_ij (x_j − x̄)] [Σ_j w_ij (y_j − ȳ)] / ( √Σ_i (x_i − x̄)² · √Σ_i (y_i − ȳ)² )</code>
/// exactly as R spdep's <c>lee(x, y, listw, n)$L</c>: both factors of the numerator are spatial lags, the denominator
/// uses the raw (unlagged) deviations, and n / Σ_i (Σ_j w_ij)² = 1 for row-standardised weights. With the centred
/// unit-norm maps z = (x − x̄)/‖x − x̄‖ this is <c>L = ⟨W z_x, W z_y⟩</c>: it is high when the two genes are correlated
/// and both are spatially smooth (co-patterned). L(x, x) is the spatial smoothing scalar SSS_x = ‖W z_x‖² ≤ ~1, and
/// |L(x, y)| ≤ √(SSS_x·SSS_y) — so a gene is not necessarily its own best partner: a smoother gene sharing its
/// pattern can score higher than the gene itself. Score = L (symmetric); Details "SSS a", "SSS b" give both genes'
/// smoothing scalars. Defaults: queen weights; σ = 2 pixels for Gaussian weights (self included, truncated at
/// ⌊4σ + 0.5⌋ pixels per axis, see <see cref="SpatialWeights.Gaussian"/>).
/// Scale invariance: x and y are centred and divided by their norms, so multiplying a gene by c &gt; 0 changes nothing.
/// Undefined (NaN) for a constant gene. Computation: one lag per gene (a 3×3 stencil, or for Gaussian weights one
/// zero-padded blur divided by the blur of ones, see <see cref="SpatialLag"/>), then inner products in float64;
/// for all pairs <see cref="Prepare"/> gives the maps whose Gram matrix Lag(Z)·Lag(Z)ᵀ is the matrix of L.</para>
/// <para>References (also in <see cref="MeasureFacts.References"/>, from which the README and about_SpatialSim list them):</para>
/// <list type="bullet">
/// <item>S.-I. Lee (2001). Developing a bivariate spatial association measure: an integration of Pearson's r and Moran's I. J. Geogr. Syst. 3:369–385. <see href="https://doi.org/10.1007/s101090100064">doi:10.1007/s101090100064</see></item>
/// </list>
/// </remarks>
public sealed class LeeLSimilarity : IPreparedMeasure<SpatialLagPrepared>
{
    public const string Name = "LeeL";
    private const string Statistic = "Lee's L";

    private LeeLSimilarity() { }

    static SimilarityMethod ISimilarityMeasure.Method => SimilarityMethod.LeeL;
    static MeasureFacts ISimilarityMeasure.Facts { get; } = new("Lee's L: the inner product of the two standardised maps' spatial lags (Pearson's r and Moran's I combined).")
    {
        AllPairs = AllPairsPath.LagGram,
        Parameters = FormattableString.Invariant($"-Weights Queen|Rook|Gaussian, -Sigma {SpatialLagOptions.DefaultSigma} for Gaussian"),
        Guidance = "Lee's L (Lee 2001): bivariate spatial association combining Pearson's r and Moran's I, with "
            + "row-standardised spatial weights; equal to R spdep's lee(). High when the two genes are high in the "
            + "same neighbourhoods, not only the same pixels.",
        CheckedAgainst = "R spdep lee()",
        References = new[]
        {
            new MeasureReference("S.-I. Lee (2001). Developing a bivariate spatial association measure: an integration of Pearson's r and Moran's I. J. Geogr. Syst. 3:369–385", "doi:10.1007/s101090100064"),
        },
    };
    static string ISimilarityMeasure.Describe(SimilarityOptions options) => options.LeeL.Describe();
    static double ISimilarityMeasure.Scale(SimilarityOptions options) => options.LeeL.Scale;
    static SimilarityScore ISimilarityMeasure.Compare(GeneRaster a, GeneRaster b, SimilarityOptions options) => Compare(a, b, options.LeeL);
    static SpatialLagPrepared IPreparedMeasure<SpatialLagPrepared>.Prepare(GeneRaster gene, SimilarityOptions options) => Prepare(gene, options.LeeL);
    static SimilarityScore IPreparedMeasure<SpatialLagPrepared>.Compare(SpatialLagPrepared a, SpatialLagPrepared b, SimilarityOptions options) =>
        SpatialLag.ComparePrepared(a, b, Term);
    /// <summary>Z and Lag(Z), two float32 maps.</summary>
    static long IPreparedMeasure<SpatialLagPrepared>.PreparedBytes(int width, int height, SimilarityOptions options) => (long)width * height * 4 * 2;

    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, LeeLOptions options) =>
        SpatialLag.ComparePair(a, b, options, Statistic, keepZ: false, Term);

    /// <summary>L = ⟨Lag z_a, Lag z_b⟩, with both genes' spatial smoothing scalars in Details.</summary>
    private static SimilarityScore Term(Tensor? zA, Tensor lagA, Tensor? zB, Tensor lagB) =>
        new(SpatialLag.Dot(lagA, lagB), null, new Dictionary<string, double>
        {
            ["SSS a"] = SpatialLag.Dot(lagA, lagA),
            ["SSS b"] = SpatialLag.Dot(lagB, lagB),
        });

    /// <summary>
    /// Per-gene preparation for an all-pairs engine: Z = (x − x̄)/‖x − x̄‖ and LagZ = W·Z, float32 [H, W] on the gene's
    /// device, owned by the caller. Lee's L of genes a and b is ⟨LagZ_a, LagZ_b⟩, so stacking the flattened LagZ as rows
    /// of a matrix M gives all of L as M·Mᵀ (and bivariate Moran's I as Z·Mᵀ, see <see cref="MoranBVSimilarity"/>).
    /// For a constant gene both maps are filled with NaN, so every product with it is NaN.
    /// </summary>
    public static SpatialLagPrepared Prepare(GeneRaster g, LeeLOptions options) => SpatialLag.Prepare(g, options, Statistic);
}
