using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Checks that two readers gave the same rasters: canvas, genes (in any order), every pixel and total.</summary>
internal static class TableAssert
{
    /// <summary>The bundled Stereo-seq GEM patch (samples/, copied beside the test assembly).</summary>
    public static string SampleGem => Path.Combine(AppContext.BaseDirectory, "samples", "SS200000135TL_D1_bin1_small.gem.gz");

    /// <summary>The same patch as a Stereo-seq GEF (bin1, bin50, bin100), written by tests/reference/make_gef_fixtures.py.</summary>
    public static string SampleGef => Path.Combine(AppContext.BaseDirectory, "samples", "SS200000135TL_D1_bin1_small.gef");

    /// <param name="storedLevel">
    /// <paramref name="actual"/> was read from a GEF's stored bin level, whose records are whole bins: its pixel counts are
    /// of bins, not of the pixels before binning, so only the rasters and totals are compared.
    /// </param>
    public static void SameRasters(CountTable expected, CountTable actual, bool storedLevel = false)
    {
        Assert.Equal((expected.Width, expected.Height, expected.OriginX, expected.OriginY, expected.BinSize, expected.PixelSize),
                     (actual.Width, actual.Height, actual.OriginX, actual.OriginY, actual.BinSize, actual.PixelSize));
        Assert.Equal(expected.Genes.Order(StringComparer.Ordinal), actual.Genes.Order(StringComparer.Ordinal));
        foreach (var gene in expected.Genes)
        {
            Assert.Equal(expected.Total(gene), actual.Total(gene));
            if (!storedLevel) Assert.Equal(expected.PixelCount(gene), actual.PixelCount(gene));
            // The non-zero pixels (binned pixels summed) and their values: the whole raster, without making it dense.
            var e = expected.ToSparse(gene);
            var a = actual.ToSparse(gene);
            if (!e.Index.SequenceEqual(a.Index) || !e.Values.SequenceEqual(a.Values))
            {
                var (de, da) = (e.ToDense(), a.ToDense());
                int at = Enumerable.Range(0, de.Length).First(i => de[i] != da[i]);
                Assert.Fail($"gene {gene}: pixel {at} (x {at % expected.Width}, y {at / expected.Width}) is {da[at]}, expected {de[at]}");
            }
        }
    }
}
