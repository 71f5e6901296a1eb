using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Defaults;
using SpatialSim.TorchCore.Ranking;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

public class DensityTissueMaskTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    public void CoversTheContiguousArcOfSparseMoleculesAtEveryBin(int bin)
    {
        var genes = DefaultsFixtures.Ca1(bin);
        var grid = WorkingGrid.For(CountSplitScale.Choose(genes).Sigma, genes[0].Width, genes[0].Height);
        var mask = DensityTissueMask.OnGrid(genes, grid, out double inside);
        Assert.True(inside > 0.99, $"{inside:P2} of the molecules inside");
        Assert.Equal(1, DensityTissueMask.Regions(mask, grid.Width, grid.Height));
        double fraction = mask.Count(m => m) / (double)mask.Length;
        Assert.InRange(fraction, 0.35, 0.65);   // the arc (about half the canvas), not only the dense pyramidal band
    }

    [Fact]
    public void CoversTheSpotGridAndDropsStrayMolecules()
    {
        var genes = DefaultsFixtures.Mob();
        var grid = WorkingGrid.For(0.5, genes[0].Width, genes[0].Height);
        var mask = DensityTissueMask.OnGrid(genes, grid, out double inside);
        Assert.True(inside > 0.99);
        Assert.Equal(1, DensityTissueMask.Regions(mask, grid.Width, grid.Height));

        // a patch cut from inside a section is all tissue
        var patch = Enumerable.Range(0, 3).Select(g => DefaultsFixtures.Poisson($"p{g}", 60, 50, (x, y) => 0.5 + 0.4 * Math.Sin(x / 5.0 + g), g)).ToList();
        Assert.All(DensityTissueMask.OnGrid(patch, WorkingGrid.For(2, 60, 50), out _), Assert.True);

        // one stray molecule far off a dense disc is dropped
        var disc = DefaultsFixtures.Poisson("disc", 120, 100, (x, y) => Math.Pow(x - 40, 2) + Math.Pow(y - 50, 2) < 400 ? 3 : 0, 3).ToArray();
        disc[10 * 120 + 110] = 1;
        var raster = Fixtures.Raster("disc", 120, 100, disc);
        var m = DensityTissueMask.OnGrid(new[] { raster }, WorkingGrid.For(1.5, 120, 100), out _);
        Assert.False(m[10 * 120 + 110]);
        Assert.True(m[50 * 120 + 40]);
        Assert.Equal(1, DensityTissueMask.Regions(m, 120, 100));
    }

    [Fact]
    public void StripsAreSeveralHalosTallWhenTheBudgetAllowsAndTheBudgetMakesThemTaller()
    {
        var genes = DefaultsFixtures.Ca1(2);   // 3801 × 2736, sparse
        var roomy = CorrelationGram.Plan(genes, 50, maxMemoryBytes: 4L << 30);
        Assert.True(roomy.StripRows >= CorrelationGram.HaloMultiple * roomy.Halo || roomy.Strips == 1, roomy.Describe());
        var small = CorrelationGram.Plan(genes, 50, maxMemoryBytes: 300L << 20);
        var larger = CorrelationGram.Plan(genes, 50, maxMemoryBytes: 600L << 20);
        Assert.True(larger.StripRows > small.StripRows, $"{small.Describe()} / {larger.Describe()}");
        Assert.True(small.WorkingBytes <= 300L << 20);
        Assert.Contains("-MaxMemoryGB", small.Describe());
        Assert.True(GramCost.Estimate(small, 50, masked: true, genes) > GramCost.Estimate(roomy, 50, masked: true, genes));
    }
}
