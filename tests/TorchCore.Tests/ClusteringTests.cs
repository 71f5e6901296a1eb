using System.Text.Json;
using SpatialSim.TorchCore.Clustering;
using SpatialSim.TorchCore.Output;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Average linkage, leaf order and flat cuts against scipy.cluster.hierarchy (tests/reference/make_cluster_fixtures.py).</summary>
public class ClusteringTests
{
    private sealed record Case(double[,] Distance, double[][] Z, int[] Leaves, Dictionary<int, int[]> MaxClust, (double T, int[] Labels)[] Cuts);

    private static Case Load(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf("cluster", name + ".json")));
        var root = doc.RootElement;
        var rows = root.GetProperty("distance").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        var d = new double[rows.Length, rows.Length];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < rows.Length; j++)
                d[i, j] = rows[i][j];
        var z = root.GetProperty("Z").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        var leaves = root.GetProperty("leaves").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var maxclust = root.GetProperty("maxclust").EnumerateObject()
            .ToDictionary(p => int.Parse(p.Name), p => p.Value.EnumerateArray().Select(v => v.GetInt32()).ToArray());
        var cuts = root.GetProperty("cuts").EnumerateArray()
            .Select(c => (c.GetProperty("t").GetDouble(), c.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray())).ToArray();
        return new Case(d, z, leaves, maxclust, cuts);
    }

    /// <summary>Labels renumbered by first appearance, so two labelings of the same partition compare equal.</summary>
    private static int[] Canonical(int[] labels)
    {
        var map = new Dictionary<int, int>();
        return labels.Select(l => map.TryGetValue(l, out int c) ? c : map[l] = map.Count).ToArray();
    }

    [Theory]
    [InlineData("points")]
    [InlineData("correlation")]
    [InlineData("ties")]
    public void LinkageMatchesScipy(string name)
    {
        var c = Load(name);
        var tree = AverageLinkage.Build(c.Distance);
        Assert.Equal(c.Z.Length, tree.Merges.Count);
        for (int m = 0; m < c.Z.Length; m++)
        {
            Assert.Equal((int)c.Z[m][0], tree.Merges[m].Left);
            Assert.Equal((int)c.Z[m][1], tree.Merges[m].Right);
            Assert.Equal(c.Z[m][2], tree.Merges[m].Height, 12);
            Assert.Equal((int)c.Z[m][3], tree.Merges[m].Size);
        }
        Assert.Equal(c.Leaves, tree.LeafOrder());
    }

    [Theory]
    [InlineData("points")]
    [InlineData("correlation")]
    [InlineData("ties")]
    public void FlatCutsMatchScipyFcluster(string name)
    {
        var c = Load(name);
        var tree = AverageLinkage.Build(c.Distance);
        int n = c.Leaves.Length;
        // SciPy's maxclust searches thresholds among the merge heights above the lowest one, so for k ≥ n − 1 it never
        // makes fewer than two merges (k = n gives n − 2 clusters). We cut below the first merge there: compare k ≤ n − 2.
        foreach (var (k, expected) in c.MaxClust.Where(p => p.Key <= n - 2))
            Assert.True(Canonical(expected).SequenceEqual(Canonical(tree.CutIntoCount(k))), $"{name}: maxclust {k}");
        Assert.Equal(n, tree.CutIntoCount(n).Distinct().Count());
        int tiedAtBottom = tree.Merges.Count(m => m.Height == tree.Merges[0].Height);
        Assert.Equal(n - tiedAtBottom, tree.CutIntoCount(n - 1).Distinct().Count());
        foreach (var (t, expected) in c.Cuts)
            Assert.True(Canonical(expected).SequenceEqual(Canonical(tree.CutAtHeight(t))), $"{name}: distance {t}");
    }

    [Fact]
    public void TiesAtTheCutGiveFewerClusters()
    {
        // Four points at mutual distance 1 in two far-apart pairs: asking for 3 clusters cannot split the tie.
        var d = new double[,] { { 0, 1, 9, 9 }, { 1, 0, 9, 9 }, { 9, 9, 0, 1 }, { 9, 9, 1, 0 } };
        var tree = AverageLinkage.Build(d);
        Assert.Equal(2, tree.CutIntoCount(3).Distinct().Count());
        Assert.Equal(4, tree.CutIntoCount(4).Distinct().Count());
        Assert.Single(tree.CutIntoCount(1).Distinct());
    }

    private static RankedPair Pair(string a, string b, double s, string method = "Pearson") =>
        new() { GeneA = a, GeneB = b, Score = s, Method = method, Parameters = "" };

    /// <summary>Two blocks of alike genes (scores 0.9 / 0.8) that are unlike each other (0.1), and one loner.</summary>
    private static List<RankedPair> TwoModules()
    {
        string[] g = { "a1", "b1", "a2", "b2", "a3", "x" };
        var pairs = new List<RankedPair>();
        for (int i = 0; i < g.Length; i++)
            for (int j = i + 1; j < g.Length; j++)
            {
                char p = g[i][0], q = g[j][0];
                double s = p == q ? (p == 'a' ? 0.9 : 0.8) : p == 'x' || q == 'x' ? -0.2 + 0.01 * i : 0.1;
                pairs.Add(Pair(g[i], g[j], s));
            }
        return pairs;
    }

    [Fact]
    public void ModulesAreNumberedBySizeWithTheirMeanScore()
    {
        var m = SimilarityMatrix.FromPairs(TwoModules());
        var d = GeneModules.Distances(m, GeneModules.Resolve(DistanceRule.Auto, m.Method), out int undefined);
        Assert.Equal(0, undefined);
        Assert.Equal(1 - 0.9, d[0, 2], 12);
        var tree = AverageLinkage.Build(d);
        var modules = GeneModules.FromLabels(m, tree, tree.CutIntoCount(3), "count 3");
        Assert.Equal(new[] { 1, 2, 3 }, modules.Select(x => x.Module));
        Assert.Equal(new[] { "a1", "a2", "a3" }, modules[0].Genes.OrderBy(x => x));
        Assert.Equal(new[] { "b1", "b2" }, modules[1].Genes.OrderBy(x => x));
        Assert.Equal(new[] { "x" }, modules[2].Genes);
        Assert.Equal(0.9, modules[0].MeanScore, 12);
        Assert.Equal(0.8, modules[1].MeanScore, 12);
        Assert.True(double.IsNaN(modules[2].MeanScore));
        // Cut by height: 1 − 0.8 = 0.2 joins each block; the blocks are 0.9 apart.
        var byHeight = GeneModules.FromLabels(m, tree, tree.CutAtHeight(0.25), "h");
        Assert.Equal(new[] { 3, 2, 1 }, byHeight.Select(x => x.Size));
    }

    [Fact]
    public void MaxMinusScoreForScoresWithoutAFixedTop()
    {
        // Score = −distance (e.g. an optimal-transport distance): the best pair is at distance 0.
        var pairs = new List<RankedPair> { Pair("a", "b", -2, "Sinkhorn"), Pair("a", "c", -10, "Sinkhorn"), Pair("b", "c", -11, "Sinkhorn") };
        var m = SimilarityMatrix.FromPairs(pairs);
        Assert.Equal(DistanceRule.MaxMinusScore, GeneModules.Resolve(DistanceRule.Auto, m.Method));
        var d = GeneModules.Distances(m, DistanceRule.MaxMinusScore, out _);
        Assert.Equal(0, d[0, 1]);
        Assert.Equal(8, d[0, 2]);
        Assert.Equal(9, d[1, 2]);
        var tree = AverageLinkage.Build(d);
        Assert.Equal(8.5, tree.Merges[1].Height, 12); // (8 + 9) / 2
        var ex = Assert.Throws<SpatialSimException>(() => GeneModules.Distances(
            SimilarityMatrix.FromPairs(new[] { Pair("a", "b", 3, "LeeL"), Pair("a", "c", 1, "LeeL"), Pair("b", "c", 0, "LeeL") }), DistanceRule.OneMinusScore, out _));
        Assert.Contains("MaxMinusScore", ex.Message);
    }

    [Fact]
    public void UndefinedScoresBecomeTheLargestDistance()
    {
        var pairs = new List<RankedPair> { Pair("a", "b", 0.5), Pair("a", "z", double.NaN), Pair("b", "z", double.NaN) };
        var m = SimilarityMatrix.FromPairs(pairs);
        var d = GeneModules.Distances(m, DistanceRule.OneMinusScore, out int undefined);
        Assert.Equal(2, undefined);
        Assert.Equal(0.5, d[0, 2]);
        Assert.True(double.IsNaN(m.Scores[2, 2])); // a constant gene has no self-score
        Assert.Equal(1.0, m.Scores[0, 0]);
    }

    /// <summary>The nearest-neighbour chain on condensed distances at scale (600 points; 500 grid points with very many ties) against SciPy.</summary>
    [Theory]
    [InlineData("large_points")]
    [InlineData("large_ties")]
    public void CondensedLinkageMatchesScipyAtScale(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf("cluster", name + ".json")));
        var z = doc.RootElement.GetProperty("Z").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        var leaves = doc.RootElement.GetProperty("leaves").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        int n = z.Length + 1;
        // The same points as tests/reference/make_cluster_fixtures.py.
        var pts = Enumerable.Range(0, n).Select(i => name == "large_points"
            ? ((double)(i * 7919L % 1009), (double)(i * 104729L % 997))
            : ((double)(i * 37 % 12), (double)((i * 53 + i / 7) % 12))).ToArray();
        var d = new CondensedDistances(n);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double dx = pts[i].Item1 - pts[j].Item1, dy = pts[i].Item2 - pts[j].Item2;
                d[i, j] = name == "large_points" ? Math.Sqrt(dx * dx + dy * dy) : Math.Abs(dx) + Math.Abs(dy);
            }
        var tree = AverageLinkage.Build(d);
        for (int m = 0; m < z.Length; m++)
        {
            Assert.Equal((int)z[m][0], tree.Merges[m].Left);
            Assert.Equal((int)z[m][1], tree.Merges[m].Right);
            Assert.Equal(z[m][2], tree.Merges[m].Height, 10);
            Assert.Equal((int)z[m][3], tree.Merges[m].Size);
        }
        Assert.Equal(leaves, tree.LeafOrder());
    }

    /// <summary>
    /// Modules from a streamed matrix file and straight from the streamed correlations equal the in-memory path; the mean
    /// within-module score from the dendrogram alone (W(A∪B) = W(A) + W(B) + |A||B|h) equals the one read back from the file.
    /// </summary>
    [Fact]
    public void ModulesFromAFileOrFromTheCoreEqualTheInMemoryPath()
    {
        var genes = StreamedRankingTests.Genes(200, seed: 23, constantGene: 9);
        var names = genes.Select(g => g.Gene).ToList();
        var whole = Ranking.CorrelationGram.Compute(genes, 1.5);
        var pairs = new List<RankedPair>();
        for (int i = 0; i < 200; i++)
            for (int j = i + 1; j < 200; j++) pairs.Add(new RankedPair { GeneA = names[i], GeneB = names[j], Score = whole[i, j], Method = "SmoothedPearson" });
        var matrix = SimilarityMatrix.FromPairs(pairs);
        var tree = AverageLinkage.Build(GeneModules.Distances(matrix, DistanceRule.OneMinusScore, out _));
        var expected = GeneModules.FromLabels(matrix, tree, tree.CutIntoCount(7), "c");

        string path = Path.Combine(Path.GetTempPath(), $"spatialsim-modules-{Guid.NewGuid():N}.npy");
        try
        {
            using (var sink = SimilarityMatrixSinks.Create(path, false))
            {
                sink.Begin(names, "SmoothedPearson", "");
                var values = new double[200 * 200];
                for (int i = 0; i < 200; i++) for (int j = 0; j < 200; j++) values[i * 200 + j] = whole[i, j];
                MatrixBands.Write(new Ranking.CorrelationBlock(200, 0, 200, values, new bool[200]), sink);
                sink.Complete();
            }
            using var file = SimilarityMatrixFile.Open(path);
            var fromFile = StreamedModules.FromFile(file);
            Assert.True(fromFile.UnitSelfScore);
            Assert.True(fromFile.Undefined[9]);
            var plan = Ranking.CorrelationBands.Plan(genes, 1.5, 0, 200, CondensedDistances.Bytes(200), maxMemoryBytes: 2_000_000);
            Assert.True(plan.Bands.Count >= 2);
            var fromCore = StreamedModules.FromCorrelations(genes, 1.5, plan, "SmoothedPearson");
            foreach (var (source, viaFile) in new[] { (fromFile, true), (fromCore, false) })
            {
                var (undefinedPairs, max) = source.Matrix.ScoresToDistances(DistanceRule.OneMinusScore, "SmoothedPearson", (i, j) => (names[i], names[j]));
                Assert.Equal(199, undefinedPairs);
                double top = source.Matrix.Values.Max();
                var t = AverageLinkage.Build(source.Matrix);
                var labels = t.CutIntoCount(7);
                var modules = GeneModules.FromLabels(names, "SmoothedPearson", t, labels, "c",
                    groups => viaFile ? StreamedModules.MeanScores(file, groups) : StreamedModules.MeanScores(t, groups, source.Undefined, top, DistanceRule.OneMinusScore, max));
                Assert.Equal(expected.Select(m => m.Size), modules.Select(m => m.Size));
                for (int k = 0; k < expected.Count; k++)
                {
                    Assert.Equal(expected[k].Genes.OrderBy(g => g), modules[k].Genes.OrderBy(g => g));
                    if (double.IsNaN(expected[k].MeanScore)) Assert.True(double.IsNaN(modules[k].MeanScore));
                    // The file holds float32; the streamed correlations come from shorter strips (the 2 MB budget) than the in-memory
                    // matrix, so their float32 chunk products round differently (r within about 1e-7).
                    else Assert.Equal(expected[k].MeanScore, modules[k].MeanScore, viaFile ? 6 : 7);
                }
            }
        }
        finally
        {
            File.Delete(path);
            File.Delete(SimilarityMatrix.GenesFileOf(path));
        }
    }
}
