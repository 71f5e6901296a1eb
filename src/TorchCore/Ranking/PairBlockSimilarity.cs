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
/// The scores of one shard of the pair matrix (<see cref="PairShard"/>; <see cref="PairShard.All"/> for a whole ranking),
/// computing only what the shard needs.
/// <para>
/// Gram path (Pearson; SmoothedPearson with one σ, no mask, no pyramid — <see cref="AllPairsSimilarity.HasGramPath"/>):
/// each needed gene is blurred once, centred and scaled to unit norm, z_i = (x_i − x̄_i)/‖x_i − x̄_i‖, and
/// r_ij = z_i·z_j. The genes are cut into fixed blocks of <see cref="GramBlock"/> (block b = genes
/// [b·B, (b + 1)·B)); the shard multiplies only the block pairs (b, d), d ≥ b, that hold its pairs, and blurs only the
/// genes from its first row's block on. Because the blocks are the same in every run, each score comes from the same
/// float32 product of the same operands whether the ranking runs whole or in shards, so merged shards reproduce a
/// single run exactly (same thread count assumed; BLAS may round differently with other thread counts, |Δ| ≲ 1e-6).
/// Memory: (n − first gene)·pixels float32 for the unit rows, B² doubles per product.
/// </para>
/// <para>Other measures: only the shard's pairs are compared, each once.</para>
/// </summary>
public static class PairBlockSimilarity
{
    /// <summary>Genes per block of the Gram product.</summary>
    public const int GramBlock = 128;

    public static ShardScores Compute(IReadOnlyList<GeneRaster> rasters, SimilarityMethod method, SimilarityOptions options, PairShard shard,
        IProgress<(int Done, int Total, string Step)>? progress = null, CancellationToken cancellationToken = default)
    {
        RasterChecks.RequireSameSize(rasters);
        int n = rasters.Count;
        var (start, end) = shard.Range(n);
        var scores = new double[end - start];
        var undefined = new bool[n];
        if (end > start)
        {
            if (MaskedCorrelationGram.Applies(method, options))
            {
                // Inside a tissue mask: the masked Gram matrix of all genes (shards take their slice of it, so they merge
                // into exactly the single run).
                var matrix = MaskedCorrelationGram.Compute(rasters, method, options,
                    progress is null ? null : new InlineProgress<(int, int, string)>(p => progress.Report((p.Item1, p.Item2, p.Item3.Length > 0 ? $"gene {p.Item3}" : "Gram matrix"))),
                    cancellationToken);
                long index = 0;
                foreach (var (i, j) in shard.Pairs(n))
                {
                    scores[index++] = matrix[i, j];
                    undefined[i] |= double.IsNaN(matrix[i, i]);
                    undefined[j] |= double.IsNaN(matrix[j, j]);
                }
            }
            else if (AllPairsSimilarity.HasGramPath(method, options))
                ComputeGram(rasters, method == SimilarityMethod.SmoothedPearson ? options.Sigmas[0] : 0, options.SmoothingMethod,
                    start, end, scores, undefined, progress, cancellationToken);
            else if (PreparedAllPairs.Supports(method, options))
            {
                // Each gene of the shard's pairs prepared once (per gene block), only the shard's pairs compared.
                var matrix = PreparedAllPairs.Compute(rasters, method, options, progress, cancellationToken,
                    include: (i, j) => PairShard.PairNumber(i, j, n) is var k && k >= start && k < end);
                long index = 0;
                foreach (var (i, j) in shard.Pairs(n))
                {
                    scores[index++] = matrix[i, j];
                    undefined[i] |= double.IsNaN(matrix[i, i]);
                    undefined[j] |= double.IsNaN(matrix[j, j]);
                }
            }
            else
                ComputePairwise(rasters, method, options, shard, start, scores, undefined, progress, cancellationToken);
        }
        progress?.Report((1, 1, ""));
        return new ShardScores(n, shard, scores, undefined);
    }

