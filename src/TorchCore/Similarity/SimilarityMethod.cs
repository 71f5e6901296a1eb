using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Smoothing;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>The similarity measures, by the name users pass to -Method.</summary>
public enum SimilarityMethod
{
    /// <summary>Pixel-wise Pearson correlation (<see cref="PearsonSimilarity"/>).</summary>
    Pearson,
    /// <summary>Pearson correlation after Gaussian smoothing (<see cref="SmoothedPearsonSimilarity"/>).</summary>
    SmoothedPearson,
    /// <summary>Spearman rank correlation with average ranks for ties (<see cref="SpearmanSimilarity"/>).</summary>
    Spearman,
    /// <summary>Pearson correlation of smoothed maps inside the union of both genes' peak regions (<see cref="RoiPearsonSimilarity"/>).</summary>
    RoiPearson,
    /// <summary>Tiled local-binary-pattern texture histograms (<see cref="LbpSimilarity"/>).</summary>
    Lbp,
    /// <summary>Structural similarity, Wang et al. 2004 (<see cref="SsimSimilarity"/>).</summary>
    Ssim,
    /// <summary>Multi-scale structural similarity, Wang, Simoncelli &amp; Bovik 2003 (<see cref="MsSsimSimilarity"/>).</summary>
    MsSsim,
    /// <summary>Lee's L bivariate spatial association, Lee 2001 (<see cref="LeeLSimilarity"/>).</summary>
    LeeL,
    /// <summary>Bivariate Moran's I, Wartenberg 1985 (<see cref="MoranBVSimilarity"/>).</summary>
    MoranBV,
    /// <summary>1 − Jensen–Shannon divergence / ln 2 of the maps as distributions (<see cref="JensenShannonSimilarity"/>).</summary>
    JensenShannon,
    /// <summary>Dense multi-scale SIFT descriptors compared point by point (<see cref="DenseSiftSimilarity"/>).</summary>
    DenseSift,
    /// <summary>Difference-of-Gaussians keypoints matched by SIFT descriptors (<see cref="KeypointsSimilarity"/>).</summary>
    Keypoints,
    /// <summary>Debiased Sinkhorn divergence ≈ W2² in px² (Cuturi 2013; Feydy et al. 2019), Score = −Distance (<see cref="SinkhornSimilarity"/>).</summary>
    Sinkhorn,
}

/// <summary>Parameters of the measures, with their documented defaults.</summary>
public sealed record SimilarityOptions
{
    /// <summary>Gaussian σ in pixels for the smoothed measures; several σ give one score per scale and their mean.</summary>
    public double[] Sigmas { get; init; } = { SmoothedPearsonSimilarity.DefaultSigma };
    /// <summary>Tissue mask (pixels &gt; 0 are inside); null = the whole canvas.</summary>
    public GeneRaster? Mask { get; init; }
    /// <summary>The default number of pyramid levels: the raster only.</summary>
    public const int DefaultPyramid = 1;

    /// <summary>Number of Gaussian pyramid levels the measure is computed on (1 = the raster only).</summary>
    public int Pyramid { get; init; } = DefaultPyramid;
    public GaussianMethod SmoothingMethod { get; init; } = GaussianMethod.Auto;
    /// <summary>The working grid the rasters were binned to (<see cref="Defaults.WorkingGrid"/>): σ is then in its pixels, and Describe shows the canvas' σ and the grid.</summary>
    public Defaults.WorkingGrid? Grid { get; init; }
    public RoiPearsonOptions RoiPearson { get; init; } = new();
    public LbpOptions Lbp { get; init; } = new();
    public SpearmanOptions Spearman { get; init; } = new();
    public LeeLOptions LeeL { get; init; } = new();
    public MoranBVOptions MoranBV { get; init; } = new();
    public JensenShannonOptions JensenShannon { get; init; } = new();
    public SsimOptions Ssim { get; init; } = new();
    public MsSsimOptions MsSsim { get; init; } = new();
    public DenseSiftOptions DenseSift { get; init; } = new();
    public KeypointsOptions Keypoints { get; init; } = new();
    public SinkhornOptions Sinkhorn { get; init; } = new();

    /// <summary>
    /// The parameters that matter for <paramref name="method"/>, as shown on output objects; a canvas of
    /// <paramref name="height"/> × <paramref name="width"/> pixels resolves automatic values (Sinkhorn's ε).
    /// </summary>
    public string Describe(SimilarityMethod method, int height = 0, int width = 0)
    {
        var parts = new List<string>();
        string own = SimilarityMeasures.For(method).Describe(this, height, width);
        if (own.Length > 0) parts.Add(own);
        if (Mask is not null) parts.Add($"mask={Mask.Gene}");
        if (Pyramid > 1) parts.Add($"pyramid={Pyramid}");
        return string.Join(" ", parts);
    }
}
