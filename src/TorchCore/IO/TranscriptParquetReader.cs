using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using ParquetSharp;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Reads a long transcript table stored as Apache Parquet — 10x Genomics Xenium <c>transcripts.parquet</c>
/// (<c>feature_name</c>, <c>x_location</c>, <c>y_location</c> in µm, <c>qv</c>, …) or any Parquet file with one row per
/// molecule or per gene and position — into a <see cref="CountTable"/>: the same rasters the same rows give as a text
/// table read by <see cref="CountTableReader"/>.
/// </summary>
/// <remarks>
/// <para>Columns are recognised by name, case-insensitively, with <see cref="CountTableHeader"/>'s candidate lists
/// (gene: <c>geneID, gene, feature_name, …</c>; x: <c>global_x, x_global_px, x_location, x, …</c>; y likewise; an
/// optional count column, without which every row counts 1) plus an optional quality column <c>qv</c>. Gene names may
/// be stored as strings or as plain binary (XOA 1.x wrote <c>feature_name</c> as bytes); coordinates, counts and
/// quality as 32/64-bit floats or integers. Rows with <c>qv</c> below <see cref="TableReadOptions.MinQuality"/> (default
/// 20, Xenium's own threshold) are dropped, and control codewords (<see cref="ControlProbes"/>) are left out unless
/// <see cref="TableReadOptions.IncludeControls"/>.</para>
/// <para>Streaming: row groups one after the other, each in batches of 64K rows read column by column, so memory is
/// the molecules kept (12 bytes each, 8 without a count column) plus one batch. The reader is ParquetSharp (Apache
/// Arrow's C++ Parquet library): on a 50-million-row Xenium-like file it read the four columns 15× faster than the
/// managed Parquet.Net.</para>
/// </remarks>
public static class TranscriptParquetReader
{
    /// <summary>Names of the decoding-quality column (Phred-scaled, as Xenium's <c>qv</c>).</summary>
    public static readonly IReadOnlyList<string> QualityNames = ["qv"];

    private const int BatchRows = 1 << 16;

