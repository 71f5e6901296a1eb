using System.Buffers.Binary;
using System.Text;
using PureHDF;
using PureHDF.Selections;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// The two datasets of one bin level of a Stereo-seq GEF (<c>/geneExp/bin{N}</c>), decoded by member name and offset
/// from their HDF5 compound types, whatever the integer widths the writer chose (geftools picks uint8, uint16 or uint32
/// for the count by the largest count; gene names are fixed 32- or 64-byte strings; from GEF version 4 the gene table
/// has <c>geneID</c> and <c>geneName</c>). Every problem names the file, the dataset and the member or row.
/// </summary>
internal sealed class GefLevel
{
    public const string Root = "/geneExp";
    /// <summary>Largest record accepted (geftools writes 9 to 136 bytes); larger means a damaged type.</summary>
    private const int MaxRecordBytes = 4096;
    /// <summary>Data may be compressed, but not beyond this ratio: a larger claim is a damaged dataspace, refused before allocating.</summary>
    private const long MaxCompression = 1000;

    /// <summary>One gene of the level: its name's UTF-8 bytes and its rows [Offset, Offset + Count) of the expression dataset.</summary>
    public readonly record struct Gene(byte[] Name, long Offset, long Count, long TableRow);

    private readonly string _path;
    private readonly IH5Dataset _expression;
    private readonly Member _x, _y, _count;

    public int BinSize { get; }
    public string Group { get; }
    public string ExpressionPath => Group + "/expression";
    public string GenePath => Group + "/gene";
    /// <summary>Rows of the expression dataset.</summary>
    public long Rows { get; }
    /// <summary>Bytes of one expression row.</summary>
    public int RowSize { get; }
    /// <summary>The member the gene names were taken from (<c>gene</c> or <c>geneID</c>).</summary>
    public string GeneMember { get; private set; } = "gene";

    private GefLevel(string path, int binSize, IH5Dataset expression)
    {
        _path = path;
        BinSize = binSize;
        Group = $"{Root}/bin{binSize}";
        _expression = expression;
        var type = expression.Type;
        if (type.Class != H5DataTypeClass.Compound || expression.Space.Rank != 1)
            throw Bad(ExpressionPath, $"is a {expression.Space.Rank}-dimensional array of {Describe(type)}, not the one-dimensional table of (x, y, count) records a GEF holds");
        Rows = (long)expression.Space.Dimensions[0];
        RowSize = type.Size;
        if (RowSize is < 9 or > MaxRecordBytes)
            throw Bad(ExpressionPath, $"has records of {RowSize} bytes; a GEF expression record (x, y, count) has 9 to {MaxRecordBytes}");
        CheckSize(ExpressionPath, Rows, RowSize);
        _x = Member.Find(this, ExpressionPath, type, "x", coordinate: true);
        _y = Member.Find(this, ExpressionPath, type, "y", coordinate: true);
        _count = Member.Find(this, ExpressionPath, type, "count", coordinate: false, alternatives: ["MIDcount", "MIDCount"]);
    }

