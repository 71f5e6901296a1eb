using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Output;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// The row-by-row PNG encoder: its files decode exactly with another implementation (ImageSharp's decoder, which checks
/// every CRC and the zlib checksum), and a stop takes effect within one row.
/// </summary>
public sealed class PngStreamWriterTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 2, 2)]
    [InlineData(257, 5, 3)]
    [InlineData(64, 300, 4)]   // several IDAT chunks
    [InlineData(40, 40, 5)]
    public void Gray16_DecodesExactly(int width, int height, int seed)
    {
        var random = new Random(seed);
        var values = new ushort[width * height];
        for (int i = 0; i < values.Length; i++)
            values[i] = (i % 7) switch { 0 => 0, 1 => 65535, 2 => (ushort)(i % 300), _ => (ushort)random.Next(65536) }; // smooth and noisy runs: every filter wins somewhere
        using var ms = new MemoryStream();
        PngStreamWriter.Write(ms, width, height, PngPixelLayout.Gray16, (y, row) =>
        {
            for (int x = 0; x < width; x++) BinaryPrimitives.WriteUInt16BigEndian(row[(2 * x)..], values[y * width + x]);
        });
        ms.Position = 0;
        using var image = Image.Load<L16>(ms);
        Assert.Equal(width, image.Width);
        Assert.Equal(height, image.Height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                Assert.Equal(values[y * width + x], image[x, y].PackedValue);
    }

    [Theory]
    [InlineData(1, 1, 6)]
    [InlineData(5, 3, 7)]
    [InlineData(333, 211, 8)]
    public void Rgb8_DecodesExactly(int width, int height, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[3 * width * height];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = i % 5 == 0 ? (byte)random.Next(256) : (byte)(i / 97);
        using var ms = new MemoryStream();
        PngStreamWriter.Write(ms, width, height, PngPixelLayout.Rgb8, (y, row) => bytes.AsSpan(3 * width * y, 3 * width).CopyTo(row));
        ms.Position = 0;
        using var image = Image.Load<Rgb24>(ms);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var p = image[x, y];
                int i = 3 * (y * width + x);
                Assert.Equal((bytes[i], bytes[i + 1], bytes[i + 2]), (p.R, p.G, p.B));
            }
    }

    [Fact]
    public void Structure_IsSignatureIhdrIdatIend_WithChunksOfAtMost64KB()
    {
        const int W = 2000, H = 200;
        var random = new Random(9);
        using var ms = new MemoryStream();
        PngStreamWriter.Write(ms, W, H, PngPixelLayout.Gray16, (y, row) => random.NextBytes(row));
        var data = ms.ToArray();
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, data[..8]);
        var types = new List<string>();
        int pos = 8;
        while (pos < data.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(data, pos + 4, 4);
            types.Add(type);
            Assert.True(length <= PngStreamWriter.MaxChunkBytes);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(pos + 8 + length));
            Assert.Equal(System.IO.Hashing.Crc32.HashToUInt32(data.AsSpan(pos + 4, 4 + length)), crc);
            pos += 12 + length;
        }
        Assert.Equal("IHDR", types[0]);
        Assert.Equal("IEND", types[^1]);
        Assert.True(types.Count(t => t == "IDAT") > 5, "800 kB of noise takes many IDAT chunks");
        Assert.All(types.Skip(1).SkipLast(1), t => Assert.Equal("IDAT", t));
    }

    [Fact]
    public void AStop_TakesEffectWithinOneRow()
    {
        using var cts = new CancellationTokenSource();
        int rowsFilled = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => PngStreamWriter.Write(Stream.Null, 4000, 4000, PngPixelLayout.Gray16, (y, row) =>
        {
            rowsFilled++;
            if (y == 10) cts.Cancel();
        }, cancellationToken: cts.Token));
        Assert.Equal(11, rowsFilled);
    }

    [Fact]
    public void CanvasPng_DecodesExactly_AndACancelledSaveLeavesNoFile()
    {
        string dir = Directory.CreateTempSubdirectory("spatialsim-png-").FullName;
        try
        {
            var canvas = new Canvas(50, 40, new Rgb(10, 20, 30));
            canvas.FillRect(3, 4, 5, 6, new Rgb(200, 100, 50));
            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() => canvas.SavePng(Path.Combine(dir, "c.png"), overwrite: false, cancelled.Token));
            Assert.Empty(Directory.GetFiles(dir));
            canvas.SavePng(Path.Combine(dir, "c.png"), overwrite: false);
            using var image = Image.Load<Rgb24>(Path.Combine(dir, "c.png"));
            for (int y = 0; y < 40; y++)
                for (int x = 0; x < 50; x++)
                {
                    var c = canvas[x, y];
                    Assert.Equal(new Rgb24(c.R, c.G, c.B), image[x, y]);
                }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
