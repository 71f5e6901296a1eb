using SpatialSim.TorchCore.Similarity;
using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static SpatialSim.TorchCore.Tests.Fixtures;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Lee's L and the shared spatial lag against R spdep (tests/reference/make_spatialstats_fixtures.py).</summary>
public class LeeLSimilarityTests
{
    private readonly ITestOutputHelper _output;
    public LeeLSimilarityTests(ITestOutputHelper output) => _output = output;

    internal static LeeLOptions OptionsFor(string weights) => weights switch
    {
        "queen" => new LeeLOptions { Weights = SpatialWeights.Queen },
        "rook" => new LeeLOptions { Weights = SpatialWeights.Rook },
        "gauss1" => new LeeLOptions { Weights = SpatialWeights.Gaussian, Sigma = 1 },
        "gauss2" => new LeeLOptions { Weights = SpatialWeights.Gaussian, Sigma = 2 },
        _ => throw new ArgumentException(weights),
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var grid in new[] { "12x10", "15x20" })
            foreach (var w in new[] { "queen", "rook", "gauss1", "gauss2" })
                data.Add(grid, w);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesSpdepLee(string grid, string weights)
    {
        using var genes = Fixtures.Owned(GeneStack("spatialstats", $"genes_{grid}.npy"));
        var expected = Float64Npy.Matrix("spatialstats", $"lee_{grid}_{weights}.npy");
        var options = OptionsFor(weights);
        double maxError = 0;
        for (int i = 0; i < genes.Count; i++)
            for (int j = 0; j < genes.Count; j++)
            {
                double l = LeeLSimilarity.Compare(genes[i], genes[j], options).Score;
                maxError = Math.Max(maxError, Math.Abs(l - expected[i, j]));
                Assert.Equal(expected[i, j], l, 1e-6);
            }
        _output.WriteLine($"Lee's L {grid} {weights}: max |error| vs spdep = {maxError:e2}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LagMatchesSpdepLagListw(string grid, string weights)
    {
        using var geneStack = Fixtures.Owned(GeneStack("spatialstats", $"genes_{grid}.npy"));
        var gene = geneStack[0];
        var (shape, expected) = Float64Npy.Read("spatialstats", $"lag_{grid}_{weights}.npy");
        Assert.Equal(new[] { gene.Height, gene.Width }, shape);
        var options = OptionsFor(weights);
        using var lag = SpatialLag.Lag(gene.Values, gene.Device, options.Weights, options.Sigma);
        var actual = lag.data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])),
                $"pixel {i / gene.Width},{i % gene.Width}: spdep {expected[i]}, ours {actual[i]}");
    }

    [Theory]
    [InlineData("12x10", "queen")]
    [InlineData("12x10", "rook")]
    [InlineData("15x20", "queen")]
    [InlineData("15x20", "rook")]
    public void TorchFallbackLagMatchesSpdep(string grid, string weights)
    {
        // The CUDA code path (shifted slices of the zero-padded map), run here on CPU tensors.
        using var geneStack = Fixtures.Owned(GeneStack("spatialstats", $"genes_{grid}.npy"));
        var gene = geneStack[0];
        var (_, expected) = Float64Npy.Read("spatialstats", $"lag_{grid}_{weights}.npy");
        using var scope = torch.NewDisposeScope();
        var actual = SpatialLag.TorchContiguityLag(gene.Values, weights == "queen").contiguous().data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"pixel {i}: spdep {expected[i]}, ours {actual[i]}");
    }

    [Theory]
    [InlineData(GaussianMethod.Direct)]
    [InlineData(GaussianMethod.Fft)]
    public void GaussianWeightsMatchSpdepWithEitherBlurMethod(GaussianMethod method)
    {
        using var genes = Fixtures.Owned(GeneStack("spatialstats", "genes_15x20.npy"));
        var expected = Float64Npy.Matrix("spatialstats", "lee_15x20_gauss2.npy");
        var options = new LeeLOptions { Weights = SpatialWeights.Gaussian, Sigma = 2, SmoothingMethod = method };
        for (int i = 0; i < genes.Count; i++)
            for (int j = i; j < genes.Count; j++)
                Assert.Equal(expected[i, j], LeeLSimilarity.Compare(genes[i], genes[j], options).Score, 1e-6);
    }

    [Theory]
    [InlineData("15x20", "queen")]
    [InlineData("12x10", "gauss2")]
    public void PreparedMapsGiveAllPairsAsOneGramMatrix(string grid, string weights)
    {
        using var genes = Fixtures.Owned(GeneStack("spatialstats", $"genes_{grid}.npy"));
        var expected = Float64Npy.Matrix("spatialstats", $"lee_{grid}_{weights}.npy");
        using var scope = torch.NewDisposeScope();
        var lags = genes.Select(g => LeeLSimilarity.Prepare(g, OptionsFor(weights)).LagZ.reshape(1, -1)).ToArray();
        var m = torch.cat(lags, 0).to(torch.float64);
        var gram = torch.mm(m, m.t()).data<double>().ToArray();
        for (int i = 0; i < genes.Count; i++)
            for (int j = 0; j < genes.Count; j++)
                Assert.Equal(expected[i, j], gram[i * genes.Count + j], 1e-6);
    }

    [Theory]
    [InlineData(SpatialWeights.Queen)]
    [InlineData(SpatialWeights.Rook)]
    [InlineData(SpatialWeights.Gaussian)]
    public void SelfScoreIsTheSpatialSmoothingScalar(SpatialWeights weights)
    {
        var o = new LeeLOptions { Weights = weights, Sigma = 1.5 };
        using var a = Blob("a", 40, 32, 14, 16, 4);
        var s = LeeLSimilarity.Compare(a, a, o);
        _output.WriteLine($"{weights}: L(a, a) = SSS {s.Score:f4}");
        Assert.Equal(s.Details!["SSS a"], s.Score, 12);
        Assert.Equal(s.Details["SSS a"], s.Details["SSS b"], 12);
        Assert.InRange(s.Score, 0.0, 1.0);
    }

    [Fact]
    public void ConstantOrZeroGeneIsPreparedAsNaNMapsWithNote()
    {
        // The scores are the contract's (MeasureContractTests); here the prepared maps, which the lag Gram path multiplies.
        using var flat = Constant("flat", 12, 10, 3);
        using var zero = Constant("zero", 12, 10, 0);
        foreach (var bad in new[] { flat, zero })
            foreach (var o in new[] { new LeeLOptions(), new LeeLOptions { Weights = SpatialWeights.Gaussian } })
            {
                using var prepared = LeeLSimilarity.Prepare(bad, o);
                Assert.True(torch.isnan(prepared.Z).all().item<bool>() && torch.isnan(prepared.LagZ).all().item<bool>());
                Assert.Contains($"'{bad.Gene}'", prepared.Undefined);
            }
    }

    [Fact]
    public void BadInputIsAClearError()
    {
        using var a = Constant("a", 5, 4, 1);
        using var b = Constant("b", 4, 5, 1);
        var e = Assert.Throws<SpatialSimException>(() => LeeLSimilarity.Compare(a, b, new LeeLOptions()));
        Assert.Equal(ErrorKind.Mismatch, e.Kind);
        Assert.Contains("'a'", e.Message);
        Assert.Contains("'b'", e.Message);
        using var g = Blob("g", 10, 8, 4, 4, 2);
        var e2 = Assert.Throws<SpatialSimException>(() => LeeLSimilarity.Compare(g, g, new LeeLOptions { Weights = SpatialWeights.Gaussian, Sigma = 0 }));
        Assert.Equal(ErrorKind.InvalidArgument, e2.Kind);
    }
}
