using SpatialSim.TorchCore.Output;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

public class SimilarityMatrixTests
{
    private static RankedPair Pair(string a, string b, double s, string method = "Pearson", string parameters = "") =>
        new() { GeneA = a, GeneB = b, Score = s, Method = method, Parameters = parameters };

    [Fact]
    public void RebuildsTheSymmetricMatrixInFirstAppearanceOrder()
    {
        var m = SimilarityMatrix.FromPairs(new[] { Pair("b", "c", 0.7), Pair("a", "b", 0.2), Pair("c", "a", -0.3) });
        Assert.Equal(new[] { "b", "c", "a" }, m.Genes);
        Assert.Equal(0.7, m.Scores[0, 1]);
        Assert.Equal(0.7, m.Scores[1, 0]);
        Assert.Equal(-0.3, m.Scores[2, 1]);
        Assert.Equal(1.0, m.Scores[2, 2]);
        Assert.Empty(m.MissingPairs);
    }

    [Fact]
    public void MissingPairsAreNaNAndListed()
    {
        var m = SimilarityMatrix.FromPairs(new[] { Pair("a", "b", 0.7), Pair("a", "c", 0.1) });
        Assert.True(double.IsNaN(m.Scores[1, 2]));
        Assert.Equal(("b", "c"), Assert.Single(m.MissingPairs));
        Assert.Contains("b–c", m.DescribeMissing());
    }

    [Fact]
    public void DiagonalIsNaNWhereTheSelfScoreIsNotDefined()
    {
        var m = SimilarityMatrix.FromPairs(new[] { Pair("a", "b", 0.4, "LeeL"), Pair("a", "c", 0.1, "LeeL"), Pair("b", "c", 0.2, "LeeL") });
        Assert.True(double.IsNaN(m.Scores[0, 0]));
    }

    [Fact]
    public void RefusesMixedMeasuresAndConflictingDuplicates()
    {
        var mixed = Assert.Throws<SpatialSimException>(() => SimilarityMatrix.FromPairs(new[] { Pair("a", "b", 0.4), Pair("a", "c", 0.1, "Spearman") }));
        Assert.Equal(ErrorKind.Mismatch, mixed.Kind);
        var sigma = Assert.Throws<SpatialSimException>(() => SimilarityMatrix.FromPairs(new[] { Pair("a", "b", 0.4, "SmoothedPearson", "σ=1"), Pair("a", "c", 0.1, "SmoothedPearson", "σ=2") }));
        Assert.Contains("σ=2", sigma.Message);
        var dup = Assert.Throws<SpatialSimException>(() => SimilarityMatrix.FromPairs(new[] { Pair("a", "b", 0.4), Pair("b", "a", 0.5) }));
        Assert.Contains("twice", dup.Message);
        Assert.Equal(2, SimilarityMatrix.FromPairs(new[] { Pair("a", "b", 0.4), Pair("b", "a", 0.4) }).Count);
    }

    [Fact]
    public void NpyIsFloat64WithAGeneList()
    {
        var dir = Directory.CreateTempSubdirectory("simmatrix");
        try
        {
            string path = Path.Combine(dir.FullName, "m.npy");
            var m = SimilarityMatrix.FromPairs(new[] { Pair("g1", "g2", 0.123456789012345), Pair("g1", "g3", double.NaN), Pair("g2", "g3", -1) });
            m.WriteNpy(path, overwrite: false);
            var bytes = File.ReadAllBytes(path);
            int headerLength = BitConverter.ToUInt16(bytes, 8);
            Assert.Equal(0, (10 + headerLength) % 64);
            Assert.Contains("'descr': '<f8'", System.Text.Encoding.ASCII.GetString(bytes, 10, headerLength));
            var (shape, data) = Float64Npy.Read(path);
            Assert.Equal(new[] { 3, 3 }, shape);
            Assert.Equal(0.123456789012345, data[1]);
            Assert.Equal(0.123456789012345, data[3]);
            Assert.True(double.IsNaN(data[2]));
            Assert.Equal(-1, data[5]);
            Assert.Equal(new[] { "g1", "g2", "g3" }, File.ReadAllLines(Path.Combine(dir.FullName, "m.genes.txt")));
            Assert.Throws<SpatialSimException>(() => m.WriteNpy(path, overwrite: false));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void CsvQuotesNamesThatNeedIt()
    {
        var dir = Directory.CreateTempSubdirectory("simmatrix");
        try
        {
            string path = Path.Combine(dir.FullName, "m.csv");
            SimilarityMatrix.FromPairs(new[] { Pair("a,b", "c", 0.5) }).WriteText(path, ',', overwrite: false);
            var lines = File.ReadAllLines(path);
            Assert.Equal("Gene,\"a,b\",c", lines[0]);
            Assert.Equal("\"a,b\",1,0.5", lines[1]);
        }
        finally { dir.Delete(true); }
    }
}
