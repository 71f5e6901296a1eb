using SpatialSim.TorchCore.Ranking;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Pixel-wise Pearson correlation of the two maps.</summary>
/// <remarks>
/// <para><code>r = Σ (a_i − ā)(b_i − b̄) / √( Σ (a_i − ā)² · Σ (b_i − b̄)² )</code>
/// over all pixels i; range [−1, 1], 1 = identical up to a positive affine map, so it is invariant to
/// multiplying a gene by a positive constant. Undefined (NaN) when either raster is constant.
/// Sums are accumulated in float64: on CPU by vectorised parallel loops over the float32 pixels (no float64 copy),
/// elsewhere over row blocks, so memory stays at one block per raster.</para>
/// <para>References (also in <see cref="MeasureFacts.References"/>, from which the README and about_SpatialSim list them):</para>
/// <list type="bullet">
/// <item>K. Pearson (1895). Note on regression and inheritance in the case of two parents. Proc. R. Soc. Lond. 58:240–242. <see href="https://doi.org/10.1098/rspl.1895.0041">doi:10.1098/rspl.1895.0041</see></item>
/// </list>
/// </remarks>
public sealed class PearsonSimilarity : ISimilarityMeasure
{
    public const string Name = "Pearson";
    private const long BlockElements = 1 << 22;

    private PearsonSimilarity() { }

    static SimilarityMethod ISimilarityMeasure.Method => SimilarityMethod.Pearson;
    static MeasureFacts ISimilarityMeasure.Facts { get; } = new("Pixel-wise Pearson correlation of the two maps.")
    {
        TakesMask = true, Minimum = -1, Maximum = 1, SelfScore = 1, AllPairs = AllPairsPath.CorrelationGram,
        Parameters = "",
        Guidance = "Pixel-wise Pearson correlation, in [-1, 1]. Only meaningful when genes share pixels: at full "
            + "resolution two genes of the same thin layer rarely hit the same pixel, and Pearson is then near 0.",
        CheckedAgainst = "numpy corrcoef",
        References = new[]
        {
            new MeasureReference("K. Pearson (1895). Note on regression and inheritance in the case of two parents. Proc. R. Soc. Lond. 58:240–242", "doi:10.1098/rspl.1895.0041"),
        },
    };
    static string ISimilarityMeasure.Describe(SimilarityOptions options) => "";
    static double ISimilarityMeasure.Scale(SimilarityOptions options) => 0;
    static IReadOnlyList<double>? ISimilarityMeasure.CorrelationSigmas(SimilarityOptions options) => Unsmoothed;
    static SimilarityScore ISimilarityMeasure.Compare(GeneRaster a, GeneRaster b, SimilarityOptions options) =>
        options.Mask is null ? Compare(a, b) : CompareMasked(a, b, options.Mask);

    private static readonly double[] Unsmoothed = { 0.0 };

    public static SimilarityScore Compare(GeneRaster a, GeneRaster b) => Compare(a.Values, b.Values, a.Gene, b.Gene);

    /// <summary>Pearson correlation over the pixels inside a mask (mask pixels &gt; 0).</summary>
    public static SimilarityScore CompareMasked(GeneRaster a, GeneRaster b, GeneRaster mask)
    {
        RasterChecks.RequireMaskFits(mask, a);
        using var scope = NewDisposeScope();
        var inside = mask.Values.to(a.Device.TorchDevice) > 0;
        return Compare(a.Values.masked_select(inside), b.Values.masked_select(inside), a.Gene, b.Gene);
    }

    /// <summary>Pearson correlation of two tensors of equal shape (any float dtype, any device).</summary>
    public static SimilarityScore Compare(Tensor a, Tensor b, string geneA, string geneB)
    {
        if (!a.shape.SequenceEqual(b.shape))
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"Genes '{geneA}' [{string.Join("×", a.shape)}] and '{geneB}' [{string.Join("×", b.shape)}] have different raster sizes; " +
                "compare rasters imported from the same canvas (same file or same -Region and -BinSize).");
        using var scope = NewDisposeScope();
        var fa = a.reshape(-1);
        var fb = b.reshape(-1);
        long n = fa.shape[0];
        if (a.device_type == TorchSharp.DeviceType.CPU && a.dtype == ScalarType.Float32 && b.dtype == ScalarType.Float32 && b.device_type == TorchSharp.DeviceType.CPU)
        {
            // One vectorised pass per sum, float64 accumulators, no float64 copy of the rasters.
            var (mA, mB, cab, caa, cbb) = CpuReductions.CentredProducts(TensorMemory.AsFloatSpan(fa.contiguous()), TensorMemory.AsFloatSpan(fb.contiguous()));
            return Result(cab, caa, cbb, mA, mB, geneA, geneB);
        }
        double meanA = fa.sum(ScalarType.Float64).item<double>() / n;
        double meanB = fb.sum(ScalarType.Float64).item<double>() / n;
        double sab = 0, saa = 0, sbb = 0;
        for (long start = 0; start < n; start += BlockElements)
        {
            using var blockScope = NewDisposeScope();
            long len = Math.Min(BlockElements, n - start);
            var da = fa.narrow(0, start, len).to(ScalarType.Float64) - meanA;
            var db = fb.narrow(0, start, len).to(ScalarType.Float64) - meanB;
            sab += (da * db).sum().item<double>();
            saa += (da * da).sum().item<double>();
            sbb += (db * db).sum().item<double>();
        }
        return Result(sab, saa, sbb, meanA, meanB, geneA, geneB);
    }

    private static SimilarityScore Result(double sab, double saa, double sbb, double meanA, double meanB, string geneA, string geneB)
    {
        if (saa <= 0 || sbb <= 0)
            return SimilarityScore.Undefined($"gene '{(saa <= 0 ? geneA : geneB)}' is constant over the raster (all {(saa <= 0 ? meanA : meanB):g4}): correlation is undefined");
        return new SimilarityScore(Math.Clamp(sab / Math.Sqrt(saa * sbb), -1.0, 1.0));
    }
}
