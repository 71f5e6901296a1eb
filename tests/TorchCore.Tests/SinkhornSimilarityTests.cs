using System.Text.Json.Nodes;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;
using Xunit;
using Xunit.Abstractions;
using static SpatialSim.TorchCore.Tests.Fixtures;

namespace SpatialSim.TorchCore.Tests;

/// <summary>The debiased Sinkhorn divergence against POT (tests/reference/make_sinkhorn_fixtures.py) and exact shifts.</summary>
public class SinkhornSimilarityTests
{
    private readonly ITestOutputHelper _output;
    public SinkhornSimilarityTests(ITestOutputHelper output) => _output = output;

    private static readonly SinkhornOptions Tight = new() { Tolerance = 1e-9, MaxIterations = 100000 };

    private static JsonNode Reference(string file) =>
        JsonNode.Parse(File.ReadAllText(Fixtures.PathOf("sinkhorn", "reference.json")))![file]!;

    private static double Distance(SimilarityScore s) => s.Details!["Distance"];

    [Theory]
    [InlineData("maps32.npy")]
    [InlineData("maps64.npy")]
    [InlineData("sparse32.npy")]
    public void DefaultEpsilonIsWithinTwoPercentOfExactW2(string file)
    {
        using var maps = Fixtures.Owned(GeneStack("sinkhorn", file));
        double emd2 = (double)Reference(file)["emd2"]!;
        var s = SinkhornSimilarity.Compare(maps[0], maps[1], new SinkhornOptions());
        double relative = Math.Abs(Distance(s) - emd2) / emd2;
        _output.WriteLine($"{file}: Sinkhorn {Distance(s):f4} px² (ε {s.Details!["Epsilon"]}, {s.Details["Iterations"]} iterations), emd2 {emd2:f4}: {relative:P3}");
        Assert.Equal(1.0, s.Details["Epsilon"]);
        Assert.True(relative < 0.02, $"{file}: {Distance(s)} vs emd2 {emd2} ({relative:P2})");
        Assert.Equal(-Distance(s), s.Score);
        Assert.Null(s.Note);
    }

    [Theory]
    [InlineData("maps32.npy")]
    [InlineData("sparse32.npy")]
    public void EntropicValuesMatchPotAtTheSameEpsilon(string file)
    {
        using var maps = Fixtures.Owned(GeneStack("sinkhorn", file));
        var reference = Reference(file);
        var options = Tight with { Epsilon = (double)reference["epsilon"]! };
        var pa = SinkhornSimilarity.Prepare(maps[0], options);
        var pb = SinkhornSimilarity.Prepare(maps[1], options);
        var s = SinkhornSimilarity.Compare(pa, pb);
        double ab = (double)reference["ot_eps_ab"]!, aa = (double)reference["ot_eps_aa"]!, bb = (double)reference["ot_eps_bb"]!;
        double divergence = (double)reference["divergence"]!;
        _output.WriteLine($"{file}: OT_ε {s.Details!["OT_ε"]:r} vs POT {ab:r}; self {2 * pa.SelfHalf:r} vs {aa:r}, {2 * pb.SelfHalf:r} vs {bb:r}; S {Distance(s):r} vs {divergence:r}");
        Assert.Equal(ab, s.Details["OT_ε"], 1e-6 * ab);
        Assert.Equal(aa, 2 * pa.SelfHalf, 1e-6 * Math.Abs(aa));
        Assert.Equal(bb, 2 * pb.SelfHalf, 1e-6 * Math.Abs(bb));
        Assert.Equal(divergence, Distance(s), 1e-6 * divergence);
    }

