using SpatialSim.TorchCore.Ranking;
using System.Buffers;
using System.Numerics;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Which SSIM map is averaged into the score.</summary>
public enum SsimComponent
{
    /// <summary>The full index l·c·s (luminance · contrast · structure), as scikit-image's structural_similarity.</summary>
    Full,
    /// <summary>
    /// The structure term alone, s = (σab + C3) / (σa·σb + C3), C3 = C2/2. Caution: s = 1 wherever EITHER map is
    /// flat in the window (σab = σa·σb = 0), so on sparse maps it is inflated even more than Full (two disjoint
    /// dots score 1). It is informative only where both genes vary locally (dense maps).
    /// </summary>
    Structure,
    /// <summary>
    /// Contrast·structure, cs = (2σab + C2) / (σa² + σb² + C2): the term MS-SSIM uses at its finer scales.
    /// Unlike <see cref="Structure"/> it is low where one gene varies and the other is flat.
    /// </summary>
    ContrastStructure,
}

/// <summary>How each gene's map is made scale-free before SSIM (whose constants assume a known data range).</summary>
public enum SsimNormalization
{
    /// <summary>x / max(x): maps in [0, 1], data range 1 (scikit-image's structural_similarity(a/a.max(), b/b.max(), data_range=1)).</summary>
    Max,
    /// <summary>
    /// z-scores (x − mean(x)) / std(x) (population std over the raster), constants for data range 1, i.e. relative
    /// to one standard deviation of the gene. Less sensitive than Max to a single hot pixel.
    /// </summary>
    MeanStd,
}

/// <summary>Parameters of <see cref="SsimSimilarity"/>; defaults of Wang et al. (2004).</summary>
public sealed record SsimOptions
{
    public const double DefaultSigma = 1.5;
    public const double DefaultK1 = 0.01;
    public const double DefaultK2 = 0.03;
    public const SsimComponent DefaultComponent = SsimComponent.Full;
    public const SsimNormalization DefaultNormalization = SsimNormalization.Max;

    /// <summary>Standard deviation in pixels of the Gaussian window (truncated at 3.5σ: 11 taps for 1.5).</summary>
    public double Sigma { get; init; } = DefaultSigma;
    /// <summary>C1 = (K1·R)², R = 1 the data range after normalisation.</summary>
    public double K1 { get; init; } = DefaultK1;
    /// <summary>C2 = (K2·R)², C3 = C2/2.</summary>
    public double K2 { get; init; } = DefaultK2;
    public SsimComponent Component { get; init; } = DefaultComponent;
    public SsimNormalization Normalization { get; init; } = DefaultNormalization;
}

/// <summary>
/// Structural similarity (Z. Wang, A. C. Bovik, H. R. Sheikh &amp; E. P. Simoncelli 2004, "Image quality
/// assessment: from error visibility to structural similarity", IEEE Trans. Image Process. 13(4):600–612):
/// <code>SSIM(a, b) = mean over the cropped raster of  (2 μa μb + C1)(2 σab + C2) / ((μa² + μb² + C1)(σa² + σb² + C2))</code>
/// where μ, σ², σab are local means, (population) variances and covariance under a Gaussian window
/// (σ = 1.5 px, truncated at 3.5σ → an 11×11 window), C1 = (K1·R)², C2 = (K2·R)², K1 = 0.01, K2 = 0.03, R = 1.
/// Conventions are scikit-image's <c>structural_similarity(a/a.max(), b/b.max(), gaussian_weights=True, sigma=1.5,
/// use_sample_covariance=False, data_range=1)</c>: scipy gaussian_filter with mode 'reflect', and the mean taken
/// after cropping (window − 1)/2 = 5 pixels on every border. Range [−1, 1], 1 = identical maps.
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
/// </summary>
public sealed class SsimSimilarity : IPreparedMeasure<SsimPrepared>
{
    public const string Name = "Ssim";

    private SsimSimilarity() { }

