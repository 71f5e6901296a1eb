using SpatialSim.TorchCore.Similarity;
using Xunit;
using Xunit.Abstractions;
using static SpatialSim.TorchCore.Tests.Fixtures;

namespace SpatialSim.TorchCore.Tests;

/// <summary>1 − JSD/ln 2 against scipy.spatial.distance.jensenshannon (tests/reference/make_jensenshannon_fixtures.py).</summary>
public class JensenShannonSimilarityTests
{
    private readonly ITestOutputHelper _output;
    public JensenShannonSimilarityTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(0.0, "score_sigma0.npy", 1e-9)]
    [InlineData(2.0, "score_sigma2.npy", 1e-6)] // the blurred maps are float32 in both scipy and our blur
    public void MatchesScipyJensenShannon(double sigma, string fixture, double tolerance)
    {
        using var genes = Fixtures.Owned(GeneStack("jensenshannon", "genes.npy"));
        var expected = Float64Npy.Matrix("jensenshannon", fixture);
        var options = new JensenShannonOptions { Sigma = sigma };
        double maxError = 0;
        for (int i = 0; i < genes.Count; i++)
            for (int j = 0; j < genes.Count; j++)
            {
                var s = JensenShannonSimilarity.Compare(genes[i], genes[j], options);
                maxError = Math.Max(maxError, Math.Abs(s.Score - expected[i, j]));
                Assert.Equal(expected[i, j], s.Score, tolerance);
                Assert.Equal(1 - s.Details!["Distance"] * s.Details["Distance"], s.Score, 12);
            }
        _output.WriteLine($"Jensen–Shannon σ={sigma}: max |error| vs scipy = {maxError:e2}");
    }

    [Fact]
    public void DisjointSupportsScoreZero()
    {
        using var genes = Owned(GeneStack("jensenshannon", "genes.npy"));
        Assert.Equal(0.0, JensenShannonSimilarity.Compare(genes[5], genes[6], new JensenShannonOptions()).Score, 14);
    }

    [Fact]
    public void ANegativePixelIsAnErrorNamingTheGene()
    {
        using var genes = Owned(GeneStack("jensenshannon", "genes.npy"));
        var g = genes[0];
        using var negative = Raster("signed", g.Width, g.Height, g.ToArray().Select((v, i) => i == 7 ? -1f : v).ToArray(), allowNegative: true);
        var e = Assert.Throws<SpatialSimException>(() => JensenShannonSimilarity.Compare(g, negative, new JensenShannonOptions()));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("'signed'", e.Message);
    }
}
