using System.Text.Json;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.Statistics;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Moran's I with Gaussian weights, its randomisation variance, z and p against R spdep (tests/reference/make_moran_fixtures.py).</summary>
public class SpatialAutocorrelationTests
{
    private static GeneRaster Sparse(GeneRaster dense)
    {
        var pixels = dense.ToArray();
        var index = Enumerable.Range(0, pixels.Length).Where(i => pixels[i] != 0).ToArray();
        return GeneRaster.FromSparse(dense.Gene, SparsePixels.FromEntries(dense.Width, dense.Height, index, index.Select(i => pixels[i]).ToArray()), 1, "test", 1.0, ComputeDevice.Cpu);
    }

    [Theory]
    [InlineData(false, 1.0)]
    [InlineData(false, 2.0)]
    [InlineData(true, 1.0)]
    [InlineData(true, 2.0)]
    public void MoransIMatchesSpdep(bool masked, double sigma)
    {
        using var genes = Fixtures.Owned(Fixtures.GeneStack("moran"));
        var maskArray = Fixtures.Npy("moran", "mask.npy");
        var mask = masked ? Fixtures.Raster("mask", maskArray.Shape[1], maskArray.Shape[0], maskArray.Data) : null;
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf("moran", "moran.json")));
        var expected = doc.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("masked").GetBoolean() == masked && e.GetProperty("sigma").GetDouble() == sigma)
            .ToDictionary(e => e.GetProperty("gene").GetInt32());
        // Dense rasters take the convolution path, sparse ones the neighbour sums: both must agree with spdep.
        foreach (var input in new[] { genes, genes.Select(Sparse).ToList() })
        {
            var result = SpatialAutocorrelation.Compute(input, sigma, mask);
            Assert.Equal(genes.Count, result.Count);
            foreach (var r in result)
            {
                var e = expected[int.Parse(r.Gene[1..])];
                Assert.Equal(e.GetProperty("I").GetDouble(), r.MoranI, 10);
                Assert.Equal(e.GetProperty("expectation").GetDouble(), r.Expected, 12);
                Assert.Equal(e.GetProperty("variance").GetDouble(), r.Variance, 10);
                Assert.Equal(e.GetProperty("z").GetDouble(), r.ZScore, 8);
                double p = e.GetProperty("p").GetDouble();
                Assert.True(Math.Abs(p - r.PValue) <= 1e-9 * Math.Max(p, 1e-300) + 1e-14, $"p {r.PValue} vs spdep {p}");
            }
            Assert.True(result.Zip(result.Skip(1)).All(x => x.First.ZScore >= x.Second.ZScore)); // most structured first
            Assert.Equal(Enumerable.Range(1, genes.Count), result.Select(r => r.Rank));
        }
    }

    [Fact]
    public void ConstantGenesAreUndefinedAndRankedLast()
    {
        var genes = Fixtures.GeneStack("moran").Take(2).ToList();
        genes.Add(Fixtures.Raster("empty", genes[0].Width, genes[0].Height, new float[genes[0].Width * genes[0].Height]));
        var result = SpatialAutocorrelation.Compute(genes, 1.5);
        Assert.Equal("empty", result[^1].Gene);
        Assert.True(double.IsNaN(result[^1].MoranI));
        Assert.True(double.IsNaN(result[^1].QValue));
    }
}
