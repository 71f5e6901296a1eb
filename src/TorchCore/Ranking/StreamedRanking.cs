using SpatialSim.TorchCore.Output;
using SpatialSim.TorchCore.Smoothing;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>What a streamed ranking computes and keeps (<see cref="StreamedRanking"/>).</summary>
public sealed record StreamedRankingOptions
{
    /// <summary>Gaussian σ in pixels (0: Pearson).</summary>
    public double Sigma { get; init; }
    public GaussianMethod SmoothingMethod { get; init; } = GaussianMethod.Auto;
    /// <summary>Tissue mask (pixels &gt; 0 inside), or null for the whole canvas.</summary>
    public GeneRaster? Mask { get; init; }
    public PairShard Shard { get; init; } = PairShard.All;
    public PairSelectionRequest Selection { get; init; } = new();
    /// <summary>Where to write the whole score matrix as it streams (whole rankings only), or null.</summary>
    public ISimilarityMatrixSink? Matrix { get; init; }
    /// <summary>Analytic p-values of the pairs (<see cref="ModifiedTTest"/>), or null.</summary>
    public ModifiedTTest? Significance { get; init; }
    /// <summary>Working-memory budget in bytes; null for <see cref="CorrelationGram.DefaultMemoryBudget"/>.</summary>
    public long? MaxMemoryBytes { get; init; }
    /// <summary>Force the strip height (tests); null to let the budget decide.</summary>
    public int? StripRows { get; init; }
}

/// <summary>The outcome of <see cref="StreamedRanking.Run"/>.</summary>
public sealed class StreamedRankingResult
{
    /// <summary>The pairs kept (one score each), unordered.</summary>
    public required List<ScoredPair> Pairs { get; init; }
    /// <summary>Per gene: constant over the canvas (or tissue), so its scores are NaN. Known for the genes of the shard's pairs.</summary>
    public required bool[] UndefinedGenes { get; init; }
    public required BandPlan Plan { get; init; }
    /// <summary>P- and q-values of the pairs tested, by input positions (I, J); null without <see cref="StreamedRankingOptions.Significance"/>.</summary>
    public Func<int, int, (double PValue, double QValue)>? Significance { get; init; }
}

/// <summary>
/// A whole-transcriptome ranking by Pearson or smoothed Pearson without a G × G matrix in memory: the correlation matrix
/// streams past in bands (<see cref="CorrelationBands"/>) and each band is handed to the consumers that were asked for —
/// the pairs to keep (<see cref="PairSelection"/>: each gene's k best partners, the N best pairs, or the pairs passing
/// -Gene/-MinScore), a matrix file (<see cref="ISimilarityMatrixSink"/>), analytic p-values (<see cref="ModifiedTTest"/>).
/// Memory: one band, the strips of the canvas, and what the consumers keep (<see cref="ReservedBytes"/>).
/// With <see cref="StreamedRankingOptions.Shard"/> only the bands that hold the shard's pairs are streamed, and only its
/// pairs are offered, so shards merged by <see cref="ShardMerge"/> and ranked by <see cref="PairListRanking"/> give the
/// single run's output (bands are aligned to 128 genes and use the same strips, so scores agree to the last bit).
/// </summary>
public static class StreamedRanking
{
    /// <summary>The memory the consumers hold for <paramref name="genes"/> genes, or null when it is not bounded in advance
    /// (every pair that passes the filters is kept).</summary>
    public static long? ReservedBytes(int genes, StreamedRankingOptions options)
    {
        long? selection = PairSelection.BoundBytes(genes, options.Selection);
        if (selection is null) return null;
        return selection + (options.Significance?.ReservedBytes(genes, options.Shard, options.Selection.Focus) ?? 0);
    }

    /// <summary>Bytes that keeping every pair of the shard would take (pair objects and their output), for the refusal message.</summary>
    public static long AllPairsBytes(int genes, PairShard shard)
    {
        var (start, end) = shard.Range(genes);
        return BytesPerKeptPair * (end - start);
    }

    /// <summary>What a kept pair costs until it is output: the pair with its score array, and the RankedPair made from it.</summary>
    public const long BytesPerKeptPair = 200;

    /// <summary>The band plan for the shard's rows within the budget.</summary>
    public static BandPlan Plan(IReadOnlyList<GeneRaster> rasters, StreamedRankingOptions options)
    {
        int n = rasters.Count;
        var (start, end) = options.Shard.Range(n);
        int first = 0, last = 0;
        if (end > start)
        {
            first = PairShard.PairAt(start, n).I;
            last = PairShard.PairAt(end - 1, n).I + 1;
        }
        long reserved = ReservedBytes(n, options) ?? AllPairsBytes(n, options.Shard);
        long wholeReserve = ReservedBytes(n, options with { Shard = PairShard.All }) ?? 0;
        return CorrelationBands.Plan(rasters, options.Sigma, first, Math.Max(last, first + 1), reserved, options.MaxMemoryBytes, options.StripRows, wholeReserve);
    }

    public static StreamedRankingResult Run(IReadOnlyList<GeneRaster> rasters, IReadOnlyList<string> genes, string method, string parameters,
        StreamedRankingOptions options, BandPlan plan, IProgress<(int Done, int Total, string Step)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        int n = rasters.Count;
        var (start, end) = options.Shard.Range(n);
        if (options.Matrix is not null && !options.Shard.IsAll)
            throw new SpatialSimException(ErrorKind.InvalidArgument, "A score matrix file holds every pair: write it from a whole ranking, not from a shard.");
        var selection = new PairSelection(n, options.Selection);
        var undefined = new bool[n];
        options.Significance?.Begin(n, options.Shard, options.Selection.Focus);
        options.Matrix?.Begin(genes, method, parameters);
        if (end > start)
            CorrelationBands.Stream(rasters, options.Sigma, plan, block =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (int g = block.RowStart; g < n; g++) undefined[g] |= block.Undefined[g] && InShard(g, n, start, end);
                options.Significance?.Add(block, start, end);
                selection.Add(block, start, end);
                if (options.Matrix is not null) MatrixBands.Write(block, options.Matrix, cancellationToken);
            }, options.SmoothingMethod, options.Mask, progress, cancellationToken);
        options.Matrix?.Complete();
        return new StreamedRankingResult
        {
            Pairs = selection.Result(),
            UndefinedGenes = undefined,
            Plan = plan,
            Significance = options.Significance?.Finish(),
        };
    }

    /// <summary>Whether gene g is in some pair of the shard's range (a shard warns only about its own genes).</summary>
    private static bool InShard(int g, int n, long start, long end)
    {
        if (start == 0 && end == PairShard.PairCount(n)) return true;
        // Pairs (g, j > g) are numbers RowStart(g) … RowStart(g) + n − g − 2; pairs (i < g, g) lie one per earlier row.
        if (g < n - 1)
        {
            long first = PairShard.PairNumber(g, g + 1, n), last = first + (n - g - 2);
            if (first < end && last >= start) return true;
        }
        for (int i = 0; i < g; i++)
        {
            long k = PairShard.PairNumber(i, g, n);
            if (k >= start && k < end) return true;
            if (k >= end) break;
        }
        return false;
    }
}
