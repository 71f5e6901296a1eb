using System.Numerics;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace SpatialSim.TorchCore.IO.Hdf5;

/// <summary>
/// An HDF5 file opened for reading with PureHDF, with the look-ups the spot readers need and errors for people: every
/// problem names the file and the group, dataset or attribute, and says what to do. Numbers are read in their stored type
/// (PureHDF does not convert) and converted here; LZF-compressed datasets are decompressed by <see cref="LzfFilter"/>.
/// </summary>
internal sealed class Hdf5Reader : IDisposable
{
    /// <summary>
    /// A dataset may claim at most this many bytes per byte of the file (gzip of all-zero data reaches about 1000:1), so that
    /// a damaged size field is refused before anything is allocated for it.
    /// </summary>
    private const long MaxExpansion = 1100;
    private const long MinClaimBytes = 64L << 20;
    private readonly NativeFile _file;
    private readonly long _length;

    private Hdf5Reader(string path, NativeFile file)
    {
        Path = path;
        _file = file;
        _length = new FileInfo(path).Length;
    }

    /// <summary>Refuses to read <paramref name="count"/> elements of <paramref name="size"/> bytes that the file cannot hold.</summary>
    private void CheckClaim(string path, double count, int size)
    {
        double bytes = count * Math.Max(1, size);
        if (bytes > Math.Max(MinClaimBytes, (double)_length * MaxExpansion))
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{path}' in '{FileName}' claims {count:N0} values ({bytes / 1048576:N0} MB), more than a file of {_length:N0} bytes can hold: the file is damaged.") { FilePath = Path };
    }

    public string Path { get; }
    public string FileName => System.IO.Path.GetFileName(Path);
    public IH5Group Root => _file;

    public static Hdf5Reader Open(string path)
    {
        LzfFilter.Register();
        try { return new Hdf5Reader(path, H5File.OpenRead(path)); }
        catch (Exception e) when (e is not SpatialSimException)
        {
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{path}' cannot be opened as HDF5 ({Brief(e)}): truncated or damaged? Copy or download it again.", e) { FilePath = path };
        }
    }

    /// <summary>Whether an object exists at <paramref name="path"/> (slash-separated, from the root).</summary>
    public bool Exists(string path)
    {
        try
        {
            IH5Group group = _file;
            var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            for (int i = 0; i < parts.Length; i++)
            {
                if (!group.LinkExists(parts[i])) return false;
                if (i == parts.Length - 1) return true;
                if (group.Get(parts[i]) is not IH5Group next) return false;
                group = next;
            }
            return true;
        }
        catch (Exception e) when (e is not SpatialSimException) { throw Damaged(path, e); }
    }

    public IH5Object Get(string path, string what)
    {
        if (!Exists(path))
            throw new SpatialSimException(ErrorKind.NotFound, $"'{FileName}' has no {what} ('{path}'). Is it complete, and of the expected kind?") { FilePath = Path };
        try { return _file.Get(path); }
        catch (Exception e) when (e is not SpatialSimException) { throw Damaged(path, e); }
    }