    static SimilarityMethod ISimilarityMeasure.Method => SimilarityMethod.Ssim;
    static MeasureFacts ISimilarityMeasure.Facts { get; } = new("Structural similarity (luminance, contrast and structure in a Gaussian window) of the maps divided by their maxima.")
    {
        Minimum = -1, Maximum = 1, SelfScore = 1, AllPairs = AllPairsPath.Prepared,
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

    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, SsimOptions options)
    {
        RasterChecks.RequireSameCanvas(a, b);
        // One comparison: lazy statistics (μ and E[x²] are made strip by strip inside the pass, no full-size maps).
        bool useTorch = !a.Device.IsCpu;
        using var sa = PrepareOn(a, options, useTorch, precompute: useTorch);
        using var sb = PrepareOn(b, options, useTorch, precompute: useTorch);
        return Compare(sa, sb);
    }

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
        if (a.Options != b.Options)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"Genes '{a.Gene}' and '{b.Gene}' were prepared with different SSIM options ({a.Options} vs {b.Options}); prepare both with the same options.");
        RasterChecks.RequireSameCanvas(a.Gene, a.Width, a.Height, b.Gene, b.Width, b.Height);
        if (!a.IsDefined) return SimilarityScore.Undefined(a.Undefined!);
        if (!b.IsDefined) return SimilarityScore.Undefined(b.Undefined!);
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

/// <summary>
/// One gene's SSIM statistics at one scale: the (not normalised) values x, the window means μ = G*x and
/// E[x²] = G*x² (float32, G the truncated Gaussian), and the normalisation x' = (x − Shift)·Scale applied
/// inside the fused pass. Made by <see cref="SsimSimilarity.Prepare"/>; dispose when done.
/// </summary>
public sealed class SsimPrepared : IPreparedGene
{
    public string Gene { get; }
    public int Width { get; }
    public int Height { get; }
    public SsimOptions Options { get; }
    /// <summary>Why SSIM is undefined for this gene (all zero, constant), or null.</summary>
    public string? Undefined { get; }
    public bool IsDefined => Undefined is null;

    internal Tensor? Values { get; }
    internal Tensor? Mean { get; }
    internal Tensor? MeanSquare { get; }
    internal double Shift { get; }
    internal double Scale { get; }
    internal bool UseTorch { get; }
    private readonly bool _ownsValues;

    private SsimPrepared(string gene, int width, int height, SsimOptions options, string? undefined,
        Tensor? values, bool ownsValues, Tensor? mean, Tensor? meanSquare, double shift, double scale, bool useTorch)
    {
        Gene = gene; Width = width; Height = height; Options = options; Undefined = undefined;
        Values = values; _ownsValues = ownsValues; Mean = mean; MeanSquare = meanSquare; Shift = shift; Scale = scale; UseTorch = useTorch;
    }

    internal static SsimPrepared Degenerate(GeneRaster raster, SsimOptions options, string why) =>
        new(raster.Gene, raster.Width, raster.Height, options, why, null, false, null, null, 0, 0, false);

    /// <summary>
    /// Statistics of <paramref name="values"/> (owned, i.e. disposed with the statistics, only when <paramref name="ownsValues"/>).
    /// <paramref name="precompute"/>: blur x and x² now; otherwise (CPU only) the comparison makes them strip by strip.
    /// </summary>
    internal static SsimPrepared Create(string gene, Tensor values, bool ownsValues, SsimOptions options,
        double shift, double scale, bool useTorch, bool precompute)
    {
        int h = (int)values.shape[0], w = (int)values.shape[1];
        if (!useTorch && (!values.is_contiguous() || values.dtype != ScalarType.Float32))
        {
            var copy = values.to(ScalarType.Float32).contiguous();
            copy.DetachFromDisposeScope();
            if (ownsValues) values.Dispose();
            (values, ownsValues) = (copy, true);
        }
        Tensor? mean = null, meanSquare = null;
        if (useTorch)
        {
            using var scope = torch.NewDisposeScope();
            mean = SsimCore.TorchBlur(values, options.Sigma);
            meanSquare = SsimCore.TorchBlur(values.square(), options.Sigma);
        }
        else if (precompute)
        {
            using var scope = torch.NewDisposeScope();
            mean = torch.empty(new long[] { h, w }, ScalarType.Float32).DetachFromDisposeScope();
            SsimCore.CpuBlur(values, mean, options.Sigma);
            meanSquare = torch.empty(new long[] { h, w }, ScalarType.Float32).DetachFromDisposeScope();
            SsimCore.Multiply(values, values, meanSquare);
            SsimCore.CpuBlur(meanSquare, meanSquare, options.Sigma);
        }
        return new SsimPrepared(gene, w, h, options, null, values, ownsValues, mean, meanSquare, shift, scale, useTorch);
    }

