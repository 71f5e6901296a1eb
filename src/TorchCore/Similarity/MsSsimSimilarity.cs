using SpatialSim.TorchCore.Ranking;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Parameters of <see cref="MsSsimSimilarity"/>; defaults of Wang, Simoncelli &amp; Bovik (2003).</summary>
public sealed record MsSsimOptions
{
    public const int DefaultScales = MsSsimSimilarity.MaxScales;

    /// <summary>Standard deviation in pixels of the Gaussian window at every scale (truncated at 3.5σ).</summary>
    public double Sigma { get; init; } = SsimOptions.DefaultSigma;
    public double K1 { get; init; } = SsimOptions.DefaultK1;
    public double K2 { get; init; } = SsimOptions.DefaultK2;
    /// <summary>Number of scales, 1–5; fewer than 5 use the first weights renormalised to sum 1.</summary>
    public int Scales { get; init; } = DefaultScales;
    public SsimNormalization Normalization { get; init; } = SsimOptions.DefaultNormalization;
}

/// <summary>Multi-scale structural similarity: contrast·structure at every scale of a 2×2 pyramid, luminance at the coarsest.</summary>
/// <remarks>
/// <para>Multi-scale structural similarity (Z. Wang, E. P. Simoncelli &amp; A. C. Bovik 2003, "Multiscale structural
/// similarity for image quality assessment", Proc. 37th Asilomar Conf. Signals, Systems and Computers):
/// <code>MS-SSIM(a, b) = max(l_M, 0)^{w_M} · Π_{j=1..M} max(cs_j, 0)^{w_j}</code>
/// where cs_j is the mean over the cropped raster of contrast·structure (2σab + C2)/(σa² + σb² + C2) at scale j,
/// and l_M the mean of the luminance term (2μaμb + C1)/(μa² + μb² + C1) at the coarsest scale M only; local
/// statistics, constants and the crop are those of <see cref="SsimSimilarity"/> (Gaussian window σ = 1.5 truncated
/// at 3.5σ, K1 = 0.01, K2 = 0.03, data range 1, mode 'reflect', window radius cropped off each border).
/// Defaults: M = 5 scales, weights w = 0.0448, 0.2856, 0.3001, 0.2363, 0.1333 (the paper's); with fewer scales the
/// first M weights are renormalised to sum 1.</para>
/// <para>Conventions (documented choices): scale 1 is the normalised raster; each further scale is a 2×2 average
/// pool with stride 2, an odd last row/column being averaged with itself (side n → ⌈n/2⌉), as MATLAB's msssim.m and
/// TensorFlow's ssim_multiscale do. Negative cs_j or l_M are clamped at 0 (as pytorch-msssim's relu and TF), so
/// the score is in [0, 1]. We take the paper's product of the mean luminance and the mean cs at the coarsest scale;
/// pytorch-msssim and TF use the mean of the pixel-wise product l·cs there instead (nearly the same number).
/// Every scale needs the window inside the raster: both sides ≥ 10·2^(M−1) + 1 pixels for σ = 1.5 (161 for 5
/// scales), otherwise an InvalidArgument error suggests fewer scales or a smaller -BinSize.</para>
/// <para>Scale invariance: each gene is divided by its maximum (or z-scored) once, at scale 1; pooling is linear.
/// Details report "cs j" for every scale and "luminance M". Like SSIM, shared empty background counts as agreement.</para>
/// <para>References (also in <see cref="MeasureFacts.References"/>, from which the README and about_SpatialSim list them):</para>
/// <list type="bullet">
/// <item>Z. Wang, E. P. Simoncelli, A. C. Bovik (2003). Multiscale structural similarity for image quality assessment. 37th Asilomar Conf. Signals, Systems and Computers 2:1398–1402. <see href="https://doi.org/10.1109/ACSSC.2003.1292216">doi:10.1109/ACSSC.2003.1292216</see></item>
/// </list>
/// </remarks>
public sealed class MsSsimSimilarity : IPreparedMeasure<MsSsimPrepared>
{
    public const string Name = "MsSsim";

    private MsSsimSimilarity() { }

    static SimilarityMethod ISimilarityMeasure.Method => SimilarityMethod.MsSsim;
    static MeasureFacts ISimilarityMeasure.Facts { get; } = new("Multi-scale structural similarity: contrast·structure at every scale of a 2×2 pyramid, luminance at the coarsest.")
    {
        Minimum = 0, Maximum = 1, SelfScore = 1, AllPairs = AllPairsPath.Prepared,
        Parameters = FormattableString.Invariant($"-Scales {MsSsimOptions.DefaultScales}"),
        Guidance = "Multi-scale SSIM (Wang, Simoncelli & Bovik 2003): contrast-structure at 5 scales (2x2 average "
            + "pooling between scales) and luminance at the coarsest, weighted 0.0448, 0.2856, 0.3001, 0.2363, "
            + "0.1333. Needs rasters of at least 161 pixels per side for 5 scales.",
        CheckedAgainst = "numpy MS-SSIM reference implementation",
        References = new[]
        {
            new MeasureReference("Z. Wang, E. P. Simoncelli, A. C. Bovik (2003). Multiscale structural similarity for image quality assessment. 37th Asilomar Conf. Signals, Systems and Computers 2:1398–1402", "doi:10.1109/ACSSC.2003.1292216"),
        },
    };
    static string ISimilarityMeasure.Describe(SimilarityOptions options) =>
        $"σ={options.MsSsim.Sigma:g4} scales={options.MsSsim.Scales} {options.MsSsim.Normalization}";
    static double ISimilarityMeasure.Scale(SimilarityOptions options) => options.MsSsim.Sigma * (1 << (options.MsSsim.Scales - 1));
    static SimilarityScore ISimilarityMeasure.Compare(GeneRaster a, GeneRaster b, SimilarityOptions options) => Compare(a, b, options.MsSsim);
    static MsSsimPrepared IPreparedMeasure<MsSsimPrepared>.Prepare(GeneRaster gene, SimilarityOptions options) => Prepare(gene, options.MsSsim);
    static SimilarityScore IPreparedMeasure<MsSsimPrepared>.Compare(MsSsimPrepared a, MsSsimPrepared b, SimilarityOptions options) => Compare(a, b);
    /// <summary>SSIM statistics at every scale: about four float32 maps of the raster in all.</summary>
    static long IPreparedMeasure<MsSsimPrepared>.PreparedBytes(int width, int height, SimilarityOptions options) => (long)width * height * 4 * 4;
    public const int MaxScales = 5;
    /// <summary>The paper's exponents for 5 scales, finest first (they sum to 1.0001).</summary>
    public static IReadOnlyList<double> PaperWeights { get; } = new[] { 0.0448, 0.2856, 0.3001, 0.2363, 0.1333 };

