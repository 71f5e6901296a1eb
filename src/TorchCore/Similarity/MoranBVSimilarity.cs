using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Parameters of <see cref="MoranBVSimilarity"/>.</summary>
public sealed record MoranBVOptions
{
    /// <summary>Which pixels are neighbours (default Queen: the 8 surrounding pixels).</summary>
    public SpatialWeights Weights { get; init; } = SpatialWeights.Queen;
    /// <summary>σ in pixels of the Gaussian weights (used only with <see cref="SpatialWeights.Gaussian"/>; default 2, truncated at ⌊4σ + 0.5⌋).</summary>
    public double Sigma { get; init; } = 2.0;
    /// <summary>How the Gaussian weights' blur is computed (direct or FFT; Auto picks the faster).</summary>
    public GaussianMethod SmoothingMethod { get; init; } = GaussianMethod.Auto;
}

/// <summary>
/// Bivariate Moran's I (D. L. Wartenberg 1985, "Multivariate spatial correlation: a method for exploratory geographical
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
/// matrix its symmetric part.
/// </summary>
public static class MoranBVSimilarity
{
    public const string Name = "MoranBV";
    private const string Statistic = "bivariate Moran's I";

    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, MoranBVOptions options)
    {
        RasterChecks.RequireSameCanvas(a, b);
        using var scope = torch.NewDisposeScope();
        var pa = SpatialLag.Standardise(a, options.Weights, options.Sigma, options.SmoothingMethod, Statistic, keepZ: true, out string? noteA);
        if (pa is not { } za) return SimilarityScore.Undefined(noteA!);
        using var zA = za.Z!;
        using var lagA = za.LagZ;
        var pb = SpatialLag.Standardise(b, options.Weights, options.Sigma, options.SmoothingMethod, Statistic, keepZ: true, out string? noteB);
        if (pb is not { } zb) return SimilarityScore.Undefined(noteB!);
        using var zB = zb.Z!;
        using var lagB = zb.LagZ;
        double iab = SpatialLag.Dot(zA, lagB);
        double iba = SpatialLag.Dot(zB, lagA);
        return new SimilarityScore(0.5 * (iab + iba), null, new Dictionary<string, double> { ["I_ab"] = iab, ["I_ba"] = iba });
    }

    /// <summary>
    /// Per-gene preparation for an all-pairs engine: Z = (x − x̄)/‖x − x̄‖ and LagZ = W·Z, float32 [H, W] on the gene's
    /// device, owned by the caller. I_ab = ⟨Z_a, LagZ_b⟩: with the flattened maps as rows of Z and M, the matrix of I is
    /// Z·Mᵀ and the Score matrix (Z·Mᵀ + M·Zᵀ)/2. A constant gene gives NaN-filled maps (every product with it is NaN).
    /// </summary>
    public static (Tensor Z, Tensor LagZ) Prepare(GeneRaster g, MoranBVOptions options) =>
        SpatialLag.Prepare(g, options.Weights, options.Sigma, options.SmoothingMethod, Statistic);
}