    /// <summary>Whether <paramref name="path"/> starts with the Parquet magic bytes "PAR1".</summary>
    public static bool IsParquet(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            Span<byte> head = stackalloc byte[4];
            return fs.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual("PAR1"u8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Reads <paramref name="path"/>. Every problem with the file or the options is a <see cref="SpatialSimException"/>.</summary>
    public static CountTable Read(string path, TableReadOptions options,
        IProgress<TableReadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        CountTableReader.Validate(options);
        if (double.IsNaN(options.MinQuality))
            throw new SpatialSimException(ErrorKind.InvalidArgument, "MinQuality must be a number (0 keeps every row), got NaN.");
        cancellationToken.ThrowIfCancellationRequested();
        if (options.Region is { } r)
            CountTableReader.CheckCanvas(path, options, (long)r.X1 - r.X0, (long)r.Y1 - r.Y0, r.X0, r.Y0, fromRegion: true);
        CheckEnds(path);

        ParquetFileReader file;
        try { file = new ParquetFileReader(path); }
        catch (ParquetException e) { throw Damaged(path, "its footer (the schema and row-group index) cannot be read", e); }
        try
        {
            return Read(path, file, options, progress, cancellationToken);
        }
        catch (Exception e) when (e is not (SpatialSimException or OperationCanceledException or OutOfMemoryException))
        {
            // ParquetSharp reports some damage (an unknown type code in the schema, an impossible length) as other exceptions.
            throw Damaged(path, "it cannot be decoded", e);
        }
        finally
        {
            file.Dispose();
        }
    }

    private static CountTable Read(string path, ParquetFileReader file, TableReadOptions options,
        IProgress<TableReadProgress>? progress, CancellationToken cancellationToken)
    {
        {
            var meta = file.FileMetaData;
            var columns = FindColumns(path, meta.Schema);
            var builder = new MoleculeTableBuilder(path, options, hasCounts: columns.Count >= 0);
            var clock = Stopwatch.StartNew();
            long totalBytes = 0;
            for (int g = 0; g < meta.NumRowGroups; g++)
                using (var rg = file.RowGroup(g))
                    totalBytes += columns.Indices.Sum(c => rg.MetaData.GetColumnChunkMetaData(c).TotalCompressedSize);
            progress?.Report(new TableReadProgress(TableReadPhase.Reading, 0, totalBytes, 0, clock.Elapsed));

            var batch = new Batch(columns, options);
            long firstRow = 0, bytesDone = 0;
            for (int g = 0; g < meta.NumRowGroups; g++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var rowGroup = file.RowGroup(g);
                long rows = rowGroup.MetaData.NumRows;
                try
                {
                    ReadRowGroup(path, rowGroup, g, firstRow, rows, columns, batch, builder, cancellationToken);
                }
                catch (ParquetException e)
                {
                    throw Damaged(path, $"row group {g} (rows {firstRow:N0} to {firstRow + rows - 1:N0}) cannot be decoded", e);
                }
                firstRow += rows;
                bytesDone += columns.Indices.Sum(c => rowGroup.MetaData.GetColumnChunkMetaData(c).TotalCompressedSize);
                progress?.Report(new TableReadProgress(TableReadPhase.Reading, bytesDone, totalBytes, builder.RowsRead, clock.Elapsed));
            }
            progress?.Report(new TableReadProgress(TableReadPhase.Building, totalBytes, totalBytes, builder.RowsRead, clock.Elapsed));
            return builder.Build(columns.Describe(), "Parquet table", cancellationToken);
        }
    }

    /// <summary>Checks the magic bytes at both ends: a Parquet file starts and ends with "PAR1".</summary>
    private static void CheckEnds(string path)
    {
        using var fs = RasterFileIo.OpenRead(path);
        long length = fs.Length;
        Span<byte> head = stackalloc byte[4], tail = stackalloc byte[4];
        if (!RasterFileIo.TryReadAt(fs, 0, head) || !head.SequenceEqual("PAR1"u8))
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{path}' is not a Parquet file: it does not start with the bytes 'PAR1' (it starts with {RasterFileIo.HexPrefix(head[..(int)Math.Min(4, length)])}).")
            { FilePath = path };
        if (length < 12 || !RasterFileIo.TryReadAt(fs, length - 4, tail) || !tail.SequenceEqual("PAR1"u8))
            throw Damaged(path, $"it does not end with the bytes 'PAR1' that close every Parquet file ({length:N0} bytes: truncated, or still being written?)", null);
    }

    private static SpatialSimException Damaged(string path, string what, Exception? inner) =>
        new(ErrorKind.InvalidData,
            $"'{path}' is a damaged Parquet file: {what}{(inner is null ? "" : $" ({inner.Message.Trim().TrimEnd('.')})")}. Copy or export the file again.", inner)
        { FilePath = path };

    private static void ReadRowGroup(string path, RowGroupReader rowGroup, int g, long firstRow, long rows, ParquetColumns columns,
        Batch batch, MoleculeTableBuilder builder, CancellationToken cancel)
    {
        using var gene = new ParquetColumnCursor(rowGroup, columns.Gene, path, g, firstRow);
        using var x = new ParquetColumnCursor(rowGroup, columns.X, path, g, firstRow);
        using var y = new ParquetColumnCursor(rowGroup, columns.Y, path, g, firstRow);
        using var count = columns.Count >= 0 ? new ParquetColumnCursor(rowGroup, columns.Count, path, g, firstRow) : null;
        using var quality = columns.Quality >= 0 ? new ParquetColumnCursor(rowGroup, columns.Quality, path, g, firstRow) : null;
        for (long done = 0; done < rows; done += BatchRows)
        {
            cancel.ThrowIfCancellationRequested();
            int n = (int)Math.Min(BatchRows, rows - done);
            gene.Read(batch.Genes.AsSpan(0, n));
            batch.ReadCoordinates(x, y, n);
            if (count != null) batch.ReadNumbers(count, batch.Counts, n);
            if (quality != null) batch.ReadNumbers(quality, batch.Qualities, n);
            batch.File(n, gene, x, y, count, builder);
        }
    }

    private static ParquetColumns FindColumns(string path, SchemaDescriptor schema)
    {
        var names = new List<string>();
        var flat = new List<int>();
        for (int i = 0; i < schema.NumColumns; i++)
        {
            var d = schema.Column(i);
            names.Add(d.Path.ToDotString());
            if (d.MaxRepetitionLevel == 0 && d.Path.ToDotVector().Length == 1) flat.Add(i);
        }
        int Find(IReadOnlyList<string> candidates)
        {
            foreach (var name in candidates)
                foreach (int i in flat)
                    if (string.Equals(schema.Column(i).Name, name, StringComparison.OrdinalIgnoreCase)) return i;
            return -1;
        }
        int gene = Find(CountTableHeader.GeneNames), x = Find(CountTableHeader.XNames), y = Find(CountTableHeader.YNames);
        int count = Find(CountTableHeader.CountNames), quality = Find(QualityNames);

        var missing = new List<string>();
        if (gene < 0) missing.Add($"a gene column ({string.Join(", ", CountTableHeader.GeneNames)})");
        if (x < 0) missing.Add($"an x column ({string.Join(", ", CountTableHeader.XNames)})");
        if (y < 0) missing.Add($"a y column ({string.Join(", ", CountTableHeader.YNames)})");
        if (missing.Count > 0)
        {
            string found = names.Count == 0 ? "none" : string.Join(", ", names.Take(40).Select(c => $"'{c}'")) + (names.Count > 40 ? $" and {names.Count - 40} more" : "");
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"The Parquet file '{path}' lacks {string.Join(missing.Count == 2 ? " and " : ", ", missing)}. Columns found: {found}. " +
                "A transcript table needs one row per molecule (or per gene and position) with the gene's name and x and y; letter case does not matter.")
            { FilePath = path };
        }

        var columns = new ParquetColumns(gene, x, y, count, quality, schema, names);
        CheckType(path, schema, gene, "the gene name", PhysicalType.ByteArray);
        foreach (var (c, role) in new[] { (x, "the x coordinate"), (y, "the y coordinate"), (count, "the count"), (quality, "the quality value") })
            if (c >= 0) CheckType(path, schema, c, role, PhysicalType.Float, PhysicalType.Double, PhysicalType.Int32, PhysicalType.Int64);
        return columns;
    }

    private static void CheckType(string path, SchemaDescriptor schema, int column, string role, params PhysicalType[] allowed)
    {
        var d = schema.Column(column);
        using var logical = d.LogicalType;
        var t = logical.Type;
        bool ok = allowed.Contains(d.PhysicalType) &&
                  t is LogicalTypeEnum.None or LogicalTypeEnum.String or LogicalTypeEnum.Enum or LogicalTypeEnum.Int or LogicalTypeEnum.Json;
        if (ok && d.PhysicalType == PhysicalType.ByteArray && t is LogicalTypeEnum.Int) ok = false;
        if (ok) return;
        string expected = allowed[0] == PhysicalType.ByteArray ? "text (a string or binary column)" : "numbers (float, double or integer)";
        string actual = t is LogicalTypeEnum.None ? d.PhysicalType.ToString() : $"{d.PhysicalType} ({t})";
        throw new SpatialSimException(ErrorKind.InvalidData,
            $"Column '{d.Name}' of the Parquet file '{path}' holds {actual} values, but it was taken as {role}, which must be {expected}. " +
            "Convert the column, or rename it if it is not what its name says.")
        { FilePath = path };
    }

    /// <summary>The columns a table is read from, as indices into the file's flat columns (-1: absent).</summary>
    private sealed record ParquetColumns(int Gene, int X, int Y, int Count, int Quality, SchemaDescriptor Schema, List<string> All)
    {
        public IEnumerable<int> Indices => new[] { Gene, X, Y, Count, Quality }.Where(i => i >= 0);

        public TableColumns Describe() => new(Schema.Column(Gene).Name, Schema.Column(X).Name, Schema.Column(Y).Name,
            Count >= 0 ? Schema.Column(Count).Name : null, '\0', All);
    }

    /// <summary>One batch of rows, column by column, and the filing of its rows into the builder.</summary>
    private sealed class Batch(ParquetColumns columns, TableReadOptions options)
    {
        public readonly ByteArray[] Genes = new ByteArray[BatchRows];
        public readonly double[] Xs = new double[BatchRows], Ys = new double[BatchRows];
        public readonly double[] Counts = columns.Count >= 0 ? new double[BatchRows] : [];
        public readonly double[] Qualities = columns.Quality >= 0 ? new double[BatchRows] : [];
        private readonly float[] _floats = new float[BatchRows];
        private readonly int[] _ints = new int[BatchRows];
        private readonly long[] _longs = new long[BatchRows];
        private readonly double _minQuality = options.MinQuality;
        private bool _xWhole, _yWhole;
        private GeneAccumulator? _last;

        /// <summary>Reads <paramref name="n"/> x and y values; integer columns are then placed with integer arithmetic, as the text reader does.</summary>
        public void ReadCoordinates(ParquetColumnCursor x, ParquetColumnCursor y, int n)
        {
            ReadNumbers(x, Xs, n);
            ReadNumbers(y, Ys, n);
            _xWhole = x.Type is PhysicalType.Int32 or PhysicalType.Int64;
            _yWhole = y.Type is PhysicalType.Int32 or PhysicalType.Int64;
        }

        /// <summary>Reads <paramref name="n"/> values of a numeric column as doubles (float, int and long converted exactly).</summary>
        public void ReadNumbers(ParquetColumnCursor c, double[] into, int n)
        {
            var to = into.AsSpan(0, n);
            switch (c.Type)
            {
                case PhysicalType.Double:
                    c.Read(to);
                    break;
                case PhysicalType.Float:
                    c.Read(_floats.AsSpan(0, n));
                    for (int i = 0; i < n; i++) to[i] = _floats[i];
                    break;
                case PhysicalType.Int32:
                    c.Read(_ints.AsSpan(0, n));
                    for (int i = 0; i < n; i++) to[i] = _ints[i];
                    break;
                default:
                    c.Read(_longs.AsSpan(0, n));
                    for (int i = 0; i < n; i++) to[i] = _longs[i];
                    break;
            }
        }

        public unsafe void File(int n, ParquetColumnCursor geneColumn, ParquetColumnCursor xColumn, ParquetColumnCursor yColumn,
            ParquetColumnCursor? countColumn, MoleculeTableBuilder builder)
        {
            bool hasQuality = Qualities.Length > 0, hasCounts = Counts.Length > 0;
            double minQuality = _minQuality;
            var last = _last;
            for (int i = 0; i < n; i++)
            {
                if (hasQuality && Qualities[i] < minQuality)
                {
                    builder.RowsBelowQuality++;
                    continue;
                }
                var bytes = Genes[i];
                var key = new ReadOnlySpan<byte>((void*)bytes.Pointer, bytes.Length);
                if (last is null || !key.SequenceEqual(last.Key))
                {
                    if (key.Trim((byte)' ').IsEmpty)
                        throw geneColumn.Problem(i, "(the gene name) is empty. Every row needs a gene; remove or fill the row");
                    last = builder.Genes.GetOrAdd(key);
                }
                if (!(_xWhole ? builder.TryPixel((long)Xs[i], out int px) : builder.TryPixel(Xs[i], out px)))
                    throw BadCoordinate(xColumn, i, Xs[i], builder, last.Name);
                if (!(_yWhole ? builder.TryPixel((long)Ys[i], out int py) : builder.TryPixel(Ys[i], out py)))
                    throw BadCoordinate(yColumn, i, Ys[i], builder, last.Name);
                double count = 1.0;
                if (hasCounts)
                {
                    count = Counts[i];
                    if (!(count >= 0 && count <= float.MaxValue))
                        throw countColumn!.Problem(i, $"(the count) is {count:g6}; counts must be finite numbers of 0 or more", last.Name);
                }
                builder.Add(last, px, py, count);
            }
            builder.RowsRead += n;
            builder.ChunkDone();
            _last = last;
        }

        private static SpatialSimException BadCoordinate(ParquetColumnCursor c, int i, double value, MoleculeTableBuilder builder, string gene) =>
            double.IsFinite(value)
                ? c.Problem(i, $"(a coordinate) is {value:g6}, pixel {value / builder.PixelSize:g6} at PixelSize {builder.PixelSize}, beyond the " +
                               "±2,147,483,647 pixels a canvas can address. Check that the column holds coordinates, or use a larger -PixelSize", gene)
                : c.Problem(i, $"(a coordinate) is {value}; NaN and infinity cannot be placed on a raster. Remove the row", gene);
    }
}