    /// <summary>
    /// Gene-like sparse counts on 128² (about 5% of pixels non-zero, blobs and a curved band): the multiscale solver runs
    /// on 128², 64², 32² and 16² levels, and the full-resolution result must still be the exact W2² within 2%, at the
    /// default ε (4 px²) and at the sharpest ε = 1 px², where plain Sinkhorn needs thousands of iterations.
    /// </summary>
    [Theory]
    [InlineData(0.0, 4.0)]
    [InlineData(1.0, 1.0)]
    public void SparseCountsOnAPyramidAreWithinTwoPercentOfExactW2(double epsilon, double expectedEpsilon)
    {
        using var maps = Fixtures.Owned(GeneStack("sinkhorn", "sparse128.npy"));
        double emd2 = (double)Reference("sparse128.npy")["emd2"]!;
        var s = SinkhornSimilarity.Compare(maps[0], maps[1], new SinkhornOptions { Epsilon = epsilon });
        double relative = Math.Abs(Distance(s) - emd2) / emd2;
        _output.WriteLine($"sparse128: Sinkhorn {Distance(s):f4} px² (ε {s.Details!["Epsilon"]}, {s.Details["Iterations"]} iterations, " +
                          $"marginal error {s.Details["Marginal error"]:g3}), emd2 {emd2:f4}: {relative:P3}");
        Assert.Equal(expectedEpsilon, s.Details["Epsilon"]);
        Assert.Null(s.Note);
        Assert.True(s.Details["Marginal error"] < SinkhornOptions.DefaultTolerance);
        Assert.True(relative < 0.02, $"{Distance(s)} vs emd2 {emd2} ({relative:P2})");
    }

    /// <summary>An odd, non-square canvas (45 rows × 67 columns; levels 45×67 and 23×34): the pooled levels' uneven last rows and columns only move the start.</summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void ShiftOnAnOddNonSquareCanvasIsTheSquaredShift(double epsilon)
    {
        using var a = GaussianBlob("a", 67, 45, 20, 30, 3);
        using var b = GaussianBlob("b", 67, 45, 23, 34, 3);
        var s = SinkhornSimilarity.Compare(a, b, Tight with { Epsilon = epsilon });
        _output.WriteLine($"67×45, ε {s.Details!["Epsilon"]}: S = {Distance(s):r} after {s.Details["Iterations"]} iterations");
        Assert.Equal(25.0, Distance(s), 1e-4);
    }

    /// <summary>A map and its copy moved by (3, 4) pixels: for the squared cost, OT_ε(a, τa) = OT_ε(a, a) + |v|² for every ε, so S_ε = 25.</summary>
    [Theory]
    [InlineData(1.0)]
    [InlineData(0.0)]
    [InlineData(9.0)]
    public void ShiftedBlobIsTheSquaredShift(double epsilon)
    {
        using var a = GaussianBlob("a", 48, 48, 20, 20, 3, pixelSize: 0.5);
        using var b = GaussianBlob("b", 48, 48, 23, 24, 3, pixelSize: 0.5);
        var s = SinkhornSimilarity.Compare(a, b, Tight with { Epsilon = epsilon });
        _output.WriteLine($"ε {s.Details!["Epsilon"]}: S = {Distance(s):r} after {s.Details["Iterations"]} iterations");
        Assert.Equal(25.0, Distance(s), 1e-5);
        Assert.Equal(25.0 * 0.25, s.Details["Distance units²"], 1e-5);
        Assert.True(s.Details["OT_ε"] > Distance(s), "OT_ε includes the entropic blur the debiasing removes");
    }

    [Fact]
    public void IdenticalIsExactlyZero_APowerOfTwoScalesExactly()
    {
        // Symmetry and scale invariance within float32 round-off are the contract's (MeasureContractTests); here exactness.
        using var maps = Owned(GeneStack("sinkhorn", "maps32.npy"));
        var a = maps[0];
        var b = maps[1];
        var self = SinkhornSimilarity.Compare(a, a, new SinkhornOptions());
        Assert.Equal(0.0, self.Score);
        Assert.Equal(0.0, Distance(self));
        var ab = SinkhornSimilarity.Compare(a, b, Tight);
        // A power of two scales exactly in float: the normalised masses are the same bits.
        using var a4 = Scaled(a, 4f);
        using var aQuarter = Scaled(a, 0.25f);
        Assert.Equal(ab.Score, SinkhornSimilarity.Compare(a4, b, Tight).Score);
        Assert.Equal(0.0, SinkhornSimilarity.Compare(a, aQuarter, Tight).Score);
    }

