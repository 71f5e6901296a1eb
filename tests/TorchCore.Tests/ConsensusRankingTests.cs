using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Rank aggregation of several measures (ConsensusRanking) and the one pair ranking (PairListRanking).</summary>
public class ConsensusRankingTests
{
    [Fact]
    public void RanksAreFractionalWithNaNAtTheWorstRank()
    {
        var ranks = ConsensusRanking.Ranks(new[] { 0.9, 0.5, 0.9, double.NaN, 0.1, double.NaN });
        Assert.Equal(new[] { 1.5, 3, 1.5, 6, 4, 6 }, ranks);
        Assert.Equal(new[] { 1.0 }, ConsensusRanking.Ranks(new[] { -0.3 }));
        Assert.Equal(new[] { 2.0, 2.0, 2.0 }, ConsensusRanking.Ranks(new[] { 0.4, 0.4, 0.4 }));
    }

    [Fact]
    public void ConsensusIsTheMeanRankScaledToZeroOne()
    {
        // Pairs 0..3. Method A ranks 0,1,2,3; method B ranks 3,1,2,0 with pair 2 NaN (worst rank 4).
        var a = new[] { 0.9, 0.8, 0.7, 0.6 };
        var b = new[] { 0.1, 0.5, double.NaN, 0.7 };
        var (mean, score) = ConsensusRanking.Aggregate(new IReadOnlyList<double>[] { a, b });
        // Ranks by B: pair3 → 1, pair1 → 2, pair0 → 3, pair2 → 4 (NaN).
        Assert.Equal(new[] { (1 + 3) / 2.0, (2 + 2) / 2.0, (3 + 4) / 2.0, (4 + 1) / 2.0 }, mean);
        Assert.Equal(mean.Select(r => 1 - (r - 1) / 3).ToArray(), score);
        Assert.Equal(1.0, ConsensusRanking.Aggregate(new IReadOnlyList<double>[] { new[] { 0.9, 0.8 }, new[] { 0.9, 0.1 } }).Score[0]);
    }

    [Fact]
    public void PairNaNByEveryMethodIsNaNAndOneMethodIsItsOwnRanking()
    {
        var (_, score) = ConsensusRanking.Aggregate(new IReadOnlyList<double>[] { new[] { 0.2, double.NaN }, new[] { 0.3, double.NaN } });
        Assert.False(double.IsNaN(score[0]));
        Assert.True(double.IsNaN(score[1]));
        Assert.Equal(new[] { 1.0 }, ConsensusRanking.Aggregate(new IReadOnlyList<double>[] { new[] { 0.5 } }).Score);
        Assert.Throws<ArgumentException>(() => ConsensusRanking.Aggregate(new IReadOnlyList<double>[] { new[] { 0.5 }, new[] { 0.5, 0.2 } }));
    }

    [Fact]
    public void EqualRankSumsAreEqualMeansWithThreeMethods()
    {
        // Rank sums 1+5+6 = 12 = 4+4+4: a tie, so the pair order (I, J) decides, not rounding of /3.
        var rnd = new Random(7);
        var m1 = Enumerable.Range(0, 6).Select(_ => rnd.NextDouble()).ToArray();
        var m2 = Enumerable.Range(0, 6).Select(_ => rnd.NextDouble()).ToArray();
        var m3 = Enumerable.Range(0, 6).Select(_ => rnd.NextDouble()).ToArray();
        var (mean, _) = ConsensusRanking.Aggregate(new IReadOnlyList<double>[] { m1, m2, m3 });
        var r1 = ConsensusRanking.Ranks(m1); var r2 = ConsensusRanking.Ranks(m2); var r3 = ConsensusRanking.Ranks(m3);
        for (int x = 0; x < 6; x++)
            for (int y = 0; y < 6; y++)
                if (r1[x] + r2[x] + r3[x] == r1[y] + r2[y] + r3[y]) Assert.Equal(mean[x], mean[y]);
    }

    private static readonly string[] Genes = { "a", "b", "c", "d" };

