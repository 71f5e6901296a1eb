using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Rasters for the LeeL, MoranBV, Spearman and JensenShannon tests: fixture stacks and small synthetic patterns.</summary>
internal static class SpatialStatsTestData
{
    /// <summary>The genes of a [G, H, W] float32 fixture stack, named g0, g1, ….</summary>
    public static List<GeneRaster> Stack(string folder, string file)
    {
        var stack = Fixtures.Npy(folder, file);
        int n = stack.Shape[0], h = stack.Shape[1], w = stack.Shape[2];
        var list = new List<GeneRaster>();
        for (int g = 0; g < n; g++)
            list.Add(Raster($"g{g}", w, h, stack.Data.AsSpan(g * h * w, h * w).ToArray()));
        return list;
    }

    public static GeneRaster Raster(string gene, int width, int height, float[] pixels, bool allowNegative = false) =>
        GeneRaster.FromPlane(new RasterPlane(gene, width, height, pixels, "test"), 1, ComputeDevice.Cpu, allowNegative);

    public static GeneRaster Scaled(GeneRaster g, float factor, string name = "scaled") =>
        Raster(name, g.Width, g.Height, g.ToArray().Select(v => v * factor).ToArray());

    public static GeneRaster Constant(string gene, int width, int height, float value) =>
        Raster(gene, width, height, Enumerable.Repeat(value, width * height).ToArray());

    /// <summary>Rounded counts of a Gaussian blob of radius <paramref name="radius"/> pixels centred at (<paramref name="cy"/>, <paramref name="cx"/>), plus a faint deterministic speckle.</summary>
    public static GeneRaster Blob(string gene, int width, int height, double cy, double cx, double radius, double peak = 12)
    {
        var pixels = new float[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double v = peak * Math.Exp(-((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (2 * radius * radius));
                pixels[y * width + x] = (float)Math.Round(v + ((x * 7 + y * 13) % 5 == 0 ? 1 : 0));
            }
        return Raster(gene, width, height, pixels);
    }
}
