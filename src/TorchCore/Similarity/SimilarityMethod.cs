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
    /// <summary>Number of Gaussian pyramid levels the measure is computed on (1 = the raster only).</summary>
    public int Pyramid { get; init; } = 1;
    public GaussianMethod SmoothingMethod { get; init; } = GaussianMethod.Auto;
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
        switch (method)
        {
            case SimilarityMethod.SmoothedPearson:
                parts.Add("σ=" + string.Join(",", Sigmas.Select(s => s.ToString("g4"))));
                break;
            case SimilarityMethod.RoiPearson:
                parts.Add($"σ={RoiPearson.Sigma:g4} {RoiPearson.Threshold}" + (RoiPearson.Threshold == RoiThreshold.Quantile ? $"={RoiPearson.Quantile:g3}" : ""));
                break;
            case SimilarityMethod.Lbp:
                parts.Add($"P={Lbp.Points} R={Lbp.Radius:g4} {Lbp.Method} tiles={Lbp.Tiles}");
                break;
            case SimilarityMethod.LeeL:
                parts.Add(LeeL.Weights == SpatialWeights.Gaussian ? $"Gaussian σ={LeeL.Sigma:g4}" : LeeL.Weights.ToString());
                break;
            case SimilarityMethod.MoranBV:
                parts.Add(MoranBV.Weights == SpatialWeights.Gaussian ? $"Gaussian σ={MoranBV.Sigma:g4}" : MoranBV.Weights.ToString());
                break;
            case SimilarityMethod.JensenShannon:
                if (JensenShannon.Sigma > 0) parts.Add($"σ={JensenShannon.Sigma:g4}");
                break;
            case SimilarityMethod.Ssim:
                parts.Add($"σ={Ssim.Sigma:g4} {Ssim.Component} {Ssim.Normalization}");
                break;
            case SimilarityMethod.MsSsim:
                parts.Add($"σ={MsSsim.Sigma:g4} scales={MsSsim.Scales} {MsSsim.Normalization}");
                break;
            case SimilarityMethod.DenseSift:
                parts.Add($"bins={string.Join(",", DenseSift.BinSizes)} magnif={DenseSift.Magnif:g4} step={DenseSift.Step}");
                break;
            case SimilarityMethod.Keypoints:
                parts.Add($"maxshift={Keypoints.MaxShift:g4} ratio={Keypoints.Ratio:g3}");
                break;
            case SimilarityMethod.Sinkhorn:
                parts.Add(Sinkhorn.Describe(height, width));
                break;
        }
        if (Mask is not null) parts.Add($"mask={Mask.Gene}");
        if (Pyramid > 1) parts.Add($"pyramid={Pyramid}");
        return string.Join(" ", parts);
    }
}

/// <summary>Compares two rasters with any measure, by name.</summary>
public static class SimilarityMeasures
{
    public static SimilarityScore Compare(SimilarityMethod method, GeneRaster a, GeneRaster b, SimilarityOptions options)
    {
        RasterChecks.RequireSameCanvas(a.Gene, a.Width, a.Height, b.Gene, b.Width, b.Height);
        if (method == SimilarityMethod.Sinkhorn) RequireSinkhornOptions(options);
        return options.Pyramid > 1 ? CompareOnPyramid(method, a, b, options) : CompareOnce(method, a, b, options);
    }

