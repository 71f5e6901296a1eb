using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace SpatialSim.TorchCore.IO;

/// <summary>A NumPy array read from a .npy file, converted to float32.</summary>
public sealed class NpyArray
{
    /// <summary>Dimensions, outermost first (C order), e.g. (genes, height, width).</summary>
    public int[] Shape { get; }
    /// <summary>All values in C (row-major) order.</summary>
    public float[] Data { get; }
    /// <summary>The element type as written in the file, e.g. "&lt;u2".</summary>
    public string SourceDtype { get; }

    public NpyArray(int[] shape, float[] data, string sourceDtype)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long n = 1;
        foreach (int d in shape) n *= d;
        if (n != data.Length) throw new ArgumentException($"Shape holds {n} values but data has {data.Length}.", nameof(data));
        Shape = shape;
        Data = data;
        SourceDtype = sourceDtype;
    }
}

/// <summary>
/// Reads and writes NumPy .npy files (format versions 1.0, 2.0 and 3.0).
/// <para>
/// Reading accepts 2-D (height, width) and 3-D (genes, height, width) arrays in C order of bool, 8/16/32/64-bit signed or
/// unsigned integers and 16/32/64-bit floats, either byte order, and converts them to float32 (integers above 2²⁴ and
/// float64 values round to the nearest float32). The header is checked (size limits, dtype, order, file length) before any
/// data memory is allocated. 3-D files are streamed one plane at a time by <see cref="ReadPlanes"/>.
/// </para>
/// <para>Writing produces version 1.0 files of little-endian float32 ('&lt;f4') with the header padded to 64 bytes, as NumPy does.</para>
/// </summary>
public static class NpyFormat
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int MaxHeaderBytes = 1 << 20;
    private const int ChunkBytes = 1 << 20;

    private const string SupportedDtypes =
        "bool (|b1), uint8/int8 (|u1, |i1), uint16/int16 (<u2, <i2), uint32/int32 (<u4, <i4), uint64/int64 (<u8, <i8), " +
        "float16/32/64 (<f2, <f4, <f8), and the big-endian ('>') forms";

    /// <summary>The parsed header: everything needed to find and decode the data.</summary>
    private sealed record Header(string Path, string Descr, SampleType Type, bool BigEndian, long[] Shape, long DataOffset, long FileLength)
    {
        public long Count => Shape.Aggregate(1L, (a, b) => a * b);
        public string ShapeText => "(" + string.Join(", ", Shape) + (Shape.Length == 1 ? ",)" : ")");
    }

    /// <summary>Reads a whole 2-D or 3-D array. More than <paramref name="maxElements"/> values is refused before reading any data.</summary>
    public static NpyArray Read(string path, long maxElements = 2_000_000_000)
    {
        if (maxElements <= 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"maxElements must be positive; got {maxElements}.") { FilePath = path };
        using var fs = RasterFileIo.OpenRead(path);
        var h = ReadHeader(fs, path);
        long count = h.Count;
        if (count > maxElements || count > Array.MaxLength)
            throw new SpatialSimException(ErrorKind.LimitExceeded,
                $"'{path}' holds an array of shape {h.ShapeText} = {count:N0} values, more than the limit of {Math.Min(maxElements, Array.MaxLength):N0}. " +
                "Split it into smaller files, or read it plane by plane.") { FilePath = path };
        EnsureDataPresent(h);
        var data = Allocate(h, count);
        fs.Position = h.DataOffset;
        ReadValues(fs, h, data);
        return new NpyArray(h.Shape.Select(d => (int)d).ToArray(), data, h.Descr);
    }

    /// <summary>
    /// Reads a whole 2-D or 3-D array at full precision: float64 values exactly, integers exactly up to 2⁵³ (reference
    /// values checked to 1e-9 must not pass through float32). Same checks as <see cref="Read"/>.
    /// </summary>
    public static (int[] Shape, double[] Data) ReadFloat64(string path, long maxElements = 1_000_000_000)
    {
        if (maxElements <= 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"maxElements must be positive; got {maxElements}.") { FilePath = path };
        using var fs = RasterFileIo.OpenRead(path);
        var h = ReadHeader(fs, path);
        long count = h.Count;
        if (count > maxElements || count > Array.MaxLength)
            throw new SpatialSimException(ErrorKind.LimitExceeded,
                $"'{path}' holds an array of shape {h.ShapeText} = {count:N0} values, more than the limit of {Math.Min(maxElements, Array.MaxLength):N0}.") { FilePath = path };
        EnsureDataPresent(h);
        var data = new double[count];
        int size = SampleDecoder.SizeOf(h.Type);
        var buffer = new byte[Math.Min(ChunkBytes, count * size)];
        int per = buffer.Length / size;
        fs.Position = h.DataOffset;
        for (long i = 0; i < count; i += per)
        {
            int n = (int)Math.Min(per, count - i);
            fs.ReadExactly(buffer.AsSpan(0, n * size));
            SampleDecoder.DecodeDouble(buffer.AsSpan(0, n * size), data.AsSpan((int)i, n), h.Type, h.BigEndian);
        }
        return (h.Shape.Select(d => (int)d).ToArray(), data);
    }

    /// <summary>
    /// Reads the rasters of a .npy file: a 2-D array (height, width) is one gene, named <c>geneNames[0]</c> or after the
    /// file; a 3-D array (genes, height, width) is one gene per plane, named by <paramref name="geneNames"/> (one per plane)
    /// or gene_0, gene_1, …. The header is checked when this method is called; planes are then read one at a time as the
    /// sequence is enumerated, so a large stack is never held twice. Each plane may have at most
    /// <paramref name="maxPixelsPerPlane"/> pixels. The file stays open until the enumeration ends or is disposed (foreach does both).
    /// </summary>
    public static IEnumerable<RasterPlane> ReadPlanes(string path, string[]? geneNames, long maxPixelsPerPlane = 150_000_000)
    {
        if (maxPixelsPerPlane <= 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"The pixel limit must be positive; got {maxPixelsPerPlane}.") { FilePath = path };
        Header h;
        using (var fs = RasterFileIo.OpenRead(path))
            h = ReadHeader(fs, path);

        long height = h.Shape[^2], width = h.Shape[^1];
        long perPlane = height * width;
        long limit = Math.Min(maxPixelsPerPlane, Array.MaxLength);
        if (perPlane > limit)
            throw new SpatialSimException(ErrorKind.LimitExceeded,
                $"'{path}' has planes of {height}×{width} = {perPlane:N0} pixels, more than the limit of {limit:N0}. " +
                "Raise the pixel limit (-MaxPixels) if the machine has the memory, or bin/crop the data first.") { FilePath = path };

        EnsureDataPresent(h);
        string[] names = PlaneNames(path, h, geneNames);
        return EnumeratePlanes(h, names, (int)width, (int)height);
    }

    private static string[] PlaneNames(string path, Header h, string[]? given)
    {
        bool stack = h.Shape.Length == 3;
        int planes = stack ? (int)h.Shape[0] : 1;
        string[] names;
        if (given is null || given.Length == 0)
        {
            names = stack
                ? Enumerable.Range(0, planes).Select(i => "gene_" + i.ToString(CultureInfo.InvariantCulture)).ToArray()
                : [RasterFileIo.GeneFromFileName(path)];
        }
        else
        {
            if (given.Length != planes)
                throw new SpatialSimException(ErrorKind.Mismatch, stack
                    ? $"'{path}' holds {planes} gene planes (shape {h.ShapeText}), but {given.Length} gene names were given. Give exactly one name per plane, in order."
                    : $"'{path}' holds a single 2-D raster (shape {h.ShapeText}), but {given.Length} gene names were given. Give one name.") { FilePath = path };
            names = given;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(names[i]))
                throw new SpatialSimException(ErrorKind.InvalidArgument, $"Gene name {i + 1} for '{path}' is empty.") { FilePath = path };
            if (!seen.Add(names[i]))
                throw new SpatialSimException(ErrorKind.Mismatch, $"Gene name '{names[i]}' is given more than once for '{path}'. Gene names must be unique.")
                    { FilePath = path, Gene = names[i] };
        }
        return names;
    }

    private static IEnumerable<RasterPlane> EnumeratePlanes(Header expected, string[] names, int width, int height)
    {
        using var fs = RasterFileIo.OpenRead(expected.Path);
        var h = ReadHeader(fs, expected.Path);
        if (!h.Shape.SequenceEqual(expected.Shape) || h.Descr != expected.Descr || h.DataOffset != expected.DataOffset)
            throw new SpatialSimException(ErrorKind.InvalidData, $"'{h.Path}' changed while it was being read. Read it again.") { FilePath = h.Path };
        EnsureDataPresent(h);
        fs.Position = h.DataOffset;
        for (int g = 0; g < names.Length; g++)
        {
            var pixels = Allocate(h, (long)width * height);
            ReadValues(fs, h, pixels);
            yield return new RasterPlane(names[g], width, height, pixels, h.Path);
        }
    }

    private static float[] Allocate(Header h, long count)
    {
        try
        {
            return new float[count];
        }
        catch (OutOfMemoryException ex)
        {
            throw new SpatialSimException(ErrorKind.LimitExceeded,
                $"Not enough memory to read {count:N0} values from '{h.Path}' (shape {h.ShapeText}). Free memory, or use smaller files.", ex) { FilePath = h.Path };
        }
    }

    /// <summary>Reads <c>dst.Length</c> values from the stream's position, in 1 MB pieces.</summary>
    private static void ReadValues(FileStream fs, Header h, Span<float> dst)
    {
        int size = SampleDecoder.SizeOf(h.Type);
        var buffer = new byte[Math.Min(ChunkBytes, (long)dst.Length * size)];
        int per = buffer.Length / size;
        for (int i = 0; i < dst.Length; i += per)
        {
            int n = Math.Min(per, dst.Length - i);
            var bytes = buffer.AsSpan(0, n * size);
            try
            {
                fs.ReadExactly(bytes);
            }
            catch (EndOfStreamException ex)
            {
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"'{h.Path}' ended early while its data was being read; it may have been truncated or changed meanwhile.", ex) { FilePath = h.Path };
            }
            SampleDecoder.Decode(bytes, dst.Slice(i, n), h.Type, h.BigEndian);
        }
    }

    // ---------------------------------------------------------------- header

    private static SpatialSimException Invalid(string path, string what)
        => new(ErrorKind.InvalidData, $"'{path}' is not a readable .npy file: {what}") { FilePath = path };

    private static Header ReadHeader(FileStream fs, string path)
    {
        long length = fs.Length;
        Span<byte> pre = stackalloc byte[12];
        int got = (int)Math.Min(12, length);
        if (!RasterFileIo.TryReadAt(fs, 0, pre[..got]))
            throw new SpatialSimException(ErrorKind.ResourceUnavailable, $"Could not read the start of '{path}'.") { FilePath = path };
        var start = pre[..got];
        if (length == 0)
            throw Invalid(path, "the file is empty (0 bytes).");
        if (!start[..Math.Min(6, got)].SequenceEqual(Magic[..Math.Min(6, got)]))
            throw Invalid(path, $"it starts with bytes {RasterFileIo.HexPrefix(start)}, not the .npy magic 93 4E 55 4D 50 59 (\\x93NUMPY). " +
                                "Save the array with numpy.save.");
        if (got < 10)
            throw Invalid(path, $"the file is truncated ({length} bytes) inside its header.");
        byte major = start[6], minor = start[7];
        if (major is not (1 or 2 or 3))
            throw new SpatialSimException(ErrorKind.NotSupported,
                $"'{path}' uses .npy format version {major}.{minor}; versions 1.0, 2.0 and 3.0 are supported. Save it with numpy.save.") { FilePath = path };
        int lenBytes = major == 1 ? 2 : 4;
        if (got < 8 + lenBytes)
            throw Invalid(path, $"the file is truncated ({length} bytes) inside its header.");
        long headerLen = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(start[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(start[8..]);
        long dataOffset = 8 + lenBytes + headerLen;
        if (headerLen > MaxHeaderBytes)
            throw Invalid(path, $"its header claims to be {headerLen:N0} bytes long (more than {MaxHeaderBytes:N0}); the file is damaged.");
        if (dataOffset > length)
            throw Invalid(path, $"the file is truncated: its header should be {headerLen:N0} bytes, but the file is only {length:N0} bytes long.");
        var raw = new byte[headerLen];
        if (!RasterFileIo.TryReadAt(fs, 8 + lenBytes, raw))
            throw Invalid(path, "the file ended inside its header.");
        string text = major == 3 ? Encoding.UTF8.GetString(raw) : Encoding.Latin1.GetString(raw);
        string shown = text.Trim().Length > 200 ? text.Trim()[..200] + "…" : text.Trim();

        Dictionary<string, object?> dict;
        try
        {
            dict = new PyLiteralParser(text).ParseHeaderDict();
        }
        catch (FormatException ex)
        {
            throw Invalid(path, $"its header is not a valid Python dict ({ex.Message}): {shown}");
        }

        if (!dict.TryGetValue("descr", out var descrObj) || !dict.TryGetValue("fortran_order", out var fortranObj) || !dict.TryGetValue("shape", out var shapeObj))
            throw Invalid(path, $"its header must have the keys 'descr', 'fortran_order' and 'shape': {shown}");
        if (descrObj is not string descr)
            throw new SpatialSimException(ErrorKind.NotSupported,
                $"'{path}' holds a structured (record) array ({shown}); only plain numeric arrays are supported. Supported dtypes: {SupportedDtypes}.") { FilePath = path };
        if (fortranObj is not bool fortran)
            throw Invalid(path, $"in its header, 'fortran_order' must be True or False: {shown}");
        if (shapeObj is not List<object?> dims || dims.Any(d => d is not long))
            throw Invalid(path, $"in its header, 'shape' must be a tuple of integers: {shown}");
        long[] shape = dims.Select(d => (long)d!).ToArray();

        var (type, bigEndian) = ParseDtype(path, descr);
        if (fortran)
            throw new SpatialSimException(ErrorKind.NotSupported,
                $"'{path}' is stored in Fortran (column-major) order, which is not supported. " +
                "Re-save it in C order: numpy.save(path, numpy.ascontiguousarray(a)).") { FilePath = path };
        string shapeText = "(" + string.Join(", ", shape) + (shape.Length == 1 ? ",)" : ")");
        if (shape.Length is not (2 or 3))
            throw new SpatialSimException(ErrorKind.NotSupported,
                $"'{path}' holds a {shape.Length}-D array of shape {shapeText}; expected 2-D (height, width) for one gene " +
                "or 3-D (genes, height, width) for several.") { FilePath = path };
        if (shape.Any(d => d < 0))
            throw Invalid(path, $"its shape {shapeText} has a negative dimension.");
        if (shape.Any(d => d == 0))
            throw Invalid(path, $"its shape {shapeText} has a zero dimension, so it holds no values.");
        if (shape.Any(d => d > int.MaxValue))
            throw new SpatialSimException(ErrorKind.LimitExceeded, $"'{path}' has shape {shapeText}; a dimension above {int.MaxValue:N0} is not supported.") { FilePath = path };

        // Refuse element counts whose byte size would not even fit in a long (the caller's limits come next).
        int size = SampleDecoder.SizeOf(type);
        long count = 1;
        foreach (long d in shape)
        {
            if (count > long.MaxValue / d / size)
                throw new SpatialSimException(ErrorKind.LimitExceeded, $"'{path}' has shape {shapeText}, far too many values.") { FilePath = path };
            count *= d;
        }
        return new Header(path, descr, type, bigEndian, shape, dataOffset, length);
    }

    /// <summary>Checks that the file holds exactly the data its header promises (after the size limits were checked).</summary>
    private static void EnsureDataPresent(Header h)
    {
        long expected = h.Count * SampleDecoder.SizeOf(h.Type);
        long available = h.FileLength - h.DataOffset;
        if (available < expected)
            throw Invalid(h.Path, $"the file is truncated: shape {h.ShapeText} of '{h.Descr}' needs {expected:N0} bytes of data, but the file has only {available:N0}.");
        if (available > expected)
            throw Invalid(h.Path, $"the file holds {available - expected:N0} bytes after the {expected:N0} bytes of data of shape {h.ShapeText}: " +
                "several arrays saved into one file (numpy.load would read only the first), or a damaged file. Save one array per file.");
    }

    private static (SampleType, bool) ParseDtype(string path, string descr)
    {
        SpatialSimException Unsupported() => new(ErrorKind.NotSupported,
            $"'{path}' has dtype '{descr}', which is not supported. Supported: {SupportedDtypes}. Convert it with a.astype(numpy.float32).") { FilePath = path };
        if (descr.Length < 3) throw Unsupported();
        char order = descr[0];
        bool big = order switch
        {
            '<' or '|' => false,
            '>' => true,
            '=' => !BitConverter.IsLittleEndian,
            _ => throw Unsupported(),
        };
        SampleType type = descr[1..] switch
        {
            "b1" => SampleType.Bool,
            "u1" => SampleType.U8,
            "i1" => SampleType.I8,
            "u2" => SampleType.U16,
            "i2" => SampleType.I16,
            "u4" => SampleType.U32,
            "i4" => SampleType.I32,
            "u8" => SampleType.U64,
            "i8" => SampleType.I64,
            "f2" => SampleType.F16,
            "f4" => SampleType.F32,
            "f8" => SampleType.F64,
            _ => throw Unsupported(),
        };
        if (order == '|' && SampleDecoder.SizeOf(type) != 1) throw Unsupported(); // '|' means "no byte order": 1-byte types only
        return (type, big);
    }

    /// <summary>Parses the Python literal of a .npy header: a dict of strings, booleans, None, integers and tuples/lists.</summary>
    private sealed class PyLiteralParser(string text)
    {
        private int _pos;
        private const int MaxDepth = 8;

        public Dictionary<string, object?> ParseHeaderDict()
        {
            SkipSpace();
            if (Peek() != '{') throw new FormatException("it does not start with '{'");
            var value = ParseValue(0) as Dictionary<string, object?>;
            SkipSpace();
            if (_pos != text.Length) throw new FormatException($"unexpected text after the dict at character {_pos + 1}");
            return value!;
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c) throw new FormatException($"expected '{c}' at character {_pos + 1}");
            _pos++;
        }

        private object? ParseValue(int depth)
        {
            if (depth > MaxDepth) throw new FormatException("nested too deeply");
            SkipSpace();
            char c = Peek();
            switch (c)
            {
                case '{':
                {
                    _pos++;
                    var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                    while (true)
                    {
                        SkipSpace();
                        if (Peek() == '}') { _pos++; return dict; }
                        if (ParseValue(depth + 1) is not string key) throw new FormatException($"dict key before character {_pos + 1} is not a string");
                        Expect(':');
                        object? value = ParseValue(depth + 1);
                        if (!dict.TryAdd(key, value)) throw new FormatException($"key '{key}' appears twice");
                        SkipSpace();
                        if (Peek() == ',') { _pos++; continue; }
                        if (Peek() == '}') { _pos++; return dict; }
                        throw new FormatException($"expected ',' or '}}' at character {_pos + 1}");
                    }
                }
                case '(' or '[':
                {
                    char close = c == '(' ? ')' : ']';
                    _pos++;
                    var items = new List<object?>();
                    while (true)
                    {
                        SkipSpace();
                        if (Peek() == close) { _pos++; return items; }
                        items.Add(ParseValue(depth + 1));
                        SkipSpace();
                        if (Peek() == ',') { _pos++; continue; }
                        if (Peek() == close) { _pos++; return items; }
                        throw new FormatException($"expected ',' or '{close}' at character {_pos + 1}");
                    }
                }
                case '\'' or '"':
                {
                    char quote = c;
                    _pos++;
                    var sb = new StringBuilder();
                    while (true)
                    {
                        if (_pos >= text.Length) throw new FormatException("unterminated string");
                        char ch = text[_pos++];
                        if (ch == quote) return sb.ToString();
                        if (ch == '\\' && _pos < text.Length) ch = text[_pos++];
                        sb.Append(ch);
                    }
                }
                default:
                {
                    int start = _pos;
                    if (c is '-' or '+') _pos++;
                    while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] == '_')) _pos++;
                    string word = text[start.._pos];
                    switch (word)
                    {
                        case "True": return true;
                        case "False": return false;
                        case "None": return null;
                    }
                    string digits = word.EndsWith('L') ? word[..^1] : word; // Python 2 longs: (3L, 4L)
                    if (digits.Length > 0 && long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
                        return n;
                    if (word.Length == 0) throw new FormatException($"unexpected '{c}' at character {start + 1}");
                    throw new FormatException($"unexpected '{word}' at character {start + 1}");
                }
            }
        }
    }

    // ---------------------------------------------------------------- writing

    /// <summary>Writes one raster as a 2-D (height, width) little-endian float32 array.</summary>
    public static void WriteFloat32(string path, RasterPlane plane, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plane);
        RasterFileIo.CheckTarget(path, overwrite);
        byte[] header = BuildHeader([plane.Height, plane.Width]);
        RasterFileIo.WriteAtomically(path, overwrite, fs =>
        {
            fs.Write(header);
            RasterFileIo.WriteFloat32LittleEndian(fs, plane.Pixels, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// Writes rasters of equal size as a 3-D (genes, height, width) little-endian float32 array, planes in list order.
    /// Gene names are not stored in .npy; keep the order (e.g. in a names file) to read them back with <see cref="ReadPlanes"/>.
    /// </summary>
    public static void WriteFloat32Stack(string path, IReadOnlyList<RasterPlane> planes, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(planes);
        if (planes.Count == 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"No rasters to write to '{path}'.") { FilePath = path };
        var first = planes[0];
        for (int i = 1; i < planes.Count; i++)
        {
            var p = planes[i];
            if (p.Width != first.Width || p.Height != first.Height)
                throw new SpatialSimException(ErrorKind.Mismatch,
                    $"Cannot stack into '{path}': gene '{p.Gene}' is {p.Width}×{p.Height} pixels but gene '{first.Gene}' is {first.Width}×{first.Height}. " +
                    "All rasters of a stack must have the same size.") { FilePath = path, Gene = p.Gene };
        }
        RasterFileIo.CheckTarget(path, overwrite);
        byte[] header = BuildHeader([planes.Count, first.Height, first.Width]);
        RasterFileIo.WriteAtomically(path, overwrite, fs =>
        {
            fs.Write(header);
            foreach (var p in planes) RasterFileIo.WriteFloat32LittleEndian(fs, p.Pixels, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>The layout of a .npy file (dtype as written, shape, offset of the data), checked as <see cref="Read"/> checks it, without reading the data.</summary>
    internal static (string Descr, long[] Shape, long DataOffset) ReadLayout(string path)
    {
        using var fs = RasterFileIo.OpenRead(path);
        var h = ReadHeader(fs, path);
        EnsureDataPresent(h);
        return (h.Descr, h.Shape, h.DataOffset);
    }

    /// <summary>A version 1.0 header for '&lt;f4' C-order data, padded with spaces and a newline to a multiple of 64 bytes.</summary>
    internal static byte[] BuildHeader(long[] shape)
    {
        string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + string.Join(", ", shape) + (shape.Length == 1 ? ",), }" : "), }");
        int unpadded = 10 + dict.Length + 1; // magic(6) + version(2) + length(2) + dict + '\n'
        int total = (unpadded + 63) / 64 * 64;
        string text = dict + new string(' ', total - unpadded) + "\n";
        var bytes = new byte[total];
        Magic.CopyTo(bytes);
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)text.Length);
        Encoding.ASCII.GetBytes(text, bytes.AsSpan(10));
        return bytes;
    }
}