    public void Dispose()
    {
        Mean?.Dispose();
        MeanSquare?.Dispose();
        if (_ownsValues) Values?.Dispose();
    }
}

/// <summary>The SSIM maps a fused pass can average.</summary>
internal enum SsimTerm { Full, Structure, ContrastStructure, Luminance }

/// <summary>Shared numerics of SSIM and MS-SSIM: normalisation, blurs, the fused pass, 2×2 downsampling.</summary>
internal static class SsimCore
{
    private const int ParallelThreshold = 1 << 15;

    /// <summary>
    /// Shift and scale making the gene scale-free, or why it cannot be: all zero, constant, or (Max) no positive value.
    /// </summary>
    internal static (double Shift, double Scale, string? Undefined) Normalisation(GeneRaster raster, SsimNormalization how, bool useTorch)
    {
        string gene = raster.Gene;
        if (raster.NonZero == 0)
            return (0, 0, $"gene '{gene}' is all zero: SSIM is undefined");
        long n = (long)raster.Width * raster.Height;
        double mean = raster.Total / n;
        double min, sumSquares;
        if (useTorch)
        {
            using var scope = torch.NewDisposeScope();
            min = raster.Values.min().item<float>();
            sumSquares = how == SsimNormalization.MeanStd ? (raster.Values.to(ScalarType.Float64) - mean).square().sum().item<double>() : 0;
        }
        else
        {
            using var x = raster.Values.contiguous();
            (min, sumSquares) = MinAndSumSquares(x, mean, how == SsimNormalization.MeanStd);
        }
        if (min == raster.Max)
            return (0, 0, $"gene '{gene}' is constant (all {raster.Max:g6}): SSIM is undefined");
        if (how == SsimNormalization.Max)
        {
            if (raster.Max <= 0)
                return (0, 0, $"gene '{gene}' has no positive value: dividing by its maximum is undefined; use Normalization MeanStd");
            return (0, 1.0 / raster.Max, null);
        }
        double std = Math.Sqrt(sumSquares / n);
        return std > 0 ? (mean, 1.0 / std, null) : (0, 0, $"gene '{gene}' is constant (std 0): SSIM is undefined");
    }

    private static (double Min, double SumSquares) MinAndSumSquares(Tensor x, double mean, bool withSquares)
    {
        long n = x.numel();
        const int chunk = 1 << 16;
        int chunks = (int)((n + chunk - 1) / chunk);
        var mins = new float[chunks];
        var sums = new double[chunks];
        void Chunk(int c)
        {
            var span = TensorMemory.AsFloatSpan(x);
            int start = c * chunk, len = (int)Math.Min(chunk, n - start);
            var s = span.Slice(start, len);
            float min = float.PositiveInfinity;
            double sum = 0;
            int i = 0, vf = Vector<float>.Count;
            var vmin = new Vector<float>(float.PositiveInfinity);
            var vmean = new Vector<double>(mean);
            var acc = Vector<double>.Zero;
            for (; i <= len - vf; i += vf)
            {
                var v = new Vector<float>(s.Slice(i));
                vmin = Vector.Min(vmin, v);
                if (withSquares)
                {
                    Vector.Widen(v, out var lo, out var hi);
                    lo -= vmean; hi -= vmean;
                    acc += lo * lo + hi * hi;
                }
            }
            for (int k = 0; k < vf; k++) min = Math.Min(min, vmin[k]);
            sum = Vector.Sum(acc);
            for (; i < len; i++)
            {
                min = Math.Min(min, s[i]);
                double d = s[i] - mean;
                if (withSquares) sum += d * d;
            }
            mins[c] = min;
            sums[c] = sum;
        }
        if (n < ParallelThreshold) for (int c = 0; c < chunks; c++) Chunk(c);
        else Parallel.For(0, chunks, Chunk);
        return (mins.Min(), sums.Sum());
    }

