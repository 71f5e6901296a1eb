using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>.npy reading and writing; the files are built byte by byte here, following the NumPy format specification.</summary>
public sealed class NpyFormatTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spatialsim-npy-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A .npy file as numpy.save writes it (header padded with spaces and '\n' to a multiple of 64).</summary>
    internal static byte[] BuildNpy(string descr, long[] shape, byte[] data, int major = 1, bool fortran = false, string? headerOverride = null)
    {
        string shapeText = "(" + string.Join(", ", shape) + (shape.Length == 1 ? ",)" : ")");
        string dict = headerOverride ?? $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shapeText}, }}";
        int lenBytes = major == 1 ? 2 : 4;
        byte[] text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetBytes(dict);
        int total = (6 + 2 + lenBytes + text.Length + 1 + 63) / 64 * 64;
        int headerLen = total - 8 - lenBytes;
        var header = new byte[total];
        header[0] = 0x93;
        "NUMPY"u8.CopyTo(header.AsSpan(1));
        header[6] = (byte)major;
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)headerLen);
        else BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)headerLen);
        text.CopyTo(header, 8 + lenBytes);
        for (int i = 8 + lenBytes + text.Length; i < total - 1; i++) header[i] = (byte)' ';
        header[^1] = (byte)'\n';
        return [.. header, .. data];
    }

    /// <summary>Encodes values in a NumPy dtype ("&lt;u2", "&gt;f8", "|b1", …).</summary>
    internal static byte[] EncodeValues(IEnumerable<double> values, string descr)
    {
        bool be = descr[0] == '>';
        string kind = descr[1..];
        var o = new List<byte>();
        Span<byte> b = stackalloc byte[8];
        foreach (double v in values)
        {
            int n;
            switch (kind)
            {
                case "b1": b[0] = v != 0 ? (byte)1 : (byte)0; n = 1; break;
                case "u1": b[0] = (byte)v; n = 1; break;
                case "i1": b[0] = (byte)(sbyte)v; n = 1; break;
                case "u2": if (be) BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); n = 2; break;
                case "i2": if (be) BinaryPrimitives.WriteInt16BigEndian(b, (short)v); else BinaryPrimitives.WriteInt16LittleEndian(b, (short)v); n = 2; break;
                case "u4": if (be) BinaryPrimitives.WriteUInt32BigEndian(b, (uint)v); else BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)v); n = 4; break;
                case "i4": if (be) BinaryPrimitives.WriteInt32BigEndian(b, (int)v); else BinaryPrimitives.WriteInt32LittleEndian(b, (int)v); n = 4; break;
                case "u8": if (be) BinaryPrimitives.WriteUInt64BigEndian(b, (ulong)v); else BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)v); n = 8; break;
                case "i8": if (be) BinaryPrimitives.WriteInt64BigEndian(b, (long)v); else BinaryPrimitives.WriteInt64LittleEndian(b, (long)v); n = 8; break;
                case "f2": if (be) BinaryPrimitives.WriteHalfBigEndian(b, (Half)v); else BinaryPrimitives.WriteHalfLittleEndian(b, (Half)v); n = 2; break;
                case "f4": if (be) BinaryPrimitives.WriteSingleBigEndian(b, (float)v); else BinaryPrimitives.WriteSingleLittleEndian(b, (float)v); n = 4; break;
                case "f8": if (be) BinaryPrimitives.WriteDoubleBigEndian(b, v); else BinaryPrimitives.WriteDoubleLittleEndian(b, v); n = 8; break;
                default: throw new ArgumentException(descr);
            }
            o.AddRange(b[..n].ToArray());
        }
        return o.ToArray();
    }

    internal static byte[] EncodeValues(IEnumerable<float> values, string descr) => EncodeValues(values.Select(v => (double)v), descr);

    private static SpatialSimException AssertFails(ErrorKind kind, string path, Action read)
    {
        var ex = Assert.Throws<SpatialSimException>(read);
        Assert.Equal(kind, ex.Kind);
        Assert.Equal(path, ex.FilePath);
        Assert.Contains(path, ex.Message);
        return ex;
    }

    /// <summary>Values every dtype can hold exactly (0..100, negatives only for signed types).</summary>
    private static double[] ValuesFor(string descr, int n)
        => Enumerable.Range(0, n).Select(i => descr[1] switch
        {
            'b' => i % 3 == 0 ? 1.0 : 0.0,
            'u' => (i * 7) % 101,
            'i' => (i * 7) % 101 - 50,
            _ => (i * 7) % 101 - 50.25,
        }).ToArray();

    [Theory]
    [InlineData("<f4")] [InlineData(">f4")] [InlineData("<f8")] [InlineData(">f8")] [InlineData("<f2")]
    [InlineData("|u1")] [InlineData("|i1")] [InlineData("|b1")]
    [InlineData("<u2")] [InlineData(">u2")] [InlineData("<i2")] [InlineData(">i2")]
    [InlineData("<u4")] [InlineData(">u4")] [InlineData("<i4")] [InlineData(">i4")]
    [InlineData("<u8")] [InlineData(">u8")] [InlineData("<i8")] [InlineData(">i8")]
    public void Read2D_EveryDtype_GivesTheSameFloats(string descr)
    {
        const int h = 3, w = 5;
        var values = ValuesFor(descr, h * w);
        string path = Write("a.npy", BuildNpy(descr, [h, w], EncodeValues(values, descr)));
        var a = NpyFormat.Read(path);
        Assert.Equal([h, w], a.Shape);
        Assert.Equal(descr, a.SourceDtype);
        Assert.Equal(values.Select(v => (float)v), a.Data);

        var plane = NpyFormat.ReadPlanes(path, null).Single();
        Assert.Equal(("a", w, h), (plane.Gene, plane.Width, plane.Height));
        Assert.Equal(a.Data, plane.Pixels);
    }

    [Fact]
    public void WideIntegers_AndFloat64_AreConvertedToNearestFloat()
    {
        double[] v = [16_777_217, -9_007_199_254_740_993, 0.1, 1e300];
        var a = NpyFormat.Read(Write("w.npy", BuildNpy("<f8", [2, 2], EncodeValues(v, "<f8"))));
        Assert.Equal(v.Select(x => (float)x), a.Data);
        var b = NpyFormat.Read(Write("u.npy", BuildNpy(">u8", [1, 2], EncodeValues([ulong.MaxValue, 16_777_217d], ">u8"))));
        Assert.Equal([(float)ulong.MaxValue, 16_777_216f], b.Data);
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)]
    public void AllFormatVersions_AreRead(int major)
    {
        var v = ValuesFor("<i2", 6);
        string path = Write($"v{major}.npy", BuildNpy("<i2", [2, 3], EncodeValues(v, "<i2"), major));
        Assert.Equal(v.Select(x => (float)x), NpyFormat.Read(path).Data);
    }

    [Fact]
    public void HeaderVariants_FromOtherWriters_AreAccepted()
    {
        // Python 2 longs, other key order, double quotes, no trailing comma, extra key.
        string header = "{\"shape\": (2L, 2L), 'fortran_order': False, 'descr': '<u1', 'extra': None}";
        string path = Write("py2.npy", BuildNpy("", [], [1, 2, 3, 4], headerOverride: header));
        Assert.Equal([1f, 2, 3, 4], NpyFormat.Read(path).Data);
    }

    [Fact]
    public void Read3D_GivesOnePlanePerGene_NamedOrNumbered()
    {
        const int g = 4, h = 3, w = 2;
        var v = Enumerable.Range(0, g * h * w).Select(i => (double)i).ToArray();
        string path = Write("stack.npy", BuildNpy(">i4", [g, h, w], EncodeValues(v, ">i4")));

        var a = NpyFormat.Read(path);
        Assert.Equal([g, h, w], a.Shape);
        Assert.Equal(v.Select(x => (float)x), a.Data);

        var planes = NpyFormat.ReadPlanes(path, null).ToList();
        Assert.Equal(["gene_0", "gene_1", "gene_2", "gene_3"], planes.Select(p => p.Gene));
        for (int k = 0; k < g; k++)
        {
            Assert.Equal((w, h), (planes[k].Width, planes[k].Height));
            Assert.Equal(v.Skip(k * h * w).Take(h * w).Select(x => (float)x), planes[k].Pixels);
        }
        var named = NpyFormat.ReadPlanes(path, ["Actb", "Gapdh", "Malat1", "Ttr"]).ToList();
        Assert.Equal(["Actb", "Gapdh", "Malat1", "Ttr"], named.Select(p => p.Gene));
        Assert.Equal(planes[2].Pixels, named[2].Pixels);
    }

    [Fact]
    public void ReadPlanes_ChecksNamesAndHeader_BeforeEnumerating()
    {
        string path = Write("s.npy", BuildNpy("<f4", [3, 2, 2], new byte[48]));
        var ex = AssertFails(ErrorKind.Mismatch, path, () => NpyFormat.ReadPlanes(path, ["a", "b"]));
        Assert.Contains("3 gene planes", ex.Message);
        AssertFails(ErrorKind.Mismatch, path, () => NpyFormat.ReadPlanes(path, ["a", "b", "a"]));
        AssertFails(ErrorKind.InvalidArgument, path, () => NpyFormat.ReadPlanes(path, ["a", "", "c"]));

        string flat = Write("f.npy", BuildNpy("<f4", [2, 2], new byte[16]));
        AssertFails(ErrorKind.Mismatch, flat, () => NpyFormat.ReadPlanes(flat, ["a", "b"]));
        Assert.Equal("Only", NpyFormat.ReadPlanes(flat, ["Only"]).Single().Gene);

        // Errors in the file surface at the call, not later during enumeration.
        string bad = Write("bad.npy", BuildNpy("<c8", [2, 2], new byte[32]));
        AssertFails(ErrorKind.NotSupported, bad, () => NpyFormat.ReadPlanes(bad, null));
        AssertFails(ErrorKind.LimitExceeded, path, () => NpyFormat.ReadPlanes(path, null, maxPixelsPerPlane: 3));
    }

    [Fact]
    public void RoundTrip_WriteFloat32_IsBitExact_AndNumPyShaped()
    {
        var rnd = new Random(5);
        var px = Enumerable.Range(0, 6 * 9).Select(_ => (float)(rnd.NextDouble() * 2e4 - 1e4)).ToArray();
        px[0] = float.NaN; px[1] = float.NegativeInfinity; px[2] = -0f; px[3] = float.Epsilon;
        var plane = new RasterPlane("Actb", 9, 6, px, "test");
        string path = Path.Combine(_dir, "out.npy");
        NpyFormat.WriteFloat32(path, plane, overwrite: false);

        byte[] f = File.ReadAllBytes(path);
        int headerLen = BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(8));
        Assert.Equal(0, (10 + headerLen) % 64);
        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], f[..8]);
        string header = Encoding.ASCII.GetString(f, 10, headerLen);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (6, 9), }", header);
        Assert.EndsWith("\n", header);
        Assert.Equal(10 + headerLen + px.Length * 4, f.Length);

        var back = NpyFormat.ReadPlanes(path, null).Single();
        Assert.Equal(("out", 9, 6), (back.Gene, back.Width, back.Height));
        Assert.Equal(px.Select(BitConverter.SingleToInt32Bits), back.Pixels.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void RoundTrip_WriteFloat32Stack_IsExact()
    {
        var planes = Enumerable.Range(0, 3)
            .Select(g => new RasterPlane($"g{g}", 4, 2, Enumerable.Range(0, 8).Select(i => g * 100 + i * 0.5f).ToArray(), "test")).ToList();
        string path = Path.Combine(_dir, "stack.npy");
        NpyFormat.WriteFloat32Stack(path, planes, overwrite: false);
        var a = NpyFormat.Read(path);
        Assert.Equal([3, 2, 4], a.Shape);
        Assert.Equal(planes.SelectMany(p => p.Pixels), a.Data);
        var back = NpyFormat.ReadPlanes(path, ["g0", "g1", "g2"]).ToList();
        for (int g = 0; g < 3; g++) Assert.Equal(planes[g].Pixels, back[g].Pixels);
    }

    [Fact]
    public void Writers_RefuseOverwrite_AndMismatchedStacks_LeavingNoFiles()
    {
        var p = new RasterPlane("g", 2, 2, [1, 2, 3, 4], "test");
        string path = Path.Combine(_dir, "x.npy");
        File.WriteAllText(path, "keep");
        var ex = Assert.Throws<SpatialSimException>(() => NpyFormat.WriteFloat32(path, p, overwrite: false));
        Assert.Equal(ErrorKind.WriteConflict, ex.Kind);
        Assert.Contains(path, ex.Message);
        Assert.Throws<SpatialSimException>(() => NpyFormat.WriteFloat32Stack(path, [p], overwrite: false));
        Assert.Equal("keep", File.ReadAllText(path));
        NpyFormat.WriteFloat32(path, p, overwrite: true);
        Assert.Equal(p.Pixels, NpyFormat.Read(path).Data);

        string other = Path.Combine(_dir, "y.npy");
        var q = new RasterPlane("h", 3, 2, new float[6], "test");
        Assert.Equal(ErrorKind.Mismatch, Assert.Throws<SpatialSimException>(() => NpyFormat.WriteFloat32Stack(other, [p, q])).Kind);
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<SpatialSimException>(() => NpyFormat.WriteFloat32Stack(other, [])).Kind);
        Assert.Equal(["x.npy"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    // ------------------------------------------------------------------ malformed files

    [Fact]
    public void BadMagic_NamesFileAndBytes()
    {
        string path = Write("a.npy", "PK\x03\x04 not numpy"u8.ToArray());
        var ex = AssertFails(ErrorKind.InvalidData, path, () => NpyFormat.Read(path));
        Assert.Contains("50 4B 03 04", ex.Message);
        AssertFails(ErrorKind.InvalidData, Write("e.npy", []), () => NpyFormat.Read(Path.Combine(_dir, "e.npy")));
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), ")]      // unclosed
    [InlineData("{'descr': '<f4', 'fortran_order': False}")]                        // no shape
    [InlineData("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2, 2)}")]       // not a bool
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 'x')}")]     // not ints
    [InlineData("['descr', '<f4']")]                                                // not a dict
    public void MalformedHeader_IsInvalidData_AndQuoted(string header)
    {
        string path = Write("h.npy", BuildNpy("", [], new byte[16], headerOverride: header));
        var ex = AssertFails(ErrorKind.InvalidData, path, () => NpyFormat.Read(path));
        Assert.Contains("header", ex.Message);
    }

    [Theory]
    [InlineData("<c8")] [InlineData("<U4")] [InlineData("|O")] [InlineData("<M8[ns]")] [InlineData("|u2")]
    public void UnsupportedDtype_ListsWhatIsSupported(string descr)
    {
        string path = Write("d.npy", BuildNpy(descr, [2, 2], new byte[64]));
        var ex = AssertFails(ErrorKind.NotSupported, path, () => NpyFormat.Read(path));
        Assert.Contains(descr, ex.Message);
        Assert.Contains("<f4", ex.Message);
    }

    [Fact]
    public void StructuredDtype_IsNotSupported()
    {
        string header = "{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (2, 2), }";
        string path = Write("s.npy", BuildNpy("", [], new byte[32], headerOverride: header));
        Assert.Contains("structured", AssertFails(ErrorKind.NotSupported, path, () => NpyFormat.Read(path)).Message);
    }

    [Fact]
    public void FortranOrder_SaysHowToFixIt()
    {
        string path = Write("f.npy", BuildNpy("<f4", [2, 3], new byte[24], fortran: true));
        var ex = AssertFails(ErrorKind.NotSupported, path, () => NpyFormat.Read(path));
        Assert.Contains("ascontiguousarray", ex.Message);
        AssertFails(ErrorKind.NotSupported, path, () => NpyFormat.ReadPlanes(path, null));
    }

    [Fact]
    public void TruncatedData_SaysExpectedAndActualBytes()
    {
        byte[] full = BuildNpy("<f4", [3, 4], new byte[48]);
        string path = Write("t.npy", full[..^5]);
        var ex = AssertFails(ErrorKind.InvalidData, path, () => NpyFormat.Read(path));
        Assert.Contains("truncated", ex.Message);
        Assert.Contains("48", ex.Message);
        Assert.Contains("43", ex.Message);
        AssertFails(ErrorKind.InvalidData, path, () => NpyFormat.ReadPlanes(path, null));

        // Cut inside the header, at every length.
        for (int len = 1; len < 64; len++)
        {
            string p = Write($"h{len}.npy", full[..len]);
            AssertFails(ErrorKind.InvalidData, p, () => NpyFormat.Read(p));
        }
    }

    [Theory]
    [InlineData(new long[] { 12 })]
    [InlineData(new long[] { 2, 2, 1, 3 })]
    [InlineData(new long[] { })]
    public void OnlyTwoOrThreeDimensions_AreAccepted(long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        string path = Write("nd.npy", BuildNpy("<f4", shape, new byte[n * 4]));
        var ex = AssertFails(ErrorKind.NotSupported, path, () => NpyFormat.Read(path));
        Assert.Contains($"{shape.Length}-D", ex.Message);
    }

    [Fact]
    public void ZeroSizedArray_IsInvalidData()
    {
        string path = Write("z.npy", BuildNpy("<f4", [0, 4], []));
        AssertFails(ErrorKind.InvalidData, path, () => NpyFormat.Read(path));
    }

    [Fact]
    public void HugeShape_IsRefusedFromTheHeader_WithoutAllocating()
    {
        string path = Write("huge.npy", BuildNpy("<f4", [100_000, 100_000, 100_000], new byte[16]));
        Assert.Throws<SpatialSimException>(() => NpyFormat.Read(path)); // warm up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        AssertFails(ErrorKind.LimitExceeded, path, () => NpyFormat.Read(path));
        Assert.True(sw.ElapsedMilliseconds < 1000);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 256 * 1024);

        string small = Write("s.npy", BuildNpy("<f4", [10, 10], new byte[400]));
        AssertFails(ErrorKind.LimitExceeded, small, () => NpyFormat.Read(small, maxElements: 99));
        Assert.Equal(100, NpyFormat.Read(small, maxElements: 100).Data.Length);
        AssertFails(ErrorKind.LimitExceeded, path, () => NpyFormat.ReadPlanes(path, null));
    }

    [Fact]
    public void OversizedHeaderLength_IsRefused()
    {
        byte[] f = BuildNpy("<f4", [1, 1], new byte[4], major: 2);
        BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(8), 0xFFFFFFF0u);
        string path = Write("hl.npy", f);
        AssertFails(ErrorKind.InvalidData, path, () => NpyFormat.Read(path));
    }

    [Fact]
    public void MissingFile_IsNotFound()
    {
        string path = Path.Combine(_dir, "none.npy");
        AssertFails(ErrorKind.NotFound, path, () => NpyFormat.Read(path));
    }

    /// <summary>#16 item 5: float64 and wide integers at full precision (what the float64 reference fixtures need).</summary>
    [Fact]
    public void ReadFloat64_KeepsFullPrecision()
    {
        string dir = Directory.CreateTempSubdirectory("spatialsim-npy64-").FullName;
        try
        {
            double[] values = [0.1, 1.0 / 3, -2.5e-300, 123456789.123456789, double.Epsilon, 1 + 1e-15];
            var le = new byte[values.Length * 8];
            var be = new byte[values.Length * 8];
            for (int i = 0; i < values.Length; i++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(le.AsSpan(8 * i), values[i]);
                System.Buffers.Binary.BinaryPrimitives.WriteDoubleBigEndian(be.AsSpan(8 * i), values[i]);
            }
            string f8 = Path.Combine(dir, "f8.npy"), f8be = Path.Combine(dir, "f8be.npy"), i8 = Path.Combine(dir, "i8.npy");
            File.WriteAllBytes(f8, BuildNpy("<f8", [2, 3], le));
            File.WriteAllBytes(f8be, BuildNpy(">f8", [1, 2, 3], be));
            var ints = new byte[16];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(ints, (1L << 53) - 1);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(ints.AsSpan(8), -(1L << 40) - 7);
            File.WriteAllBytes(i8, BuildNpy("<i8", [1, 2], ints));

            var (shape, data) = NpyFormat.ReadFloat64(f8);
            Assert.Equal([2, 3], shape);
            Assert.Equal(values, data);
            var (shapeBe, dataBe) = NpyFormat.ReadFloat64(f8be);
            Assert.Equal([1, 2, 3], shapeBe);
            Assert.Equal(values, dataBe);
            Assert.Equal([(double)((1L << 53) - 1), (double)(-(1L << 40) - 7)], NpyFormat.ReadFloat64(i8).Data);
            Assert.NotEqual(values[5], NpyFormat.Read(f8).Data[5]); // the float32 reader rounds 1 + 1e-15 to 1
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
