using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Planes read from disk kept sparse when mostly zero (<see cref="GeneRaster.FromPlaneCompact"/>), dense otherwise.</summary>
public class CompactPlaneTests
{
    private static RasterPlane Plane(double density, int seed)
    {
        var random = new Random(seed);
        var pixels = new float[64 * 48];
        for (int i = 0; i < pixels.Length; i++) if (random.NextDouble() < density) pixels[i] = 1 + random.Next(9);
        return new RasterPlane("g", 64, 48, pixels, "test");
    }

    [Theory]
    [InlineData(0.02, true)]
    [InlineData(0.2, true)]
    [InlineData(0.6, false)]
    public void MostlyZeroPlanesAreSparseWithTheSameValues(double density, bool sparse)
    {
        var plane = Plane(density, 3);
        using var compact = GeneRaster.FromPlaneCompact(plane, 2, ComputeDevice.Cpu);
        using var dense = GeneRaster.FromPlane(plane, 2, ComputeDevice.Cpu);
        Assert.Equal(sparse, compact.Sparse is not null && !compact.HasDenseValues);
        Assert.Equal(plane.Pixels, compact.ToArray());
        Assert.Equal(dense.Total, compact.Total);
        Assert.Equal(dense.NonZero, compact.NonZero);
        Assert.Equal(dense.Max, compact.Max);
        Assert.Equal(2, compact.BinSize);
    }

    [Fact]
    public void NegativeAndNaNValuesAreRefusedAsFromPlaneRefusesThem()
    {
        var plane = Plane(0.02, 5);
        plane.Pixels[100] = -1;
        Assert.Contains("negative", Assert.Throws<SpatialSimException>(() => GeneRaster.FromPlaneCompact(plane, 1, ComputeDevice.Cpu)).Message);
        plane.Pixels[100] = float.NaN;
        Assert.Contains("NaN", Assert.Throws<SpatialSimException>(() => GeneRaster.FromPlaneCompact(plane, 1, ComputeDevice.Cpu)).Message);
    }

    [Fact]
    public void AnNpyStackOfCountsIsImportedSparse()
    {
        string path = Path.Combine(Path.GetTempPath(), $"spatialsim-compact-{Guid.NewGuid():N}.npy");
        try
        {
            var planes = new[] { Plane(0.02, 7), Plane(0.9, 8) };
            NpyFormat.WriteFloat32Stack(path, planes);
            using var probe = new IO.Formats.InputProbe(path);
            var read = IO.Formats.InputFormatRegistry.Detect(probe).Read(probe, new IO.Formats.ImportRequest(), new IO.Formats.ImportContext()).ToList();
            Assert.False(read[0].HasDenseValues);
            Assert.NotNull(read[0].Sparse);
            Assert.True(read[1].HasDenseValues);
            for (int g = 0; g < 2; g++) Assert.Equal(planes[g].Pixels, read[g].ToArray());
            read.ForEach(r => r.Dispose());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
