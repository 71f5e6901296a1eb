using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Output;
using SpatialSim.TorchCore.Ranking;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// The streamed ranking (bands of the correlation matrix, PairSelection, matrix sinks): bands agree with the whole matrix to
/// the last bit, each gene's k best partners equal a brute-force selection, shards merge into the single run, and the
/// streamed .npy file holds the matrix.
/// </summary>
public class StreamedRankingTests
{
    /// <summary>Sparse genes on a small canvas: a few shared programs (blobs) with gene-specific strength, plus noise; some genes alike.</summary>
    internal static List<GeneRaster> Genes(int count, int w = 40, int h = 34, int seed = 5, int constantGene = -1)
    {
        var random = new Random(seed);
        var programs = Enumerable.Range(0, 6).Select(_ => (X: random.NextDouble() * w, Y: random.NextDouble() * h, S: 3 + 6 * random.NextDouble())).ToArray();
        var genes = new List<GeneRaster>();
        for (int g = 0; g < count; g++)
        {
            var pixels = new float[w * h];
            if (g != constantGene)
            {
                var p = programs[random.Next(programs.Length)];
                double strength = 0.2 + random.NextDouble();
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                    {
                        double d2 = ((x - p.X) * (x - p.X) + (y - p.Y) * (y - p.Y)) / (p.S * p.S);
                        double rate = 0.03 + strength * Math.Exp(-d2);
                        if (random.NextDouble() < rate) pixels[y * w + x] = 1 + random.Next(3);
                    }
            }
            var index = Enumerable.Range(0, pixels.Length).Where(i => pixels[i] != 0).ToArray();
            var sparse = SparsePixels.FromEntries(w, h, index, index.Select(i => pixels[i]).ToArray());
            genes.Add(GeneRaster.FromSparse($"g{g}", sparse, 1, "test", 1.0, ComputeDevice.Cpu));
        }
        return genes;
    }

    private static RankingRequest Request(IReadOnlyList<GeneRaster> genes, int? topPerGene = null, int? top = null, double? minScore = null, string? gene = null) => new()
    {
        Genes = genes.Select(g => g.Gene).ToList(),
        Methods = new[] { "SmoothedPearson" },
        TopPerGene = topPerGene,
        Top = top,
        MinScore = minScore,
        Gene = gene,
    };

    private static string Show(IEnumerable<Similarity.RankedPair> pairs) =>
        string.Join("\n", pairs.Select(p => $"{p.Rank} {p.IndexA}-{p.IndexB} {p.Score:R}"));

    [Fact]
    public void BandsGiveTheWholeMatrixToTheLastBit()
    {
        using var genes = Fixtures.Owned(Genes(300));
        var whole = CorrelationGram.Compute(genes, 1.5);
        foreach (var (start, end) in new[] { (0, 128), (128, 256), (256, 300), (128, 300), (0, 300) })
        {
            var band = CorrelationGram.ComputeBand(genes, 1.5, start, end);
            for (int i = start; i < end; i++)
                for (int j = start; j < 300; j++)
                    Assert.Equal(whole[i, j], band[i, j]);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => CorrelationGram.ComputeBand(genes, 1.5, 10, 128));
    }

    [Fact]
    public void MaskedBandsGiveTheWholeMaskedMatrix()
    {
        using var genes = Fixtures.Owned(Genes(140, seed: 8));
        var inside = new float[40 * 34];
        for (int y = 3; y < 30; y++)
            for (int x = 5; x < 38; x++) inside[y * 40 + x] = 1;
        using var mask = Fixtures.Raster("mask", 40, 34, inside);
        var whole = CorrelationGram.Compute(genes, 2.0, mask: mask);
        var band = CorrelationGram.ComputeBand(genes, 2.0, 128, 140, mask: mask);
        for (int i = 128; i < 140; i++)
            for (int j = 128; j < 140; j++)
                Assert.Equal(whole[i, j], band[i, j]);
    }

