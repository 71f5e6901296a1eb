using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Shards of the pair matrix (PairShard), shard scoring (PairBlockSimilarity) and merging (ShardMerge).</summary>
public class PairShardTests
{
    [Theory]
    [InlineData(2, 1)]
    [InlineData(5, 3)]
    [InlineData(7, 7)]
    [InlineData(10, 4)]
    [InlineData(300, 8)]
    [InlineData(3, 8)]    // more shards than pairs: some are empty
    public void ShardsCoverEveryPairOnceInNearEqualContiguousBlocks(int genes, int count)
    {
        long total = PairShard.PairCount(genes);
        var expected = new List<(int, int)>();
        for (int i = 0; i < genes; i++)
            for (int j = i + 1; j < genes; j++) expected.Add((i, j));
        var all = new List<(int, int)>();
        long previousEnd = 0;
        var sizes = new List<long>();
        for (int s = 1; s <= count; s++)
        {
            var shard = new PairShard(s, count);
            var (start, end) = shard.Range(genes);
            Assert.Equal(previousEnd, start);
            previousEnd = end;
            sizes.Add(end - start);
            var pairs = shard.Pairs(genes).ToList();
            Assert.Equal(end - start, pairs.Count);
            for (long k = start; k < end; k++)
            {
                Assert.Equal(pairs[(int)(k - start)], PairShard.PairAt(k, genes));
                Assert.Equal(k, PairShard.PairNumber(pairs[(int)(k - start)].I, pairs[(int)(k - start)].J, genes));
                Assert.Equal(s, PairShard.ShardOf(k, genes, count));
            }
            all.AddRange(pairs);
        }
        Assert.Equal(total, previousEnd);
        Assert.Equal(expected, all);
        Assert.True(sizes.Max() - sizes.Min() <= 1);
    }

    [Fact]
    public void PairNumbersAreRowMajorAndSymmetric()
    {
        Assert.Equal(0, PairShard.PairNumber(0, 1, 5));
        Assert.Equal(3, PairShard.PairNumber(0, 4, 5));
        Assert.Equal(4, PairShard.PairNumber(1, 2, 5));
        Assert.Equal(4, PairShard.PairNumber(2, 1, 5));
        Assert.Equal(9, PairShard.PairNumber(3, 4, 5));
        // Large gene counts: no overflow, and the inverse holds at the ends of rows.
        int n = 200_000;
        long last = PairShard.PairCount(n) - 1;
        Assert.Equal((n - 2, n - 1), PairShard.PairAt(last, n));
        Assert.Equal((1, 2), PairShard.PairAt(n - 1, n));
        Assert.Equal((0, n - 1), PairShard.PairAt(n - 2, n));
        Assert.Equal(8, PairShard.ShardOf(last, n, 8));
    }

    [Theory]
    [InlineData("3/8", 3, 8)]
    [InlineData(" 1 / 1 ", 1, 1)]
    [InlineData("8/8", 8, 8)]
    public void ParsesShardText(string text, int index, int count) => Assert.Equal(new PairShard(index, count), PairShard.Parse(text));

    [Theory]
    [InlineData("0/4", "count from 1")]
    [InlineData("5/4", "between 1 and")]
    [InlineData("3", "form i/n")]
    [InlineData("a/b", "form i/n")]
    [InlineData("-1/4", "form i/n")]
    [InlineData("1/0", "between 1 and")]
    [InlineData("", "form i/n")]
    public void RefusesBadShardTextClearly(string text, string says)
    {
        var e = Assert.Throws<SpatialSimException>(() => PairShard.Parse(text));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(says, e.Message);
        Assert.Contains($"'{text}'", e.Message);
    }

    /// <summary>More genes than one Gram block, so shards start and end inside blocks.</summary>
    private static List<GeneRaster> ManyGenes(int n)
    {
        var rnd = new Random(11);
        int w = 12, h = 10;
        var genes = new List<GeneRaster>();
        for (int g = 0; g < n; g++)
        {
            var px = new float[w * h];
            for (int p = 0; p < px.Length; p++) px[p] = rnd.NextDouble() < 0.3 ? rnd.Next(1, 6) : 0;
            genes.Add(Fixtures.Raster($"g{g}", w, h, g == 150 ? new float[w * h] : px));
        }
        return genes;
    }

    [Theory]
    [InlineData(SimilarityMethod.SmoothedPearson, 3)]
    [InlineData(SimilarityMethod.Pearson, 7)]
    public void GramShardsReproduceTheWholeRunExactly(SimilarityMethod method, int count)
    {
        using var genes = Fixtures.Owned(ManyGenes(198));
        var options = new SimilarityOptions { Sigmas = new[] { 1.5 } };
        var whole = PairBlockSimilarity.Compute(genes, method, options, PairShard.All);
        var undefined = new bool[genes.Count];
        for (int s = 1; s <= count; s++)
        {
            var part = PairBlockSimilarity.Compute(genes, method, options, new PairShard(s, count));
            Assert.Equal(whole.Scores.AsSpan((int)part.Start, part.Scores.Length).ToArray(), part.Scores);
            for (int g = 0; g < genes.Count; g++) undefined[g] |= part.UndefinedGenes[g];
        }
        Assert.Equal(whole.UndefinedGenes, undefined);
        Assert.True(whole.UndefinedGenes[150]);
        // And the whole run agrees with the measure pair by pair.
        var (i, j) = PairShard.PairAt(whole.Scores.Length / 2, genes.Count);
        Assert.Equal(SimilarityMeasures.Compare(method, genes[i], genes[j], options).Score, whole.Scores[whole.Scores.Length / 2], 1e-5);
    }

