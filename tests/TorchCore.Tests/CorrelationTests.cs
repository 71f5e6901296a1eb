using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Pearson, smoothed Pearson and the Gram-matrix path against numpy/scipy (tests/reference/make_correlation_fixtures.py).</summary>
public class CorrelationTests
{
    private static List<GeneRaster> Genes()
    {
        var stack = Fixtures.Npy("correlation", "genes.npy");
        int n = stack.Shape[0], h = stack.Shape[1], w = stack.Shape[2];
        var list = new List<GeneRaster>();
        for (int g = 0; g < n; g++)
        {
            var pixels = stack.Data.AsSpan(g * h * w, h * w).ToArray();
            list.Add(GeneRaster.FromPlane(new RasterPlane($"g{g}", w, h, pixels, "fixture"), 1, ComputeDevice.Cpu));
        }
        return list;
    }

    [Fact]
    public void PairwisePearsonMatchesNumpyCorrcoef()
    {
        using var genes = Fixtures.Owned(Genes());
        var expected = Fixtures.Matrix("correlation", "pearson.npy");
        for (int i = 0; i < genes.Count; i++)
            for (int j = 0; j < genes.Count; j++)
                Assert.Equal(expected[i, j], PearsonSimilarity.Compare(genes[i], genes[j]).Score, 1e-6); // fixtures are read as float32
    }

    [Fact]
    public void PairwiseSmoothedPearsonMatchesScipy()
    {
        using var genes = Fixtures.Owned(Genes());
        var expected = Fixtures.Matrix("correlation", "smoothed_pearson_sigma2.npy");
        for (int i = 0; i < genes.Count; i++)
            for (int j = i; j < genes.Count; j++)
                Assert.Equal(expected[i, j], SmoothedPearsonSimilarity.Compare(genes[i], genes[j], 2.0).Score, 1e-5);
    }

    [Theory]
    [InlineData(0.0, "pearson.npy")]
    [InlineData(2.0, "smoothed_pearson_sigma2.npy")]
    public void GramMatrixMatchesReference(double sigma, string fixture)
    {
        using var genes = Fixtures.Owned(Genes());
        var expected = Fixtures.Matrix("correlation", fixture);
        var gram = CorrelationGram.Compute(genes, sigma);
        for (int i = 0; i < genes.Count; i++)
            for (int j = 0; j < genes.Count; j++)
                Assert.Equal(expected[i, j], gram[i, j], 1e-5);
    }


    [Fact]
    public void ConstantGeneIsUndefinedNotZeroInTheGram()
    {
        // Pair by pair this is the contract's (MeasureContractTests); here the all-pairs Gram matrix.
        using var genes = Fixtures.Owned(Genes());
        using var zero = GeneRaster.FromPlane(new RasterPlane("zero", genes[0].Width, genes[0].Height, new float[genes[0].Width * genes[0].Height], "x"), 1, ComputeDevice.Cpu);
        var gram = CorrelationGram.Compute(new[] { genes[0], genes[1], zero }, 1.0);
        Assert.True(double.IsNaN(gram[0, 2]) && double.IsNaN(gram[2, 1]) && double.IsNaN(gram[2, 2]));
        Assert.False(double.IsNaN(gram[0, 1]));
    }

    [Fact]
    public void RankingPutsBestFirstAndNaNLast()
    {
        var genes = new[] { "a", "b", "c", "d" };
        var s = new double[4, 4];
        void Set(int i, int j, double v) { s[i, j] = v; s[j, i] = v; }
        Set(0, 1, 0.2); Set(0, 2, 0.9); Set(0, 3, double.NaN); Set(1, 2, -0.5); Set(1, 3, 0.4); Set(2, 3, 0.4);
        var ranked = PairRanking.Rank(genes, s, "Pearson", "");
        Assert.Equal(new[] { "a-c", "b-d", "c-d", "a-b", "b-c", "a-d" }, ranked.Select(p => $"{p.GeneA}-{p.GeneB}"));
        Assert.Equal(Enumerable.Range(1, 6), ranked.Select(p => p.Rank));
        var partners = PairRanking.Rank(genes, s, "Pearson", "", top: 2, onlyGene: "d");
        Assert.Equal(new[] { "d-b", "d-c" }, partners.Select(p => $"{p.GeneA}-{p.GeneB}"));
        var e = Assert.Throws<SpatialSimException>(() => PairRanking.Rank(genes, s, "Pearson", "", onlyGene: "zz"));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public void NaNPixelsAreAClearError()
    {
        var e = Assert.Throws<SpatialSimException>(() =>
            GeneRaster.FromPlane(new RasterPlane("bad", 3, 2, new[] { 0f, 1f, 2f, 3f, float.NaN, 5f }, "file.npy"), 1, ComputeDevice.Cpu));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("row 1, column 1", e.Message);
        Assert.Contains("'bad'", e.Message);
    }
}