    [Fact]
    public void NegativeCountsAreAnError()
    {
        // Empty and constant genes are the contract's (MeasureContractTests).
        using var maps = Owned(GeneStack("sinkhorn", "maps32.npy"));
        var a = maps[0];
        using var negative = Raster("Negative", 32, 32, Enumerable.Range(0, 32 * 32).Select(i => i % 7 - 1f).ToArray(), allowNegative: true);
        var e = Assert.Throws<SpatialSimException>(() => SinkhornSimilarity.Compare(a, negative, new SinkhornOptions()));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
    }

    [Fact]
    public void RunsOn512SquaredMaps()
    {
        // A dense cost matrix of 512² pixels would hold 6.9e10 entries (550 GB in float64); the convolutional solver needs a few MB.
        using var a = GaussianBlob("a", 512, 512, 240, 250, 12);
        using var b = GaussianBlob("b", 512, 512, 243, 254, 12);
        var s = SinkhornSimilarity.Compare(a, b, new SinkhornOptions());
        _output.WriteLine($"512²: S = {Distance(s):r} px² at ε {s.Details!["Epsilon"]} after {s.Details["Iterations"]} iterations");
        Assert.Equal(64.0, s.Details["Epsilon"]);
        Assert.Null(s.Note);
        Assert.Equal(25.0, Distance(s), 0.25);
    }

    [Fact]
    public void AllPairsAgreesWithPairByPair()
    {
        var genes = GeneStack("sinkhorn", "maps32.npy").Concat(GeneStack("sinkhorn", "sparse32.npy"))
            .Select((g, i) => Raster($"g{i}", 32, 32, g.ToArray())).Append(Constant("Empty", 32, 32, 0f)).ToList();
        var options = new SimilarityOptions();
        var all = AllPairsSimilarity.Compute(genes, SimilarityMethod.Sinkhorn, options);
        for (int i = 0; i < genes.Count; i++)
            for (int j = 0; j < genes.Count; j++)
            {
                double pair = SimilarityMeasures.Compare(SimilarityMethod.Sinkhorn, genes[i], genes[j], options).Score;
                if (i == j && !double.IsNaN(pair)) Assert.Equal(0.0, all[i, j]);
                else if (i < j) Assert.Equal(pair, all[i, j]);
                else Assert.Equal(all[j, i], all[i, j]);
                Assert.Equal(double.IsNaN(pair), double.IsNaN(all[i, j]));
            }
        Assert.True(double.IsNaN(all[0, genes.Count - 1]));
    }

    [Fact]
    public void RefusesMaskAndPyramid()
    {
        using var maps = Fixtures.Owned(GeneStack("sinkhorn", "maps32.npy"));
        using var mask = Constant("mask", 32, 32, 1f);
        foreach (var options in new[] { new SimilarityOptions { Mask = mask }, new SimilarityOptions { Pyramid = 2 } })
        {
            var e = Assert.Throws<SpatialSimException>(() => SimilarityMeasures.Compare(SimilarityMethod.Sinkhorn, maps[0], maps[1], options));
            Assert.Equal(ErrorKind.NotSupported, e.Kind);
            Assert.Contains(options.Mask is null ? "-Pyramid" : "-Mask", e.Message);
            Assert.Throws<SpatialSimException>(() => AllPairsSimilarity.Compute(maps, SimilarityMethod.Sinkhorn, options));
        }
        Assert.Throws<SpatialSimException>(() => SinkhornSimilarity.Compare(maps[0], maps[1], new SinkhornOptions { Epsilon = -1 }));
    }

    private static GeneRaster GaussianBlob(string gene, int width, int height, double cy, double cx, double sigma, double pixelSize = 1.0)
    {
        var pixels = new float[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                pixels[y * width + x] = (float)(100 * Math.Exp(-((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (2 * sigma * sigma)));
        return GeneRaster.FromPlane(new RasterPlane(gene, width, height, pixels, "test") { PixelSize = pixelSize }, 1, ComputeDevice.Cpu);
    }
}
