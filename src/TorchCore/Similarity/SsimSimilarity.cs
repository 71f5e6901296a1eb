using SpatialSim.TorchCore.Ranking;
using System.Buffers;
using System.Numerics;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Structural similarity (luminance, contrast and structure in a Gaussian window) of the maps divided by their maxima.</summary>
/// <remarks>
/// <para>Structural similarity (Z. Wang, A. C. Bovik, H. R. Sheikh &amp; E. P. Simoncelli 2004, "Image quality
/// assessment: from error visibility to structural similarity", IEEE Trans. Image Process. 13(4):600–612):
/// <code>SSIM(a, b) = mean over the cropped raster of  (2 μa μb + C1)(2 σab + C2) / ((μa² + μb² + C1)(σa² + σb² + C2))</code>
/// where μ, σ², σab are local means, (population) variances and covariance under a Gaussian window
/// (σ = 1.5 px, truncated at 3.5σ → an 11×11 window), C1 = (K1·R)², C2 = (K2·R)², K1 = 0.01, K2 = 0.03, R = 1.
/// Conventions are scikit-image's <c>structural_similarity(a/a.max(), b/b.max(), gaussian_weights=True, sigma=1.5,
/// use_sample_covariance=False, data_range=1)</c>: scipy gaussian_filter with mode 'reflect', and the mean taken
/// after cropping (window − 1)/2 = 5 pixels on every border. Range [−1, 1], 1 = identical maps.</para>
/// <para>Scale invariance: each gene is divided by its own maximum first (<see cref="SsimNormalization.Max"/>,
/// the default) or z-scored (<see cref="SsimNormalization.MeanStd"/>). <see cref="SsimOptions.Component"/> selects
/// the full index, the structure term s = (σab + C3)/(σa σb + C3) (C3 = C2/2), or contrast·structure.</para>
/// <para>Where SSIM misleads: on sparse maps most windows are empty in both genes and score 1, so the full index
/// is high for unrelated genes that merely share an empty background (a lone dot vs. a blob: ≈0.6, as high as
/// the blob vs. its shifted copy). The structure term alone does NOT cure this — it is 1 wherever either map
/// is flat. Prefer MeanStd normalisation, coarser bins, or a tissue-restricted measure for sparse genes.</para>
/// <para>CPU: five Gaussian-filtered maps (μa, μb, E[a²], E[b²], E[ab]) by <see cref="CpuGaussianBlur"/> (truncate 3.5),
/// then one fused vectorised pass over the cropped region with float64 arithmetic and accumulation. The work runs in
/// strips of rows, one thread per strip with cache-sized buffers, so one comparison allocates no raster-sized map
/// (4096², σ = 1.5: ≈0.2 s CPU vs. ≈5–7 s for scikit-image). CUDA: the same formulas with torch ops. An all-pairs
/// engine can <see cref="Prepare(GeneRaster, SsimOptions)"/> each gene once (μ and E[x²], two float32 maps per gene)
/// and then only blur the product a·b per pair (<see cref="Compare(SsimPrepared, SsimPrepared)"/>).</para>
/// <para>References (also in <see cref="MeasureFacts.References"/>, from which the README and about_SpatialSim list them):</para>
/// <list type="bullet">
/// <item>Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli (2004). Image quality assessment: from error visibility to structural similarity. IEEE Trans. Image Process. 13:600–612. <see href="https://doi.org/10.1109/TIP.2003.819861">doi:10.1109/TIP.2003.819861</see></item>
/// </list>
/// </remarks>
public sealed class SsimSimilarity : IPreparedMeasure<SsimPrepared>
{
    public const string Name = "Ssim";

    private SsimSimilarity() { }

