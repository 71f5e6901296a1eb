using SpatialSim.TorchCore.Similarity;
using Xunit;
using Xunit.Abstractions;
using static SpatialSim.TorchCore.Tests.SpatialStatsTestData;

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
        var genes = Stack("spearman", "genes.npy");
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
    public void SymmetricScaleInvariantIdenticalIsOne()
    {
        var genes = Stack("spearman", "genes.npy");
        Assert.Equal(SpearmanSimilarity.Compare(genes[1], genes[2], Options).Score, SpearmanSimilarity.Compare(genes[2], genes[1], Options).Score, 14);
        Assert.Equal(SpearmanSimilarity.Compare(genes[1], genes[3], Options).Score, SpearmanSimilarity.Compare(Scaled(genes[1], 37.5f), genes[3], Options).Score, 14);
        Assert.Equal(1.0, SpearmanSimilarity.Compare(genes[0], Scaled(genes[0], 37.5f), Options).Score, 14);
        Assert.Equal(1.0, SpearmanSimilarity.Compare(genes[6], genes[6], Options).Score, 14);
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

    [Fact]
    public void ConstantOrZeroGeneIsUndefinedWithNote()
    {
        var g = Stack("spearman", "genes.npy")[0];
        foreach (var bad in new[] { Constant("flat", g.Width, g.Height, 4), Constant("zero", g.Width, g.Height, 0) })
        {
            var s1 = SpearmanSimilarity.Compare(g, bad, Options);
            var s2 = SpearmanSimilarity.Compare(bad, g, Options);
            Assert.True(double.IsNaN(s1.Score) && double.IsNaN(s2.Score));
            Assert.Contains($"'{bad.Gene}'", s1.Note);
            Assert.Contains($"'{bad.Gene}'", s2.Note);
        }
        var e = Assert.Throws<SpatialSimException>(() => SpearmanSimilarity.Compare(g, Constant("small", 3, 3, 1), Options));
        Assert.Equal(ErrorKind.Mismatch, e.Kind);
    }
}