    /// <summary>Each gene's k best partners by brute force: sort its partners (score descending, NaN excluded, ties by pair), take k.</summary>
    private static HashSet<(int, int)> BruteForceTopPerGene(double[,] scores, int k)
    {
        int n = scores.GetLength(0);
        var kept = new HashSet<(int, int)>();
        for (int g = 0; g < n; g++)
        {
            var partners = Enumerable.Range(0, n).Where(h => h != g && !double.IsNaN(scores[g, h]))
                .OrderByDescending(h => scores[g, h]).ThenBy(h => Math.Min(g, h)).ThenBy(h => Math.Max(g, h)).Take(k);
            foreach (int h in partners) kept.Add((Math.Min(g, h), Math.Max(g, h)));
        }
        return kept;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(20)]
    public void EachGenesBestPartnersEqualABruteForceSelection(int k)
    {
        using var genes = Fixtures.Owned(Genes(150, constantGene: 7));
        var whole = CorrelationGram.Compute(genes, 1.5);
        // ties: copy one gene's scores to make equal pairs
        var selection = new PairSelection(150, new PairSelectionRequest { TopPerGene = k });
        for (int i = 0; i < 150; i++)
            for (int j = i + 1; j < 150; j++) selection.Add(i, j, Math.Round(whole[i, j], 2)); // rounding makes many ties
        var rounded = (double[,])whole.Clone();
        for (int i = 0; i < 150; i++)
            for (int j = 0; j < 150; j++) rounded[i, j] = Math.Round(whole[i, j], 2);
        var expected = BruteForceTopPerGene(rounded, k);
        var got = selection.Result().Select(p => (p.I, p.J)).ToHashSet();
        Assert.Equal(expected.OrderBy(p => p).ToList(), got.OrderBy(p => p).ToList());
        Assert.DoesNotContain(got, p => p.Item1 == 7 || p.Item2 == 7);  // the constant gene's pairs are NaN: never among the best
    }

    [Fact]
    public void StreamedRankingInTightBandsEqualsRankingEveryPair()
    {
        using var genes = Fixtures.Owned(Genes(300, seed: 11, constantGene: 200));
        var names = genes.Select(g => g.Gene).ToList();
        // The whole matrix with the strips a tight budget gives (the strips set the order of the float64 sums).
        int strips = StreamedRanking.Plan(genes, new StreamedRankingOptions { Sigma = 1.5, Selection = new PairSelectionRequest { Top = 1 }, MaxMemoryBytes = 3_000_000 }).Strips.StripRows;
        var whole = CorrelationGram.Compute(genes, 1.5, stripRows: strips);
        var all = new List<ScoredPair>();
        for (int i = 0; i < 300; i++)
            for (int j = i + 1; j < 300; j++) all.Add(new ScoredPair(i, j, new[] { whole[i, j] }));
        foreach (var request in new[]
                 {
                     Request(genes, topPerGene: 5), Request(genes, topPerGene: 5, top: 40, minScore: 0.2), Request(genes, top: 25),
                     Request(genes, minScore: 0.5), Request(genes, gene: "g17", top: 8), Request(genes, topPerGene: 2, gene: "g200"),
                 })
        {
            var options = new StreamedRankingOptions
            {
                Sigma = 1.5,
                Selection = new PairSelectionRequest
                {
                    TopPerGene = request.TopPerGene, Top = request.Top, MinScore = request.MinScore,
                    Focus = request.Gene is null ? null : names.IndexOf(request.Gene),
                },
                // Room for bands of 128–256 rows only (keeping every passing pair reserves 200 bytes per pair of the 44,850).
                MaxMemoryBytes = request.Top is null && request.TopPerGene is null ? 11_000_000 : 3_000_000,
                StripRows = strips,
            };
            var plan = StreamedRanking.Plan(genes, options);
            Assert.True(plan.Bands.Count >= 2, plan.Describe());
            var result = StreamedRanking.Run(genes, names, "SmoothedPearson", "", options, plan);
            Assert.True(result.UndefinedGenes[200]);
            Assert.Equal(Show(PairListRanking.Rank(all, request)), Show(PairListRanking.Rank(result.Pairs, request)));
        }
    }

