using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>DenseSift against the loop-based numpy descriptor (tests/reference/make_sift_fixtures.py) and analytic properties.</summary>
public class DenseSiftSimilarityTests
{
    private static readonly DenseSiftOptions Fixture = new() { BinSizes = new[] { 4, 6 }, Magnif = 6, Step = 4 };

    private static GeneRaster Raster(string name, int w, int h, float[] pixels) => Fixtures.Raster(name, w, h, pixels);

    private static List<GeneRaster> Genes() => Fixtures.GeneStack("sift");

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    public void DescriptorsMatchNumpyReference(int bin)
    {
        using var gStack = Fixtures.Owned(Genes());
        var g = gStack[0];
        var pixels = g.ToArray();
        float max = pixels.Max();
        var norm = pixels.Select(v => v / max).ToArray();
        var grid = FrameGrid.Create(g.Width, g.Height, 6, 4);
        var (desc, norms) = DenseSiftSimilarity.ComputeLayer(norm, g.Width, g.Height, bin, bin / 6.0, grid);
        var expD = Fixtures.Npy("sift", $"g0_desc_b{bin}.npy");
        var expN = Fixtures.Npy("sift", $"g0_norm_b{bin}.npy");
        Assert.Equal(grid.Count, expN.Shape[0]);
        Assert.Equal(expD.Data.Length, desc.Length);
        double maxErr = 0, maxNormRel = 0;
        for (int k = 0; k < desc.Length; k++) maxErr = Math.Max(maxErr, Math.Abs(desc[k] - expD.Data[k]));
        for (int f = 0; f < norms.Length; f++) maxNormRel = Math.Max(maxNormRel, Math.Abs(norms[f] - expN.Data[f]) / Math.Max(1e-6, expN.Data[f]));
        Assert.True(maxErr < 1e-4, $"max |descriptor error| = {maxErr}");
        Assert.True(maxNormRel < 1e-4, $"max relative norm error = {maxNormRel}");
    }

    [Fact]
    public void ScoresMatchNumpyReference()
    {
        using var genes = Fixtures.Owned(Genes());
        var expected = Fixtures.Matrix("sift", "scores_b4_6.npy");
        for (int i = 0; i < genes.Count; i++)
            for (int j = 0; j < genes.Count; j++)
                Assert.Equal(expected[i, j], DenseSiftSimilarity.Compare(genes[i], genes[j], Fixture).Score, 1e-4);
    }

