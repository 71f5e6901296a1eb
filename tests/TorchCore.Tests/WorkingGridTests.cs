using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Defaults;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Ranking;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

public class WorkingGridTests
{
    [Fact]
    public void TheStrideIsAnEighthOfSigmaAndSigmaIsRescaled()
    {
        var grid = WorkingGrid.For(100, 7582, 5448);
        Assert.Equal(12, grid.Stride);
        Assert.Equal(632, grid.Width);
        Assert.Equal(454, grid.Height);
        Assert.Equal(Math.Sqrt(100 * 100 - 12 * 12 / 12.0) / 12, grid.WorkingSigma, 12);
        Assert.False(WorkingGrid.For(15.9, 1000, 1000).IsCoarser);
        Assert.Equal(2, WorkingGrid.For(100, 200, 150).Stride);   // at least 64 grid pixels across
        Assert.Equal("", WorkingGrid.For(2, 100, 100).Describe());
    }

    [Fact]
    public void BinningSparseAndDenseRastersSumsTheBlocks()
    {
        var genes = DefaultsFixtures.Ca1(10);
        var grid = WorkingGrid.For(50, genes[0].Width, genes[0].Height);
        foreach (var g in genes.Take(3))
        {
            var expected = RasterBinning.SumBlocks(g.ToPlane(), grid.Stride).Pixels;
            var sparse = grid.Bin(g);
            Assert.NotNull(sparse.Sparse);
            Assert.Equal(expected, sparse.ToArray());
            var dense = grid.Bin(GeneRaster.FromPlane(g.ToPlane(), g.BinSize, g.Device));
            Assert.Equal(expected, dense.ToArray());
            Assert.Equal(g.BinSize * grid.Stride, dense.BinSize);
            Assert.Equal(g.Total, sparse.Total, 6);
        }
    }

    /// <summary>Sparse binning row by row against the dense block sums, with partial last blocks and empty block rows.</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void SparseBinningEqualsTheBlockSumsWithPartialBlocks(int stride)
    {
        const int w = 401, h = 389;
        var random = new Random(stride);
        var index = new List<int>();
        var values = new List<float>();
        for (int p = 0; p < w * h; p++)
            if (p / w % 7 != 3 && random.NextDouble() < 0.03) { index.Add(p); values.Add(1 + random.Next(4)); }   // every 7th row empty
        using var g = GeneRaster.FromSparse("g", SparsePixels.FromEntries(w, h, index.ToArray(), values.ToArray()), 1, "test", 1, ComputeDevice.Cpu);
        var grid = WorkingGrid.For(stride * WorkingGrid.SigmaPerStride + 0.1, w, h);
        Assert.Equal(stride, grid.Stride);
        using var binned = grid.Bin(g);
        Assert.NotNull(binned.Sparse);
        Assert.Equal(RasterBinning.SumBlocks(g.ToPlane(), stride).Pixels, binned.ToArray());
        Assert.Equal(g.Total, binned.Total, 6);
    }

    [Fact]
    public void CorrelationsOnTheGridMatchTheFullResolutionWithinOneHundredth()
    {
        // CA1-like molecules (the stand-in at bin 1: 7602 × 5471 px), the default σ and mask; full resolution against the grid.
        var genes = DefaultsFixtures.Ca1(1);
        double sigma = CountSplitScale.Choose(genes).Sigma;
        var grid = WorkingGrid.For(sigma, genes[0].Width, genes[0].Height);
        Assert.True(grid.Stride >= 3, $"σ = {sigma}");
        var fullMask = DensityTissueMask.Raster(genes, grid, onGrid: false, out _);
        var gridMask = DensityTissueMask.Raster(genes, grid, onGrid: true, out _);
        var full = CorrelationGram.Compute(genes, sigma, mask: fullMask, maxMemoryBytes: 1L << 30);
        var binned = genes.Select(grid.Bin).ToList();
        var coarse = CorrelationGram.Compute(binned, grid.WorkingSigma, mask: gridMask);
        double worst = 0;
        for (int i = 0; i < genes.Count; i++)
            for (int j = i + 1; j < genes.Count; j++)
                worst = Math.Max(worst, Math.Abs(full[i, j] - coarse[i, j]));
        Assert.True(worst <= 0.01, $"max |Δr| = {worst}");
    }
}