    [Fact]
    public void ShardsWithTopPerGeneMergeIntoTheSingleRun()
    {
        using var genes = Fixtures.Owned(Genes(300, seed: 13));
        var names = genes.Select(g => g.Gene).ToList();
        var single = StreamedRanking.Run(genes, names, "SmoothedPearson", "", Options(PairShard.All), StreamedRanking.Plan(genes, Options(PairShard.All)));
        var request = Request(genes, topPerGene: 4);
        string expected = Show(PairListRanking.Rank(single.Pairs, request));
        var rows = new List<ShardPair>();
        for (int s = 1; s <= 5; s++)
        {
            var shard = new PairShard(s, 5);
            var part = StreamedRanking.Run(genes, names, "SmoothedPearson", "", Options(shard), StreamedRanking.Plan(genes, Options(shard)));
            var (start, end) = shard.Range(300);
            Assert.All(part.Pairs, p => Assert.InRange(PairShard.PairNumber(p.I, p.J, 300), start, end - 1));
            foreach (var p in PairListRanking.Rank(part.Pairs, request with { Shard = shard.ToString(), Filter = "-TopPerGene 4" }))
                rows.Add(new ShardPair
                {
                    GeneA = p.GeneA, GeneB = p.GeneB, IndexA = p.IndexA, IndexB = p.IndexB, GeneCount = p.GeneCount, Method = p.Method,
                    Score = p.Score, Shard = p.Shard, Filter = p.Filter,
                });
        }
        var merged = ShardMerge.Merge(rows);
        Assert.Equal(expected, Show(PairListRanking.Rank(merged.Pairs, request with { Genes = merged.Genes })));

        static StreamedRankingOptions Options(PairShard shard) => new()
        {
            Sigma = 1.5, Shard = shard, Selection = new PairSelectionRequest { TopPerGene = 4 }, MaxMemoryBytes = 3_000_000,
        };
    }

    [Fact]
    public void TheStreamedMatrixFileHoldsTheWholeMatrix()
    {
        using var genes = Fixtures.Owned(Genes(300, seed: 17, constantGene: 3));
        var names = genes.Select(g => g.Gene).ToList();
        var whole = CorrelationGram.Compute(genes, 1.5, stripRows: 5);
        string path = Path.Combine(Path.GetTempPath(), $"spatialsim-streamed-{Guid.NewGuid():N}.npy");
        try
        {
            using (var sink = SimilarityMatrixSinks.Create(path, overwrite: false))
            {
                var options = new StreamedRankingOptions { Sigma = 1.5, Selection = new PairSelectionRequest { Top = 1 }, Matrix = sink, MaxMemoryBytes = 1_600_000, StripRows = 5 };
                var plan = StreamedRanking.Plan(genes, options);
                Assert.True(plan.Bands.Count >= 2);
                StreamedRanking.Run(genes, names, "SmoothedPearson", "σ=1.5", options, plan);
            }
            var npy = NpyFormat.Read(path);
            Assert.Equal(new[] { 300, 300 }, npy.Shape);
            Assert.Equal("<f4", npy.SourceDtype);
            for (int i = 0; i < 300; i++)
                for (int j = 0; j < 300; j++)
                    Assert.Equal((float)whole[i, j], npy.Data[i * 300 + j]);
            Assert.Equal(names, File.ReadAllLines(SimilarityMatrix.GenesFileOf(path)));
            Assert.Throws<SpatialSimException>(() => SimilarityMatrixSinks.Create(path, overwrite: false)).Message.Contains("already exists");
        }
        finally
        {
            File.Delete(path);
            File.Delete(SimilarityMatrix.GenesFileOf(path));
        }
        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + ".tmp-*"));
    }

    [Fact]
    public void AnAbandonedMatrixLeavesNoFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"spatialsim-abandoned-{Guid.NewGuid():N}.npy");
        using (var sink = SimilarityMatrixSinks.Create(path, overwrite: false))
        {
            sink.Begin(new[] { "a", "b" }, "Pearson", "");
            sink.WriteBlock(0, 0, 1, 2, new float[] { 1, 0.5f });
        }
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*"));
        var e = Assert.Throws<SpatialSimException>(() => SimilarityMatrixSinks.Create(Path.ChangeExtension(path, ".xyz"), false));
        Assert.Contains(".npy", e.Message);
    }

    [Fact]
    public void ABudgetTooSmallForOneBandIsAClearError()
    {
        using var genes = Fixtures.Owned(Genes(300));
        var e = Assert.Throws<SpatialSimException>(() => StreamedRanking.Plan(genes,
            new StreamedRankingOptions { Sigma = 1.5, Selection = new PairSelectionRequest { TopPerGene = 10 }, MaxMemoryBytes = 200_000 }));
        Assert.Equal(ErrorKind.LimitExceeded, e.Kind);
        Assert.Contains("-MaxMemoryGB", e.Message);
    }
}
