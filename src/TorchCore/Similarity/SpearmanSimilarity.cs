using SpatialSim.TorchCore.Ranking;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Parameters of <see cref="SpearmanSimilarity"/> (none yet: ties always get average ranks).</summary>
public sealed record SpearmanOptions
{
}

/// <summary>Spearman rank correlation of the pixels, average ranks for ties.</summary>
/// <remarks>
/// <para>Spearman's rank correlation over the pixels (C. Spearman 1904, "The proof and measurement of association between
/// two things", Am. J. Psychol. 15:72–101): the Pearson correlation of the pixels' ranks,
/// <code>ρ = Σ (R_i − R̄)(S_i − S̄) / √( Σ (R_i − R̄)² · Σ (S_i − S̄)² )</code>
/// with R, S the ranks of gene a's and gene b's pixels. Tied values get the average of the ranks they span (scipy's
/// <c>rankdata(method='average')</c>, as <c>scipy.stats.spearmanr</c>) — this matters here: a sparse gene's pixels
/// are mostly tied zeros, which all share one mid rank. Range [−1, 1], 1 = one gene is a strictly increasing function
/// of the other on the pixels; invariant to any strictly increasing transform of a gene, so in particular to
/// multiplying it by a positive constant. Undefined (NaN) for a constant gene.
/// Computation: the distinct values and their counts — for count maps (whole numbers up to 2²⁰) by a histogram
/// (bincount, O(pixels), block by block), otherwise by one sort (torch.unique) — then the average rank of each distinct
/// value from the cumulative counts, then each pixel's rank by binary search (searchsorted) block by block, sums in
/// float64. Memory: the distinct values (few for count data) plus one block; a sort of the whole map otherwise.</para>
/// <para>References (also in <see cref="MeasureFacts.References"/>, from which the README and about_SpatialSim list them):</para>
/// <list type="bullet">
/// <item>C. Spearman (1904). The proof and measurement of association between two things. Am. J. Psychol. 15:72–101. <see href="https://doi.org/10.2307/1412159">doi:10.2307/1412159</see></item>
/// </list>
/// </remarks>
public sealed class SpearmanSimilarity : ISimilarityMeasure
{
    public const string Name = "Spearman";

    private SpearmanSimilarity() { }

    static SimilarityMethod ISimilarityMeasure.Method => SimilarityMethod.Spearman;
    static MeasureFacts ISimilarityMeasure.Facts { get; } = new("Spearman rank correlation of the pixels, average ranks for ties.")
    {
        Minimum = -1, Maximum = 1, SelfScore = 1,
        Parameters = "",
        Guidance = "Spearman rank correlation over pixels with average ranks for ties (sparse genes are mostly tied "
            + "zeros); equal to scipy's spearmanr. Robust to a few very bright pixels.",
        CheckedAgainst = "scipy spearmanr",
        References = new[]
        {
            new MeasureReference("C. Spearman (1904). The proof and measurement of association between two things. Am. J. Psychol. 15:72–101", "doi:10.2307/1412159"),
        },
    };
    static string ISimilarityMeasure.Describe(SimilarityOptions options) => "";
    static double ISimilarityMeasure.Scale(SimilarityOptions options) => 0;
    static SimilarityScore ISimilarityMeasure.Compare(GeneRaster a, GeneRaster b, SimilarityOptions options) => Compare(a, b, options.Spearman);
    private const long BlockElements = 1 << 18; // float64 temporaries of 2 MB: reused from the heap, not fresh mmaps

    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, SpearmanOptions options)
    {
        RasterChecks.RequireSameCanvas(a, b);
        using var scope = torch.NewDisposeScope();
        var ra = RankTable(a, out string? noteA);
        if (ra is not { } tableA) return SimilarityScore.Undefined(noteA!);
        var rb = RankTable(b, out string? noteB);
        if (rb is not { } tableB) return SimilarityScore.Undefined(noteB!);
        var fa = a.Values.reshape(-1);
        var fb = b.Values.reshape(-1);
        long n = fa.shape[0];
        double sab = 0;
        for (long start = 0; start < n; start += BlockElements)
        {
            using var blockScope = torch.NewDisposeScope();
            long len = Math.Min(BlockElements, n - start);
            var rankA = tableA.Ranks.index_select(0, torch.searchsorted(tableA.Values, fa.narrow(0, start, len).contiguous()));
            var rankB = tableB.Ranks.index_select(0, torch.searchsorted(tableB.Values, fb.narrow(0, start, len).contiguous()));
            sab += (rankA * rankB).sum().item<double>();
        }
        return new SimilarityScore(Math.Clamp(sab / Math.Sqrt(tableA.SumOfSquares * tableB.SumOfSquares), -1.0, 1.0));
    }

    /// <summary>
    /// The distinct pixel values (sorted, float32) and their centred average ranks (float64), with Σ over pixels of
    /// the squared centred rank; null with a note when the gene is constant.
    /// </summary>
    internal static (Tensor Values, Tensor Ranks, double SumOfSquares)? RankTable(GeneRaster g, out string? note)
    {
        var flat = g.Values.reshape(-1);
        long n = flat.shape[0];
        var (values, counts) = CountMap(flat) ?? Distinct(flat);
        if (values.shape[0] < 2)
        {
            note = $"gene '{g.Gene}' is constant over the raster (all {(n > 0 ? values[0].item<float>() : 0):g4}): its ranks are all tied, so Spearman's correlation is undefined";
            return null;
        }
        // Ranks first..last (1-based) of a tie run ending at cumulative count C with c members: average C − (c − 1)/2.
        var c = counts.to(ScalarType.Float64);
        var ranks = c.cumsum(0) - (c - 1) / 2;
        double mean = (c * ranks).sum().item<double>() / n;
        ranks = ranks - mean;
        double sumOfSquares = (c * ranks.square()).sum().item<double>();
        note = null;
        return (values.contiguous(), ranks.contiguous(), sumOfSquares);
    }

    /// <summary>Distinct values (sorted) and their counts by one sort of the whole map.</summary>
    private static (Tensor Values, Tensor Counts) Distinct(Tensor flat)
    {
        var (values, _, counts) = torch.unique(flat, sorted: true, return_inverse: false, return_counts: true);
        return (values, counts!);
    }

    /// <summary>
    /// For count maps (whole numbers 0..<see cref="MaxCount"/>, the usual case) the distinct values and counts by a
    /// histogram, O(pixels) and block by block instead of a sort of the whole map; null for other maps.
    /// </summary>
    private static (Tensor Values, Tensor Counts)? CountMap(Tensor flat)
    {
        long n = flat.shape[0];
        if (n == 0) return null;
        float min = flat.min().item<float>(), max = flat.max().item<float>();
        if (min < 0 || max > MaxCount) return null;
        var histogram = torch.zeros((long)max + 1, ScalarType.Int64, flat.device);
        for (long start = 0; start < n; start += BlockElements)
        {
            using var blockScope = torch.NewDisposeScope();
            var block = flat.narrow(0, start, Math.Min(BlockElements, n - start));
            var whole = block.to(ScalarType.Int32);
            if (whole.to(ScalarType.Float32).not_equal(block).any().item<bool>()) return null;
            histogram.add_(torch.bincount(whole, null, (long)max + 1));
        }
        var present = histogram.nonzero().reshape(-1);
        return (present.to(ScalarType.Float32), histogram.index_select(0, present));
    }

    private const float MaxCount = 1 << 20;
}