    private static List<ScoredPair> Pairs(params (double A, double B)[] scores)
    {
        var pairs = new List<ScoredPair>();
        int k = 0;
        for (int i = 0; i < 4; i++)
            for (int j = i + 1; j < 4; j++, k++)
                pairs.Add(new ScoredPair(i, j, new[] { scores[k].A, scores[k].B }));
        return pairs;
    }

    [Fact]
    public void ConsensusRankingOrdersByMeanRankKeepsEachScoreAndTiesByPosition()
    {
        // (a,b) (a,c) (a,d) (b,c) (b,d) (c,d)
        var pairs = Pairs((0.9, 0.1), (0.8, 0.9), (0.1, 0.8), (0.5, 0.5), (0.4, double.NaN), (0.2, 0.3));
        var ranked = PairListRanking.Rank(pairs, new RankingRequest { Genes = Genes, Methods = new[] { "A", "B" } }).ToList();
        var byA = ConsensusRanking.Ranks(pairs.Select(p => p.Scores[0]).ToArray());
        var byB = ConsensusRanking.Ranks(pairs.Select(p => p.Scores[1]).ToArray());
        var expected = Enumerable.Range(0, 6).OrderBy(k => (byA[k] + byB[k]) / 2).ThenBy(k => k)
            .Select(k => $"{Genes[pairs[k].I]}-{Genes[pairs[k].J]}").ToList();
        Assert.Equal(expected, ranked.Select(p => $"{p.GeneA}-{p.GeneB}"));
        Assert.Equal("a-c", expected[0]);
        Assert.All(ranked, p => Assert.Equal("Consensus(A,B)", p.Method));
        Assert.Equal(Enumerable.Range(1, 6), ranked.Select(p => p.Rank));
        var bd = ranked.Single(p => p.GeneA == "b" && p.GeneB == "d");
        Assert.Equal(0.4, bd.Scores!["A"]);
        Assert.True(double.IsNaN(bd.Scores["B"]));
        Assert.Equal(new[] { "A", "B" }, ranked[0].Scores!.Keys);
        Assert.Equal((1, 3, 4), (ranked.Single(p => p.GeneA == "b" && p.GeneB == "d").IndexA, bd.IndexB, bd.GeneCount));
        for (int r = 1; r < ranked.Count; r++) Assert.True(ranked[r].Score <= ranked[r - 1].Score);
    }

