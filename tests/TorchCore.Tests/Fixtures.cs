using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// Test data: reference values made by the scripts in tests/reference/ (copied next to the test assembly), and small
/// synthetic rasters.
/// </summary>
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
    public static GeneRaster Raster(string name, int w, int h, float[] pixels, bool allowNegative = false) =>
        GeneRaster.FromPlane(new RasterPlane(name, w, h, pixels, "test"), 1, ComputeDevice.Cpu, allowNegative);

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

    /// <summary>The raster times <paramref name="factor"/>.</summary>
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

    /// <summary>The items as a list disposed as a whole (<c>using var stats = Owned(…)</c>), so a failing assert does not leak them.</summary>
    public static OwnedList<T> Owned<T>(IEnumerable<T> items) where T : IDisposable => new(items);
}

/// <summary>A list that disposes its items with itself.</summary>
internal sealed class OwnedList<T> : List<T>, IDisposable where T : IDisposable
{
    public OwnedList(IEnumerable<T> items) : base(items) { }

    public void Dispose()
    {
        foreach (var item in this) item?.Dispose();
    }
}