    private static void ComputePairwise(IReadOnlyList<GeneRaster> rasters, SimilarityMethod method, SimilarityOptions options, PairShard shard,
        long start, double[] scores, bool[] undefined, IProgress<(int, int, string)>? progress, CancellationToken cancellationToken)
    {
        int n = rasters.Count;
        var checkedGenes = new bool[n];
        int total = scores.Length, done = 0;
        foreach (var (i, j) in shard.Pairs(n))
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (int g in new[] { i, j })
            {
                if (checkedGenes[g]) continue;
                checkedGenes[g] = true;
                undefined[g] = double.IsNaN(SimilarityMeasures.Compare(method, rasters[g], rasters[g], options).Score);
            }
            progress?.Report((done, total, $"{rasters[i].Gene} × {rasters[j].Gene}"));
            scores[done++] = SimilarityMeasures.Compare(method, rasters[i], rasters[j], options).Score;
        }
    }

    private static void ComputeGram(IReadOnlyList<GeneRaster> rasters, double sigma, GaussianMethod smoothing, long start, long end,
        double[] scores, bool[] undefined, IProgress<(int, int, string)>? progress, CancellationToken cancellationToken)
    {
        int n = rasters.Count;
        int firstRow = PairShard.PairAt(start, n).I, lastRow = PairShard.PairAt(end - 1, n).I;
        int firstBlock = firstRow / GramBlock, lastRowBlock = lastRow / GramBlock, blocks = (n + GramBlock - 1) / GramBlock;
        int firstGene = firstBlock * GramBlock;
        var device = rasters[0].Device;
        long pixels = (long)rasters[0].Width * rasters[0].Height;
        int products = 0;
        for (int b = firstBlock; b <= lastRowBlock; b++) products += blocks - b;
        int steps = n - firstGene + products, step = 0;

        using var scope = torch.NewDisposeScope();
        // Unit rows, one tensor per gene block, so every product sees the same operands in every run.
        var z = new Tensor[blocks];
        var degenerate = new bool[n];
        for (int b = firstBlock; b < blocks; b++)
        {
            int rows = Math.Min(GramBlock, n - b * GramBlock);
            z[b] = torch.empty(new long[] { rows, pixels }, ScalarType.Float32, device.TorchDevice);
            for (int r = 0; r < rows; r++)
            {
                int g = b * GramBlock + r;
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report((step++, steps, $"gene {rasters[g].Gene}"));
                degenerate[g] = !UnitRow(rasters[g], sigma, smoothing, pixels, z[b][r]);
            }
        }
        for (int b = firstBlock; b <= lastRowBlock; b++)
            for (int d = b; d < blocks; d++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report((step++, steps, $"Gram block {b + 1}×{d + 1} of {blocks}"));
                using var productScope = torch.NewDisposeScope();
                var product = torch.mm(z[b], z[d].t()).to(ScalarType.Float64).cpu().contiguous();
                var values = product.data<double>().ToArray();
                int cols = (int)z[d].shape[0];
                for (int r = 0; r < z[b].shape[0]; r++)
                {
                    int i = b * GramBlock + r;
                    if (i < firstRow || i > lastRow) continue;
                    for (int c = 0; c < cols; c++)
                    {
                        int j = d * GramBlock + c;
                        if (j <= i) continue;
                        long k = PairShard.PairNumber(i, j, n);
                        if (k < start || k >= end) continue;
                        if (degenerate[i] || degenerate[j])
                        {
                            scores[k - start] = double.NaN;
                            undefined[i] |= degenerate[i];
                            undefined[j] |= degenerate[j];
                        }
                        else scores[k - start] = Math.Clamp(values[r * cols + c], -1.0, 1.0);
                    }
                }
            }
    }

    /// <summary>
    /// Writes the gene's (smoothed) map into <paramref name="row"/> centred and scaled to unit norm, as
    /// <see cref="CorrelationGram"/> does; false (row zero) for a constant map. Means and norms in float64.
    /// </summary>
    private static bool UnitRow(GeneRaster raster, double sigma, GaussianMethod smoothing, long pixels, Tensor row)
    {
        using var geneScope = torch.NewDisposeScope();
        Tensor map = sigma > 0 ? GaussianSmoothing.Blur(raster.Values, raster.Device, sigma, smoothing) : raster.Values.alias();
        using (map)
        {
            var flat = map.reshape(-1);
            double mean = flat.sum(ScalarType.Float64).item<double>() / pixels;
            row.copy_(flat);
            row.sub_(mean);
            double norm = Math.Sqrt(row.square().sum(ScalarType.Float64).item<double>());
            if (norm > 0 && double.IsFinite(norm)) { row.div_(norm); return true; }
            row.zero_();
            return false;
        }
    }
}
