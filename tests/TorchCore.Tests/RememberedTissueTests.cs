using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Defaults;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>The remembered tissue is process-wide: these tests run alone, so the count of tissues made is theirs.</summary>
[CollectionDefinition(nameof(RememberedTissueCollection), DisableParallelization = true)]
public sealed class RememberedTissueCollection;

[Collection(nameof(RememberedTissueCollection))]
public class RememberedTissueTests
{
    [Fact]
    public void TheSameRastersOnTheSameGridGetTheTissueAgainWithoutSummingThem()
    {
        var genes = Enumerable.Range(0, 3).Select(g => DefaultsFixtures.Poisson($"g{g}", 90, 70, (x, y) => x < 60 ? 1.5 + Math.Sin(y / 6.0 + g) : 0, g)).ToList();
        var grid = WorkingGrid.For(2, 90, 70);
        int made = DensityTissueMask.Made;
        var first = DensityTissueMask.OnGrid(genes, grid, out double inside);
        Assert.Equal(made + 1, DensityTissueMask.Made);

        var again = DensityTissueMask.OnGrid(genes, grid, out double insideAgain);
        Assert.Equal(made + 1, DensityTissueMask.Made);
        Assert.Equal(first, again);
        Assert.Equal(inside, insideAgain);
        again[0] = !again[0]; // the caller's copy: changing it changes nothing remembered
        Assert.Equal(first, DensityTissueMask.OnGrid(genes, grid, out _));
        Assert.Equal(made + 1, DensityTissueMask.Made);

        // another grid, another set of rasters (the same pixels in new objects), or the genes in another order: made anew
        DensityTissueMask.OnGrid(genes, WorkingGrid.For(3, 90, 70), out _);
        Assert.Equal(made + 2, DensityTissueMask.Made);
        var copies = genes.Select(g => Fixtures.Raster(g.Gene, g.Width, g.Height, g.ToArray())).ToList();
        Assert.Equal(first, DensityTissueMask.OnGrid(copies, grid, out _));
        Assert.Equal(made + 3, DensityTissueMask.Made);
        DensityTissueMask.OnGrid(new[] { copies[2], copies[1], copies[0] }, grid, out _);
        Assert.Equal(made + 4, DensityTissueMask.Made);
        foreach (var r in genes.Concat(copies)) r.Dispose();
    }
}
