using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Defaults;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

public class BlockSumsTests
{
    private static RasterPlane Plane(string gene, int w, int h, int seed)
    {
        var random = new Random(seed);
        var pixels = new float[w * h];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = random.NextDouble() < 0.1 ? random.Next(1, 4) : 0;
        return new RasterPlane(gene, w, h, pixels, "test");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void AddingManyGenesEqualsSummingEachGenesBlocks(int stride)
    {
        // Odd sizes: partial blocks at the right and bottom edges, and a vector tail at stride 1.
        const int w = 37, h = 23; // at stride 7: 4 block rows, so 5 threads leave one idle
        var planes = Enumerable.Range(0, 4).Select(i => Plane($"g{i}", w, h, i)).ToList();
        using var dense = Fixtures.Owned(planes.Select(p => GeneRaster.FromPlane(p, 1, ComputeDevice.Cpu)).ToArray());
        using var sparse = Fixtures.Owned(planes.Select(p =>
        {
            var index = Enumerable.Range(0, p.Pixels.Length).Where(i => p.Pixels[i] != 0).ToArray();
            return GeneRaster.FromSparse(p.Gene, SparsePixels.FromEntries(w, h, index, index.Select(i => p.Pixels[i]).ToArray()), 1, "test", 1, ComputeDevice.Cpu);
        }).ToArray());

        var expected = new float[BlockSums.Blocks(w, stride) * BlockSums.Blocks(h, stride)];
        foreach (var p in planes)
        {
            var blocks = RasterBinning.SumBlocks(p, stride).Pixels;
            for (int i = 0; i < expected.Length; i++) expected[i] += blocks[i];
        }
        foreach (var set in new[] { dense, sparse })
        {
            var total = new float[expected.Length];
            foreach (var r in set) BlockSums.AddTo(r, stride, total);
            Assert.Equal(expected, total);
            // all at once, in bands of block rows on 1 to 5 threads (more threads than block rows too), dense and sparse mixed
            foreach (int threads in new[] { 1, 2, 3, 5 })
            {
                var banded = new float[expected.Length];
                BlockSums.AddAll(set.Select((r, i) => i % 2 == 0 ? r : (set == dense ? sparse : dense)[i]).ToList(), stride, banded, threads);
                Assert.Equal(expected, banded);
            }
        }
        Assert.Throws<ArgumentException>(() => BlockSums.AddAll(dense, stride, new float[expected.Length + 1]));
        Assert.Throws<ArgumentException>(() => BlockSums.AddTo(dense[0], stride, new float[expected.Length + 1]));
    }

    [Fact]
    public void LargeTensorsForOurKernelsHaveTheirShapeAndHoldWhatIsWritten()
    {
        // 16 MB: above HugePages.MinBytes, so the madvise path runs (it is advice; the memory must behave as any other).
        using var t = TensorMemory.EmptyFloat32(2048, 2048);
        Assert.Equal(new long[] { 2048, 2048 }, t.shape);
        var span = TensorMemory.AsFloatSpan(t);
        for (int i = 0; i < span.Length; i++) span[i] = i % 97;
        long last = 2048L * 2048 - 1;
        Assert.Equal(last % 97, t[2047, 2047].item<float>());
        Assert.Equal(1000 % 97, t[0, 1000].item<float>());
        using var d = TensorMemory.EmptyFloat64(3, 5);
        Assert.Equal(TorchSharp.torch.ScalarType.Float64, d.dtype);
        Assert.Equal(15, d.numel());
    }
}