    static SimilarityMethod ISimilarityMeasure.Method => SimilarityMethod.Ssim;
    static MeasureFacts ISimilarityMeasure.Facts { get; } = new("Structural similarity (luminance, contrast and structure in a Gaussian window) of the maps divided by their maxima.")
    {
        Minimum = -1, Maximum = 1, SelfScore = 1, AllPairs = AllPairsPath.Prepared,
        Parameters = FormattableString.Invariant($"-Sigma {SsimOptions.DefaultSigma}, -Component {SsimOptions.DefaultComponent}, -Normalization {SsimOptions.DefaultNormalization}"),
        Guidance = "Structural similarity (Wang et al. 2004): Gaussian window sigma 1.5, K1 0.01, K2 0.03, on maps "
            + "divided by their maximum; equal to scikit-image's structural_similarity with those settings. Beware: "
            + "on sparse maps shared empty background inflates SSIM (unrelated genes can score ~0.6); "
            + "-Normalization MeanStd helps. Best for dense maps at a coarse bin.",
        CheckedAgainst = "skimage structural_similarity",
        References = new[]
        {
            new MeasureReference("Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli (2004). Image quality assessment: from error visibility to structural similarity. IEEE Trans. Image Process. 13:600–612", "doi:10.1109/TIP.2003.819861"),
        },
    };
    static string ISimilarityMeasure.Describe(SimilarityOptions options) =>
        $"σ={options.Ssim.Sigma:g4} {options.Ssim.Component} {options.Ssim.Normalization}";
    static double ISimilarityMeasure.Scale(SimilarityOptions options) => options.Ssim.Sigma;
    static SimilarityScore ISimilarityMeasure.Compare(GeneRaster a, GeneRaster b, SimilarityOptions options) => Compare(a, b, options.Ssim);
    static SsimPrepared IPreparedMeasure<SsimPrepared>.Prepare(GeneRaster gene, SimilarityOptions options) => Prepare(gene, options.Ssim);
    static SimilarityScore IPreparedMeasure<SsimPrepared>.Compare(SsimPrepared a, SsimPrepared b, SimilarityOptions options) => Compare(a, b);
    /// <summary>μ and E[x²] (two float32 maps) and the raster's values they refer to.</summary>
    static long IPreparedMeasure<SsimPrepared>.PreparedBytes(int width, int height, SimilarityOptions options) => (long)width * height * 4 * 3;
    /// <summary>scikit-image's truncate for gaussian_weights=True (an 11-tap window at σ = 1.5).</summary>
    public const double Truncate = 3.5;

    /// <summary>Window radius r = int(3.5σ + 0.5) (scipy's rule); the window is 2r + 1 and r pixels are cropped on each border.</summary>
    public static int Radius(double sigma) => (int)(Truncate * sigma + 0.5);

