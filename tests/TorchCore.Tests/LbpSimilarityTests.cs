using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>LBP codes against scikit-image and the tiled LBP similarity against tests/reference/make_lbp_fixtures.py.</summary>
public class LbpSimilarityTests
{
    private static readonly (int P, double R)[] CodeConfigs = { (8, 1.0), (16, 2.0), (24, 8.0) };
    private static readonly LbpMethod[] CodeMethods = { LbpMethod.Default, LbpMethod.Ror, LbpMethod.Uniform, LbpMethod.Var };

    // Must match SIMILARITY in make_lbp_fixtures.py.
    private static readonly LbpOptions[] SimilaritySettings =
    {
        new(),
        new() { Points = 8, Radius = 1 },
        new() { Points = 16, Radius = 2, Tiles = 1, WeightByExpression = false },
        new() { Points = 8, Radius = 1, Method = LbpMethod.Ror, Tiles = 2 },
        new() { Points = 8, Radius = 2, Method = LbpMethod.Default, Tiles = 3 },
        new() { Points = 8, Radius = 2, Method = LbpMethod.Var },
        new() { Points = 12, Radius = 3, Method = LbpMethod.Var, Tiles = 2, VarBins = 8, WeightByExpression = false },
    };

    private static GeneRaster Raster(string name, int w, int h, float[] pixels) => Fixtures.Raster(name, w, h, pixels);

    private static List<GeneRaster> Genes() => Fixtures.GeneStack("lbp");

    private static GeneRaster Transformed(GeneRaster g, string name, Func<int, int, float[], float> value) => Fixtures.Transformed(g, name, value);

    public static IEnumerable<object[]> CodeCases() =>
        from k in Enumerable.Range(0, 3) from m in Enumerable.Range(0, 4) select new object[] { k, m };

    [Theory]
    [MemberData(nameof(CodeCases))]
    public void CodesEqualScikitImage(int config, int method)
    {
        var image = Fixtures.Npy("lbp", "codes_image.npy");
        var expected = Fixtures.Npy("lbp", "codes.npy");
        int h = image.Shape[0], w = image.Shape[1];
        var (p, r) = CodeConfigs[config];
        var m = CodeMethods[method];
        var codes = LocalBinaryPattern.Compute(image.Data, w, h, p, r, m);
        var reference = expected.Data.AsSpan((config * 4 + method) * h * w, h * w);
        for (int i = 0; i < codes.Length; i++)
        {
            if (m == LbpMethod.Var)
            {
                Assert.True(double.IsNaN(codes[i]) == float.IsNaN(reference[i]), $"pixel {i}: {codes[i]} vs {reference[i]}");
                if (!double.IsNaN(codes[i]))
                    Assert.True(Math.Abs(codes[i] - reference[i]) <= 1e-6 * Math.Abs(reference[i]), $"pixel {i}: {codes[i]} vs {reference[i]}");
            }
            else
                Assert.True((float)codes[i] == reference[i], $"P={p} R={r} {m}, row {i / w}, column {i % w}: {codes[i]} vs scikit-image {reference[i]}");
        }
    }

