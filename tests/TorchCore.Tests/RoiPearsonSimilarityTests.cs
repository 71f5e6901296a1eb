using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>RoiPearson against scipy gaussian_filter + skimage threshold_otsu / numpy quantile + numpy corrcoef (make_roi_pearson_fixtures.py).</summary>
public class RoiPearsonSimilarityTests
{
    // Must match SETTINGS in make_roi_pearson_fixtures.py.
    private static readonly RoiPearsonOptions[] Settings =
    {
        new(),
        new() { Threshold = RoiThreshold.Quantile },
        new() { Sigma = 3.5 },
        new() { Sigma = 1, Threshold = RoiThreshold.Quantile, Quantile = 0.75 },
        new() { Sigma = 0 },
    };
    private static readonly double[] Quantiles = { 0.0, 0.1, 0.5, 0.75, 0.9, 0.95, 1.0 };

    private static GeneRaster Raster(string name, int w, int h, float[] pixels) => Fixtures.Raster(name, w, h, pixels);

    private static List<GeneRaster> Genes() => Fixtures.GeneStack("roi_pearson");

    private static GeneRaster Transformed(GeneRaster g, string name, Func<int, int, float[], float> value) => Fixtures.Transformed(g, name, value);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void MatchesScipyAndScikitImage(int setting)
    {
        using var genes = Fixtures.Owned(Genes());
        int n = genes.Count;
        var options = Settings[setting];
        var thresholds = Fixtures.Npy("roi_pearson", "thresholds.npy");
        var pixels = Fixtures.Npy("roi_pearson", "roi_pixels.npy");
        var scores = Fixtures.Npy("roi_pearson", "scores.npy");
        using var maps = Fixtures.Owned(genes.Select(g => RoiPearsonSimilarity.Prepare(g, options)));
        for (int i = 0; i < n; i++)
        {
            double t = thresholds.Data[setting * n + i];
            Assert.True(Math.Abs(maps[i].Threshold - t) <= 1e-6 * t, $"gene {i}: threshold {maps[i].Threshold} vs {t}");
            Assert.Equal(pixels.Data[setting * n + i], maps[i].RoiPixels);
            for (int j = 0; j < n; j++)
            {
                double expected = scores.Data[(setting * n + i) * n + j];
                var s = RoiPearsonSimilarity.Compare(maps[i], maps[j]);
                if (double.IsNaN(expected))
                    Assert.True(double.IsNaN(s.Score), $"genes {i}×{j}: expected NaN, got {s.Score}");
                else
                    Assert.True(Math.Abs(s.Score - expected) <= 1e-5, $"setting {setting}, genes {i}×{j}: {s.Score} vs {expected}");
            }
        }
    }

    [Fact]
    public void OtsuAndQuantileEqualScikitImageAndNumpy()
    {
        var values = Fixtures.Npy("roi_pearson", "values.npy").Data.Select(v => (double)v).ToArray();
        var expected = Fixtures.Npy("roi_pearson", "values_expected.npy").Data;
        Assert.Equal(expected[0], (float)Thresholds.Otsu(values));
        for (int k = 0; k < Quantiles.Length; k++)
            Assert.Equal(expected[1 + k], (float)Thresholds.Quantile((double[])values.Clone(), Quantiles[k]));
        Assert.Equal(2.5, Thresholds.Otsu(new[] { 2.5, 2.5, 2.5 }));
    }


    [Fact]
    public void AGeneConstantInsideThePeakRegionsIsUndefinedWithTheGeneNamed()
    {
        // Empty and flat genes are the contract's (MeasureContractTests).
        using var genes = Fixtures.Owned(Genes());
        // Without smoothing, sparse noise's peak region is its two 2-count pixels: constant inside the union.
        var s = RoiPearsonSimilarity.Compare(genes[4], genes[4], new RoiPearsonOptions { Sigma = 0 });
        Assert.True(double.IsNaN(s.Score));
        Assert.Contains("'g4'", s.Note);
        Assert.Contains("constant inside", s.Note);
    }

    [Fact]
    public void ClearErrorsForBadInput()
    {
        using var genes = Fixtures.Owned(Genes());
        using var small = Raster("small", 10, 12, new float[120]);
        var e = Assert.Throws<SpatialSimException>(() => RoiPearsonSimilarity.Compare(genes[0], small, new RoiPearsonOptions()));
        Assert.Equal(ErrorKind.Mismatch, e.Kind);
        Assert.Contains("'small'", e.Message);
        e = Assert.Throws<SpatialSimException>(() => RoiPearsonSimilarity.Compare(genes[0], genes[1], new RoiPearsonOptions { Threshold = RoiThreshold.Quantile, Quantile = 1.5 }));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        e = Assert.Throws<SpatialSimException>(() => RoiPearsonSimilarity.Compare(genes[0], genes[1], new RoiPearsonOptions { Sigma = -1 }));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public void SupportIsTheWindowDilationOfNonZeroPixels()
    {
        var pixels = new float[7 * 6];
        pixels[2 * 7 + 5] = 1; // row 2, column 5
        var mask = RoiPearsonSimilarity.Support(pixels, 7, 6, 1);
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 7; x++)
            {
                long i = y * 7 + x;
                bool inside = (mask[i >> 6] >> (int)(i & 63) & 1) != 0;
                Assert.Equal(Math.Abs(y - 2) <= 1 && Math.Abs(x - 5) <= 1, inside);
            }
    }
}