    /// <summary>One comparison: on the CPU the statistics are lazy (μ and E[x²] made strip by strip inside the pass, no full-size maps).</summary>
    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, SsimOptions options) =>
        SsimCore.CompareOnce(a, b, (g, useTorch) => PrepareOn(g, options, useTorch, precompute: useTorch), Compare);

    /// <summary>
    /// A gene's local means μ and E[x²] under the SSIM window, computed once for all its pairs. The statistics keep a
    /// reference to <paramref name="raster"/> (for the cross term) — keep the raster alive while they are used.
    /// For a zero or constant gene the statistics are <see cref="SsimPrepared.IsDefined"/> = false and every
    /// comparison with it is NaN with a note.
    /// </summary>
    public static SsimPrepared Prepare(GeneRaster raster, SsimOptions options) => PrepareOn(raster, options, useTorch: !raster.Device.IsCpu);

    /// <param name="raster">The gene.</param>
    /// <param name="options">SSIM parameters.</param>
    /// <param name="useTorch">Torch ops (CUDA) instead of our CPU kernels.</param>
    /// <param name="precompute">Blur x and x² now (for many pairs); false = lazily, strip by strip in each comparison (CPU only).</param>
    internal static SsimPrepared PrepareOn(GeneRaster raster, SsimOptions options, bool useTorch, bool precompute = true)
    {
        CheckOptions(options.Sigma, options.K1, options.K2);
        CheckWindow(raster, options.Sigma, 1);
        var (shift, scale, undefined) = SsimCore.Normalisation(raster, options.Normalization, useTorch);
        if (undefined is not null) return SsimPrepared.Degenerate(raster, options, undefined);
        return SsimPrepared.Create(raster.Gene, raster.Values, ownsValues: false, options, shift, scale, useTorch, precompute);
    }

    /// <summary>SSIM of two prepared genes: blurs a·b and runs the fused pass.</summary>
    public static SimilarityScore Compare(SsimPrepared a, SsimPrepared b)
    {
        if (SsimCore.CheckPair(a, b, a.Options, b.Options, "SSIM") is { } undefined) return undefined;
        CheckSameDevice(a, b);
        var term = a.Options.Component switch
        {
            SsimComponent.Full => SsimTerm.Full,
            SsimComponent.Structure => SsimTerm.Structure,
            SsimComponent.ContrastStructure => SsimTerm.ContrastStructure,
            _ => throw new SpatialSimException(ErrorKind.InvalidArgument, $"Unknown SSIM component '{a.Options.Component}'."),
        };
        return new SimilarityScore(SsimCore.CroppedMeans(a, b, term)[0]);
    }


    internal static void CheckSameDevice(SsimPrepared a, SsimPrepared b)
    {
        if (a.UseTorch != b.UseTorch || (a.UseTorch && (a.Values!.device_type != b.Values!.device_type || a.Values.device_index != b.Values!.device_index)))
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"Genes '{a.Gene}' and '{b.Gene}' are on different devices; import or move both to the same -Device.") { Gene = b.Gene };
    }

    internal static void CheckOptions(double sigma, double k1, double k2)
    {
        if (!double.IsFinite(sigma) || sigma <= 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"SSIM needs a window σ > 0 pixels (default 1.5), got {sigma}.");
        if (!double.IsFinite(k1) || k1 <= 0 || !double.IsFinite(k2) || k2 <= 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"SSIM needs K1 > 0 and K2 > 0 (defaults 0.01 and 0.03; they keep flat windows defined), got K1 = {k1}, K2 = {k2}.");
    }

    /// <summary>SSIM needs the window inside the raster at the coarsest scale (as scikit-image, which refuses smaller images).</summary>
    internal static void CheckWindow(GeneRaster raster, double sigma, int scales)
    {
        int window = 2 * Radius(sigma) + 1;
        int minimum = (window - 1) * (1 << (scales - 1)) + 1;
        if (raster.Width >= minimum && raster.Height >= minimum) return;
        string what = scales == 1
            ? $"smaller than the SSIM window ({window}×{window} pixels for σ = {sigma:g4})"
            : $"too small for MS-SSIM with {scales} scales at σ = {sigma:g4}: the coarsest scale (1/{1 << (scales - 1)} size) must hold the " +
              $"{window}×{window} window, so both sides need at least {minimum} pixels";
        int fits = MaxScales(raster, sigma);
        string fix = scales == 1 || fits == 0
            ? "Use a smaller -BinSize (more pixels) or a smaller Sigma."
            : $"Use fewer scales (-Scales {fits} fits), a smaller -BinSize (more pixels), or a smaller Sigma.";
        throw new SpatialSimException(ErrorKind.InvalidArgument,
            $"Gene '{raster.Gene}' is {raster.Width}×{raster.Height} pixels, {what}. {fix}") { Gene = raster.Gene };
    }

    /// <summary>The most scales (0–5) whose coarsest level still holds the window.</summary>
    private static int MaxScales(GeneRaster raster, double sigma)
    {
        int window = 2 * Radius(sigma) + 1, side = Math.Min(raster.Width, raster.Height), m = 0;
        while (m < MsSsimSimilarity.MaxScales && side >= (window - 1) * (1 << m) + 1) m++;
        return m;
    }
}
