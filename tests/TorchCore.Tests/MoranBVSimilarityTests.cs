using SpatialSim.TorchCore.Similarity;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static SpatialSim.TorchCore.Tests.Fixtures;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Bivariate Moran's I against R spdep's moran_bv (tests/reference/make_spatialstats_fixtures.py).</summary>
public class MoranBVSimilarityTests
{
    private readonly ITestOutputHelper _output;
    public MoranBVSimilarityTests(ITestOutputHelper output) => _output = output;

    private static MoranBVOptions OptionsFor(string weights)
    {
        var l = LeeLSimilarityTests.OptionsFor(weights);
        return new MoranBVOptions { Weights = l.Weights, Sigma = l.Sigma };
    }

    public static TheoryData<string, string> Cases() => LeeLSimilarityTests.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesSpdepMoranBV(string grid, string weights)
    {
        using var genes = Fixtures.Owned(GeneStack("spatialstats", $"genes_{grid}.npy"));
        var expected = Float64Npy.Matrix("spatialstats", $"moranbv_{grid}_{weights}.npy");
        var options = OptionsFor(weights);
        double maxError = 0;
        for (int i = 0; i < genes.Count; i++)
            for (int j = 0; j < genes.Count; j++)
            {
                var s = MoranBVSimilarity.Compare(genes[i], genes[j], options);
                foreach (var (actual, reference) in new[] { (s.Details!["I_ab"], expected[i, j]), (s.Details!["I_ba"], expected[j, i]),
                                                             (s.Score, 0.5 * (expected[i, j] + expected[j, i])) })
                {
                    maxError = Math.Max(maxError, Math.Abs(actual - reference));
                    Assert.Equal(reference, actual, 1e-6);
                }
            }
        _output.WriteLine($"Moran BV {grid} {weights}: max |error| vs spdep = {maxError:e2}");
    }

    [Theory]
    [InlineData("15x20", "rook")]
    [InlineData("12x10", "gauss1")]
    public void PreparedMapsGiveAllPairsAsOneMatrixProduct(string grid, string weights)
    {
        using var genes = Fixtures.Owned(GeneStack("spatialstats", $"genes_{grid}.npy"));
        var expected = Float64Npy.Matrix("spatialstats", $"moranbv_{grid}_{weights}.npy");
        using var scope = torch.NewDisposeScope();
        var prepared = genes.Select(g => MoranBVSimilarity.Prepare(g, OptionsFor(weights))).ToArray();
        var z = torch.cat(prepared.Select(p => p.Z.reshape(1, -1)).ToArray(), 0).to(torch.float64);
        var lag = torch.cat(prepared.Select(p => p.LagZ.reshape(1, -1)).ToArray(), 0).to(torch.float64);
        var i = torch.mm(z, lag.t()).data<double>().ToArray();
        for (int a = 0; a < genes.Count; a++)
            for (int b = 0; b < genes.Count; b++)
                Assert.Equal(expected[a, b], i[a * genes.Count + b], 1e-6);
    }

    [Fact]
    public void DirectionsSwapWithTheGenesAreNotEqualAndScaleInvariant()
    {
        // The score's symmetry and scale invariance are the contract's (MeasureContractTests); here the two directions.
        using var genes = Owned(GeneStack("spatialstats", "genes_15x20.npy"));
        var o = new MoranBVOptions();
        var ab = MoranBVSimilarity.Compare(genes[0], genes[4], o);
        var ba = MoranBVSimilarity.Compare(genes[4], genes[0], o);
        Assert.Equal(ab.Details!["I_ab"], ba.Details!["I_ba"], 12);
        Assert.NotEqual(ab.Details!["I_ab"], ab.Details!["I_ba"], 6);
        using var scaled = Scaled(genes[0], 37.5f);
        var s = MoranBVSimilarity.Compare(scaled, genes[4], o);
        Assert.Equal(ab.Details!["I_ab"], s.Details!["I_ab"], 9);
        Assert.Equal(ab.Details!["I_ba"], s.Details!["I_ba"], 9);
    }

    [Fact]
    public void DifferentSizesAreAMismatch()
    {
        var e = Assert.Throws<SpatialSimException>(() =>
            MoranBVSimilarity.Compare(Constant("a", 5, 4, 1), Constant("b", 5, 5, 1), new MoranBVOptions()));
        Assert.Equal(ErrorKind.Mismatch, e.Kind);
    }
}
