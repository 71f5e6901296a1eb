using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>The automatic smoothing scale's entry point and the nearest-neighbour spacing the support mask uses.</summary>
public class AdaptiveScaleTests
{
    /// <summary>Non-zero pixels at random places with the given density (seeded).</summary>
    private static GeneRaster Scatter(string name, int w, int h, double density, int seed)
    {
        var rng = new Random(seed);
        var pixels = new float[w * h];
        for (int i = 0; i < pixels.Length; i++)
            if (rng.NextDouble() < density) pixels[i] = 1 + rng.Next(3);
        return Fixtures.Raster(name, w, h, pixels);
    }

    [Fact]
    public void NearestNeighbourSpacingOfARegularLatticeIsItsPitch()
    {
        var pixels = new float[60 * 50];
        for (int y = 2; y < 50; y += 7)
            for (int x = 3; x < 60; x += 7)
                pixels[y * 60 + x] = 2;
        Assert.Equal(7.0, AdaptiveScale.MedianNearestNeighbourDistance(Fixtures.Raster("lattice", 60, 50, pixels)), 12);
        // A diagonal pair: the Euclidean, not the Chebyshev, distance.
        var two = new float[20 * 20];
        two[2 * 20 + 2] = 1; two[6 * 20 + 5] = 1;
        Assert.Equal(5.0, AdaptiveScale.MedianNearestNeighbourDistance(Fixtures.Raster("pair", 20, 20, two)), 12);
        Assert.True(double.IsNaN(AdaptiveScale.MedianNearestNeighbourDistance(Fixtures.Raster("one", 20, 20, new float[400]))));
    }

    [Fact]
    public void ChooseSigmaIsTheCountSplittingScale()
    {
        var genes = DefaultsFixtures.Ca1(10);
        Assert.Equal(Defaults.CountSplitScale.Choose(genes).Sigma, AdaptiveScale.ChooseSigma(genes));
    }

    [Fact]
    public void NoUsableGeneFallsBackToTheFixedDefault()
    {
        Assert.Equal(SmoothedPearsonSimilarity.DefaultSigma, AdaptiveScale.ChooseSigma(new[] { Fixtures.Raster("z", 10, 10, new float[100]) }), 12);
    }
}
