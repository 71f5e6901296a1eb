using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// SSIM against scikit-image 0.19 structural_similarity and our numpy references for the structure and cs terms
/// (tests/reference/make_ssim_fixtures.py). Genes: 0-1 one blob pattern at two rates, 2 it shifted, 3 a thin arc,
/// 4 arc + blob, 5 a lone dot on an empty background, 6 a dense noisy gradient.
/// </summary>
public class SsimSimilarityTests
{
    private const double Tolerance = 1e-5;

    internal static GeneRaster Raster(string gene, float[] pixels, int width, int height, bool allowNegative = false) =>
        GeneRaster.FromPlane(new RasterPlane(gene, width, height, pixels, "test"), 1, ComputeDevice.Cpu, allowNegative);

    internal static List<GeneRaster> Genes()
    {
        var stack = Fixtures.Npy("ssim", "genes.npy");
        int n = stack.Shape[0], h = stack.Shape[1], w = stack.Shape[2];
        return Enumerable.Range(0, n)
            .Select(g => Raster($"g{g}", stack.Data.Skip(g * h * w).Take(h * w).Select(v => (float)v).ToArray(), w, h))
            .ToList();
    }

    /// <summary>np.roll: pixel (y, x) moves to ((y + dy) mod h, (x + dx) mod w).</summary>
    internal static GeneRaster Rolled(GeneRaster g, int dy, int dx, string name)
    {
        var src = g.ToArray();
        var dst = new float[src.Length];
        int w = g.Width, h = g.Height;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                dst[((y + dy) % h + h) % h * w + ((x + dx) % w + w) % w] = src[y * w + x];
        return Raster(name, dst, w, h);
    }

    internal static GeneRaster Scaled(GeneRaster g, float factor) => Raster(g.Gene + "×", g.ToArray().Select(v => v * factor).ToArray(), g.Width, g.Height);

    [Theory]
    [InlineData("ssim_full.npy", SsimComponent.Full, SsimNormalization.Max)]
    [InlineData("ssim_meanstd.npy", SsimComponent.Full, SsimNormalization.MeanStd)]
    [InlineData("ssim_structure.npy", SsimComponent.Structure, SsimNormalization.Max)]
    [InlineData("ssim_cs.npy", SsimComponent.ContrastStructure, SsimNormalization.Max)]
    public void AllPairsMatchTheReference(string fixture, SsimComponent component, SsimNormalization normalization)
    {
        using var genes = Fixtures.Owned(Genes());
        var expected = Fixtures.Matrix("ssim", fixture);
        var options = new SsimOptions { Component = component, Normalization = normalization };
        for (int i = 0; i < genes.Count; i++)
            for (int j = 0; j < genes.Count; j++)
                Assert.Equal(expected[i, j], SsimSimilarity.Compare(genes[i], genes[j], options).Score, Tolerance);
    }

    [Theory]
    [InlineData(SsimComponent.Full, SsimNormalization.Max, "ssim_full.npy")]
    [InlineData(SsimComponent.Structure, SsimNormalization.Max, "ssim_structure.npy")]
    [InlineData(SsimComponent.Full, SsimNormalization.MeanStd, "ssim_meanstd.npy")]
    public void TorchPathForCudaMatchesTheReference(SsimComponent component, SsimNormalization normalization, string fixture)
    {
        using var genes = Fixtures.Owned(Genes());
        var expected = Fixtures.Matrix("ssim", fixture);
        var options = new SsimOptions { Component = component, Normalization = normalization };
        using var stats = Fixtures.Owned(genes.Select(g => SsimSimilarity.PrepareOn(g, options, useTorch: true)));
        for (int i = 0; i < genes.Count; i++)
            for (int j = 0; j < genes.Count; j++)
                Assert.Equal(expected[i, j], SsimSimilarity.Compare(stats[i], stats[j]).Score, Tolerance);
    }

    [Fact]
    public void PreparedStatisticsGiveTheSameScoresAsRasters()
    {
        using var genes = Fixtures.Owned(Genes());
        var options = new SsimOptions();
        using var stats = Fixtures.Owned(genes.Select(g => SsimSimilarity.Prepare(g, options)));
        for (int i = 0; i < genes.Count; i++)
            for (int j = 0; j < genes.Count; j++)
                Assert.Equal(SsimSimilarity.Compare(genes[i], genes[j], options).Score, SsimSimilarity.Compare(stats[i], stats[j]).Score, 9);
    }

