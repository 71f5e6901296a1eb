using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Pearson correlation of the two maps after Gaussian smoothing with σ pixels.</summary>
/// <remarks>
/// <para>Pearson correlation of the two rasters after Gaussian smoothing with standard deviation σ pixels:
/// <code>r_σ(a, b) = Pearson(G_σ * a, G_σ * b)</code>
/// Smoothing supplies spatial context: at full resolution two genes of the same thin layer rarely hit the
/// same pixel, so plain pixel correlation is near 0; after smoothing at the scale of the structure it is high.
/// Several σ give one score per scale (Details "σ=…") and Score = their mean.
/// Tissue-aware with a mask m (1 inside the tissue): the smoothed map is the normalised convolution
/// <code>s = G_σ * (x·m) / G_σ * m</code> inside the mask (Knutsson &amp; Westin 1993, "Normalized and differential
/// convolution"), and the correlation runs over mask pixels only, so the empty outside and the tissue border do
/// not create similarity. Default σ = 4 pixels; smoothing follows scipy.ndimage.gaussian_filter (mode 'reflect',
/// truncate 4σ). Invariant to multiplying a gene by a positive constant (smoothing is linear).</para>
/// <para>References (also in <see cref="MeasureFacts.References"/>, from which the README and about_SpatialSim list them):</para>
/// <list type="bullet">
/// <item>H. Knutsson, C.-F. Westin (1993). Normalized and differential convolution. Proc. IEEE CVPR 1993:515–523. <see href="https://doi.org/10.1109/CVPR.1993.341081">doi:10.1109/CVPR.1993.341081</see></item>
/// </list>
/// </remarks>
public sealed class SmoothedPearsonSimilarity : ISimilarityMeasure
{
    public const string Name = "SmoothedPearson";
    public const double DefaultSigma = 4.0;

    private SmoothedPearsonSimilarity() { }

    static SimilarityMethod ISimilarityMeasure.Method => SimilarityMethod.SmoothedPearson;
    static MeasureFacts ISimilarityMeasure.Facts { get; } = new("Pearson correlation of the two maps after Gaussian smoothing with σ pixels.")
    {
        TakesMask = true, AutomaticSigma = true, Minimum = -1, Maximum = 1, SelfScore = 1, AllPairs = AllPairsPath.CorrelationGram,
        Parameters = "default; -Sigma, default chosen from the data",
        Guidance = "Pearson correlation after Gaussian smoothing with standard deviation Sigma pixels "
            + "(scipy.ndimage.gaussian_filter conventions). Smoothing supplies spatial context; choose Sigma near "
            + "the size of the structures you care about (a layer's thickness, a cell's diameter). Several values "
            + "(-Sigma 1,2,4) give one score per scale in Details and their mean. With -Mask, only tissue pixels "
            + "count and smoothing is normalised by the mask, blur(x*m)/blur(m), so the empty outside and the "
            + "tissue border do not make genes look alike. All pairs are computed as one Gram matrix: fast for many "
            + "genes.",
        CheckedAgainst = "scipy gaussian_filter + numpy",
        References = new[]
        {
            new MeasureReference("H. Knutsson, C.-F. Westin (1993). Normalized and differential convolution. Proc. IEEE CVPR 1993:515–523", "doi:10.1109/CVPR.1993.341081"),
        },
    };
    static string ISimilarityMeasure.Describe(SimilarityOptions options) =>
        "σ=" + (options.Grid is { } grid ? grid.Sigma.ToString("g4") + $" grid={grid.Stride}px" : string.Join(",", options.Sigmas.Select(s => s.ToString("g4"))));
    static double ISimilarityMeasure.Scale(SimilarityOptions options) => options.Sigmas.Max();
    static IReadOnlyList<double>? ISimilarityMeasure.CorrelationSigmas(SimilarityOptions options) => options.Sigmas;
    static SimilarityScore ISimilarityMeasure.Compare(GeneRaster a, GeneRaster b, SimilarityOptions options) =>
        Compare(a, b, options.Sigmas, options.Mask, options.SmoothingMethod);

    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, double sigma = DefaultSigma, GaussianMethod method = GaussianMethod.Auto) =>
        Compare(a, b, new[] { sigma }, null, method);

    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, IReadOnlyList<double> sigmas, GeneRaster? mask, GaussianMethod method = GaussianMethod.Auto)
    {
        if (sigmas.Count == 0) throw new SpatialSimException(ErrorKind.InvalidArgument, "SmoothedPearson needs at least one σ.");
        var details = new Dictionary<string, double>();
        double sum = 0;
        string? note = null;
        foreach (double sigma in sigmas)
        {
            var r = mask is null ? Unmasked(a, b, sigma, method) : Masked(a, b, mask, sigma, method);
            details[$"σ={sigma:g4}"] = r.Score;
            sum += r.Score;
            note ??= r.Note;
        }
        return new SimilarityScore(sum / sigmas.Count, note, sigmas.Count > 1 ? details : null);
    }

    private static SimilarityScore Unmasked(GeneRaster a, GeneRaster b, double sigma, GaussianMethod method)
    {
        using var sa = GaussianSmoothing.Smooth(a, sigma, method);
        using var sb = GaussianSmoothing.Smooth(b, sigma, method);
        return PearsonSimilarity.Compare(sa, sb);
    }

    private static SimilarityScore Masked(GeneRaster a, GeneRaster b, GeneRaster mask, double sigma, GaussianMethod method)
    {
        RasterChecks.RequireMaskFits(mask, a);
        using var scope = torch.NewDisposeScope();
        var inside = mask.Values.to(a.Device.TorchDevice) > 0;
        if (inside.sum().item<long>() < 2)
            return SimilarityScore.Undefined($"the mask '{mask.Gene}' has fewer than 2 pixels inside");
        var m = inside.to(ScalarType.Float32);
        using var weight = GaussianSmoothing.Blur(m, a.Device, sigma, method);
        Tensor NormalisedBlur(GeneRaster g)
        {
            using var product = g.Values * m;
            using var blurred = GaussianSmoothing.Blur(product, g.Device, sigma, method);
            return (blurred / weight.clamp_min(1e-12f)).masked_select(inside);
        }
        return PearsonSimilarity.Compare(NormalisedBlur(a), NormalisedBlur(b), a.Gene, b.Gene);
    }
}