    [Fact]
    public void FiltersApplyAfterTheConsensusOverAllPairs()
    {
        var pairs = Pairs((0.9, 0.1), (0.8, 0.9), (0.1, 0.8), (0.5, 0.5), (0.4, double.NaN), (0.2, 0.3));
        var all = PairListRanking.Rank(pairs, new RankingRequest { Genes = Genes, Methods = new[] { "A", "B" } }).ToList();
        var d = PairListRanking.Rank(pairs, new RankingRequest { Genes = Genes, Methods = new[] { "A", "B" }, Gene = "d" }).ToList();
        Assert.All(d, p => Assert.Equal("d", p.GeneA));
        Assert.Equal(all.Where(p => p.GeneB == "d").Select(p => p.Score), d.Select(p => p.Score));
        var top = PairListRanking.Rank(pairs, new RankingRequest { Genes = Genes, Methods = new[] { "A", "B" }, Top = 2, MinScore = all[2].Score }).ToList();
        Assert.Equal(all.Take(2).Select(p => p.Score), top.Select(p => p.Score));
        var min = PairListRanking.Rank(pairs, new RankingRequest { Genes = Genes, Methods = new[] { "A", "B" }, MinScore = all[2].Score }).ToList();
        Assert.Equal(3, min.Count);
        var e = Assert.Throws<SpatialSimException>(() => PairListRanking.Rank(pairs, new RankingRequest { Genes = Genes, Methods = new[] { "A" }, Gene = "zz" }).ToList());
        Assert.Equal(ErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public void OneMethodRanksAsPairRankingDoes()
    {
        var s = new double[4, 4];
        var pairs = Pairs((0.2, 0), (0.9, 0), (double.NaN, 0), (-0.5, 0), (0.4, 0), (0.4, 0));
        foreach (var p in pairs) { s[p.I, p.J] = p.Scores[0]; s[p.J, p.I] = p.Scores[0]; }
        var one = pairs.Select(p => new ScoredPair(p.I, p.J, new[] { p.Scores[0] })).ToList();
        var ranked = PairListRanking.Rank(one, new RankingRequest { Genes = Genes, Methods = new[] { "Pearson" } }).ToList();
        var reference = PairRanking.Rank(Genes, s, "Pearson", "");
        Assert.Equal(reference.Select(p => $"{p.Rank} {p.GeneA}-{p.GeneB} {p.Score}"), ranked.Select(p => $"{p.Rank} {p.GeneA}-{p.GeneB} {p.Score}"));
        Assert.All(ranked, p => Assert.Null(p.Scores));
    }

    [Fact]
    public void MethodScoresRoundTripThroughText()
    {
        var s = new MethodScores { ["SmoothedPearson"] = 0.1 + 0.2, ["Spearman"] = double.NaN, ["Lbp"] = -1e-300 };
        var back = MethodScores.Parse(s.ToString());
        Assert.Equal(s.Keys, back.Keys);
        Assert.Equal(0.1 + 0.2, back["SmoothedPearson"]);
        Assert.True(double.IsNaN(back["Spearman"]));
        Assert.Equal(-1e-300, back["Lbp"]);
        Assert.Equal("Consensus(A,B)", RankingRequest.ConsensusLabel(new[] { "A", "B" }));
        Assert.Equal(new[] { "A", "B" }, RankingRequest.MethodsOf("Consensus(A,B)"));
        Assert.Equal(new[] { "Spearman" }, RankingRequest.MethodsOf("Spearman"));
        Assert.Equal(ErrorKind.InvalidData, Assert.Throws<SpatialSimException>(() => MethodScores.Parse("A=x")).Kind);
    }

    [Theory]
    [InlineData(0.0, "pearson.npy")]
    [InlineData(2.0, "smoothed_pearson_sigma2.npy")]
    public void BlockGramMatchesReferenceAndPairwisePathMatchesMeasure(double sigma, string fixture)
    {
        using var genes = Fixtures.Owned(Fixtures.GeneStack("correlation"));
        var expected = Fixtures.Matrix("correlation", fixture);
        var method = sigma > 0 ? SimilarityMethod.SmoothedPearson : SimilarityMethod.Pearson;
        var options = new SimilarityOptions { Sigmas = new[] { sigma > 0 ? sigma : 4 } };
        var block = PairBlockSimilarity.Compute(genes, method, options, PairShard.All);
        int k = 0;
        foreach (var (i, j) in PairShard.All.Pairs(genes.Count))
            Assert.Equal(expected[i, j], block.Scores[k++], 1e-5);
        Assert.Equal(k, block.Scores.Length);
        // A measure without a Gram path: every pair compared once, in pair-number order.
        var spearman = PairBlockSimilarity.Compute(genes, SimilarityMethod.Spearman, options, PairShard.All);
        k = 0;
        foreach (var (i, j) in PairShard.All.Pairs(genes.Count))
            Assert.Equal(SimilarityMeasures.Compare(SimilarityMethod.Spearman, genes[i], genes[j], options).Score, spearman.Scores[k++]);
    }

    [Fact]
    public void ConstantGeneIsFlaggedAndItsPairsAreNaN()
    {
        var genes = Fixtures.GeneStack("correlation").Take(3).ToList();
        genes.Insert(1, Fixtures.Raster("zero", genes[0].Width, genes[0].Height, new float[genes[0].Width * genes[0].Height]));
        foreach (var method in new[] { SimilarityMethod.SmoothedPearson, SimilarityMethod.Spearman })
        {
            var block = PairBlockSimilarity.Compute(genes, method, new SimilarityOptions(), PairShard.All);
            Assert.Equal(new[] { false, true, false, false }, block.UndefinedGenes);
            int k = 0;
            foreach (var (i, j) in PairShard.All.Pairs(genes.Count))
                Assert.Equal(i == 1 || j == 1, double.IsNaN(block.Scores[k++]));
        }
    }
}