    /// <summary>
    /// <paramref name="output"/> = <paramref name="a"/> · <paramref name="b"/> element-wise for contiguous float32 CPU tensors,
    /// vectorised and in parallel, into a buffer we chose (libtorch's element-wise ops allocate a fresh output each time).
    /// </summary>
    internal static void Multiply(Tensor a, Tensor b, Tensor output)
    {
        long n = a.numel();
        const int chunk = 1 << 16;
        int chunks = (int)((n + chunk - 1) / chunk);
        void Chunk(int c)
        {
            int start = c * chunk, len = (int)Math.Min(chunk, n - start);
            ReadOnlySpan<float> x = TensorMemory.AsFloatSpan(a).Slice(start, len), y = TensorMemory.AsFloatSpan(b).Slice(start, len);
            MultiplySpan(x, y, TensorMemory.AsFloatSpan(output).Slice(start, len));
        }
        if (n < ParallelThreshold) for (int c = 0; c < chunks; c++) Chunk(c);
        else Parallel.For(0, chunks, Chunk);
    }

    /// <summary>Blurs a contiguous float32 CPU tensor into another (may be the same) with the SSIM window.</summary>
    internal static void CpuBlur(Tensor input, Tensor output, double sigma)
    {
        int h = (int)input.shape[0], w = (int)input.shape[1];
        CpuGaussianBlur.Blur(TensorMemory.AsFloatSpan(input), TensorMemory.AsFloatSpan(output), w, h, sigma, GaussianMethod.Auto, SsimSimilarity.Truncate);
    }

    /// <summary>
    /// The torch path (CUDA): <see cref="GaussianSmoothing.BlurWithConvolution"/> with the SSIM window (truncated at 3.5σ).
    /// Returns a new float32 tensor, not in any dispose scope.
    /// </summary>
    internal static Tensor TorchBlur(Tensor image, double sigma)
    {
        using var scope = torch.NewDisposeScope();
        return GaussianSmoothing.BlurWithConvolution(image.to(ScalarType.Float32), sigma, SsimSimilarity.Truncate)
            .MoveToOuterDisposeScope().DetachFromDisposeScope();
    }

    /// <summary>
    /// The means over the cropped region (r = window radius pixels off each border) of the requested maps, in float64.
    /// Blurs a·b once (and μ, E[x²] of lazily prepared genes); everything else comes from the prepared statistics.
    /// </summary>
    internal static double[] CroppedMeans(SsimPrepared a, SsimPrepared b, params SsimTerm[] terms)
    {
        var o = a.Options;
        var c = new Constants(o.K1, o.K2, a.Shift, a.Scale, b.Shift, b.Scale);
        int pad = SsimSimilarity.Radius(o.Sigma);
        using var scope = torch.NewDisposeScope();
        if (a.UseTorch || b.UseTorch)
        {
            var device = a.Values!.device;
            using var eab = TorchBlur(a.Values * b.Values!.to(device), o.Sigma);
            return terms.Select(t => TorchMean(t, a.Mean!, a.MeanSquare!, b.Mean!.to(device), b.MeanSquare!.to(device), eab, pad, c)).ToArray();
        }
        return StripMeans(a, b, pad, c, terms);
    }

    /// <summary>Everything the per-pixel formulas need, broadcast once.</summary>
    internal readonly struct Constants
    {
        public readonly Vector<double> C1, C2, C3, ShiftA, ScaleA, ShiftB, ScaleB, ScaleA2, ScaleB2, ScaleAB, Zero, Two;
        public readonly double c1, c2, shiftA, scaleA, shiftB, scaleB;

        public Constants(double k1, double k2, double shiftA, double scaleA, double shiftB, double scaleB)
        {
            c1 = k1 * k1; c2 = k2 * k2;
            this.shiftA = shiftA; this.scaleA = scaleA; this.shiftB = shiftB; this.scaleB = scaleB;
            C1 = new(c1); C2 = new(c2); C3 = new(c2 / 2);
            ShiftA = new(shiftA); ScaleA = new(scaleA); ShiftB = new(shiftB); ScaleB = new(scaleB);
            ScaleA2 = new(scaleA * scaleA); ScaleB2 = new(scaleB * scaleB); ScaleAB = new(scaleA * scaleB);
            Zero = Vector<double>.Zero; Two = new(2.0);
        }
    }