    [Fact]
    public void TheStructureTermOrdersShiftedAndUnrelatedDensePatterns()
    {
        // The ordering on the contract's maps is in MeasureContractTests, for each normalisation and term.
        // The structure term only discriminates where both maps vary locally: smooth dense patterns.
        using var dense = Pattern("dense", (y, x) => 10 + 5 * Math.Sin(x / 3.0) * Math.Cos(y / 4.0));
        using var denseShifted = Rolled(dense, 1, 1, "dense shifted");
        using var denseOther = Pattern("other", (y, x) => 10 + 5 * Math.Sin(y / 2.5 + x / 7.0 + 1));
        var structure = new SsimOptions { Component = SsimComponent.Structure };
        double dShift = SsimSimilarity.Compare(dense, denseShifted, structure).Score;
        double dUnrelated = SsimSimilarity.Compare(dense, denseOther, structure).Score;
        Assert.True(1.0 > dShift && dShift > dUnrelated, $"structure: shifted {dShift}, unrelated {dUnrelated}");
    }

    private static GeneRaster Pattern(string gene, Func<int, int, double> f, int width = 48, int height = 64) =>
        Raster(gene, Enumerable.Range(0, width * height).Select(i => (float)f(i / width, i % width)).ToArray(), width, height);

    /// <summary>Where SSIM misleads: a lone dot on an empty canvas vs. a blob elsewhere shares only background.</summary>
    [Fact]
    public void StructureVersusFullOnSparseMaps()
    {
        using var genes = Fixtures.Owned(Genes());
        var full = SsimSimilarity.Compare(genes[0], genes[5], new SsimOptions()).Score;
        var structure = SsimSimilarity.Compare(genes[0], genes[5], new SsimOptions { Component = SsimComponent.Structure }).Score;
        var cs = SsimSimilarity.Compare(genes[0], genes[5], new SsimOptions { Component = SsimComponent.ContrastStructure }).Score;
        var shifted = SsimSimilarity.Compare(genes[0], genes[2], new SsimOptions()).Score;
        // Full SSIM of unrelated sparse genes is as high as that of a shifted copy: shared empty background.
        Assert.True(full > 0.5 && full > shifted, $"full {full}, shifted {shifted}");
        // s = 1 wherever either map is flat, so the structure term alone is ~1 here: it does not cure the inflation.
        Assert.True(structure > 0.999, $"structure {structure}");
        Assert.True(cs < structure);
        // On dense maps the structure term is informative and below 1.
        var dense = SsimSimilarity.Compare(genes[6], genes[4], new SsimOptions { Component = SsimComponent.Structure }).Score;
        Assert.True(dense < 0.5, $"dense structure {dense}");
    }

    [Fact]
    public void ANonPositiveGeneIsUndefinedUnderMaxNormalisation_NamingIt()
    {
        // Empty and flat genes are the contract's (MeasureContractTests), for both normalisations.
        using var genes = Fixtures.Owned(Genes());
        int w = genes[0].Width, h = genes[0].Height;
        using var negative = Raster("neg", genes[0].ToArray().Select(v => -v - 1).ToArray(), w, h, allowNegative: true);
        var n = SsimSimilarity.Compare(genes[0], negative, new SsimOptions());
        Assert.True(double.IsNaN(n.Score));
        Assert.Contains("'neg'", n.Note);
        Assert.Contains("MeanStd", n.Note);
        Assert.False(double.IsNaN(SsimSimilarity.Compare(genes[0], negative, new SsimOptions { Normalization = SsimNormalization.MeanStd }).Score));
    }

    [Fact]
    public void BadInputsAreClearErrors()
    {
        using var genes = Fixtures.Owned(Genes());
        using var tiny = Raster("tiny", Enumerable.Range(0, 10 * 30).Select(i => (float)(i % 7)).ToArray(), 30, 10);
        var e = Assert.Throws<SpatialSimException>(() => SsimSimilarity.Compare(tiny, tiny, new SsimOptions()));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("'tiny'", e.Message);
        Assert.Contains("11×11", e.Message);

        using var other = Raster("other", new float[40 * 40], 40, 40);
        e = Assert.Throws<SpatialSimException>(() => SsimSimilarity.Compare(genes[0], other, new SsimOptions()));
        Assert.Equal(ErrorKind.Mismatch, e.Kind);
        Assert.Contains("'g0'", e.Message);
        Assert.Contains("'other'", e.Message);

        e = Assert.Throws<SpatialSimException>(() => SsimSimilarity.Compare(genes[0], genes[1], new SsimOptions { Sigma = 0 }));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);

        using var a = SsimSimilarity.Prepare(genes[0], new SsimOptions());
        using var b = SsimSimilarity.Prepare(genes[1], new SsimOptions { K2 = 0.05 });
        e = Assert.Throws<SpatialSimException>(() => SsimSimilarity.Compare(a, b));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public void WindowFollowsScikitImage()
    {
        Assert.Equal(5, SsimSimilarity.Radius(1.5));  // 11-tap window, 5 pixels cropped per border
        Assert.Equal(4, SsimSimilarity.Radius(1.0));
        Assert.Equal(11, SsimSimilarity.Radius(3.0));
    }
}
