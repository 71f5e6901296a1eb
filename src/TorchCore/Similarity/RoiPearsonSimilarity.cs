using SpatialSim.TorchCore.Ranking;
using System.Numerics;
using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>How the peak region of a smoothed map is cut.</summary>
public enum RoiThreshold
{
    /// <summary>Otsu (1979), "A threshold selection method from gray-level histograms", IEEE SMC 9(1):62–66, as scikit-image's threshold_otsu (256 bins).</summary>
    Otsu,
    /// <summary>The <see cref="RoiPearsonOptions.Quantile"/> quantile (numpy's default 'linear' method).</summary>
    Quantile,
}

/// <summary>Pearson correlation of the smoothed maps inside the union of both genes' peak regions.</summary>
/// <remarks>
/// <para>Pearson correlation of two genes' smoothed maps inside their peak regions ("where either gene peaks, do they
/// agree?"), so that the large empty or low-level background does not dominate the correlation.</para>
/// <para>Per gene x: x̂ = x / max|x| (float32); s = G_σ * x̂ (Gaussian σ = <see cref="RoiPearsonOptions.Sigma"/> = 2 px,
/// scipy.ndimage.gaussian_filter conventions: mode 'reflect', truncate 4, radius r = ⌊4σ + 0.5⌋); Z = the pixels whose
/// (2r+1)² smoothing window holds a non-zero pixel of x — exactly where s is non-zero in exact arithmetic (for counts ≥ 0),
/// defined from x so that round-off of an FFT blur cannot add the whole empty canvas; t = threshold of the values s[Z]:
/// <list type="bullet">
/// <item><see cref="RoiThreshold.Otsu"/> (default): scikit-image's <c>threshold_otsu(s[Z].astype(float64), nbins=256)</c> —
/// numpy histogram of 256 equal bins between min and max, t = the centre of the bin maximising the between-class
/// variance w1·w2·(μ1 − μ2)²;</item>
/// <item><see cref="RoiThreshold.Quantile"/>: <c>numpy.quantile(s[Z], Quantile)</c> (linear interpolation; default 0.9).</item>
/// </list>
/// ROI = {p ∈ Z : s_p &gt; t}. The score is
/// <code>r = Pearson(s_a[U], s_b[U]),   U = ROI_a ∪ ROI_b</code>
/// in [−1, 1], 1 = proportional peaks (higher = more similar). Scale invariance: correlation is invariant to positive
/// scaling and x̂ is bit for bit the same for x and c·x whenever c·x is exact in float32, so the thresholds and regions
/// are too. Details: "thresholdA", "thresholdB" (t of each gene, relative to its largest pixel) and "roiPixels" (|U|).
/// Degenerate: an all-zero or constant gene, an empty union, or a gene constant inside the union → NaN with a
/// note naming the gene. Device: smoothing runs on the raster's device; thresholds and the correlation run on the CPU
/// (a CUDA map is copied once).</para>
/// <para>References (also in <see cref="MeasureFacts.References"/>, from which the README and about_SpatialSim list them):</para>
/// <list type="bullet">
/// <item>N. Otsu (1979). A threshold selection method from gray-level histograms. IEEE Trans. Syst. Man Cybern. 9:62–66. <see href="https://doi.org/10.1109/TSMC.1979.4310076">doi:10.1109/TSMC.1979.4310076</see></item>
/// </list>
/// </remarks>
public sealed class RoiPearsonSimilarity : IPreparedMeasure<RoiPearsonPrepared>
{
    public const string Name = "RoiPearson";

    private RoiPearsonSimilarity() { }