    [Fact]
    public void SamplingFollowsScikitImageConventions()
    {
        // Row offset first, rows growing down: point 0 is right of the centre, point P/4 above it; 5 decimals.
        var (rows, cols) = LocalBinaryPattern.SamplingOffsets(4, 1);
        Assert.Equal(new[] { 0.0, -1, 0, 1 }, rows);
        Assert.Equal(new[] { 1.0, 0, -1, 0 }, cols);
        var (rows8, cols8) = LocalBinaryPattern.SamplingOffsets(8, 1);
        Assert.Equal(-0.70711, rows8[1]);
        Assert.Equal(0.70711, cols8[1]);
        // Centre 0.5 with a brighter pixel above it: only sample 1 (above) is ≥ the centre, so the 'default' code is 2¹.
        var img = new float[5 * 5];
        img[2 * 5 + 2] = 0.5f;
        img[1 * 5 + 2] = 1f;
        Assert.Equal(2.0, LocalBinaryPattern.Compute(img, 5, 5, 4, 1, LbpMethod.Default)[2 * 5 + 2]);
        img[1 * 5 + 2] = 0;
        img[2 * 5 + 3] = 1f; // to the right: sample 0
        Assert.Equal(1.0, LocalBinaryPattern.Compute(img, 5, 5, 4, 1, LbpMethod.Default)[2 * 5 + 2]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void ScoresMatchReference(int setting)
    {
        using var genes = Fixtures.Owned(Genes());
        var expected = Fixtures.Npy("lbp", "similarity.npy");
        int n = genes.Count;
        var options = SimilaritySettings[setting];
        var descriptors = genes.Select(g => LbpSimilarity.Prepare(g, options)).ToList();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double reference = expected.Data[(setting * n + i) * n + j];
                double score = LbpSimilarity.Compare(descriptors[i], descriptors[j], options).Score;
                Assert.True(Math.Abs(score - reference) <= 1e-6, $"setting {setting}, genes {i}×{j}: {score} vs {reference}");
            }
        Assert.Equal(expected.Data[(setting * n + 0) * n + 3], LbpSimilarity.Compare(genes[0], genes[3], options).Score, 1e-6);
    }

    [Fact]
    public void DescriptorLayout()
    {
        using var genes = Fixtures.Owned(Genes());
        var options = new LbpOptions();
        var d = LbpSimilarity.Prepare(genes[3], options);
        Assert.Null(d.Undefined);
        Assert.Equal(26, d.Bins);
        Assert.Equal(16 * 26, d.Histograms.Length);
        Assert.Equal(1.0, d.Weights.Sum(w => (double)w), 1e-6);
        for (int t = 0; t < 16; t++)
        {
            double sum = d.Histograms.AsSpan(t * 26, 26).ToArray().Sum(v => (double)v);
            Assert.True(Math.Abs(sum - 1) < 1e-5 || sum == 0, $"tile {t} sums to {sum}");
        }
        Assert.Equal(36, LbpSimilarity.BinCount(new LbpOptions { Points = 8, Method = LbpMethod.Ror })); // necklaces of 8 bits
        Assert.Equal(52488, LbpSimilarity.NecklaceCount(20));
    }

    [Fact]
    public void SharedEmptyBackgroundDoesNotMakeGenesAlike()
    {
        // Two small blobs in opposite corners of a large empty canvas: no tile has texture of both.
        int w = 96, h = 96;
        float Blob(int y, int x, int cy, int cx) => (float)Math.Round(5 * Math.Exp(-((y - cy) * (y - cy) + (x - cx) * (x - cx)) / 18.0));
        using var a = Raster("a", w, h, Enumerable.Range(0, w * h).Select(i => Blob(i / w, i % w, 12, 12)).ToArray());
        using var b = Raster("b", w, h, Enumerable.Range(0, w * h).Select(i => Blob(i / w, i % w, 84, 84)).ToArray());
        Assert.Equal(0.0, LbpSimilarity.Compare(a, b, new LbpOptions()).Score);
        // Whole-map histograms (1 tile) see the same blob texture: high, but the background did not enter them.
        Assert.True(LbpSimilarity.Compare(a, b, new LbpOptions { Tiles = 1 }).Score > 0.99);
    }


    [Fact]
    public void ClearErrorsForBadInput()
    {
        using var genes = Fixtures.Owned(Genes());
        using var small = Raster("small", 10, 12, new float[120]);
        var e = Assert.Throws<SpatialSimException>(() => LbpSimilarity.Compare(genes[0], small, new LbpOptions()));
        Assert.Equal(ErrorKind.Mismatch, e.Kind);
        Assert.Contains("'small'", e.Message);
        Assert.Contains("'g0'", e.Message);
        e = Assert.Throws<SpatialSimException>(() => LbpSimilarity.Compare(genes[0], genes[1], new LbpOptions { Method = LbpMethod.Default }));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("16 points or fewer", e.Message);
        e = Assert.Throws<SpatialSimException>(() => LbpSimilarity.Compare(genes[0], genes[1], new LbpOptions { Radius = 0 }));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        e = Assert.Throws<SpatialSimException>(() => LbpSimilarity.Compare(genes[0], genes[1], new LbpOptions { Points = 32 }));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
    }
}
