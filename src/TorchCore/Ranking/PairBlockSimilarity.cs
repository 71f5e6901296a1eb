using SpatialSim.TorchCore.Similarity;
using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>The scores of one shard's pairs by one method (<see cref="PairBlockSimilarity"/>).</summary>
public sealed class ShardScores
{
    public ShardScores(int geneCount, PairShard shard, double[] scores, bool[] undefinedGenes)
    {
        GeneCount = geneCount;
        Shard = shard;
        (Start, End) = shard.Range(geneCount);
        Scores = scores;
        UndefinedGenes = undefinedGenes;
    }

    public int GeneCount { get; }
    public PairShard Shard { get; }
    /// <summary>Pair numbers [Start, End) of the shard (<see cref="PairShard"/>).</summary>
    public long Start { get; }
    public long End { get; }
    /// <summary>Score of pair number k at [k − Start].</summary>
    public double[] Scores { get; }
    /// <summary>Per gene: true when the gene occurs in the shard and the measure is undefined for it (constant gene: NaN with itself).</summary>
    public bool[] UndefinedGenes { get; }
}

/// <summary>
/// The scores of one shard of the pair matrix (<see cref="PairShard"/>; <see cref="PairShard.All"/> for a whole ranking).
/// <para>A whole ranking is <see cref="AllPairsSimilarity.Compute"/> with every fast path it has. A shard on the Gram path
/// (Pearson; SmoothedPearson with one σ, masked or not) takes its pairs from the same streamed Gram matrix of all genes, so
/// every shard blurs every gene (the product is the cheap part) and merged shards reproduce the single run exactly.</para>
/// <para>A shard of a measure with a prepared path (<see cref="PreparedAllPairs"/>) prepares each gene of its pairs once per
/// gene block and compares only its pairs; other measures compare only the shard's pairs, each once.</para>
/// </summary>
public static class PairBlockSimilarity
{
    /// <param name="maxMemoryBytes">Working-memory budget of the streamed Gram path (<see cref="CorrelationGram.Plan"/>); null for its default.</param>
    public static ShardScores Compute(IReadOnlyList<GeneRaster> rasters, SimilarityMethod method, SimilarityOptions options, PairShard shard,
        IProgress<(int Done, int Total, string Step)>? progress = null, CancellationToken cancellationToken = default, long? maxMemoryBytes = null)
    {
        RasterChecks.RequireSameSize(rasters);
        int n = rasters.Count;
        var (start, end) = shard.Range(n);
        var scores = new double[end - start];
        var undefined = new bool[n];
        if (end > start)
        {
            bool whole = start == 0 && end == PairShard.PairCount(n);
            if (!whole && PreparedAllPairs.Supports(method, options))
            {
                // Each gene of the shard's pairs prepared once (per gene block), only the shard's pairs compared.
                var matrix = PreparedAllPairs.Compute(rasters, method, options, progress, cancellationToken,
                    include: (i, j) => PairShard.PairNumber(i, j, n) is var k && k >= start && k < end);
                TakeShard(matrix, shard, scores, undefined);
            }
            else if (whole || AllPairsSimilarity.HasGramPath(method, options))
            {
                // A whole ranking, or the Gram path of a shard: the matrix of all genes (streamed within the memory budget
                // on the Gram path), from which a shard takes its pairs, so shards merge into exactly the single run.
                var matrix = AllPairsSimilarity.Compute(rasters, method, options, progress, cancellationToken, maxMemoryBytes);
                TakeShard(matrix, shard, scores, undefined);
            }
            else
                ComputePairwise(rasters, method, options, shard, start, scores, undefined, progress, cancellationToken);
        }
        progress?.Report((1, 1, ""));
        return new ShardScores(n, shard, scores, undefined);
    }

    /// <summary>The shard's pairs from a whole score matrix; a gene is undefined when its self-score is NaN.</summary>
    private static void TakeShard(double[,] matrix, PairShard shard, double[] scores, bool[] undefined)
    {
        long index = 0;
        foreach (var (i, j) in shard.Pairs(matrix.GetLength(0)))
        {
            scores[index++] = matrix[i, j];
            undefined[i] |= double.IsNaN(matrix[i, i]);
            undefined[j] |= double.IsNaN(matrix[j, j]);
        }
    }

    private static void ComputePairwise(IReadOnlyList<GeneRaster> rasters, SimilarityMethod method, SimilarityOptions options, PairShard shard,
        long start, double[] scores, bool[] undefined, IProgress<(int, int, string)>? progress, CancellationToken cancellationToken)
    {
        int n = rasters.Count;
        var checkedGenes = new bool[n];
        int total = scores.Length, done = 0;
        // Sparse-backed genes are made dense only while compared: at most the row gene and one partner at a time.
        var wasDense = rasters.Select(r => r.HasDenseValues).ToArray();
        void Release(int g) { if (!wasDense[g]) rasters[g].ReleaseValues(); }
        int row = -1;
        try
        {
            foreach (var (i, j) in shard.Pairs(n))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (i != row) { if (row >= 0) Release(row); row = i; }
                foreach (int g in new[] { i, j })
                {
                    if (checkedGenes[g]) continue;
                    checkedGenes[g] = true;
                    undefined[g] = double.IsNaN(SimilarityMeasures.Compare(method, rasters[g], rasters[g], options).Score);
                }
                progress?.Report((done, total, $"{rasters[i].Gene} × {rasters[j].Gene}"));
                scores[done++] = SimilarityMeasures.Compare(method, rasters[i], rasters[j], options).Score;
                Release(j);
            }
        }
        finally
        {
            for (int g = 0; g < n; g++) Release(g);
        }
    }
}