    [Fact]
    public void PairwiseShardsComputeOnlyTheirPairs()
    {
        using var genes = Fixtures.Owned(ManyGenes(9));
        var whole = PairBlockSimilarity.Compute(genes, SimilarityMethod.Spearman, new SimilarityOptions(), PairShard.All);
        var parts = Enumerable.Range(1, 4).Select(s => PairBlockSimilarity.Compute(genes, SimilarityMethod.Spearman, new SimilarityOptions(), new PairShard(s, 4))).ToList();
        Assert.Equal(whole.Scores, parts.SelectMany(p => p.Scores));
        Assert.Equal(new long[] { 9, 9, 9, 9 }, parts.Select(p => p.End - p.Start));
    }

    private static List<ShardPair> ShardRows(int genes, int count, Func<int, int, double> score, string method = "Pearson")
    {
        var names = Enumerable.Range(0, genes).Select(g => $"g{g}").ToArray();
        var rows = new List<ShardPair>();
        for (int s = 1; s <= count; s++)
            foreach (var (i, j) in new PairShard(s, count).Pairs(genes))
                rows.Add(new ShardPair
                {
                    GeneA = names[i], GeneB = names[j], IndexA = i, IndexB = j, GeneCount = genes, Method = method,
                    Score = score(i, j), Shard = $"{s}/{count}", Source = $"shard{s}.xml",
                });
        return rows;
    }

    [Fact]
    public void MergeReranksTheUnionAsOneRunWould()
    {
        Func<int, int, double> score = (i, j) => Math.Sin(i * 7 + j * 3);
        var rows = ShardRows(6, 4, score);
        rows.Reverse();
        var merged = ShardMerge.Merge(rows);
        var ranked = PairListRanking.Rank(merged.Pairs, new RankingRequest { Genes = merged.Genes, Methods = merged.Methods }).ToList();
        var single = PairListRanking.Rank(ShardRows(6, 1, score).Select(r => new ScoredPair(r.IndexA, r.IndexB, new[] { r.Score })).ToList(),
            new RankingRequest { Genes = merged.Genes, Methods = merged.Methods }).ToList();
        Assert.Equal(single.Select(p => $"{p.Rank} {p.GeneA}-{p.GeneB} {p.Score:R}"), ranked.Select(p => $"{p.Rank} {p.GeneA}-{p.GeneB} {p.Score:R}"));
        Assert.Empty(merged.Warnings);
    }

    [Fact]
    public void MergeNamesMissingAndDuplicatePairs()
    {
        var rows = ShardRows(6, 3, (i, j) => i + j);
        var missing = rows.Where(r => !(r.GeneA == "g1" && r.GeneB == "g4")).ToList();   // pair 7: shard 2/3 holds pairs 5…9
        var e = Assert.Throws<SpatialSimException>(() => ShardMerge.Merge(missing));
        Assert.Contains("g1–g4", e.Message);
        Assert.Contains("shard 2/3 has 4 of its 5 pairs", e.Message);

        var noShard3 = rows.Where(r => r.Shard != "3/3").ToList();
        e = Assert.Throws<SpatialSimException>(() => ShardMerge.Merge(noShard3));
        Assert.Contains("shard(s) 3/3 gave no pairs", e.Message);

        var twice = rows.Concat(rows.Where(r => r.Shard == "1/3").Select(r => r with { Source = "copy.xml" })).ToList();
        e = Assert.Throws<SpatialSimException>(() => ShardMerge.Merge(twice));
        Assert.Equal(ErrorKind.Mismatch, e.Kind);
        Assert.Contains("g0–g1 (shard 1/3: shard1.xml and copy.xml)", e.Message);

        // More shards than pairs: the empty shards are not missing.
        Assert.Equal(3, ShardMerge.Merge(ShardRows(3, 8, (i, j) => i * j)).Pairs.Count);

        var filtered = rows.Where(r => r.Shard != "3/3").Select(r => r with { Filter = "-Top 2" }).ToList();
        var merged = ShardMerge.Merge(filtered);
        Assert.Contains("3/3", Assert.Single(merged.Warnings));
    }

    [Fact]
    public void MergeRefusesShardsOfDifferentRankings()
    {
        var rows = ShardRows(5, 2, (i, j) => i - j);
        var e = Assert.Throws<SpatialSimException>(() => ShardMerge.Merge(rows.Select((r, k) => k == 0 ? r with { Method = "Spearman" } : r).ToList()));
        Assert.Contains("differ in method", e.Message);
        e = Assert.Throws<SpatialSimException>(() => ShardMerge.Merge(rows.Concat(ShardRows(5, 3, (i, j) => 0).Where(r => r.Shard == "3/3")).ToList()));
        Assert.Contains("shard count", e.Message);
        e = Assert.Throws<SpatialSimException>(() => ShardMerge.Merge(rows.Select((r, k) => k == 0 ? r with { GeneA = "other" } : r).ToList()));
        Assert.Contains("Gene position 0", e.Message);
        e = Assert.Throws<SpatialSimException>(() => ShardMerge.Merge(new List<ShardPair>()));
        Assert.Contains("No ranked pairs", e.Message);
        var consensus = ShardRows(5, 1, (i, j) => 0, "Consensus(Pearson,Spearman)");
        e = Assert.Throws<SpatialSimException>(() => ShardMerge.Merge(consensus));
        Assert.Contains("no Pearson score", e.Message);
    }
}