    /// <summary>One SSIM map as a per-pixel function of the raw window moments (normalisation applied here).</summary>
    internal interface ITerm
    {
        static abstract Vector<double> Eval(Vector<double> ma, Vector<double> sa, Vector<double> mb, Vector<double> sb, Vector<double> ab, in Constants c);
    }

    // Raw moments: ma = G*x_a, sa = G*x_a², ab = G*(x_a x_b). Normalised: μ = scale·(ma − shift),
    // σ² = scale²·(sa − ma²), σab = scaleA·scaleB·(ab − ma·mb) (variance and covariance ignore the shift).
    private readonly struct FullTerm : ITerm
    {
        public static Vector<double> Eval(Vector<double> ma, Vector<double> sa, Vector<double> mb, Vector<double> sb, Vector<double> ab, in Constants c)
        {
            var ua = c.ScaleA * (ma - c.ShiftA);
            var ub = c.ScaleB * (mb - c.ShiftB);
            var va = c.ScaleA2 * (sa - ma * ma);
            var vb = c.ScaleB2 * (sb - mb * mb);
            var cov = c.ScaleAB * (ab - ma * mb);
            return (c.Two * ua * ub + c.C1) * (c.Two * cov + c.C2) / ((ua * ua + ub * ub + c.C1) * (va + vb + c.C2));
        }
    }

    private readonly struct StructureTerm : ITerm
    {
        public static Vector<double> Eval(Vector<double> ma, Vector<double> sa, Vector<double> mb, Vector<double> sb, Vector<double> ab, in Constants c)
        {
            var va = Vector.Max(c.ScaleA2 * (sa - ma * ma), c.Zero);
            var vb = Vector.Max(c.ScaleB2 * (sb - mb * mb), c.Zero);
            var cov = c.ScaleAB * (ab - ma * mb);
            return (cov + c.C3) / (Vector.SquareRoot(va * vb) + c.C3);
        }
    }

    private readonly struct ContrastStructureTerm : ITerm
    {
        public static Vector<double> Eval(Vector<double> ma, Vector<double> sa, Vector<double> mb, Vector<double> sb, Vector<double> ab, in Constants c)
        {
            var va = c.ScaleA2 * (sa - ma * ma);
            var vb = c.ScaleB2 * (sb - mb * mb);
            var cov = c.ScaleAB * (ab - ma * mb);
            return (c.Two * cov + c.C2) / (va + vb + c.C2);
        }
    }

    private readonly struct LuminanceTerm : ITerm
    {
        public static Vector<double> Eval(Vector<double> ma, Vector<double> sa, Vector<double> mb, Vector<double> sb, Vector<double> ab, in Constants c)
        {
            var ua = c.ScaleA * (ma - c.ShiftA);
            var ub = c.ScaleB * (mb - c.ShiftB);
            return (c.Two * ua * ub + c.C1) / (ua * ua + ub * ub + c.C1);
        }
    }