    static SimilarityMethod ISimilarityMeasure.Method => SimilarityMethod.RoiPearson;
    static MeasureFacts ISimilarityMeasure.Facts { get; } = new("Pearson correlation of the smoothed maps inside the union of both genes' peak regions.")
    {
        AutomaticSigma = true, Minimum = -1, Maximum = 1, SelfScore = 1, AllPairs = AllPairsPath.Prepared,
        Parameters = FormattableString.Invariant($"-Sigma, default {RoiPearsonOptions.DefaultSigma}; -Threshold Otsu|Quantile; -Quantile {RoiPearsonOptions.DefaultQuantile}"),
        Guidance = "Each gene's peak region is the part of its smoothed map above a threshold (Otsu's, or a quantile of "
            + "the non-zero values); the two smoothed maps are correlated only inside the union of both peak "
            + "regions. Good for sparse genes whose large empty background would otherwise dominate the "
            + "correlation.",
        CheckedAgainst = "scipy + skimage threshold_otsu",
        References = new[]
        {
            new MeasureReference("N. Otsu (1979). A threshold selection method from gray-level histograms. IEEE Trans. Syst. Man Cybern. 9:62–66", "doi:10.1109/TSMC.1979.4310076"),
        },
    };
    static string ISimilarityMeasure.Describe(SimilarityOptions options)
    {
        var o = options.RoiPearson;
        return $"σ={o.Sigma:g4} {o.Threshold}" + (o.Threshold == RoiThreshold.Quantile ? $"={o.Quantile:g3}" : "");
    }
    static double ISimilarityMeasure.Scale(SimilarityOptions options) => options.RoiPearson.Sigma;
    static SimilarityScore ISimilarityMeasure.Compare(GeneRaster a, GeneRaster b, SimilarityOptions options) => Compare(a, b, options.RoiPearson);
    static RoiPearsonPrepared IPreparedMeasure<RoiPearsonPrepared>.Prepare(GeneRaster gene, SimilarityOptions options) => Prepare(gene, options.RoiPearson);
    static SimilarityScore IPreparedMeasure<RoiPearsonPrepared>.Compare(RoiPearsonPrepared a, RoiPearsonPrepared b, SimilarityOptions options) => Compare(a, b);
    /// <summary>The smoothed map (float32) and the peak-region bits, about two float32 maps.</summary>
    static long IPreparedMeasure<RoiPearsonPrepared>.PreparedBytes(int width, int height, SimilarityOptions options) => (long)width * height * 4 * 2;

    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, RoiPearsonOptions options)
    {
        RasterChecks.RequireSameCanvas(a.Gene, a.Width, a.Height, b.Gene, b.Width, b.Height);
        using var ma = Prepare(a, options);
        if (ma.Undefined is not null) return SimilarityScore.Undefined(ma.Undefined);
        using var mb = Prepare(b, options);
        if (mb.Undefined is not null) return SimilarityScore.Undefined(mb.Undefined);
        return Compare(ma, mb);
    }

    public static void Validate(RoiPearsonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        GaussianSmoothing.CheckSigma(options.Sigma);
        if (options.Threshold is not (RoiThreshold.Otsu or RoiThreshold.Quantile))
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"Unknown ROI threshold rule '{options.Threshold}'; use Otsu or Quantile.");
        if (options.Threshold == RoiThreshold.Quantile && !(options.Quantile >= 0 && options.Quantile < 1))
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"The ROI quantile must be in [0, 1), got {options.Quantile}; 0.9 keeps the top 10% of the smoothed non-zero values.");
    }

    /// <summary>One gene's smoothed map, threshold and peak region, for comparing it with many genes. Dispose it.</summary>
    public static RoiPearsonPrepared Prepare(GeneRaster gene, RoiPearsonOptions options)
    {
        Validate(options);
        using var scope = torch.NewDisposeScope();
        var raw = (gene.Device.IsCpu ? gene.Values : gene.Values.cpu()).contiguous();
        var rawPixels = TensorMemory.AsFloatSpan(raw);
        var (min, max) = CpuReductions.MinMax(rawPixels);
        if (min == 0 && max == 0)
            return RoiPearsonPrepared.Degenerate(gene, $"gene '{gene.Gene}' is all zero: it has no peak region");
        if (min == max)
            return RoiPearsonPrepared.Degenerate(gene, $"gene '{gene.Gene}' is constant ({max:g4}) over the raster: it has no peak region");
        float divisor = Math.Max(Math.Abs(min), Math.Abs(max));

        // x̂ = x / max|x| in float32 (bit for bit numpy's x / x.max()), then blurred on the raster's device.
        Tensor normalised;
        if (gene.Device.IsCpu)
        {
            normalised = torch.empty(new long[] { gene.Height, gene.Width }, ScalarType.Float32);
            Divide(rawPixels, TensorMemory.AsFloatSpan(normalised), divisor);
        }
        else
            normalised = gene.Values / divisor;
        var blurred = GaussianSmoothing.Blur(normalised, gene.Device, options.Sigma, options.SmoothingMethod);
        Tensor smoothed;
        if (gene.Device.IsCpu)
            smoothed = blurred;
        else
        {
            smoothed = blurred.cpu();
            blurred.Dispose();
        }
        smoothed.DetachFromDisposeScope();
        try
        {
            var values = TensorMemory.AsFloatSpan(smoothed);
            int radius = options.Sigma <= 1e-15 ? 0 : (int)(4.0 * options.Sigma + 0.5);
            var support = Support(rawPixels, gene.Width, gene.Height, radius);
            double threshold = options.Threshold == RoiThreshold.Otsu ? Thresholds.Otsu(values, support) : Thresholds.Quantile(values, support, options.Quantile);
            var roi = new ulong[support.Length];
            long roiPixels = 0;
            for (int w = 0; w < support.Length; w++)
            {
                ulong word = support[w], bits = 0;
                while (word != 0)
                {
                    int bit = BitOperations.TrailingZeroCount(word);
                    word &= word - 1;
                    if (values[w * 64 + bit] > threshold) bits |= 1UL << bit;
                }
                roi[w] = bits;
                roiPixels += BitOperations.PopCount(bits);
            }
            return new RoiPearsonPrepared(gene.Gene, gene.Width, gene.Height, smoothed, roi, threshold, roiPixels, null);
        }
        catch
        {
            smoothed.Dispose();
            throw;
        }
    }

    /// <summary>Pearson correlation of the two smoothed maps over the union of their peak regions.</summary>
    public static SimilarityScore Compare(RoiPearsonPrepared a, RoiPearsonPrepared b)
    {
        if (a.Undefined is not null) return SimilarityScore.Undefined(a.Undefined);
        if (b.Undefined is not null) return SimilarityScore.Undefined(b.Undefined);
        RasterChecks.RequireSameCanvas(a.Gene, a.Width, a.Height, b.Gene, b.Width, b.Height);
        var sa = TensorMemory.AsFloatSpan(a.Smoothed!);
        var sb = TensorMemory.AsFloatSpan(b.Smoothed!);
        ulong[] ra = a.Roi!, rb = b.Roi!;
        long n = 0;
        double sumA = 0, sumB = 0;
        float minA = float.PositiveInfinity, maxA = float.NegativeInfinity, minB = float.PositiveInfinity, maxB = float.NegativeInfinity;
        for (int w = 0; w < ra.Length; w++)
        {
            ulong word = ra[w] | rb[w];
            while (word != 0)
            {
                int i = w * 64 + BitOperations.TrailingZeroCount(word);
                word &= word - 1;
                float x = sa[i], y = sb[i];
                n++;
                sumA += x;
                sumB += y;
                if (x < minA) minA = x;
                if (x > maxA) maxA = x;
                if (y < minB) minB = y;
                if (y > maxB) maxB = y;
            }
        }
        var details = new Dictionary<string, double> { ["thresholdA"] = a.Threshold, ["thresholdB"] = b.Threshold, ["roiPixels"] = n };
        if (n == 0)
            return new SimilarityScore(double.NaN, $"the peak regions of genes '{a.Gene}' and '{b.Gene}' are both empty: correlation is undefined", details);
        if (minA == maxA || minB == maxB)
        {
            string gene = minA == maxA ? a.Gene : b.Gene;
            return new SimilarityScore(double.NaN,
                $"gene '{gene}' is constant inside the peak regions of '{a.Gene}' and '{b.Gene}' ({n} pixels): correlation is undefined", details);
        }
        double meanA = sumA / n, meanB = sumB / n, sab = 0, saa = 0, sbb = 0;
        for (int w = 0; w < ra.Length; w++)
        {
            ulong word = ra[w] | rb[w];
            while (word != 0)
            {
                int i = w * 64 + BitOperations.TrailingZeroCount(word);
                word &= word - 1;
                double da = sa[i] - meanA, db = sb[i] - meanB;
                sab += da * db;
                saa += da * da;
                sbb += db * db;
            }
        }
        return new SimilarityScore(Math.Clamp(sab / Math.Sqrt(saa * sbb), -1.0, 1.0), null, details);
    }

    private static void Divide(ReadOnlySpan<float> source, Span<float> target, float divisor)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var d = new Vector<float>(divisor);
            for (; i <= source.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(source.Slice(i)) / d).CopyTo(target.Slice(i));
        }
        for (; i < source.Length; i++) target[i] = source[i] / divisor;
    }

    /// <summary>
    /// Bit mask (row-major, 64 pixels a word) of the pixels whose (2r+1)² window holds a non-zero input pixel.
    /// Reflection at the borders (scipy's mode 'reflect') only revisits pixels already inside the clipped window,
    /// so the clipped window is exact. Streams over rows with one column-count array (no image-sized temporary).
    /// </summary>
    internal static ulong[] Support(ReadOnlySpan<float> pixels, int width, int height, int radius)
    {
        var mask = new ulong[((long)width * height + 63) / 64];
        var columnCount = new int[width];
        var occupied = new int[width];
        void AddRow(ReadOnlySpan<float> p, int y, int delta)
        {
            var row = p.Slice(y * width, width);
            for (int x = 0; x < width; x++)
                if (row[x] != 0) columnCount[x] += delta;
        }
        for (int y = 0; y <= Math.Min(radius, height - 1); y++) AddRow(pixels, y, +1);
        for (int y = 0; y < height; y++)
        {
            if (y > 0)
            {
                if (y + radius < height) AddRow(pixels, y + radius, +1);
                if (y - radius - 1 >= 0) AddRow(pixels, y - radius - 1, -1);
            }
            for (int x = 0; x < width; x++) occupied[x] = columnCount[x] > 0 ? 1 : 0;
            int count = 0;
            for (int x = 0; x <= Math.Min(radius, width - 1); x++) count += occupied[x];
            long rowStart = (long)y * width;
            for (int x = 0; x < width; x++)
            {
                if (x > 0)
                {
                    if (x + radius < width) count += occupied[x + radius];
                    if (x - radius - 1 >= 0) count -= occupied[x - radius - 1];
                }
                if (count > 0)
                {
                    long i = rowStart + x;
                    mask[i >> 6] |= 1UL << (int)(i & 63);
                }
            }
        }
        return mask;
    }
}

