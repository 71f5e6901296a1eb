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
        var genes = GeneStack("jensenshannon", "genes.npy");
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
    public void SymmetricScaleInvariantIdenticalIsOneDisjointIsZero()
    {
        var genes = GeneStack("jensenshannon", "genes.npy");
        // Smoothing runs in float32: the blur of 37.5·x is 37.5·blur(x) only to float32 round-off.
        foreach (var (o, digits) in new[] { (new JensenShannonOptions(), 12), (new JensenShannonOptions { Sigma = 1.5 }, 7) })
        {
            Assert.Equal(JensenShannonSimilarity.Compare(genes[0], genes[3], o).Score, JensenShannonSimilarity.Compare(genes[3], genes[0], o).Score, 14);
            Assert.Equal(JensenShannonSimilarity.Compare(genes[0], genes[3], o).Score, JensenShannonSimilarity.Compare(Scaled(genes[0], 37.5f), genes[3], o).Score, digits);
            Assert.Equal(1.0, JensenShannonSimilarity.Compare(genes[2], genes[2], o).Score, 14);
            Assert.Equal(1.0, JensenShannonSimilarity.Compare(genes[2], Scaled(genes[2], 37.5f), o).Score, digits);
        }
        Assert.Equal(0.0, JensenShannonSimilarity.Compare(genes[5], genes[6], new JensenShannonOptions()).Score, 14);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(2.0)]
    public void ShiftedCopyScoresBetweenIdenticalAndUnrelated(double sigma)
    {
        var o = new JensenShannonOptions { Sigma = sigma };
        var a = Blob("a", 40, 32, 14, 16, 4);
        double self = JensenShannonSimilarity.Compare(a, a, o).Score;
        double near = JensenShannonSimilarity.Compare(a, Blob("shifted", 40, 32, 15, 18, 4), o).Score;
        double far = JensenShannonSimilarity.Compare(a, Blob("unrelated", 40, 32, 26, 33, 3), o).Score;
        _output.WriteLine($"σ={sigma}: self {self:f4} shifted {near:f4} unrelated {far:f4}");
        Assert.True(self > near && near > far, $"self {self}, shifted {near}, unrelated {far}");
    }

    [Fact]
    public void ZeroOrConstantGeneIsUndefinedNegativeIsAnError()
    {
        var g = GeneStack("jensenshannon", "genes.npy")[0];
        foreach (var bad in new[] { Constant("flat", g.Width, g.Height, 4), Constant("zero", g.Width, g.Height, 0) })
        {
            var s1 = JensenShannonSimilarity.Compare(g, bad, new JensenShannonOptions());
            var s2 = JensenShannonSimilarity.Compare(bad, g, new JensenShannonOptions { Sigma = 2 });
            Assert.True(double.IsNaN(s1.Score) && double.IsNaN(s2.Score));
            Assert.Contains($"'{bad.Gene}'", s1.Note);
            Assert.Contains($"'{bad.Gene}'", s2.Note);
        }
        var negative = Raster("signed", g.Width, g.Height, g.ToArray().Select((v, i) => i == 7 ? -1f : v).ToArray(), allowNegative: true);
        var e = Assert.Throws<SpatialSimException>(() => JensenShannonSimilarity.Compare(g, negative, new JensenShannonOptions()));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("'signed'", e.Message);
        var e2 = Assert.Throws<SpatialSimException>(() => JensenShannonSimilarity.Compare(g, Constant("small", 3, 3, 1), new JensenShannonOptions()));
        Assert.Equal(ErrorKind.Mismatch, e2.Kind);
    }
}
