using System.Buffers.Binary;
using System.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Tiff.Constants;
using SixLabors.ImageSharp.PixelFormats;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// PNG/TIFF reading and writing. Every input is made here: 8-bit gray, colour and compressed files with ImageSharp,
/// 16-bit/float/big-endian/multi-page TIFFs and malformed PNGs by hand (ImageSharp 2.1 cannot write those).
/// </summary>
public sealed class ImageRasterIoTests : IDisposable
{
    private const int W = 7, H = 5; // not square, so a transposed read fails
    private readonly string _dir = Directory.CreateTempSubdirectory("spatialsim-imageio-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static float[] Counts8() => Enumerable.Range(0, W * H).Select(i => (float)((i * 37 + 11) % 256)).ToArray();
    private static float[] Counts16() => Enumerable.Range(0, W * H).Select(i => (float)((i * 4099 + 7) % 65536)).ToArray();

    private static Image<L8> GrayImage8(float[] v)
    {
        var img = new Image<L8>(W, H);
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) img[x, y] = new L8((byte)v[y * W + x]);
        return img;
    }

    private static Image<L16> GrayImage16(float[] v)
    {
        var img = new Image<L16>(W, H);
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) img[x, y] = new L16((ushort)v[y * W + x]);
        return img;
    }

    private string SavePng8(string name, float[] v)
    {
        using var img = GrayImage8(v);
        img.Save(PathOf(name), new PngEncoder { BitDepth = PngBitDepth.Bit8, ColorType = PngColorType.Grayscale });
        return PathOf(name);
    }

    private string SavePng16(string name, float[] v)
    {
        using var img = GrayImage16(v);
        img.Save(PathOf(name), new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Grayscale });
        return PathOf(name);
    }

    private string SaveTiff8(string name, float[] v, TiffCompression compression)
    {
        using var img = GrayImage8(v);
        img.Save(PathOf(name), new TiffEncoder
        {
            BitsPerPixel = TiffBitsPerPixel.Bit8,
            PhotometricInterpretation = TiffPhotometricInterpretation.BlackIsZero,
            Compression = compression,
        });
        return PathOf(name);
    }

    private string Write(string name, byte[] bytes)
    {
        File.WriteAllBytes(PathOf(name), bytes);
        return PathOf(name);
    }

    private static SpatialSimException AssertFails(ErrorKind kind, string path, Action read)
    {
        var ex = Assert.Throws<SpatialSimException>(read);
        Assert.Equal(kind, ex.Kind);
        Assert.Equal(path, ex.FilePath);
        Assert.Contains(path, ex.Message);
        return ex;
    }

    // ------------------------------------------------------------------ hand-made TIFF files

    /// <summary>One page of a hand-made TIFF. Strips are raw (already compressed when Compression ≠ 1).</summary>
    private sealed record TiffPage(int Width, int Height, int Bits, int SampleFormat, int Photometric, byte[][] Strips,
        int RowsPerStrip, int SamplesPerPixel = 1, int Compression = 1, (ushort Tag, ushort Type, uint[] Values)[]? Extra = null);

    /// <summary>Builds a classic TIFF: header, directories (with their out-of-line values), then all strip data.</summary>
    private static byte[] BuildTiff(bool bigEndian, params TiffPage[] pages) => BuildTiff(bigEndian, out _, pages);

    private static byte[] BuildTiff(bool bigEndian, out long[] ifdOffsets, params TiffPage[] pages)
    {
        var layouts = new List<List<(ushort Tag, ushort Type, uint[] Values)>>();
        foreach (var p in pages)
        {
            var tags = new List<(ushort Tag, ushort Type, uint[] Values)>
            {
                (256, 4, [(uint)p.Width]), (257, 4, [(uint)p.Height]),
                (258, 3, Enumerable.Repeat((uint)p.Bits, p.SamplesPerPixel).ToArray()),
                (259, 3, [(uint)p.Compression]), (262, 3, [(uint)p.Photometric]),
                (273, 4, new uint[p.Strips.Length]), (277, 3, [(uint)p.SamplesPerPixel]), (278, 4, [(uint)p.RowsPerStrip]),
                (279, 4, p.Strips.Select(s => (uint)s.Length).ToArray()),
                (339, 3, Enumerable.Repeat((uint)p.SampleFormat, p.SamplesPerPixel).ToArray()),
            };
            if (p.Extra is not null) tags.AddRange(p.Extra);
            tags.Sort((a, b) => a.Tag.CompareTo(b.Tag));
            layouts.Add(tags);
        }
        static int Size(ushort type) => type == 3 ? 2 : 4;

        // Pass 1: positions.
        long pos = 8;
        ifdOffsets = new long[pages.Length];
        var valueOffsets = new List<long[]>();
        for (int i = 0; i < pages.Length; i++)
        {
            ifdOffsets[i] = pos;
            pos += 2 + layouts[i].Count * 12 + 4;
            var offs = new long[layouts[i].Count];
            for (int t = 0; t < layouts[i].Count; t++)
            {
                int bytes = layouts[i][t].Values.Length * Size(layouts[i][t].Type);
                if (bytes > 4) { offs[t] = pos; pos += bytes + (bytes & 1); }
            }
            valueOffsets.Add(offs);
        }
        for (int i = 0; i < pages.Length; i++)
        {
            var so = layouts[i].First(t => t.Tag == 273).Values;
            for (int s = 0; s < pages[i].Strips.Length; s++) { so[s] = (uint)pos; pos += pages[i].Strips[s].Length; }
        }

        // Pass 2: bytes.
        var buf = new byte[pos];
        void U16(long at, uint v) { if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan((int)at), (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(buf.AsSpan((int)at), (ushort)v); }
        void U32(long at, uint v) { if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(buf.AsSpan((int)at), v); else BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan((int)at), v); }
        buf[0] = buf[1] = (byte)(bigEndian ? 'M' : 'I');
        U16(2, 42);
        U32(4, (uint)ifdOffsets[0]);
        for (int i = 0; i < pages.Length; i++)
        {
            long at = ifdOffsets[i];
            U16(at, (uint)layouts[i].Count);
            for (int t = 0; t < layouts[i].Count; t++)
            {
                var (tag, type, values) = layouts[i][t];
                long e = at + 2 + t * 12;
                U16(e, tag);
                U16(e + 2, type);
                U32(e + 4, (uint)values.Length);
                long dst = valueOffsets[i][t] != 0 ? valueOffsets[i][t] : e + 8;
                if (valueOffsets[i][t] != 0) U32(e + 8, (uint)dst);
                for (int k = 0; k < values.Length; k++)
                    if (type == 3) U16(dst + 2 * k, values[k]); else U32(dst + 4 * k, values[k]);
            }
            U32(at + 2 + layouts[i].Count * 12, i + 1 < pages.Length ? (uint)ifdOffsets[i + 1] : 0);
            var so = layouts[i].First(t => t.Tag == 273).Values;
            for (int s = 0; s < pages[i].Strips.Length; s++) pages[i].Strips[s].CopyTo(buf, so[s]);
        }
        return buf;
    }

    /// <summary>Encodes values as samples ("u8", "u16", "i16", "u32", "f32", "f64"), in the given byte order.</summary>
    private static byte[] Encode(IEnumerable<float> values, string type, bool bigEndian)
    {
        var list = new List<byte>();
        Span<byte> b = stackalloc byte[8];
        foreach (float v in values)
        {
            switch (type)
            {
                case "u8": list.Add((byte)v); continue;
                case "u16": if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); list.AddRange(b[..2].ToArray()); break;
                case "i16": if (bigEndian) BinaryPrimitives.WriteInt16BigEndian(b, (short)v); else BinaryPrimitives.WriteInt16LittleEndian(b, (short)v); list.AddRange(b[..2].ToArray()); break;
                case "u32": if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, (uint)v); else BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)v); list.AddRange(b[..4].ToArray()); break;
                case "f32": if (bigEndian) BinaryPrimitives.WriteSingleBigEndian(b, v); else BinaryPrimitives.WriteSingleLittleEndian(b, v); list.AddRange(b[..4].ToArray()); break;
                case "f64": if (bigEndian) BinaryPrimitives.WriteDoubleBigEndian(b, v); else BinaryPrimitives.WriteDoubleLittleEndian(b, v); list.AddRange(b[..8].ToArray()); break;
                default: throw new ArgumentException(type);
            }
        }
        return list.ToArray();
    }

    /// <summary>Splits row-major sample bytes into strips of <paramref name="rows"/> rows.</summary>
    private static byte[][] Strips(byte[] data, int height, int rows)
    {
        int rowBytes = data.Length / height;
        return Enumerable.Range(0, (height + rows - 1) / rows)
            .Select(s => data.AsSpan(s * rows * rowBytes, Math.Min(rows, height - s * rows) * rowBytes).ToArray()).ToArray();
    }

    /// <summary>PackBits with literal runs only (valid, if not compact).</summary>
    private static byte[] PackBits(byte[] data)
    {
        var o = new List<byte>();
        for (int i = 0; i < data.Length; i += 128)
        {
            int n = Math.Min(128, data.Length - i);
            o.Add((byte)(n - 1));
            o.AddRange(data.AsSpan(i, n).ToArray());
        }
        return o.ToArray();
    }

    private static TiffPage Gray16Page(float[] v, int rowsPerStrip = 2, bool bigEndian = false)
        => new(W, H, 16, 1, 1, Strips(Encode(v, "u16", bigEndian), H, rowsPerStrip), rowsPerStrip);

    // ------------------------------------------------------------------ hand-made PNG chunks

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var b = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(b, (uint)data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, b.AsSpan(4));
        data.CopyTo(b, 8);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8 + data.Length), Crc32(b.AsSpan(4, 4 + data.Length)));
        return b;
    }

    private static byte[] Ihdr(uint width, uint height, byte depth = 16, byte colorType = 0)
    {
        var d = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(d, width);
        BinaryPrimitives.WriteUInt32BigEndian(d.AsSpan(4), height);
        d[8] = depth;
        d[9] = colorType;
        return Chunk("IHDR", d);
    }

    private static readonly byte[] PngSig = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    // ================================================================== same data, every format

    [Fact]
    public void EveryFormat_GivesTheSameRaster_ForTheSameCounts()
    {
        float[] c8 = Counts8(), c16 = Counts16();
        var files8 = new[]
        {
            SavePng8("a.png", c8),
            SaveTiff8("a-none.tif", c8, TiffCompression.None),      // own strict reader
            SaveTiff8("a-lzw.tif", c8, TiffCompression.Lzw),        // ImageSharp
            SaveTiff8("a-deflate.tif", c8, TiffCompression.Deflate),
            SaveTiff8("a-packbits.tif", c8, TiffCompression.PackBits),
            Write("a-u16.tif", BuildTiff(false, Gray16Page(c8))),
        };
        foreach (var f in files8)
        {
            var p = ImageRasterReader.Read(f, new ImageReadOptions(), out var warnings);
            Assert.Equal((W, H), (p.Width, p.Height));
            Assert.Equal(c8, p.Pixels);
            Assert.Empty(warnings);
        }

        var files16 = new[]
        {
            SavePng16("b.png", c16),
            Write("b-le.tif", BuildTiff(false, Gray16Page(c16))),
            Write("b-be.tif", BuildTiff(true, Gray16Page(c16, rowsPerStrip: 3, bigEndian: true))),
            Write("b-one-strip.tif", BuildTiff(false, Gray16Page(c16, rowsPerStrip: H))),
            Write("b-u32.tif", BuildTiff(false, new TiffPage(W, H, 32, 1, 1, Strips(Encode(c16, "u32", false), H, 2), 2))),
            Write("b-f64-be.tif", BuildTiff(true, new TiffPage(W, H, 64, 3, 1, Strips(Encode(c16, "f64", true), H, 4), 4))),
            Write("b-packbits.tif", BuildTiff(false, new TiffPage(W, H, 16, 1, 1, [PackBits(Encode(c16, "u16", false))], H, Compression: 32773))),
            Write("b-packbits-be.tif", BuildTiff(true, new TiffPage(W, H, 16, 1, 1, [PackBits(Encode(c16, "u16", true))], H, Compression: 32773))),
        };
        foreach (var f in files16)
        {
            var p = ImageRasterReader.Read(f);
            Assert.Equal((W, H), (p.Width, p.Height));
            Assert.Equal(c16, p.Pixels);
        }
        // .npy carries the same data (NpyFormatTests covers its dtypes in depth).
        var npy = NpyFormatTests.BuildNpy("<u2", [H, W], NpyFormatTests.EncodeValues(c16, "<u2"));
        Assert.Equal(c16, NpyFormat.ReadPlanes(Write("b.npy", npy), null).Single().Pixels);
    }

    [Fact]
    public void Reader_SignedAndFloatTiff_AreExact()
    {
        float[] signed = Enumerable.Range(0, W * H).Select(i => (float)(i * 997 % 60000 - 30000)).ToArray();
        var p = ImageRasterReader.Read(Write("i16.tif", BuildTiff(true, new TiffPage(W, H, 16, 2, 1, Strips(Encode(signed, "i16", true), H, 1), 1))));
        Assert.Equal(signed, p.Pixels);

        float[] floats = Enumerable.Range(0, W * H).Select(i => i * 0.1f - 1.7f).ToArray();
        floats[3] = float.NaN;
        floats[4] = float.NegativeInfinity;
        floats[5] = 1e-42f; // subnormal
        var f = ImageRasterReader.Read(Write("f32be.tif", BuildTiff(true, new TiffPage(W, H, 32, 3, 1, Strips(Encode(floats, "f32", true), H, 2), 2))));
        Assert.Equal(floats.Select(BitConverter.SingleToInt32Bits), f.Pixels.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Reader_GeneName_IsFileBaseNameOrOption()
    {
        var src = SavePng8("x.png", Counts8());
        var ome = PathOf("Actb.ome.tif");
        File.Copy(SaveTiff8("t.tif", Counts8(), TiffCompression.None), ome);
        Assert.Equal("x", ImageRasterReader.Read(src).Gene);
        Assert.Equal("Actb.ome", ImageRasterReader.Read(ome).Gene);
        Assert.Equal("Gapdh", ImageRasterReader.Read(src, new ImageReadOptions { Gene = "Gapdh" }).Gene);
        var read = ImageRasterReader.Read(src);
        Assert.Equal(src, read.Source);
        Assert.Throws<SpatialSimException>(() => ImageRasterReader.Read(src, new ImageReadOptions { Gene = " " }));
    }

    [Fact]
    public void Reader_LowBitDepthGrayPng_GivesStoredLevels()
    {
        float[] levels = Enumerable.Range(0, W * H).Select(i => (float)(i % 16)).ToArray();
        using var img = GrayImage8(levels.Select(v => v * 17).ToArray());
        img.Save(PathOf("g4.png"), new PngEncoder { BitDepth = PngBitDepth.Bit4, ColorType = PngColorType.Grayscale });
        Assert.Equal(4, File.ReadAllBytes(PathOf("g4.png"))[24]); // really a 4-bit file
        Assert.Equal(levels, ImageRasterReader.Read(PathOf("g4.png")).Pixels);
    }

    // ================================================================== exports round-trip

    [Fact]
    public void FloatTiff_RoundTripsExactly_AndIsAStandardTiff()
    {
        // Tall enough for several strips (256 KB each) and with every awkward float.
        int w = 128, h = 1100; // 512 rows per 256 KB strip: 3 strips
        var rnd = new Random(1);
        var px = Enumerable.Range(0, w * h).Select(_ => (float)(rnd.NextDouble() * 1e6 - 5e5)).ToArray();
        px[0] = float.NaN; px[1] = float.PositiveInfinity; px[2] = -0f; px[3] = float.Epsilon; px[4] = float.MaxValue; px[5] = 3.14159274f;
        var plane = new RasterPlane("Actb", w, h, px, "test");
        string path = PathOf("out.tif");
        ImageRasterWriter.WriteTiffFloat32(path, plane, overwrite: false);

        var back = ImageRasterReader.Read(path, new ImageReadOptions(), out var warnings);
        Assert.Empty(warnings);
        Assert.Equal((w, h), (back.Width, back.Height));
        Assert.True(px.Select(BitConverter.SingleToInt32Bits).SequenceEqual(back.Pixels.Select(BitConverter.SingleToInt32Bits)));

        // The tags a standard reader needs, checked byte by byte.
        byte[] f = File.ReadAllBytes(path);
        Assert.Equal("II*\0"u8.ToArray(), f[..4]);
        int ifd = BinaryPrimitives.ReadInt32LittleEndian(f.AsSpan(4));
        int n = BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(ifd));
        var tags = new Dictionary<int, (int Type, int Count, uint Value)>();
        for (int i = 0; i < n; i++)
        {
            var e = f.AsSpan(ifd + 2 + i * 12);
            int type = BinaryPrimitives.ReadUInt16LittleEndian(e[2..]);
            tags[BinaryPrimitives.ReadUInt16LittleEndian(e)] = (type, BinaryPrimitives.ReadInt32LittleEndian(e[4..]),
                type == 3 ? BinaryPrimitives.ReadUInt16LittleEndian(e[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(e[8..]));
        }
        Assert.Equal(tags.Keys.Order(), tags.Keys); // sorted, as the specification requires
        Assert.Equal((uint)w, tags[256].Value);
        Assert.Equal((uint)h, tags[257].Value);
        Assert.Equal(32u, tags[258].Value);
        Assert.Equal(1u, tags[259].Value);
        Assert.Equal(1u, tags[262].Value);
        Assert.Equal(1u, tags[277].Value);
        Assert.Equal(1u, tags[284].Value);
        Assert.Equal(3u, tags[339].Value);
        Assert.True(tags[273].Count > 1);
        Assert.Equal(tags[273].Count, tags[279].Count);
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(f.AsSpan(ifd + 2 + n * 12))); // single page

        // An independent parser agrees on what the file is.
        var info = Image.Identify(path);
        Assert.Equal((w, h), (info.Width, info.Height));
    }

    [Fact]
    public void Png16_IntegerCounts_RoundTripExactly()
    {
        var px = Counts16();
        px[0] = 65535; px[1] = 0;
        string path = PathOf("counts.png");
        var info = ImageRasterWriter.WritePng16(path, new RasterPlane("g", W, H, px, "test"), overwrite: false);
        Assert.True(info.Exact);
        Assert.Equal(1.0, info.Scale);
        Assert.Null(info.Warning);
        Assert.Equal(px, ImageRasterReader.Read(path).Pixels);
        Assert.Equal(16, File.ReadAllBytes(path)[24]); // bit depth in IHDR
    }

    [Theory]
    [InlineData(2.5f)]       // not whole numbers
    [InlineData(200000f)]    // whole, but beyond 16 bits
    public void Png16_OtherValues_AreScaledAndReported(float max)
    {
        var px = Enumerable.Range(0, W * H).Select(i => max * i / (W * H - 1)).ToArray();
        string path = PathOf("scaled.png");
        var info = ImageRasterWriter.WritePng16(path, new RasterPlane("g", W, H, px, "test"));
        Assert.False(info.Exact);
        Assert.Equal(65535.0 / max, info.Scale, 12);
        Assert.Equal(max, info.MaxValue);
        Assert.Contains("scaled", info.Warning);
        var back = ImageRasterReader.Read(path).Pixels;
        Assert.Equal(65535f, back[^1]);
        for (int i = 0; i < px.Length; i++) Assert.Equal(Math.Round(px[i] * info.Scale), back[i]);
    }

    [Fact]
    public void Png16_NegativeOrNaN_IsRefused_AndNothingIsWritten()
    {
        var px = Counts16();
        px[9] = -1;
        string path = PathOf("neg.png");
        var ex = Assert.Throws<SpatialSimException>(() => ImageRasterWriter.WritePng16(path, new RasterPlane("g", W, H, px, "test")));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("x=2, y=1", ex.Message);
        px[9] = float.NaN;
        Assert.Throws<SpatialSimException>(() => ImageRasterWriter.WritePng16(path, new RasterPlane("g", W, H, px, "test")));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    // ================================================================== colour images and channels

    [Fact]
    public void ColourPng_IsRefusedWithoutChannel_AndReadWithIt()
    {
        using var img = new Image<Rgb24>(W, H);
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) img[x, y] = new Rgb24((byte)(x * 30), (byte)(y * 40), (byte)(x + y));
        string path = PathOf("rgb.png");
        img.Save(path, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });

        var ex = AssertFails(ErrorKind.NotSupported, path, () => ImageRasterReader.Read(path));
        Assert.Contains("-Channel", ex.Message);
        Assert.Contains("colour", ex.Message);

        for (int c = 0; c < 3; c++)
        {
            var p = ImageRasterReader.Read(path, new ImageReadOptions { Channel = c });
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    Assert.Equal(c switch { 0 => x * 30, 1 => y * 40, _ => x + y }, p.Pixels[y * W + x]);
        }
        AssertFails(ErrorKind.NotSupported, path, () => ImageRasterReader.Read(path, new ImageReadOptions { Channel = 3 })); // no alpha
        Assert.Throws<SpatialSimException>(() => ImageRasterReader.Read(path, new ImageReadOptions { Channel = 4 }));
    }

    [Fact]
    public void Rgba16Png_ChannelsAreExact16BitValues()
    {
        using var img = new Image<Rgba64>(W, H);
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++)
            img[x, y] = new Rgba64((ushort)(x * 9001), (ushort)(y * 13001), 3, (ushort)(65535 - x * y * 1001));
        string path = PathOf("rgba16.png");
        img.Save(path, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, BitDepth = PngBitDepth.Bit16 });
        var g = ImageRasterReader.Read(path, new ImageReadOptions { Channel = 1 }).Pixels;
        var a = ImageRasterReader.Read(path, new ImageReadOptions { Channel = 3 }).Pixels;
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++)
        {
            Assert.Equal(y * 13001, g[y * W + x]);
            Assert.Equal(65535 - x * y * 1001, a[y * W + x]);
        }
    }

    [Fact]
    public void PalettePng_NeedsChannel()
    {
        // Built by hand (IHDR, PLTE, tRNS, IDAT): pixel (x, y) uses palette entry y * W + x = (x * 10, y * 50, 7, alpha 255 - x).
        var plte = new List<byte>();
        var trns = new List<byte>();
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) { plte.AddRange([(byte)(x * 10), (byte)(y * 50), 7]); trns.Add((byte)(255 - x)); }
        var raw = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(raw, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            for (int y = 0; y < H; y++) { z.WriteByte(0); for (int x = 0; x < W; x++) z.WriteByte((byte)(y * W + x)); }
        string path = Write("pal.png", [.. PngSig, .. Ihdr(W, H, depth: 8, colorType: 3), .. Chunk("PLTE", plte.ToArray()),
            .. Chunk("tRNS", trns.ToArray()), .. Chunk("IDAT", raw.ToArray()), .. Chunk("IEND", [])]);

        AssertFails(ErrorKind.NotSupported, path, () => ImageRasterReader.Read(path));
        var g = ImageRasterReader.Read(path, new ImageReadOptions { Channel = 1 }).Pixels;
        Assert.Equal(Enumerable.Range(0, W * H).Select(i => (float)(i / W * 50)), g);
        var a = ImageRasterReader.Read(path, new ImageReadOptions { Channel = 3 }).Pixels;
        Assert.Equal(Enumerable.Range(0, W * H).Select(i => (float)(255 - i % W)), a);
    }

    [Theory]
    [InlineData(TiffCompression.None)]     // own reader
    [InlineData(TiffCompression.Deflate)]  // ImageSharp
    public void ColourTiff_IsRefusedWithoutChannel_AndReadWithIt(TiffCompression compression)
    {
        using var img = new Image<Rgb24>(W, H);
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) img[x, y] = new Rgb24((byte)(x * 30), (byte)(y * 40), (byte)(x + y));
        string path = PathOf($"rgb-{compression}.tif");
        img.Save(path, new TiffEncoder { BitsPerPixel = TiffBitsPerPixel.Bit24, PhotometricInterpretation = TiffPhotometricInterpretation.Rgb, Compression = compression });
        var ex = AssertFails(ErrorKind.NotSupported, path, () => ImageRasterReader.Read(path));
        Assert.Contains("-Channel", ex.Message);
        var b = ImageRasterReader.Read(path, new ImageReadOptions { Channel = 2 }).Pixels;
        Assert.Equal(Enumerable.Range(0, W * H).Select(i => (float)(i % W + i / W)), b);
    }

    [Fact]
    public void PaletteTiff_NeedsChannel_AndGivesEightBitColours()
    {
        // 8-bit indices; colour map entry i = (i, 255 - i, 7) stored as 16-bit values i * 257, as 8-bit writers do.
        var map = new uint[3 * 256];
        for (int i = 0; i < 256; i++) { map[i] = (uint)(i * 257); map[256 + i] = (uint)((255 - i) * 257); map[512 + i] = 7 * 257; }
        float[] idx = Counts8();
        var page = new TiffPage(W, H, 8, 1, 3, Strips(Encode(idx, "u8", false), H, 2), 2, Extra: [(320, 3, map)]);
        string path = Write("pal.tif", BuildTiff(false, page));
        AssertFails(ErrorKind.NotSupported, path, () => ImageRasterReader.Read(path));
        Assert.Equal(idx, ImageRasterReader.Read(path, new ImageReadOptions { Channel = 0 }).Pixels);
        Assert.Equal(idx.Select(v => 255 - v), ImageRasterReader.Read(path, new ImageReadOptions { Channel = 1 }).Pixels);
    }

    [Fact]
    public void GrayAlphaTiff_ReadsGrayWithWarning_OrAlphaOnRequest()
    {
        float[] g = Counts16(), a = g.Select(v => 65535 - v).ToArray();
        var interleaved = g.Zip(a).SelectMany(p => new[] { p.First, p.Second });
        var page = new TiffPage(W, H, 16, 1, 1, Strips(Encode(interleaved, "u16", true), H, 2), 2, SamplesPerPixel: 2, Extra: [(338, 3, [2u])]);
        string path = Write("ga.tif", BuildTiff(true, page));
        Assert.Equal(g, ImageRasterReader.Read(path, null, out var warnings).Pixels);
        Assert.Contains(warnings, w => w.Contains("alpha"));
        Assert.Equal(a, ImageRasterReader.Read(path, new ImageReadOptions { Channel = 3 }).Pixels);
    }

    [Fact]
    public void PlanarRgbTiff_ReadsTheChosenPlane()
    {
        float[] r = Counts16(), gr = r.Select(v => MathF.Floor(v / 2)).ToArray(), b = r.Select(v => 65535 - v).ToArray();
        // PlanarConfiguration 2: all strips of R, then of G, then of B.
        var strips = new[] { r, gr, b }.SelectMany(plane => Strips(Encode(plane, "u16", false), H, 3)).ToArray();
        var page = new TiffPage(W, H, 16, 1, 2, strips, 3, SamplesPerPixel: 3, Extra: [(284, 3, [2u])]);
        string path = Write("planar.tif", BuildTiff(false, page));
        Assert.Equal(gr, ImageRasterReader.Read(path, new ImageReadOptions { Channel = 1 }).Pixels);
        Assert.Equal(b, ImageRasterReader.Read(path, new ImageReadOptions { Channel = 2 }).Pixels);
    }

    [Fact]
    public void GrayAlphaPng_ReadsGrayWithWarning_OrAlphaOnRequest()
    {
        using var img = new Image<La16>(W, H);
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) img[x, y] = new La16((byte)(x * 20 + y), (byte)(255 - x));
        string path = PathOf("ga.png");
        img.Save(path, new PngEncoder { ColorType = PngColorType.GrayscaleWithAlpha, BitDepth = PngBitDepth.Bit8 });

        var gray = ImageRasterReader.Read(path, new ImageReadOptions(), out var warnings);
        Assert.Equal(Enumerable.Range(0, W * H).Select(i => (float)(i % W * 20 + i / W)), gray.Pixels);
        Assert.Contains(warnings, w => w.Contains("alpha"));
        var alpha = ImageRasterReader.Read(path, new ImageReadOptions { Channel = 3 });
        Assert.Equal(Enumerable.Range(0, W * H).Select(i => (float)(255 - i % W)), alpha.Pixels);
    }

    [Fact]
    public void GrayImage_WithColourChannel_ReadsGrayAndWarns()
    {
        string path = SavePng16("g.png", Counts16());
        var p = ImageRasterReader.Read(path, new ImageReadOptions { Channel = 1 }, out var warnings);
        Assert.Equal(Counts16(), p.Pixels);
        Assert.Single(warnings);
        AssertFails(ErrorKind.NotSupported, path, () => ImageRasterReader.Read(path, new ImageReadOptions { Channel = 3 }));
    }

    // ================================================================== limits (header first)

    [Fact]
    public void HugePngHeader_IsRefusedFast_WithoutAllocating()
    {
        // A 45-byte PNG whose (valid-CRC) IHDR claims 100000×100000 16-bit pixels = 20 GB decoded.
        string path = Write("huge.png", [.. PngSig, .. Ihdr(100_000, 100_000), .. Chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]), .. Chunk("IEND", [])]);
        Assert.Throws<SpatialSimException>(() => ImageRasterReader.Read(path)); // warm up (JIT)

        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        var ex = AssertFails(ErrorKind.LimitExceeded, path, () => ImageRasterReader.Read(path));
        sw.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(sw.ElapsedMilliseconds < 1000, $"took {sw.ElapsedMilliseconds} ms");
        Assert.True(allocated < 256 * 1024, $"allocated {allocated} bytes");
        Assert.Contains("100000×100000", ex.Message);
    }

    [Fact]
    public void HugeTiffHeader_IsRefusedFast_WithoutAllocating()
    {
        var page = new TiffPage(100_000, 100_000, 32, 3, 1, [new byte[16]], 100_000);
        string path = Write("huge.tif", BuildTiff(false, page));
        Assert.Throws<SpatialSimException>(() => ImageRasterReader.Read(path));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = AssertFails(ErrorKind.LimitExceeded, path, () => ImageRasterReader.Read(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 256 * 1024);
        Assert.Contains("100000×100000", ex.Message);
    }

    [Fact]
    public void MaxPixelsOption_IsApplied()
    {
        string png = SavePng8("small.png", Counts8());
        string tif = Write("small.tif", BuildTiff(false, Gray16Page(Counts16())));
        AssertFails(ErrorKind.LimitExceeded, png, () => ImageRasterReader.Read(png, new ImageReadOptions { MaxPixels = W * H - 1 }));
        AssertFails(ErrorKind.LimitExceeded, tif, () => ImageRasterReader.Read(tif, new ImageReadOptions { MaxPixels = W * H - 1 }));
        Assert.Equal(W * H, ImageRasterReader.Read(png, new ImageReadOptions { MaxPixels = W * H }).Pixels.Length);
    }

    [Fact]
    public void ZeroSizedImages_AreInvalid()
    {
        string png = Write("zero.png", [.. PngSig, .. Ihdr(0, 5), .. Chunk("IEND", [])]);
        AssertFails(ErrorKind.InvalidData, png, () => ImageRasterReader.Read(png));
        string tif = Write("zero.tif", BuildTiff(false, new TiffPage(0, 5, 8, 1, 1, [new byte[1]], 5)));
        AssertFails(ErrorKind.InvalidData, tif, () => ImageRasterReader.Read(tif));
    }

    // ================================================================== damaged and foreign files

    [Fact]
    public void TruncatedPng_IsInvalidData_AtEveryLength()
    {
        byte[] full = File.ReadAllBytes(SavePng16("full.png", Counts16()));
        for (int len = 0; len < full.Length; len++)
        {
            string path = Write($"cut{len}.png", full[..len]);
            var ex = AssertFails(ErrorKind.InvalidData, path, () => ImageRasterReader.Read(path));
            if (len > 40) Assert.Contains("truncated", ex.Message);
        }
    }

    [Fact]
    public void TruncatedTiff_IsInvalidData()
    {
        byte[] full = BuildTiff(false, Gray16Page(Counts16()));
        string path = Write("cut.tif", full[..^3]); // last strip short
        var ex = AssertFails(ErrorKind.InvalidData, path, () => ImageRasterReader.Read(path));
        Assert.Contains("truncated", ex.Message);

        // Every shorter prefix of a compressed (ImageSharp-decoded) TIFF fails cleanly or, if only unused bytes were cut, reads the same.
        byte[] lzw = File.ReadAllBytes(SaveTiff8("lzw.tif", Counts8(), TiffCompression.Lzw));
        // Every length near the ends (header, directory, last strip), every 5th in between.
        foreach (int len in Enumerable.Range(0, lzw.Length).Where(n => n < 48 || n > lzw.Length - 48 || n % 5 == 0))
        {
            string p = Write($"lzw{len}.tif", lzw[..len]);
            try { Assert.Equal(Counts8(), ImageRasterReader.Read(p).Pixels); }
            catch (SpatialSimException e) { Assert.Equal(ErrorKind.InvalidData, e.Kind); Assert.Contains(p, e.Message); }
        }
    }

    /// <summary>
    /// Issue #15 item 3: a PNG whose IDAT zlib stream is cut (chunk lengths and CRCs still valid) was read with the missing
    /// rows set to 0 (Total 72 instead of 576). libpng refuses it; so must we, as InvalidData naming the file.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PngWithCutImageDataStream_IsInvalidData(bool interlaced)
    {
        const int w = 24, h = 24;
        var v = Enumerable.Range(0, w * h).Select(i => (float)(1 + i % 3)).ToArray();
        using (var img = new Image<L8>(w, h))
        {
            for (int i = 0; i < v.Length; i++) img[i % w, i / w] = new L8((byte)v[i]);
            img.Save(PathOf("full.png"), new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8,
                InterlaceMethod = interlaced ? PngInterlaceMode.Adam7 : PngInterlaceMode.None, CompressionLevel = PngCompressionLevel.NoCompression });
        }
        // The whole image is read as written (also checks the expected length of interlaced data).
        Assert.Equal(v, ImageRasterReader.Read(PathOf("full.png")).Pixels);

        byte[] full = File.ReadAllBytes(PathOf("full.png"));
        int idat = IndexOf(full, "IDAT"u8) - 4;
        int length = (int)BinaryPrimitives.ReadUInt32BigEndian(full.AsSpan(idat));
        byte[] data = full.AsSpan(idat + 8, length).ToArray();
        byte[] ihdr = full[8..(8 + 25)];
        foreach (int keep in new[] { data.Length / 8, data.Length / 2, data.Length - 40 })
        {
            string path = Write($"cut{keep}.png", [.. PngSig, .. ihdr, .. Chunk("IDAT", data[..keep]), .. Chunk("IEND", [])]);
            var ex = AssertFails(ErrorKind.InvalidData, path, () => ImageRasterReader.Read(path));
            Assert.Contains("cut short", ex.Message);
        }
    }

    /// <summary>Issue #15 item 3: a Deflate or LZW TIFF with a short or cut strip was read with zeros; libtiff refuses it.</summary>
    [Theory]
    [InlineData(8, 1)]   // Deflate, one strip
    [InlineData(8, 2)]   // Deflate, three strips
    [InlineData(5, 1)]   // LZW, one strip
    public void TiffWithCutCompressedStrip_IsInvalidData(int compression, int rowsPerStrip)
    {
        var v = Counts16();
        var strips = Strips(Encode(v, "u16", false), H, rowsPerStrip == 1 ? H : rowsPerStrip)
            .Select(s => compression == 8 ? Zlib(s) : Lzw(s)).ToArray();
        var page = new TiffPage(W, H, 16, 1, 1, strips, rowsPerStrip == 1 ? H : rowsPerStrip, Compression: compression);
        string whole = Write($"whole-{compression}-{rowsPerStrip}.tif", BuildTiff(false, page));
        Assert.Equal(v, ImageRasterReader.Read(whole).Pixels); // our own compressed strips are right

        int last = strips.Length - 1;
        // Deflate: the data is cut (cutting only the Adler-32 trailer leaves the rows whole, which libtiff reads too).
        foreach (int keep in compression == 8 ? new[] { strips[last].Length / 4, strips[last].Length / 2 } : new[] { strips[last].Length / 2, strips[last].Length - 3 })
        {
            var cut = strips.Select((s, i) => i == last ? s[..keep] : s).ToArray();
            string path = Write($"cut-{compression}-{rowsPerStrip}-{keep}.tif", BuildTiff(false, page with { Strips = cut }));
            var ex = AssertFails(ErrorKind.InvalidData, path, () => ImageRasterReader.Read(path));
            Assert.Contains($"strip {last + 1} of {strips.Length}", ex.Message);
        }
    }

    /// <summary>Issue #15, weak spot: a PackBits run past the strip's rows said "Index was outside the bounds of the array".</summary>
    [Fact]
    public void PackBitsOverrun_IsInvalidData_NamingTheStrip()
    {
        var v = Counts16();
        var strips = Strips(Encode(v, "u16", false), H, 2).Select(PackBits).ToArray();
        strips[1] = [.. strips[1], 0x81, 0x07]; // a run of 128 more bytes after the strip's rows
        string path = Write("overrun.tif", BuildTiff(false, new TiffPage(W, H, 16, 1, 1, strips, 2, Compression: 32773)));
        var ex = AssertFails(ErrorKind.InvalidData, path, () => ImageRasterReader.Read(path));
        Assert.Contains("strip 2 of 3", ex.Message);
        Assert.Contains("overrun", ex.Message);
        Assert.DoesNotContain("Index was outside", ex.Message);
    }

    private static byte[] Zlib(byte[] data)
    {
        var o = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(o, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true)) z.Write(data);
        return o.ToArray();
    }

    /// <summary>TIFF LZW of the plain kind: Clear, one 9-bit literal code per byte (the table grows but is never used), EOI.</summary>
    private static byte[] Lzw(byte[] data)
    {
        var codes = new List<int> { 256 };
        int width = 9, next = 258;
        var o = new List<byte>();
        ulong acc = 0;
        int held = 0;
        void Put(int code, int bits)
        {
            acc = (acc << bits) | (uint)code;
            held += bits;
            while (held >= 8) { o.Add((byte)(acc >> (held - 8))); held -= 8; }
        }
        Put(256, 9);
        bool first = true;
        foreach (byte b in data)
        {
            if (next == 4093) { Put(256, width); width = 9; next = 258; first = true; } // clear before the table is full
            Put(b, width);
            if (!first) { next++; if (next + 1 >= 1 << width) width++; }
            first = false;
        }
        Put(257, width);
        if (held > 0) o.Add((byte)(acc << (8 - held)));
        return o.ToArray();
    }

    [Fact]
    public void ForeignOrEmptyFiles_AreNamedInTheError()
    {
        string gif = Write("x.png", "GIF89a\x01\0\x01\0\0\0\0;"u8.ToArray());
        var ex = AssertFails(ErrorKind.InvalidData, gif, () => ImageRasterReader.Read(gif));
        Assert.Contains("47 49 46", ex.Message);
        Assert.Contains("not a PNG or TIFF", ex.Message);

        string empty = Write("empty.tif", []);
        Assert.Contains("empty", AssertFails(ErrorKind.InvalidData, empty, () => ImageRasterReader.Read(empty)).Message);

        string npy = Write("a.tif", NpyFormatTests.BuildNpy("<f4", [1, 1], new byte[4]));
        Assert.Contains(".npy", AssertFails(ErrorKind.InvalidData, npy, () => ImageRasterReader.Read(npy)).Message);

        string missing = PathOf("nope.png");
        AssertFails(ErrorKind.NotFound, missing, () => ImageRasterReader.Read(missing));
    }

    [Fact]
    public void CorruptPngData_IsWrappedAsInvalidData()
    {
        byte[] png = File.ReadAllBytes(SavePng16("ok.png", Counts16()));
        int idat = IndexOf(png, "IDAT"u8);
        png[idat + 6] ^= 0xFF; // damage compressed data: CRC no longer matches
        string path = Write("bad.png", png);
        var ex = AssertFails(ErrorKind.InvalidData, path, () => ImageRasterReader.Read(path));
        Assert.NotNull(ex.InnerException); // ImageSharp's own exception is kept for diagnosis
    }

    [Fact]
    public void UnsupportedTiffs_AreRefusedWithAReason()
    {
        var tiled = Gray16Page(Counts16()) with { Extra = [(322, 3, [16u]), (323, 3, [16u])] };
        string t = Write("tiled.tif", BuildTiff(false, tiled));
        Assert.Contains("tiled", AssertFails(ErrorKind.NotSupported, t, () => ImageRasterReader.Read(t)).Message);

        var deflateFloat = new TiffPage(W, H, 32, 3, 1, [new byte[40]], H, Compression: 8);
        string f = Write("zfloat.tif", BuildTiff(false, deflateFloat));
        Assert.Contains("uncompressed", AssertFails(ErrorKind.NotSupported, f, () => ImageRasterReader.Read(f)).Message);

        var jpeg = new TiffPage(W, H, 8, 1, 1, [new byte[40]], H, Compression: 7);
        string j = Write("jpeg.tif", BuildTiff(false, jpeg));
        Assert.Contains("lossy", AssertFails(ErrorKind.NotSupported, j, () => ImageRasterReader.Read(j)).Message);

        var cmyk = new TiffPage(W, H, 8, 1, 5, Strips(new byte[W * H * 4], H, H), H, SamplesPerPixel: 4);
        string c = Write("cmyk.tif", BuildTiff(false, cmyk));
        AssertFails(ErrorKind.NotSupported, c, () => ImageRasterReader.Read(c));

        byte[] big = [(byte)'I', (byte)'I', 43, 0, 8, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0];
        string b = Write("big.tif", big);
        Assert.Contains("BigTIFF", AssertFails(ErrorKind.NotSupported, b, () => ImageRasterReader.Read(b)).Message);
    }

    [Fact]
    public void WhiteIsZeroTiff_GivesStoredValues_OnBothDecodePaths()
    {
        float[] v = Counts16();
        var raw = new TiffPage(W, H, 16, 1, 0, Strips(Encode(v, "u16", false), H, 1), 1);
        var packed = new TiffPage(W, H, 16, 1, 0, [PackBits(Encode(v, "u16", false))], H, Compression: 32773);
        foreach (var (name, page) in new[] { ("wz.tif", raw), ("wz-pb.tif", packed) })
        {
            var p = ImageRasterReader.Read(Write(name, BuildTiff(false, page)), null, out var warnings);
            Assert.Equal(v, p.Pixels);
            Assert.Contains(warnings, w => w.Contains("WhiteIsZero"));
        }
    }

    [Fact]
    public void MultiPageTiff_ReadsPageOne_AndWarns()
    {
        float[] a = Counts16(), b = a.Select(x => 65535 - x).ToArray();
        string path = Write("two.tif", BuildTiff(false, Gray16Page(a), Gray16Page(b)));
        var p = ImageRasterReader.Read(path, null, out var warnings);
        Assert.Equal(a, p.Pixels);
        Assert.Contains(warnings, w => w.Contains("2 pages") && w.Contains("page 1"));
    }

    [Fact]
    public void LoopingTiffDirectories_AreDetected()
    {
        byte[] t = BuildTiff(false, out long[] ifds, Gray16Page(Counts16()), Gray16Page(Counts16()));
        int entries = BinaryPrimitives.ReadUInt16LittleEndian(t.AsSpan((int)ifds[1]));
        BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan((int)ifds[1] + 2 + entries * 12), (uint)ifds[0]); // page 2 → page 1
        string path = Write("loop.tif", t);
        ImageRasterReader.Read(path, null, out var warnings);
        Assert.Contains(warnings, w => w.Contains("loop"));

        // The same loop in a compressed file (which would go to ImageSharp) is refused.
        var pb = new TiffPage(W, H, 16, 1, 1, [PackBits(Encode(Counts16(), "u16", false))], H, Compression: 32773);
        byte[] c = BuildTiff(false, out ifds, pb, pb);
        entries = BinaryPrimitives.ReadUInt16LittleEndian(c.AsSpan((int)ifds[1]));
        BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan((int)ifds[1] + 2 + entries * 12), (uint)ifds[1]); // page 2 → itself
        string cp = Write("loop-pb.tif", c);
        Assert.Contains("loop", AssertFails(ErrorKind.InvalidData, cp, () => ImageRasterReader.Read(cp)).Message);
    }

    [Fact]
    public void RandomlyDamagedFiles_NeverEscapeAsOtherExceptions()
    {
        var seeds = new List<byte[]>
        {
            File.ReadAllBytes(SavePng16("f1.png", Counts16())),
            File.ReadAllBytes(SavePng8("f2.png", Counts8())),
            File.ReadAllBytes(SaveTiff8("f3.tif", Counts8(), TiffCompression.Lzw)),
            File.ReadAllBytes(SaveTiff8("f4.tif", Counts8(), TiffCompression.Deflate)),
            BuildTiff(true, Gray16Page(Counts16(), bigEndian: true)),
        };
        var rnd = new Random(12345);
        string path = PathOf("fuzz.bin");
        for (int i = 0; i < 200; i++)
        {
            byte[] f = (byte[])seeds[i % seeds.Count].Clone();
            int flips = rnd.Next(1, 5);
            for (int k = 0; k < flips; k++) f[rnd.Next(f.Length)] = (byte)rnd.Next(256);
            File.WriteAllBytes(path, f);
            try
            {
                var p = ImageRasterReader.Read(path, new ImageReadOptions { Channel = i % 5 == 0 ? 0 : null, MaxPixels = 1_000_000 });
                Assert.Equal((long)p.Width * p.Height, p.Pixels.Length);
            }
            catch (SpatialSimException e)
            {
                Assert.Equal(path, e.FilePath);
            }
        }
    }

    // ================================================================== writer file handling

    [Fact]
    public void Writers_RefuseToOverwrite_UnlessAllowed()
    {
        var plane = new RasterPlane("g", W, H, Counts16(), "test");
        string tif = PathOf("o.tif"), png = PathOf("o.png");
        File.WriteAllText(tif, "keep");
        File.WriteAllText(png, "keep");
        Assert.Equal(ErrorKind.WriteConflict, Assert.Throws<SpatialSimException>(() => ImageRasterWriter.WriteTiffFloat32(tif, plane, overwrite: false)).Kind);
        Assert.Equal(ErrorKind.WriteConflict, Assert.Throws<SpatialSimException>(() => ImageRasterWriter.WritePng16(png, plane, overwrite: false)).Kind);
        Assert.Equal("keep", File.ReadAllText(tif));
        Assert.Equal("keep", File.ReadAllText(png));

        ImageRasterWriter.WriteTiffFloat32(tif, plane, overwrite: true);
        ImageRasterWriter.WritePng16(png, plane, overwrite: true);
        Assert.Equal(plane.Pixels, ImageRasterReader.Read(tif).Pixels);
        Assert.Equal(plane.Pixels, ImageRasterReader.Read(png).Pixels);
        Assert.Equal(2, Directory.GetFiles(_dir).Length); // no temporary files left

        string noDir = Path.Combine(_dir, "missing", "x.tif");
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<SpatialSimException>(() => ImageRasterWriter.WriteTiffFloat32(noDir, plane)).Kind);
    }

    [Fact]
    public void AtomicWrite_LeavesNoTempFile_WhenWritingFails()
    {
        string path = PathOf("fail.bin");
        var ex = Assert.Throws<SpatialSimException>(() => RasterFileIo.WriteAtomically(path, false, fs =>
        {
            fs.Write(new byte[1000]);
            throw new IOException("disk full");
        }));
        Assert.Equal(ErrorKind.ResourceUnavailable, ex.Kind);
        Assert.Contains("disk full", ex.Message);
        Assert.Empty(Directory.GetFiles(_dir));

        // A file that appears while we write (another process) is not replaced without overwrite.
        ex = Assert.Throws<SpatialSimException>(() => RasterFileIo.WriteAtomically(path, false, fs =>
        {
            fs.Write(new byte[10]);
            File.WriteAllText(path, "theirs");
        }));
        Assert.Equal(ErrorKind.WriteConflict, ex.Kind);
        Assert.Equal("theirs", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void CancelledWrites_LeaveNoFile_AndKeepTheOldOne()
    {
        var plane = new RasterPlane("g", 4096, 2048, new float[4096 * 2048], "test"); // 32 MB: written in two pieces
        string path = PathOf("cancel.npy");
        using var cts = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => RasterFileIo.WriteAtomically(path, false, fs =>
        {
            fs.Write(new byte[100]);
            cts.Cancel(); // Ctrl+C while the data is being written
            RasterFileIo.WriteFloat32LittleEndian(fs, plane.Pixels, cts.Token);
        }, cts.Token));
        Assert.Empty(Directory.GetFiles(_dir));

        // Cancelled before it starts, every writer leaves an existing file alone even with overwrite.
        File.WriteAllText(path, "keep");
        Assert.Throws<OperationCanceledException>(() => NpyFormat.WriteFloat32(path, plane, overwrite: true, cts.Token));
        Assert.Throws<OperationCanceledException>(() => NpyFormat.WriteFloat32Stack(path, [plane, plane], overwrite: true, cts.Token));
        Assert.Throws<OperationCanceledException>(() => ImageRasterWriter.WriteTiffFloat32(path, plane, overwrite: true, cts.Token));
        Assert.Throws<OperationCanceledException>(() => ImageRasterWriter.WritePng16(path, plane, overwrite: true, cts.Token));
        Assert.Equal("keep", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