/// <summary>Parameters of <see cref="RoiPearsonSimilarity"/>, with the documented defaults.</summary>
public sealed record RoiPearsonOptions
{
    public const double DefaultSigma = 2;
    public const RoiThreshold DefaultThreshold = RoiThreshold.Otsu;
    public const double DefaultQuantile = 0.9;

    /// <summary>Gaussian σ in pixels applied before thresholding and correlating (0 = none).</summary>
    public double Sigma { get; init; } = DefaultSigma;
    /// <summary>How the peak region is cut from the smoothed map's non-zero values.</summary>
    public RoiThreshold Threshold { get; init; } = DefaultThreshold;
    /// <summary>Quantile of the smoothed non-zero values used by <see cref="RoiThreshold.Quantile"/>, in [0, 1).</summary>
    public double Quantile { get; init; } = DefaultQuantile;
    /// <summary>How the Gaussian is computed (same result up to float rounding).</summary>
    public GaussianMethod SmoothingMethod { get; init; } = GaussianMethod.Auto;
}

/// <summary>
/// One gene prepared for <see cref="RoiPearsonSimilarity"/>: its max-normalised smoothed map (CPU float32), its
/// threshold and peak region. Owns native memory: dispose it.
/// </summary>
public sealed class RoiPearsonPrepared : IPreparedGene
{
    public string Gene { get; }
    public int Width { get; }
    public int Height { get; }
    /// <summary>t on the smoothed map of x / max|x| (so relative to the gene's largest pixel).</summary>
    public double Threshold { get; }
    /// <summary>Pixels in the gene's peak region.</summary>
    public long RoiPixels { get; }
    /// <summary>Why the gene has no peak region (all zero, constant), or null.</summary>
    public string? Undefined { get; }
    internal Tensor? Smoothed { get; }
    internal ulong[]? Roi { get; }

    internal RoiPearsonPrepared(string gene, int width, int height, Tensor? smoothed, ulong[]? roi, double threshold, long roiPixels, string? undefined)
    {
        Gene = gene;
        Width = width;
        Height = height;
        Smoothed = smoothed;
        Roi = roi;
        Threshold = threshold;
        RoiPixels = roiPixels;
        Undefined = undefined;
    }

    internal static RoiPearsonPrepared Degenerate(GeneRaster gene, string why) => new(gene.Gene, gene.Width, gene.Height, null, null, double.NaN, 0, why);

    /// <summary>The peak region as a row-major mask (1 inside).</summary>
    public bool[] RoiMask()
    {
        var mask = new bool[(long)Width * Height];
        if (Roi is null) return mask;
        for (long i = 0; i < mask.Length; i++) mask[i] = (Roi[i >> 6] >> (int)(i & 63) & 1) != 0;
        return mask;
    }

    public void Dispose() => Smoothed?.Dispose();
}
