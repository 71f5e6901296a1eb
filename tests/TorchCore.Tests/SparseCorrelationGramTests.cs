using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Smoothing;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>The sparse product (Kᵀ K per gene) against the dense strips, on sparse clustered counts.</summary>
public class SparseCorrelationGramTests
{
    /// <summary>Genes of sparse counts around a few shared centres (so that pairs correlate), some near the edges.</summary>
    private static List<GeneRaster> Genes(int count, int w, int h, double density, int seed)
    {
        var random = new Random(seed);
        var genes = new List<GeneRaster>();
        for (int g = 0; g < count; g++)
        {
            double cx = random.Next(4) * w / 3.0, cy = random.Next(3) * h / 2.0;   // centres on the edges and corners too
            var index = new List<int>();
            var values = new List<float>();
            for (int p = 0; p < w * h; p++)
            {
                int x = p % w, y = p / w;
                double near = Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2.0 * (w / 5.0) * (w / 5.0)));
                if (random.NextDouble() < density * (0.3 + 3 * near)) { index.Add(p); values.Add(random.Next(1, 4)); }
            }
            genes.Add(GeneRaster.FromSparse($"g{g}", SparsePixels.FromEntries(w, h, index.ToArray(), values.ToArray()), 1, "test", 1, ComputeDevice.Cpu));
        }
        return genes;
    }

    [Theory]
    [InlineData(2.5)]
    [InlineData(9.0)]   // a kernel radius (36) past half the canvas' height: the folds overlap
    public void EqualsTheDenseStrips(double sigma)
    {
        using var sparse = Fixtures.Owned(Genes(40, 97, 61, 0.03, 7));
        using var dense = Fixtures.Owned(sparse.Select(g => GeneRaster.FromPlane(g.ToPlane(), 1, ComputeDevice.Cpu)).ToList());
        var expected = CorrelationGram.Compute(dense, sigma);   // dense rasters: the strips
        var block = SparseCorrelationGram.Compute(sparse, sigma, GaussianMethod.Auto, 0, sparse.Count, null, CancellationToken.None);
        int n = sparse.Count;
        double worst = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                worst = Math.Max(worst, Math.Abs(block.Values[(long)i * n + j] - expected[i, j]));
        Assert.True(worst < 1e-6, $"largest difference {worst:g3}");
    }

    [Fact]
    public void ABandEqualsTheWholeMatrixToTheLastBit()
    {
        using var genes = Fixtures.Owned(Genes(200, 40, 30, 0.02, 11));
        var whole = SparseCorrelationGram.Compute(genes, 2, GaussianMethod.Auto, 0, 200, null, CancellationToken.None);
        var band = SparseCorrelationGram.Compute(genes, 2, GaussianMethod.Auto, 128, 200, null, CancellationToken.None);
        for (int i = 128; i < 200; i++)
            for (int j = 128; j < 200; j++)
                Assert.Equal(whole.Values[(long)i * 200 + j], band.Values[(long)(i - 128) * 72 + (j - 128)]);
    }

    [Fact]
    public void BandsOfARankingTakeOnePathAndAgreeToTheLastBit()
    {
        // The 104 genes from row 896 on would not qualify alone (two blurs each cost more than their small product); the band
        // still takes the whole ranking's path.
        const int n = 1000, first = 896, rest = n - first;
        using var genes = Fixtures.Owned(Genes(n, 40, 30, 0.02, 13));
        Assert.True(SparseCorrelationGram.Applies(genes, 2, 0, 1L << 30));
        Assert.False(SparseCorrelationGram.Applies(genes, 2, first, 1L << 30));
        var whole = CorrelationGram.ComputeBand(genes, 2, 0, n, maxMemoryBytes: 1L << 30);
        var band = CorrelationGram.ComputeBand(genes, 2, first, n, maxMemoryBytes: 1L << 30);
        for (int i = first; i < n; i++)
            for (int j = first; j < n; j++)
                Assert.Equal(whole.Values[(long)i * n + j], band.Values[(long)(i - first) * rest + (j - first)]);
    }

    [Fact]
    public void AppliesToManySparseGenesOnly()
    {
        using var genes = Fixtures.Owned(Genes(1000, 40, 30, 0.02, 3));
        long budget = 1L << 30;
        Assert.True(SparseCorrelationGram.Applies(genes, 2, 0, budget));
        Assert.False(SparseCorrelationGram.Applies(genes, 0, 0, budget));                  // no smoothing: the plain product
        Assert.False(SparseCorrelationGram.Applies(genes.Take(200).ToList(), 2, 0, budget)); // 200 genes: two blurs each cost more
        Assert.False(SparseCorrelationGram.Applies(genes, 2, 0, 1L << 20));               // Y's block would not fit the budget
        using var dense = GeneRaster.FromPlane(genes[0].ToPlane(), 1, ComputeDevice.Cpu);
        Assert.False(SparseCorrelationGram.Applies(genes.Take(999).Append(dense).ToList(), 2, 0, budget));
    }

    /// <summary>The cost model against what was measured (2 cores, σ = 4): the faster path is the one chosen.</summary>
    [Theory]
    [InlineData(200, 0.02, false)]    // 1024²: sparse 3.7 s, dense 0.8 s
    [InlineData(400, 0.005, false)]   // 512²: 1.2 s against 0.8 s
    [InlineData(1000, 0.02, true)]    // 512²: 3.2 s against 3.6 s
    [InlineData(2000, 0.02, true)]    // 256²: 2.2 s against 3.9 s
    [InlineData(5000, 0.01, true)]
    public void TheCostModelPicksTheMeasuredFasterPath(int genes, double density, bool sparse)
    {
        var (sparseCost, denseCost) = SparseCorrelationGram.Cost(genes, density);
        Assert.Equal(sparse, sparseCost < denseCost);
    }
}
