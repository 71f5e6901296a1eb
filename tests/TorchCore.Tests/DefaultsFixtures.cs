using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;

namespace SpatialSim.TorchCore.Tests;

/// <summary>The synthetic stand-ins of the CA1 ISS and MOB ST tables (tests/reference/make_defaults_standins.py).</summary>
internal static class DefaultsFixtures
{
    public static List<GeneRaster> Ca1(int bin = 1) => Read("ca1_standin.csv", bin, (0, 0, 7602, 5471));

    public static List<GeneRaster> Mob() => Read("mob_standin.csv", 1, null);

    public static List<GeneRaster> Read(string file, int bin, (int, int, int, int)? region)
    {
        var table = CountTableReader.Read(Fixtures.PathOf("defaults", file), new TableReadOptions { BinSize = bin, Region = region });
        return table.Genes.Select(g => GeneRaster.FromSparse(g, table.ToSparse(g), bin, table.Source, table.PixelSize, ComputeDevice.Cpu)).ToList();
    }

    /// <summary>A raster of Poisson counts with mean <paramref name="rate"/>(x, y).</summary>
    public static GeneRaster Poisson(string name, int w, int h, Func<int, int, double> rate, int seed)
    {
        var rng = new Random(seed);
        var pixels = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double l = Math.Exp(-rate(x, y)), p = 1;
                int k = 0;
                while ((p *= rng.NextDouble()) > l) k++;
                pixels[y * w + x] = k;
            }
        return Fixtures.Raster(name, w, h, pixels);
    }
}