    /// <summary>
    /// The CPU pass. The cropped rows [r, H − r) are cut into strips; each strip is handled by one thread: the rows it
    /// needs (the strip plus r rows above and below, always inside the raster) of x_a·x_b — and of μ and E[x²] for
    /// lazily prepared genes — are multiplied and blurred single-threaded into small per-thread buffers that stay in
    /// cache, then every requested map is evaluated in float64 vectors and summed per row. Rows of the crop only see
    /// raster rows within ±r, so the strip blur is exact (the raster's own border handling never reaches the crop).
    /// Per-strip sums are added in strip order: the result does not depend on thread scheduling.
    /// </summary>
    private static double[] StripMeans(SsimPrepared a, SsimPrepared b, int pad, Constants c, SsimTerm[] terms)
    {
        int h = a.Height, w = a.Width;
        int rows = h - 2 * pad, cols = w - 2 * pad;
        double sigma = a.Options.Sigma;
        int threads = (long)rows * cols < ParallelThreshold ? 1 : Environment.ProcessorCount;
        int stripRows = Math.Clamp((rows + 4 * threads - 1) / (4 * threads), Math.Min(rows, 16), Math.Max(128, 8 * pad));
        int strips = (rows + stripRows - 1) / stripRows;
        int bufferLength = (stripRows + 2 * pad) * w;
        var sums = new double[strips * terms.Length];

        float[][] RentBuffers() => new[] { ArrayPool<float>.Shared.Rent(bufferLength), ArrayPool<float>.Shared.Rent(bufferLength),
            ArrayPool<float>.Shared.Rent(bufferLength), ArrayPool<float>.Shared.Rent(bufferLength), ArrayPool<float>.Shared.Rent(bufferLength) };
        void ReturnBuffers(float[][] buffers) { foreach (var buffer in buffers) ArrayPool<float>.Shared.Return(buffer); }

        float[][] Strip(int strip, float[][] buf)
        {
            int y0 = pad + strip * stripRows, y1 = Math.Min(pad + rows, y0 + stripRows);
            int ys = y0 - pad, ye = y1 + pad, n = (ye - ys) * w;
            ReadOnlySpan<float> xa = TensorMemory.AsFloatSpan(a.Values!).Slice(ys * w, n);
            ReadOnlySpan<float> xb = TensorMemory.AsFloatSpan(b.Values!).Slice(ys * w, n);
            // The blurred strips hold rows ys..ye-1: the strip's rows start at row pad of the buffer.
            Span<float> ab = buf[4].AsSpan(0, n);
            MultiplySpan(xa, xb, ab);
            BlurStrip(ab, ab, w, ye - ys, sigma);
            Moments(a, xa, buf[0], buf[1], ys, ye, w, sigma, y0, out var ma, out var sa);
            Moments(b, xb, buf[2], buf[3], ys, ye, w, sigma, y0, out var mb, out var sb);
            ReadOnlySpan<float> eab = ab.Slice(pad * w);
            for (int t = 0; t < terms.Length; t++)
            {
                double sum = 0;
                for (int r = 0; r < y1 - y0; r++)
                {
                    int o = r * w + pad;
                    sum += terms[t] switch
                    {
                        SsimTerm.Full => RowSum<FullTerm>(ma.Slice(o, cols), sa.Slice(o, cols), mb.Slice(o, cols), sb.Slice(o, cols), eab.Slice(o, cols), c),
                        SsimTerm.Structure => RowSum<StructureTerm>(ma.Slice(o, cols), sa.Slice(o, cols), mb.Slice(o, cols), sb.Slice(o, cols), eab.Slice(o, cols), c),
                        SsimTerm.ContrastStructure => RowSum<ContrastStructureTerm>(ma.Slice(o, cols), sa.Slice(o, cols), mb.Slice(o, cols), sb.Slice(o, cols), eab.Slice(o, cols), c),
                        _ => RowSum<LuminanceTerm>(ma.Slice(o, cols), sa.Slice(o, cols), mb.Slice(o, cols), sb.Slice(o, cols), eab.Slice(o, cols), c),
                    };
                }
                sums[strip * terms.Length + t] = sum;
            }
            return buf;
        }

        if (threads == 1)
        {
            var buffers = RentBuffers();
            for (int strip = 0; strip < strips; strip++) Strip(strip, buffers);
            ReturnBuffers(buffers);
        }
        else
        {
            Parallel.For(0, strips, new ParallelOptions { MaxDegreeOfParallelism = threads }, RentBuffers, (strip, _, buf) => Strip(strip, buf), ReturnBuffers);
        }
        var means = new double[terms.Length];
        for (int t = 0; t < terms.Length; t++)
        {
            double total = 0;
            for (int strip = 0; strip < strips; strip++) total += sums[strip * terms.Length + t];
            means[t] = total / ((double)rows * cols);
        }
        return means;
    }

