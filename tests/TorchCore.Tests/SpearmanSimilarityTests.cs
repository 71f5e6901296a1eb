using SpatialSim.TorchCore.Similarity;
using Xunit;
using Xunit.Abstractions;
using static SpatialSim.TorchCore.Tests.Fixtures;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Spearman's rank correlation with average ranks for ties against scipy.stats.spearmanr (tests/reference/make_spearman_fixtures.py).</summary>
public class SpearmanSimilarityTests
{
    private readonly ITestOutputHelper _output;
    public SpearmanSimilarityTests(ITestOutputHelper output) => _output = output;

    private static readonly SpearmanOptions Options = new();

    [Fact]
    public void MatchesScipySpearmanrOnMapsWithManyTies()
    {
        using var genes = Fixtures.Owned(GeneStack("spearman", "genes.npy"));
        var expected = Float64Npy.Matrix("spearman", "spearman.npy");
        double maxError = 0;
        for (int i = 0; i < genes.Count; i++)
            for (int j = 0; j < genes.Count; j++)
            {
                double rho = SpearmanSimilarity.Compare(genes[i], genes[j], Options).Score;
                maxError = Math.Max(maxError, Math.Abs(rho - expected[i, j]));
                Assert.Equal(expected[i, j], rho, 1e-9);
            }
        _output.WriteLine($"Spearman: max |error| vs scipy = {maxError:e2}");
    }


}
