using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Parameters of <see cref="LeeLSimilarity"/>.</summary>
public sealed record LeeLOptions
{
    /// <summary>Which pixels are neighbours (default Queen: the 8 surrounding pixels).</summary>
    public SpatialWeights Weights { get; init; } = SpatialWeights.Queen;
    /// <summary>σ in pixels of the Gaussian weights (used only with <see cref="SpatialWeights.Gaussian"/>; default 2, truncated at ⌊4σ + 0.5⌋).</summary>
    public double Sigma { get; init; } = 2.0;
    /// <summary>How the Gaussian weights' blur is computed (direct or FFT; Auto picks the faster).</summary>
    public GaussianMethod SmoothingMethod { get; init; } = GaussianMethod.Auto;
}

/// <summary>
/// Lee's L, a bivariate spatial association measure (S.-I. Lee 2001, "Developing a bivariate spatial association
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
/// for all pairs <see cref="Prepare"/> gives the maps whose Gram matrix Lag(Z)·Lag(Z)ᵀ is the matrix of L.
/// </summary>
public static class LeeLSimilarity
{
    public const string Name = "LeeL";
    private const string Statistic = "Lee's L";

    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, LeeLOptions options)
    {
        RasterChecks.RequireSameCanvas(a, b);
        using var scope = torch.NewDisposeScope();
        var pa = SpatialLag.Standardise(a, options.Weights, options.Sigma, options.SmoothingMethod, Statistic, keepZ: false, out string? noteA);
        if (pa is not { } za) return SimilarityScore.Undefined(noteA!);
        za.Z?.Dispose();
        using var lagA = za.LagZ;
        var pb = SpatialLag.Standardise(b, options.Weights, options.Sigma, options.SmoothingMethod, Statistic, keepZ: false, out string? noteB);
        if (pb is not { } zb) return SimilarityScore.Undefined(noteB!);
        zb.Z?.Dispose();
        using var lagB = zb.LagZ;
        double l = SpatialLag.Dot(lagA, lagB);
        var details = new Dictionary<string, double>
        {
            ["SSS a"] = SpatialLag.Dot(lagA, lagA),
            ["SSS b"] = SpatialLag.Dot(lagB, lagB),
        };
        return new SimilarityScore(l, null, details);
    }

    /// <summary>
    /// Per-gene preparation for an all-pairs engine: Z = (x − x̄)/‖x − x̄‖ and LagZ = W·Z, float32 [H, W] on the gene's
    /// device, owned by the caller. Lee's L of genes a and b is ⟨LagZ_a, LagZ_b⟩, so stacking the flattened LagZ as rows
    /// of a matrix M gives all of L as M·Mᵀ (and bivariate Moran's I as Z·Mᵀ, see <see cref="MoranBVSimilarity"/>).
    /// For a constant gene both maps are filled with NaN, so every product with it is NaN.
    /// </summary>
    public static (Tensor Z, Tensor LagZ) Prepare(GeneRaster g, LeeLOptions options) =>
        SpatialLag.Prepare(g, options.Weights, options.Sigma, options.SmoothingMethod, Statistic);
}