    /// <summary>
    /// μ and E[x²] for the rows of one strip, starting at row <paramref name="y0"/>: views of the precomputed maps, or
    /// blurred now from the strip's rows ys..ye-1 of x into the given buffers.
    /// </summary>
    private static void Moments(SsimPrepared g, ReadOnlySpan<float> x, float[] meanBuffer, float[] squareBuffer,
        int ys, int ye, int w, double sigma, int y0, out ReadOnlySpan<float> meanRows, out ReadOnlySpan<float> squareRows)
    {
        if (g.Mean is not null)
        {
            meanRows = TensorMemory.AsFloatSpan(g.Mean).Slice(y0 * w);
            squareRows = TensorMemory.AsFloatSpan(g.MeanSquare!).Slice(y0 * w);
            return;
        }
        int n = (ye - ys) * w;
        Span<float> mean = meanBuffer.AsSpan(0, n), square = squareBuffer.AsSpan(0, n);
        BlurStrip(x, mean, w, ye - ys, sigma);
        MultiplySpan(x, x, square);
        BlurStrip(square, square, w, ye - ys, sigma);
        int offset = (y0 - ys) * w;
        meanRows = mean.Slice(offset);
        squareRows = square.Slice(offset);
    }

    private static void BlurStrip(ReadOnlySpan<float> input, Span<float> output, int width, int height, double sigma) =>
        CpuGaussianBlur.Blur(input, output, width, height, sigma, GaussianMethod.Auto, SsimSimilarity.Truncate, maxDegreeOfParallelism: 1);

    private static void MultiplySpan(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        int i = 0, vf = Vector<float>.Count, n = x.Length;
        for (; i <= n - vf; i += vf) (new Vector<float>(x.Slice(i)) * new Vector<float>(y.Slice(i))).CopyTo(z.Slice(i));
        for (; i < n; i++) z[i] = x[i] * y[i];
    }

    private static double RowSum<T>(ReadOnlySpan<float> ma, ReadOnlySpan<float> sa, ReadOnlySpan<float> mb, ReadOnlySpan<float> sb,
        ReadOnlySpan<float> ab, in Constants c) where T : struct, ITerm
    {
        int n = ma.Length, vf = Vector<float>.Count, i = 0;
        var acc = Vector<double>.Zero;
        for (; i <= n - vf; i += vf)
        {
            Vector.Widen(new Vector<float>(ma.Slice(i)), out var ma0, out var ma1);
            Vector.Widen(new Vector<float>(sa.Slice(i)), out var sa0, out var sa1);
            Vector.Widen(new Vector<float>(mb.Slice(i)), out var mb0, out var mb1);
            Vector.Widen(new Vector<float>(sb.Slice(i)), out var sb0, out var sb1);
            Vector.Widen(new Vector<float>(ab.Slice(i)), out var ab0, out var ab1);
            acc += T.Eval(ma0, sa0, mb0, sb0, ab0, c) + T.Eval(ma1, sa1, mb1, sb1, ab1, c);
        }
        double sum = Vector.Sum(acc);
        if (i < n)
        {
            // The tail: pad the last partial vector with copies of its first pixel and add only the real lanes.
            int rest = n - i;
            Span<float> buf = stackalloc float[5 * vf];
            for (int k = 0; k < vf; k++)
            {
                int j = i + Math.Min(k, rest - 1);
                buf[k] = ma[j]; buf[vf + k] = sa[j]; buf[2 * vf + k] = mb[j]; buf[3 * vf + k] = sb[j]; buf[4 * vf + k] = ab[j];
            }
            Vector.Widen(new Vector<float>(buf), out var ma0, out var ma1);
            Vector.Widen(new Vector<float>(buf.Slice(vf)), out var sa0, out var sa1);
            Vector.Widen(new Vector<float>(buf.Slice(2 * vf)), out var mb0, out var mb1);
            Vector.Widen(new Vector<float>(buf.Slice(3 * vf)), out var sb0, out var sb1);
            Vector.Widen(new Vector<float>(buf.Slice(4 * vf)), out var ab0, out var ab1);
            var lo = T.Eval(ma0, sa0, mb0, sb0, ab0, c);
            var hi = T.Eval(ma1, sa1, mb1, sb1, ab1, c);
            int half = Vector<double>.Count;
            for (int k = 0; k < rest; k++) sum += k < half ? lo[k] : hi[k - half];
        }
        return sum;
    }