    /// <summary>The exponents used for <paramref name="scales"/> scales: the first ones of the paper's, renormalised to sum 1.</summary>
    public static double[] Weights(int scales)
    {
        CheckScales(scales);
        double sum = PaperWeights.Take(scales).Sum();
        return PaperWeights.Take(scales).Select(w => w / sum).ToArray();
    }

    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, MsSsimOptions options) =>
        SsimCore.CompareOnce(a, b, (g, useTorch) => PrepareOn(g, options, useTorch, precompute: useTorch), Compare);

    /// <summary>A gene's statistics at every scale, computed once for all its pairs (keep the raster alive while used).</summary>
    public static MsSsimPrepared Prepare(GeneRaster raster, MsSsimOptions options) => PrepareOn(raster, options, useTorch: !raster.Device.IsCpu);

    internal static MsSsimPrepared PrepareOn(GeneRaster raster, MsSsimOptions options, bool useTorch, bool precompute = true)
    {
        CheckScales(options.Scales);
        SsimSimilarity.CheckOptions(options.Sigma, options.K1, options.K2);
        SsimSimilarity.CheckWindow(raster, options.Sigma, options.Scales);
        var levelOptions = new SsimOptions { Sigma = options.Sigma, K1 = options.K1, K2 = options.K2, Normalization = options.Normalization };
        var (shift, scale, undefined) = SsimCore.Normalisation(raster, options.Normalization, useTorch);
        if (undefined is not null)
            return new MsSsimPrepared(raster, options, undefined, Array.Empty<SsimPrepared>());
        var levels = new List<SsimPrepared>();
        try
        {
            Tensor values = raster.Values;
            for (int j = 0; j < options.Scales; j++)
            {
                if (j > 0) values = SsimCore.Downsample(values, useTorch);
                levels.Add(SsimPrepared.Create(raster.Gene, values, ownsValues: j > 0, levelOptions, shift, scale, useTorch, precompute));
            }
        }
        catch
        {
            foreach (var l in levels) l.Dispose();
            throw;
        }
        return new MsSsimPrepared(raster, options, null, levels);
    }

    public static SimilarityScore Compare(MsSsimPrepared a, MsSsimPrepared b)
    {
        if (SsimCore.CheckPair(a, b, a.Options, b.Options, "MS-SSIM") is { } undefined) return undefined;
        SsimSimilarity.CheckSameDevice(a.Levels[0], b.Levels[0]);
        int m = a.Options.Scales;
        var w = Weights(m);
        var details = new Dictionary<string, double>();
        double score = 1;
        for (int j = 0; j < m; j++)
        {
            bool last = j == m - 1;
            var means = last
                ? SsimCore.CroppedMeans(a.Levels[j], b.Levels[j], SsimTerm.ContrastStructure, SsimTerm.Luminance)
                : SsimCore.CroppedMeans(a.Levels[j], b.Levels[j], SsimTerm.ContrastStructure);
            details[$"cs {j + 1}"] = means[0];
            score *= Math.Pow(Math.Max(means[0], 0), w[j]);
            if (last)
            {
                details[$"luminance {j + 1}"] = means[1];
                score *= Math.Pow(Math.Max(means[1], 0), w[j]);
            }
        }
        return new SimilarityScore(score, null, details);
    }

    private static void CheckScales(int scales)
    {
        if (scales < 1 || scales > MaxScales)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"MS-SSIM takes 1 to {MaxScales} scales (the paper's weights are defined for 5), got {scales}.");
    }
}

/// <summary>One gene's MS-SSIM statistics: <see cref="SsimPrepared"/> at every scale (finest first). Dispose when done.</summary>
public sealed class MsSsimPrepared : IPreparedGene
{
    public string Gene { get; }
    public int Width { get; }
    public int Height { get; }
    public MsSsimOptions Options { get; }
    /// <summary>Why MS-SSIM is undefined for this gene (all zero, constant), or null.</summary>
    public string? Undefined { get; }
    public bool IsDefined => Undefined is null;
    internal IReadOnlyList<SsimPrepared> Levels { get; }

    internal MsSsimPrepared(GeneRaster raster, MsSsimOptions options, string? undefined, IReadOnlyList<SsimPrepared> levels)
    {
        Gene = raster.Gene; Width = raster.Width; Height = raster.Height; Options = options; Undefined = undefined; Levels = levels;
    }

    public void Dispose()
    {
        foreach (var level in Levels) level.Dispose();
    }
}
