using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>The prepared all-pairs path gives the pair-by-pair scores, in one block or many.</summary>
public sealed class PreparedAllPairsTests
{
    private const int W = 48, H = 40;

    /// <summary>Five genes: blobs (one shifted, one scaled, one elsewhere) on a noisy background, and an all-zero gene.</summary>
    private static List<GeneRaster> Genes()
    {
        var rng = new Random(17);
        float Blob(int x, int y, double cx, double cy, double s) => (float)(10 * Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * s * s)));
        var specs = new (string Name, double Cx, double Cy, double S, float Scale)[]
        {
            ("a", 15, 14, 4, 1), ("b", 17, 15, 4, 1), ("c", 15, 14, 4, 7), ("d", 34, 26, 5, 1), ("e", 24, 20, 9, 1),
        };
        var genes = specs.Select(spec =>
        {
            var px = new float[W * H];
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    px[y * W + x] = spec.Scale * (Blob(x, y, spec.Cx, spec.Cy, spec.S) + (rng.Next(9) == 0 ? rng.Next(1, 4) : 0));
            return Fixtures.Raster(spec.Name, W, H, px);
        }).ToList();
        genes.Add(Fixtures.Raster("zero", W, H, new float[W * H]));
        return genes;
    }

    private static readonly SimilarityMethod[] PreparedMethods =
    {
        SimilarityMethod.Ssim, SimilarityMethod.MsSsim, SimilarityMethod.Lbp, SimilarityMethod.DenseSift,
        SimilarityMethod.Keypoints, SimilarityMethod.RoiPearson, SimilarityMethod.LeeL, SimilarityMethod.MoranBV, SimilarityMethod.Sinkhorn,
    };

    public static TheoryData<SimilarityMethod> Methods() => new(PreparedMethods);

    [Fact]
    public void TheMeasuresWithAPreparedForm_AreExactlyThoseOnAPreparedPath()
    {
        var prepared = SimilarityMeasures.All.Where(m => m.CanPrepare).Select(m => m.Method).Order().ToArray();
        Assert.Equal(PreparedMethods.Order().ToArray(), prepared);
        foreach (var method in prepared) Assert.True(PreparedAllPairs.Supports(method, OptionsFor(method)), $"{method}");
    }

    [Fact]
    public void ASinkhornShard_PreparesEachOfItsGenesOnce()
    {
        // Shard 1/2 of 6 genes holds the pairs (0,1)…(0,5), (1,2)…(1,4): each gene solves its self-transport term once, not once per pair.
        using var genes = Fixtures.Owned(Genes());
        var options = new SimilarityOptions();
        var shard = PairShard.Parse("1/2");
        var steps = new List<string>();
        var scores = PairBlockSimilarity.Compute(genes, SimilarityMethod.Sinkhorn, options, shard,
            new InlineProgress<(int Done, int Total, string Step)>(p => steps.Add(p.Step)));
        var prepared = steps.Where(s => s.StartsWith("preparing ", StringComparison.Ordinal)).Select(s => s["preparing ".Length..]).ToList();
        Assert.Equal(prepared.Distinct().Count(), prepared.Count);
        Assert.Equal(genes.Select(g => g.Gene).Order(), prepared.Order());
        var whole = AllPairsSimilarity.Compute(genes, SimilarityMethod.Sinkhorn, options);
        long k = 0;
        foreach (var (i, j) in shard.Pairs(genes.Count)) Assert.Equal(whole[i, j], scores.Scores[k++]);
        Assert.True(scores.UndefinedGenes[genes.Count - 1]); // the all-zero gene
    }

    private static SimilarityOptions OptionsFor(SimilarityMethod method) => method switch
    {
        SimilarityMethod.MsSsim => new SimilarityOptions { MsSsim = new MsSsimOptions { Scales = 2 } }, // 40 px holds two scales
        SimilarityMethod.Lbp => new SimilarityOptions { Lbp = new LbpOptions { Points = 8, Radius = 2, Tiles = 2 } },
        SimilarityMethod.LeeL => new SimilarityOptions { LeeL = new LeeLOptions { Weights = SpatialWeights.Gaussian, Sigma = 1.5 } },
        SimilarityMethod.Sinkhorn => new SimilarityOptions { Sinkhorn = new SinkhornOptions { Tolerance = 1e-6 } },
        _ => new SimilarityOptions(),
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void AllPairs_EqualPairByPair_InOneBlockAndInMany(SimilarityMethod method)
    {
        using var genes = Fixtures.Owned(Genes());
        var options = OptionsFor(method);
        Assert.True(PreparedAllPairs.Supports(method, options));
        var whole = PreparedAllPairs.Compute(genes, method, options);
        var blocked = PreparedAllPairs.Compute(genes, method, options, maxPreparedBytes: 1); // one gene per block
        var viaEngine = AllPairsSimilarity.Compute(genes, method, options);
        int n = genes.Count;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double expected = SimilarityMeasures.Compare(method, genes[i], genes[j], options).Score;
                string where = $"{method} {genes[i].Gene}×{genes[j].Gene}";
                if (double.IsNaN(expected))
                {
                    Assert.True(double.IsNaN(whole[i, j]) && double.IsNaN(blocked[i, j]), where);
                    continue;
                }
                Assert.True(Math.Abs(expected - whole[i, j]) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"{where}: {whole[i, j]} vs {expected}");
                Assert.True(Math.Abs(expected - blocked[i, j]) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"{where} (blocks): {blocked[i, j]} vs {expected}");
                Assert.Equal(whole[i, j], viaEngine[i, j]);
            }
        // The all-zero gene is undefined against everything; the rest is defined.
        Assert.True(double.IsNaN(whole[0, n - 1]));
        if (method != SimilarityMethod.Keypoints) // a 48×40 canvas may hold too few keypoints for a defined score
            Assert.False(double.IsNaN(whole[0, 1]));
    }

    [Theory]
    [InlineData(SimilarityMethod.Ssim)]
    [InlineData(SimilarityMethod.LeeL)]
    public void OnlyIncludedPairs_AreComputed_AsInTheWholeRun(SimilarityMethod method)
    {
        using var genes = Fixtures.Owned(Genes());
        var options = OptionsFor(method);
        var whole = PreparedAllPairs.Compute(genes, method, options);
        foreach (long budget in new[] { PreparedAllPairs.DefaultMaxPreparedBytes, 1L })
        {
            var part = PreparedAllPairs.Compute(genes, method, options, maxPreparedBytes: budget, include: (i, j) => i >= 2 && (i + j) % 2 == 1);
            for (int i = 0; i < genes.Count; i++)
                for (int j = i + 1; j < genes.Count; j++)
                {
                    if (i >= 2 && (i + j) % 2 == 1) Assert.Equal(whole[i, j], part[i, j], 12);
                    else Assert.True(double.IsNaN(part[i, j]), $"{i},{j} was not asked for");
                }
        }
    }

    [Fact]
    public void PyramidAndMask_GoPairByPair()
    {
        Assert.False(PreparedAllPairs.Supports(SimilarityMethod.Ssim, new SimilarityOptions { Pyramid = 2 }));
        Assert.False(PreparedAllPairs.Supports(SimilarityMethod.Pearson, new SimilarityOptions()));
        Assert.False(PreparedAllPairs.Supports(SimilarityMethod.Sinkhorn, new SimilarityOptions { Pyramid = 2 }));
    }

    [Fact]
    public void Cancellation_StopsThePreparation()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => PreparedAllPairs.Compute(Genes(), SimilarityMethod.Ssim, new SimilarityOptions(), cancellationToken: cts.Token));
    }
}