    /// <summary>The torch version of the fused pass (CUDA), float64 on the cropped region.</summary>
    private static double TorchMean(SsimTerm term, Tensor ma, Tensor sa, Tensor mb, Tensor sb, Tensor ab, int pad, Constants c)
    {
        using var scope = torch.NewDisposeScope();
        Tensor Crop(Tensor t) => t.narrow(0, pad, t.shape[0] - 2 * pad).narrow(1, pad, t.shape[1] - 2 * pad).to(ScalarType.Float64);
        var (xa, xsa, xb, xsb, xab) = (Crop(ma), Crop(sa), Crop(mb), Crop(sb), Crop(ab));
        var ua = (xa - c.shiftA) * c.scaleA;
        var ub = (xb - c.shiftB) * c.scaleB;
        var va = (xsa - xa * xa) * (c.scaleA * c.scaleA);
        var vb = (xsb - xb * xb) * (c.scaleB * c.scaleB);
        var cov = (xab - xa * xb) * (c.scaleA * c.scaleB);
        var map = term switch
        {
            SsimTerm.Full => (2 * ua * ub + c.c1) * (2 * cov + c.c2) / ((ua * ua + ub * ub + c.c1) * (va + vb + c.c2)),
            SsimTerm.Structure => (cov + c.c2 / 2) / ((va.clamp_min(0) * vb.clamp_min(0)).sqrt() + c.c2 / 2),
            SsimTerm.ContrastStructure => (2 * cov + c.c2) / (va + vb + c.c2),
            SsimTerm.Luminance => (2 * ua * ub + c.c1) / (ua * ua + ub * ub + c.c1),
            _ => throw new ArgumentOutOfRangeException(nameof(term)),
        };
        return map.mean().item<double>();
    }

    /// <summary>
    /// 2×2 average pooling with stride 2; an odd last row/column is paired with itself, so a side n becomes ⌈n/2⌉
    /// (MATLAB msssim.m: 'symmetric' imfilter with ones(2)/4 then every second pixel). Returns a new tensor (not in a scope).
    /// </summary>
    internal static Tensor Downsample(Tensor x, bool useTorch)
    {
        int h = (int)x.shape[0], w = (int)x.shape[1];
        int oh = (h + 1) / 2, ow = (w + 1) / 2;
        using var scope = torch.NewDisposeScope();
        if (useTorch)
        {
            var t = x.unsqueeze(0).unsqueeze(0);
            if (h % 2 == 1 || w % 2 == 1) t = nn.functional.pad(t, new long[] { 0, w % 2, 0, h % 2 }, PaddingModes.Replicate);
            return nn.functional.avg_pool2d(t, 2).squeeze(0).squeeze(0).contiguous().MoveToOuterDisposeScope().DetachFromDisposeScope();
        }
        var input = x.contiguous();
        var output = torch.empty(new long[] { oh, ow }, ScalarType.Float32);
        void Row(int y)
        {
            ReadOnlySpan<float> src = TensorMemory.AsFloatSpan(input);
            Span<float> dst = TensorMemory.AsFloatSpan(output);
            var r0 = src.Slice(2 * y * w, w);
            var r1 = src.Slice(Math.Min(2 * y + 1, h - 1) * w, w);
            var d = dst.Slice(y * ow, ow);
            for (int j = 0; j < ow; j++)
            {
                int x0 = 2 * j, x1 = Math.Min(2 * j + 1, w - 1);
                d[j] = 0.25f * ((r0[x0] + r0[x1]) + (r1[x0] + r1[x1]));
            }
        }
        if ((long)h * w < ParallelThreshold) for (int y = 0; y < oh; y++) Row(y);
        else Parallel.For(0, oh, Row);
        return output.MoveToOuterDisposeScope().DetachFromDisposeScope();
    }
}