    public IH5Dataset Dataset(string path, string what) =>
        Get(path, what) as IH5Dataset ?? throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}' in '{FileName}' is a group, not a dataset ({what}).") { FilePath = Path };

    public IH5Group Group(string path, string what) =>
        Get(path, what) as IH5Group ?? throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}' in '{FileName}' is a dataset, not a group ({what}).") { FilePath = Path };

    /// <summary>The string attribute <paramref name="name"/> of <paramref name="obj"/>, or null when absent.</summary>
    public string? StringAttribute(IH5Object obj, string name, string objectPath)
    {
        try
        {
            if (!obj.AttributeExists(name)) return null;
            var attribute = obj.Attribute(name);
            if (attribute.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength)) return null;
            return attribute.Read<string>();
        }
        catch (Exception e) when (e is not SpatialSimException) { throw Damaged($"{objectPath} attribute {name}", e); }
    }

    /// <summary>An integer array attribute (e.g. a sparse matrix's shape), or null when absent.</summary>
    public long[]? IntegerAttribute(IH5Object obj, string name, string objectPath)
    {
        try
        {
            if (!obj.AttributeExists(name)) return null;
            var attribute = obj.Attribute(name);
            if (attribute.Type.Class != H5DataTypeClass.FixedPoint)
                throw new SpatialSimException(ErrorKind.InvalidData, $"Attribute '{name}' of '{objectPath}' in '{FileName}' is not an integer array.") { FilePath = Path };
            return attribute.Type.Size switch
            {
                8 => attribute.Read<long[]>(),
                4 => attribute.Read<int[]>().Select(v => (long)v).ToArray(),
                _ => throw new SpatialSimException(ErrorKind.InvalidData, $"Attribute '{name}' of '{objectPath}' in '{FileName}' has {attribute.Type.Size}-byte integers.") { FilePath = Path },
            };
        }
        catch (Exception e) when (e is not SpatialSimException) { throw Damaged($"{objectPath} attribute {name}", e); }
    }

    /// <summary>Dimensions of a dataset.</summary>
    public ulong[] Dimensions(IH5Dataset dataset, string path)
    {
        try { return dataset.Space.Dimensions; }
        catch (Exception e) when (e is not SpatialSimException) { throw Damaged(path, e); }
    }

    /// <summary>The length of a 1-D dataset.</summary>
    public long Length(IH5Dataset dataset, string path)
    {
        var dims = Dimensions(dataset, path);
        if (dims.Length != 1)
            throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}' in '{FileName}' has {dims.Length} dimensions; a 1-D array was expected.") { FilePath = Path };
        return (long)dims[0];
    }

    /// <summary>Strings of a 1-D dataset (variable-length or fixed-length).</summary>
    public string[] Strings(IH5Dataset dataset, string path)
    {
        try
        {
            if (dataset.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength))
                throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}' in '{FileName}' holds {Describe(dataset)}, not strings.") { FilePath = Path };
            CheckClaim(path, dataset.Space.Dimensions.Aggregate(1.0, (a, d) => a * d), 16);
            return dataset.Read<string[]>();
        }
        catch (Exception e) when (e is not SpatialSimException) { throw Damaged(path, e); }
    }

    /// <summary>
    /// Elements [<paramref name="start"/>, start + count) of a numeric dataset (flattened row-major when n-D), converted to
    /// <typeparamref name="T"/> (int, long, float or double). Integers that do not fit <typeparamref name="T"/> are an error.
    /// </summary>
    public T[] Numbers<T>(IH5Dataset dataset, string path, long start = 0, long count = -1) where T : struct, INumber<T>
    {
        var type = TypeOf(dataset, path);
        var dims = Dimensions(dataset, path);
        CheckClaim(path, dims.Aggregate(1.0, (a, d) => a * d), type.Size);
        long total = dims.Aggregate(1L, (a, d) => a * (long)d);
        if (count < 0) count = total - start;
        if (start < 0 || start + count > total)
            throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}' in '{FileName}' has {total:N0} values; values {start:N0}–{start + count:N0} were asked for (an index beyond it).") { FilePath = Path };
        try
        {
            Selection? selection = null;
            if (dims.Length == 1 && (start != 0 || count != total)) selection = new HyperslabSelection((ulong)start, (ulong)count);
            else if (dims.Length > 1 && (start != 0 || count != total))
                throw new SpatialSimException(ErrorKind.NotSupported, $"Partial reads of the {dims.Length}-D '{path}' are done by rows.") { FilePath = Path };
            return type switch
            {
                ('f', 4) => Convert<float, T>(Read<float>(dataset, selection), path),
                ('f', 8) => Convert<double, T>(Read<double>(dataset, selection), path),
                ('i', 1) => Convert<sbyte, T>(Read<sbyte>(dataset, selection), path),
                ('u', 1) => Convert<byte, T>(Read<byte>(dataset, selection), path),
                ('i', 2) => Convert<short, T>(Read<short>(dataset, selection), path),
                ('u', 2) => Convert<ushort, T>(Read<ushort>(dataset, selection), path),
                ('i', 4) => Convert<int, T>(Read<int>(dataset, selection), path),
                ('u', 4) => Convert<uint, T>(Read<uint>(dataset, selection), path),
                ('i', 8) => Convert<long, T>(Read<long>(dataset, selection), path),
                ('u', 8) => Convert<ulong, T>(Read<ulong>(dataset, selection), path),
                _ => throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}' in '{FileName}' holds {Describe(dataset)}; numbers were expected.") { FilePath = Path },
            };
        }
        catch (Exception e) when (e is not SpatialSimException) { throw Damaged(path, e); }
    }

    /// <summary>
    /// Values [<paramref name="start"/>, start + <paramref name="count"/>) of a 1-D numeric dataset, as <see cref="Numbers{T}"/>
    /// reads them, but into <paramref name="buffer"/> (from index 0), which the caller reuses from block to block: a streaming
    /// reader then leaves no block-sized garbage per read (a 90-million-entry matrix read in 4 Mi blocks left about 1.4 GB of
    /// large-object garbage before the next full collection). Stored as T already: read in place; otherwise converted.
    /// </summary>
    public void NumbersInto<T>(IH5Dataset dataset, string path, long start, long count, T[] buffer) where T : struct, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (count < 0 || count > buffer.Length) throw new ArgumentOutOfRangeException(nameof(count), count, $"The buffer holds {buffer.Length} values.");
        var type = TypeOf(dataset, path);
        var dims = Dimensions(dataset, path);
        bool same = (typeof(T) == typeof(float) && type == ('f', 4)) || (typeof(T) == typeof(int) && type == ('i', 4))
                    || (typeof(T) == typeof(long) && type == ('i', 8)) || (typeof(T) == typeof(double) && type == ('f', 8));
        if (dims.Length != 1 || !same || count == 0)
        {
            if (count == 0) return;
            Numbers<T>(dataset, path, start, count).CopyTo(buffer, 0);
            return;
        }
        CheckClaim(path, dims[0], type.Size);
        long total = (long)dims[0];
        if (start < 0 || start + count > total)
            throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}' in '{FileName}' has {total:N0} values; values {start:N0}–{start + count:N0} were asked for (an index beyond it).") { FilePath = Path };
        try
        {
            dataset.Read(buffer, new HyperslabSelection((ulong)start, (ulong)count), new HyperslabSelection(0, (ulong)count), [(ulong)buffer.Length]);
        }
        catch (Exception e) when (e is not SpatialSimException) { throw Damaged(path, e); }
    }

    /// <summary>Rows [<paramref name="row"/>, row + rows) of a 2-D numeric dataset, row-major, as float.</summary>
    public float[] Rows(IH5Dataset dataset, string path, long row, long rows)
    {
        var dims = Dimensions(dataset, path);
        if (dims.Length != 2)
            throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}' in '{FileName}' has {dims.Length} dimensions; a 2-D matrix was expected.") { FilePath = Path };
        var type = TypeOf(dataset, path);
        CheckClaim(path, (double)dims[0] * dims[1], type.Size);
        try
        {
            var selection = new HyperslabSelection(2, [(ulong)row, 0], [(ulong)rows, dims[1]]);
            return type switch
            {
                ('f', 4) => Read<float>(dataset, selection),
                ('f', 8) => Convert<double, float>(Read<double>(dataset, selection), path),
                ('i', 4) => Convert<int, float>(Read<int>(dataset, selection), path),
                ('u', 4) => Convert<uint, float>(Read<uint>(dataset, selection), path),
                ('i', 8) => Convert<long, float>(Read<long>(dataset, selection), path),
                ('u', 8) => Convert<ulong, float>(Read<ulong>(dataset, selection), path),
                ('i', 2) => Convert<short, float>(Read<short>(dataset, selection), path),
                ('u', 2) => Convert<ushort, float>(Read<ushort>(dataset, selection), path),
                ('i', 1) => Convert<sbyte, float>(Read<sbyte>(dataset, selection), path),
                ('u', 1) => Convert<byte, float>(Read<byte>(dataset, selection), path),
                _ => throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}' in '{FileName}' holds {Describe(dataset)}; numbers were expected.") { FilePath = Path },
            };
        }
        catch (Exception e) when (e is not SpatialSimException) { throw Damaged(path, e); }
    }

    /// <summary>'f', 'i' or 'u' and the size in bytes.</summary>
    public (char Kind, int Size) TypeOf(IH5Dataset dataset, string path)
    {
        try
        {
            var type = dataset.Type;
            return type.Class switch
            {
                H5DataTypeClass.FloatingPoint => ('f', type.Size),
                H5DataTypeClass.FixedPoint => (type.FixedPoint.IsSigned ? 'i' : 'u', type.Size),
                _ => ('?', type.Size),
            };
        }
        catch (Exception e) when (e is not SpatialSimException) { throw Damaged(path, e); }
    }

    public string Describe(IH5Dataset dataset)
    {
        try
        {
            var t = dataset.Type;
            return t.Class switch
            {
                H5DataTypeClass.FloatingPoint => $"{8 * t.Size}-bit floats",
                H5DataTypeClass.FixedPoint => $"{8 * t.Size}-bit {(t.FixedPoint.IsSigned ? "" : "unsigned ")}integers",
                H5DataTypeClass.String or H5DataTypeClass.VariableLength => "strings",
                var c => $"{c} values",
            };
        }
        catch (Exception) { return "values of an unreadable type"; }
    }

    private static TElement[] Read<TElement>(IH5Dataset dataset, Selection? selection) where TElement : unmanaged =>
        selection is null ? dataset.Read<TElement[]>() : dataset.Read<TElement[]>(selection);

    private T[] Convert<TSource, T>(TSource[] values, string path) where TSource : struct, INumber<TSource> where T : struct, INumber<T>
    {
        if (values is T[] same) return same;
        var result = new T[values.Length];
        if (typeof(T) == typeof(float) || typeof(T) == typeof(double))
        {
            for (int i = 0; i < values.Length; i++) result[i] = T.CreateTruncating(values[i]);
            return result;
        }
        for (int i = 0; i < values.Length; i++)
        {
            var v = values[i];
            T t = default;
            bool ok = TSource.IsInteger(v);
            if (ok)
            {
                try { t = T.CreateChecked(v); }
                catch (OverflowException) { ok = false; }
            }
            if (!ok)
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"'{path}' in '{FileName}' holds {v} at position {i:N0}, which is not an index (a whole number in range).") { FilePath = Path };
            result[i] = t;
        }
        return result;
    }

    /// <summary>A read failure inside the file (truncated, damaged, an unsupported filter) as an error naming the file and the object.</summary>
    public SpatialSimException Damaged(string path, Exception e)
    {
        if (e is SpatialSimException s) return s;
        var lzf = e as SpatialSimException ?? e.InnerException as SpatialSimException;
        if (lzf is not null) return new SpatialSimException(lzf.Kind, $"'{path}' in '{FileName}': {lzf.Message}", e) { FilePath = Path };
        return new SpatialSimException(ErrorKind.InvalidData,
            $"'{path}' in '{FileName}' cannot be read ({Brief(e)}): the file is truncated or damaged. Copy or download it again.", e) { FilePath = Path };
    }

    internal static string Brief(Exception e)
    {
        for (var x = e; x != null; x = x.InnerException)
            if (x is SpatialSimException s) return s.Message;
        string m = e.Message.Split('\n', 2)[0].Trim().TrimEnd('.');
        return m.Length > 140 ? m[..140] + "…" : m;
    }

    public void Dispose() => _file.Dispose();
}