    private static SimilarityScore CompareOnce(SimilarityMethod method, GeneRaster a, GeneRaster b, SimilarityOptions options) => method switch
    {
        SimilarityMethod.Pearson => options.Mask is null ? PearsonSimilarity.Compare(a, b) : PearsonSimilarity.CompareMasked(a, b, options.Mask),
        SimilarityMethod.SmoothedPearson => SmoothedPearsonSimilarity.Compare(a, b, options.Sigmas, options.Mask, options.SmoothingMethod),
        SimilarityMethod.RoiPearson => WithoutMask(method, options, () => RoiPearsonSimilarity.Compare(a, b, options.RoiPearson)),
        SimilarityMethod.Lbp => WithoutMask(method, options, () => LbpSimilarity.Compare(a, b, options.Lbp)),
        SimilarityMethod.Spearman => WithoutMask(method, options, () => SpearmanSimilarity.Compare(a, b, options.Spearman)),
        SimilarityMethod.LeeL => WithoutMask(method, options, () => LeeLSimilarity.Compare(a, b, options.LeeL)),
        SimilarityMethod.MoranBV => WithoutMask(method, options, () => MoranBVSimilarity.Compare(a, b, options.MoranBV)),
        SimilarityMethod.JensenShannon => WithoutMask(method, options, () => JensenShannonSimilarity.Compare(a, b, options.JensenShannon)),
        SimilarityMethod.Ssim => WithoutMask(method, options, () => SsimSimilarity.Compare(a, b, options.Ssim)),
        SimilarityMethod.MsSsim => WithoutMask(method, options, () => MsSsimSimilarity.Compare(a, b, options.MsSsim)),
        SimilarityMethod.DenseSift => WithoutMask(method, options, () => DenseSiftSimilarity.Compare(a, b, options.DenseSift)),
        SimilarityMethod.Keypoints => WithoutMask(method, options, () => KeypointsSimilarity.Compare(a, b, options.Keypoints)),
        SimilarityMethod.Sinkhorn => SinkhornSimilarity.Compare(a, b, options.Sinkhorn),
        _ => throw new SpatialSimException(ErrorKind.InvalidArgument, $"Unknown similarity method '{method}'."),
    };

    /// <summary>
    /// Sinkhorn refuses -Mask (a transport plan has no place for pixels outside it) and -Pyramid (its distance is in px²,
    /// and a pixel of pyramid level k is 4^k px² of level 0, so the level distances cannot be averaged).
    /// </summary>
    internal static void RequireSinkhornOptions(SimilarityOptions options)
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

    private static SimilarityScore WithoutMask(SimilarityMethod method, SimilarityOptions options, Func<SimilarityScore> compare) =>
        options.Mask is null ? compare() : throw new SpatialSimException(ErrorKind.NotSupported,
            $"-Mask is not supported by {method}; it works with Pearson and SmoothedPearson.");

    /// <summary>The measure on each level of a Gaussian pyramid of both rasters; Score = mean over levels (Details "level k").</summary>
    private static SimilarityScore CompareOnPyramid(SimilarityMethod method, GeneRaster a, GeneRaster b, SimilarityOptions options)
    {
        var levelsA = GaussianPyramid.Levels(a, options.Pyramid);
        var levelsB = GaussianPyramid.Levels(b, options.Pyramid);
        var masks = options.Mask is null ? null : GaussianPyramid.Levels(options.Mask, options.Pyramid);
        try
        {
            var details = new Dictionary<string, double>();
            double sum = 0;
            string? note = null;
            for (int l = 0; l < options.Pyramid; l++)
            {
                var levelOptions = options with { Pyramid = 1, Mask = masks?[l] };
                var s = CompareOnce(method, levelsA[l], levelsB[l], levelOptions);
                details[$"level {l}"] = s.Score;
                sum += s.Score;
                note ??= s.Note;
            }
            return new SimilarityScore(sum / options.Pyramid, note, details);
        }
        finally
        {
            foreach (var r in levelsA.Skip(1).Concat(levelsB.Skip(1)).Concat(masks?.Skip(1) ?? Enumerable.Empty<GeneRaster>())) r.Dispose();
        }
    }

    public static PatternSimilarity Measure(SimilarityMethod method, GeneRaster a, GeneRaster b, SimilarityOptions options)
    {
        var score = Compare(method, a, b, options);
        return new PatternSimilarity
        {
            GeneA = a.Gene, GeneB = b.Gene, Method = method.ToString(), Score = score.Score,
            Parameters = options.Describe(method, a.Height, a.Width), Note = score.Note, Details = score.Details,
        };
    }
}