    [Fact]
    public void GradientAlongXFillsBinZeroAnd45DegreesBinOne()
    {
        // A linear ramp has one gradient direction everywhere: along +x → bin 0; along the diagonal (45°, y down) → bin 1.
        int w = 12, h = 12;
        var rampX = new float[w * h];
        var rampD = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) { rampX[y * w + x] = x; rampD[y * w + x] = x + y; }
        var (bx, w0x, w1x) = DenseSiftSimilarity.OrientationEnergy(rampX, w, h);
        var (bd, w0d, w1d) = DenseSiftSimilarity.OrientationEnergy(rampD, w, h);
        for (int p = 0; p < w * h; p++)
        {
            Assert.Equal(0, bx[p]);
            Assert.Equal(1f, w0x[p], 6);
            Assert.Equal(0f, w1x[p], 6);
            // 45°: t = 1 exactly, or just below 1 (then the whole mass goes to the next bin) — either way bin 1 gets √2.
            double inBin1 = bd[p] == 1 ? w0d[p] : bd[p] == 0 ? w1d[p] : double.NaN;
            Assert.Equal(Math.Sqrt(2), inBin1, 5);
        }
    }

    [Fact]
    public void DescriptorOfRampIsConcentratedInOrientationBinZeroOfEveryCell()
    {
        int w = 40, h = 40;
        var ramp = new float[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) ramp[y * w + x] = x / (float)(w - 1);
        var grid = FrameGrid.Create(w, h, 10, 4); // margin of bin 10: bin-4 cells and the blur stay clear of the border
        var (desc, norms) = DenseSiftSimilarity.ComputeLayer(ramp, w, h, 4, 4 / 6.0, grid);
        for (int f = 0; f < grid.Count; f++)
        {
            Assert.True(norms[f] > 0);
            for (int k = 0; k < 128; k++)
                Assert.Equal(k % 8 == 0 ? 0.25f : 0f, desc[f * 128 + k], 4); // 16 equal cells, clamp inactive: 1/√16
        }
    }

    [Fact]
    public void RotatingGradientBy45DegreesMovesEnergyToNextBin()
    {
        int w = 40, h = 40;
        var a = new float[w * h];
        var b = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) { a[y * w + x] = x; b[y * w + x] = x + y; }
        var grid = FrameGrid.Create(w, h, 10, 4); // interior frames only (no zero padding, no reflected blur)
        var (da, _) = DenseSiftSimilarity.ComputeLayer(a, w, h, 4, 0.5, grid);
        var (db, _) = DenseSiftSimilarity.ComputeLayer(b, w, h, 4, 0.5, grid);
        for (int f = 0; f < grid.Count; f++)
            for (int c = 0; c < 16; c++)
                for (int o = 0; o < 8; o++)
                    Assert.Equal(da[f * 128 + c * 8 + o], db[f * 128 + c * 8 + (o + 1) % 8], 4);
    }

    [Fact]
    public void ConstantImageGivesZeroEnergyDescriptors()
    {
        int w = 32, h = 32;
        var c = Enumerable.Repeat(0.7f, w * h).ToArray();
        var grid = FrameGrid.Create(w, h, 4, 4);
        var (desc, norms) = DenseSiftSimilarity.ComputeLayer(c, w, h, 4, 0.5, grid);
        Assert.All(norms, n => Assert.Equal(0f, n));
        Assert.All(desc, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ClampAtPointTwoThenRenormalise()
    {
        var d = new float[128];
        d[0] = 10; d[1] = 1; d[2] = 1;
        double n = DenseSiftSimilarity.NormaliseClamp(d);
        Assert.Equal(Math.Sqrt(102), n, 5);
        // after normalising: 10/√102 ≈ 0.990 → 0.2; 1/√102 ≈ 0.099; renormalised by √(0.04 + 2·0.0098)
        double small = 1 / Math.Sqrt(102), z = Math.Sqrt(0.04 + 2 * small * small);
        Assert.Equal(0.2 / z, d[0], 5);
        Assert.Equal(small / z, d[1], 5);
    }

    [Fact]
    public void PreparedComparisonEqualsDirect()
    {
        using var g = Fixtures.Owned(Genes());
        var p0 = DenseSiftSimilarity.Prepare(g[0], new DenseSiftOptions());
        var p1 = DenseSiftSimilarity.Prepare(g[1], new DenseSiftOptions());
        var s = DenseSiftSimilarity.Compare(p0, p1);
        Assert.Equal(DenseSiftSimilarity.Compare(g[0], g[1], new DenseSiftOptions()).Score, s.Score, 12);
        Assert.True(s.Score is > 0 and < 1);
        Assert.Equal(4, s.Details!.Keys.Count(k => k.StartsWith("bin")));
    }


    [Fact]
    public void DifferentSizesAndTinyRastersAreUserErrors()
    {
        using var gStack = Fixtures.Owned(Genes());
        var g = gStack[0];
        using var other = Raster("other", 50, 50, Enumerable.Range(0, 2500).Select(i => (float)(i % 7)).ToArray());
        var ex = Assert.Throws<SpatialSimException>(() => DenseSiftSimilarity.Compare(g, other, Fixture));
        Assert.Equal(ErrorKind.Mismatch, ex.Kind);
        Assert.Contains("'other'", ex.Message);
        using var tiny = Raster("tiny", 10, 10, Enumerable.Range(0, 100).Select(i => (float)i).ToArray());
        var ex2 = Assert.Throws<SpatialSimException>(() => DenseSiftSimilarity.Compare(tiny, tiny, new DenseSiftOptions()));
        Assert.Contains("'tiny'", ex2.Message);
    }
}
