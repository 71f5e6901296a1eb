using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Reference values made by the scripts in tests/reference/ (copied next to the test assembly).</summary>
internal static class Fixtures
{
    public static string PathOf(params string[] parts) =>
        Path.Combine(new[] { AppContext.BaseDirectory, "fixtures" }.Concat(parts).ToArray());

    public static NpyArray Npy(params string[] parts) => NpyFormat.Read(PathOf(parts));

    /// <summary>A square float64 matrix fixture as [i, j].</summary>
    public static double[,] Matrix(params string[] parts)
    {
        var a = Npy(parts);
        int n = a.Shape[0];
        var m = new double[n, a.Shape[1]];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < a.Shape[1]; j++)
                m[i, j] = a.Data[i * a.Shape[1] + j];
        return m;
    }

    /// <summary>A CPU raster from row-major pixels.</summary>
    public static GeneRaster Raster(string name, int w, int h, float[] pixels) =>
        GeneRaster.FromPlane(new RasterPlane(name, w, h, pixels, "test"), 1, ComputeDevice.Cpu);

    /// <summary>A (genes, height, width) fixture stack as rasters named g0, g1, ….</summary>
    public static List<GeneRaster> GeneStack(string folder, string file = "genes.npy")
    {
        var stack = Npy(folder, file);
        int n = stack.Shape[0], h = stack.Shape[1], w = stack.Shape[2];
        return Enumerable.Range(0, n).Select(g => Raster($"g{g}", w, h, stack.Data.AsSpan(g * h * w, h * w).ToArray())).ToList();
    }

    /// <summary>A new raster whose pixel (y, x) is value(y, x, pixels of g).</summary>
    public static GeneRaster Transformed(GeneRaster g, string name, Func<int, int, float[], float> value)
    {
        var src = g.ToArray();
        var dst = new float[src.Length];
        for (int y = 0; y < g.Height; y++)
            for (int x = 0; x < g.Width; x++)
                dst[y * g.Width + x] = value(y, x, src);
        return Raster(name, g.Width, g.Height, dst);
    }
}
