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
        var genes = GeneStack("spearman", "genes.npy");
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


    [Fact]
    public void ShiftedCopyScoresBetweenIdenticalAndUnrelated()
    {
        var a = Blob("a", 40, 32, 14, 16, 4);
        double self = SpearmanSimilarity.Compare(a, a, Options).Score;
        double near = SpearmanSimilarity.Compare(a, Blob("shifted", 40, 32, 15, 18, 4), Options).Score;
        double far = SpearmanSimilarity.Compare(a, Blob("unrelated", 40, 32, 26, 33, 3), Options).Score;
        _output.WriteLine($"self {self:f4} shifted {near:f4} unrelated {far:f4}");
        Assert.True(self > near && near > far, $"self {self}, shifted {near}, unrelated {far}");
    }

}