    /// <summary>Opens level bin<paramref name="binSize"/> (its expression dataset; the gene table is read by <see cref="ReadGenes"/>).</summary>
    public static GefLevel Open(string path, IH5Group file, int binSize)
    {
        string group = $"{Root}/bin{binSize}";
        var expression = GefReader.Guard(path, group + "/expression", "open", () =>
        {
            if (!file.LinkExists(group + "/expression"))
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"'{path}' has no dataset {group}/expression: a GEF bin level holds the expression records (x, y, count) there. The file is incomplete or not a GEF.")
                { FilePath = path };
            return file.Dataset(group + "/expression");
        });
        return GefReader.Guard(path, group + "/expression", "read the type of", () => new GefLevel(path, binSize, expression));
    }

    /// <summary>Reads and checks the gene table: every gene's rows lie inside the expression dataset, and together they cover it exactly once.</summary>
    public Gene[] ReadGenes(IH5Group file)
    {
        var dataset = GefReader.Guard(_path, GenePath, "open", () =>
        {
            if (!file.LinkExists(GenePath))
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"'{_path}' has no dataset {GenePath}: a GEF bin level lists its genes there (name, offset, count). The file is incomplete or not a GEF.")
                { FilePath = _path };
            return file.Dataset(GenePath);
        });
        var type = dataset.Type;
        if (type.Class != H5DataTypeClass.Compound || dataset.Space.Rank != 1)
            throw Bad(GenePath, $"is a {dataset.Space.Rank}-dimensional array of {Describe(type)}, not the one-dimensional table of (gene, offset, count) records a GEF holds");
        var members = type.Compound.Members;
        var name = members.FirstOrDefault(m => m.Name == "geneID") is { } id ? id
                 : members.FirstOrDefault(m => m.Name == "gene") is { } plain ? plain
                 : throw Bad(GenePath, $"has no member 'gene' or 'geneID' (members: {string.Join(", ", members.Select(m => m.Name))})");
        if (name.Type.Class != H5DataTypeClass.String)
            throw Bad(GenePath, $"member '{name.Name}' is {Describe(name.Type)}, not the fixed-length string of a gene name");
        if (name.Offset < 0 || name.Offset + name.Type.Size > type.Size)
            throw Bad(GenePath, $"member '{name.Name}' lies outside its {type.Size}-byte record");
        GeneMember = name.Name;
        var offset = Member.Find(this, GenePath, type, "offset", coordinate: false);
        var count = Member.Find(this, GenePath, type, "count", coordinate: false);

        long n = (long)dataset.Space.Dimensions[0];
        if (type.Size > MaxRecordBytes)
            throw Bad(GenePath, $"has records of {type.Size} bytes; a GEF gene record has at most {MaxRecordBytes}");
        CheckSize(GenePath, n, type.Size);
        var raw = GefReader.Guard(_path, GenePath, "read", () => dataset.Read<byte[]>());
        if (raw.LongLength != n * type.Size)
            throw Bad(GenePath, $"gave {raw.LongLength:N0} bytes for {n:N0} records of {type.Size} bytes");
        var genes = new Gene[n];
        for (long i = 0; i < n; i++)
        {
            var record = raw.AsSpan((int)(i * type.Size), type.Size);
            var text = record.Slice(name.Offset, name.Type.Size);
            int end = text.IndexOf((byte)0);
            if (end >= 0) text = text[..end];
            text = text.TrimEnd((byte)' ');
            if (text.IsEmpty)
                throw Bad(GenePath, $"row {i:N0} has an empty gene name");
            genes[i] = new Gene(text.ToArray(), offset.Read(record), count.Read(record), i);
        }

        var order = genes.OrderBy(g => g.Offset).ToArray();
        long next = 0, sum = 0;
        foreach (var g in order)
        {
            if (g.Offset < 0 || g.Count < 0 || g.Offset + g.Count > Rows)
                throw Bad(GenePath, $"row {g.TableRow:N0} (gene '{Encoding.UTF8.GetString(g.Name)}') claims expression rows {g.Offset:N0} to {g.Offset + g.Count - 1:N0}, " +
                                    $"but {ExpressionPath} has {Rows:N0} rows");
            if (g.Offset < next)
                throw Bad(GenePath, $"row {g.TableRow:N0} (gene '{Encoding.UTF8.GetString(g.Name)}') claims expression rows from {g.Offset:N0}, which another gene's rows already cover");
            next = g.Offset + g.Count;
            sum += g.Count;
        }
        if (sum != Rows)
            throw Bad(GenePath, $"its genes' counts add up to {sum:N0} expression rows, but {ExpressionPath} has {Rows:N0}: the two datasets do not belong together");
        return order;
    }

    /// <summary>Refuses a dataset claiming more bytes than the file could hold even compressed (a damaged dataspace), or more than an array holds.</summary>
    private void CheckSize(string dataset, long rows, int size)
    {
        long fileBytes = new FileInfo(_path).Length;
        if (rows < 0 || (double)rows * size > (double)fileBytes * MaxCompression || (dataset == GenePath && (double)rows * size > Array.MaxLength))
            throw Bad(dataset, $"claims {rows:N0} records of {size} bytes, more than the {fileBytes:N0}-byte file can hold: its dataspace is damaged");
    }

    /// <summary>Reads expression rows [<paramref name="start"/>, start + <paramref name="count"/>) as raw records into <paramref name="buffer"/>.</summary>
    public void ReadRows(long start, int count, byte[] buffer)
    {
        var selection = new HyperslabSelection(start: (ulong)start, block: (ulong)count);
        var raw = GefReader.Guard(_path, ExpressionPath, $"read rows {start:N0} to {start + count - 1:N0} of", () => _expression.Read<byte[]>(fileSelection: selection));
        if (raw.Length != count * RowSize)
            throw Bad(ExpressionPath, $"gave {raw.Length:N0} bytes for {count:N0} records of {RowSize} bytes");
        raw.CopyTo(buffer, 0);
    }

    public long X(ReadOnlySpan<byte> record) => _x.Read(record);
    public long Y(ReadOnlySpan<byte> record) => _y.Read(record);
    public long Count(ReadOnlySpan<byte> record) => _count.Read(record);

    internal SpatialSimException Bad(string dataset, string what) =>
        new(ErrorKind.InvalidData, $"'{_path}': dataset {dataset} {what}. The file is damaged or not a Stereo-seq GEF.") { FilePath = _path };

    private static string Describe(IH5DataType t) => t.Class switch
    {
        H5DataTypeClass.FixedPoint => $"{(t.FixedPoint.IsSigned ? "" : "u")}int{8 * t.Size}",
        H5DataTypeClass.FloatingPoint => $"float{8 * t.Size}",
        H5DataTypeClass.String => $"{t.Size}-byte string",
        H5DataTypeClass.Compound => "compound",
        _ => t.Class.ToString(),
    };

    /// <summary>An integer member of a compound record: its offset, width and signedness.</summary>
    private readonly record struct Member(int Offset, int Size, bool Signed)
    {
        public static Member Find(GefLevel level, string dataset, IH5DataType type, string name, bool coordinate, string[]? alternatives = null)
        {
            var members = type.Compound.Members;
            var m = members.FirstOrDefault(c => c.Name == name);
            if (m is null && alternatives != null)
                foreach (var a in alternatives)
                    if (members.FirstOrDefault(c => c.Name == a) is { } found) { m = found; break; }
            if (m is null)
                throw level.Bad(dataset, $"has no member '{name}' (members: {string.Join(", ", members.Select(c => c.Name))})");
            var t = m.Type;
            if (t.Class != H5DataTypeClass.FixedPoint || t.Size is not (1 or 2 or 4 or 8))
                throw level.Bad(dataset, $"member '{m.Name}' is {Describe(t)}; a GEF stores {(coordinate ? "coordinates as int32" : $"'{name}' as an unsigned integer")}");
            if (m.Offset < 0 || m.Offset + t.Size > type.Size)
                throw level.Bad(dataset, $"member '{m.Name}' lies at bytes {m.Offset} to {m.Offset + t.Size - 1}, outside its {type.Size}-byte record");
            return new Member(m.Offset, t.Size, t.FixedPoint.IsSigned);
        }

        public long Read(ReadOnlySpan<byte> record)
        {
            var b = record.Slice(Offset, Size);
            return (Size, Signed) switch
            {
                (1, false) => b[0],
                (1, true) => (sbyte)b[0],
                (2, false) => BinaryPrimitives.ReadUInt16LittleEndian(b),
                (2, true) => BinaryPrimitives.ReadInt16LittleEndian(b),
                (4, false) => BinaryPrimitives.ReadUInt32LittleEndian(b),
                (4, true) => BinaryPrimitives.ReadInt32LittleEndian(b),
                (_, false) => (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(b), long.MaxValue),
                _ => BinaryPrimitives.ReadInt64LittleEndian(b),
            };
        }
    }
}
