using System.Diagnostics;
using System.Text.RegularExpressions;
using PureHDF;
using PureHDF.VOL.Native;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Reads a Stereo-seq GEF (the HDF5 "common bin" GEF, <c>.gef</c> / <c>.bgef</c>, written by STOmics SAW and geftools)
/// into a <see cref="CountTable"/>: the rasters the same molecules give as a GEM table read by
/// <see cref="CountTableReader"/>.
/// </summary>
/// <remarks>
/// <para>Layout (geftools <c>BgefWriter</c>; read the same way by stereopy): <c>/geneExp/bin{N}/expression</c>, one
/// record (x int32, y int32, count uint8/16/32) per gene and DNB (or bin), the rows of each gene together, and
/// <c>/geneExp/bin{N}/gene</c>, one record per gene (name, offset, count) giving its rows. Gene names come from
/// <c>geneID</c> when present (GEF version 4 on, as the GEM reader takes a GEM's geneID column), else <c>gene</c>.
/// Coordinates are DNB coordinates: with <see cref="TableReadOptions.PixelSize"/> 1, one DNB (0.5 µm) is one pixel.</para>
/// <para>Stored bin levels: at bin N > 1 geftools stores each bin at its corner, <c>floor(x / N) · N</c>, with the counts
/// summed, so its bins lie on multiples of N; a GEM (and bin1) is binned from the data's smallest x and y. When
/// <see cref="TableReadOptions.BinSize"/> is a stored level, PixelSize is 1 and the two binnings are the same — a region
/// on multiples of N sets the canvas, or bin1's recorded <c>minX</c> and <c>minY</c> are multiples of N (as in SAW's
/// full-chip files, whose coordinates start at 0) — that level is read instead of bin1: up to N² fewer records, and the
/// same rasters. Otherwise bin1 is read and binned, so a GEF always gives exactly the rasters of its GEM.
/// A level whose coordinates are not on multiples of N is not used either.</para>
/// <para>Streaming: the gene table is read whole (tens of thousands of records), the expression records in slices of 1M
/// rows in file order, so memory is the molecules kept (12 bytes each) plus one slice. Reading is PureHDF (managed
/// HDF5, with the deflate filter GEF writers may use).</para>
/// </remarks>
public static partial class GefReader
{
    private const int SliceRows = 1 << 20;
    private static readonly byte[] Hdf5Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Whether <paramref name="path"/> starts with the HDF5 signature.</summary>
    public static bool IsHdf5(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            Span<byte> head = stackalloc byte[8];
            return fs.ReadAtLeast(head, 8, throwOnEndOfStream: false) == 8 && head.SequenceEqual(Hdf5Signature);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The bin levels stored in a GEF (<c>/geneExp/bin{N}</c>), smallest first.</summary>
    public static IReadOnlyList<int> StoredBinSizes(string path)
    {
        using var file = Open(path);
        return Levels(path, file);
    }

    /// <summary>Reads <paramref name="path"/>. Every problem with the file or the options is a <see cref="SpatialSimException"/>.</summary>
    public static CountTable Read(string path, TableReadOptions options,
        IProgress<TableReadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        CountTableReader.Validate(options);
        cancellationToken.ThrowIfCancellationRequested();
        if (options.Region is { } r)
            CountTableReader.CheckCanvas(path, options, (long)r.X1 - r.X0, (long)r.Y1 - r.Y0, r.X0, r.Y0, fromRegion: true);
        using var file = Open(path);
        var levels = Levels(path, file);
        int b = options.BinSize;
        bool aligned = options.Region is not { } region || (region.X0 % b == 0 && region.Y0 % b == 0 && region.X1 % b == 0 && region.Y1 % b == 0);
        // A stored level's bins lie on multiples of b; a GEM (and bin1) bins from the data's smallest x and y. They are the same
        // bins when a region on the grid sets the canvas, or when bin1's recorded minX and minY are multiples of b.
        if (b > 1 && options.PixelSize == 1.0 && aligned && levels.Contains(b) && (options.Region is not null || Bin1StartsOnGrid(file, b)))
        {
            var stored = ReadLevel(path, file, b, options, progress, cancellationToken);
            if (stored != null) return stored;
        }
        if (!levels.Contains(1))
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{path}' has no bin1 level ({GefLevel.Root}/bin1), only {string.Join(", ", levels.Select(l => $"bin{l}"))}. " +
                (levels.Count > 0 ? $"Read a stored level with -BinSize {levels[0]} (PixelSize 1, no -Region or one on multiples of the bin size)." : "The file holds no expression data."))
            { FilePath = path };
        return ReadLevel(path, file, 1, options, progress, cancellationToken)!;
    }

    /// <summary>
    /// Whether bin1's smallest x and y (the <c>minX</c>, <c>minY</c> attributes geftools writes on its expression dataset)
    /// are multiples of <paramref name="b"/>; false when the attributes are absent or unreadable (bin1 is then read).
    /// </summary>
    private static bool Bin1StartsOnGrid(NativeFile file, int b)
    {
        try
        {
            var expression = file.Dataset(GefLevel.Root + "/bin1/expression");
            long? Min(string name)
            {
                if (!expression.AttributeExists(name)) return null;
                var attribute = expression.Attribute(name);
                if (attribute.Type.Class != H5DataTypeClass.FixedPoint) return null;
                return attribute.Type.Size switch
                {
                    4 => attribute.Read<int[]>() is [var v, ..] ? v : null,
                    8 => attribute.Read<long[]>() is [var v, ..] ? v : null,
                    _ => null,
                };
            }
            return Min("minX") is long x && Min("minY") is long y && x % b == 0 && y % b == 0;
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            return false;
        }
    }

    private static NativeFile Open(string path)
    {
        using (RasterFileIo.OpenRead(path)) { } // missing file, folder, access denied: the usual messages
        if (!IsHdf5(path))
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{path}' is not an HDF5 file (it lacks the HDF5 signature at its start), so it is not a Stereo-seq GEF. A GEM table is text: give it a .gem or .gem.gz name.")
            { FilePath = path };
        return Guard(path, "the superblock and root group", "read", () => H5File.OpenRead(path));
    }

    private static List<int> Levels(string path, NativeFile file)
    {
        if (!Guard(path, GefLevel.Root, "look up", () => file.LinkExists(GefLevel.Root)))
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{path}' is an HDF5 file without the group {GefLevel.Root}, so it is not a Stereo-seq (bin) GEF. " +
                "A cell-bin GEF (.cgef) holds cells, not DNBs: read the bin GEF (.gef / .bgef) or the GEM.")
            { FilePath = path };
        var group = Guard(path, GefLevel.Root, "open", () => file.Group(GefLevel.Root));
        var names = Guard(path, GefLevel.Root, "list", () => group.Children().Select(c => c.Name).ToList());
        return names.Select(n => LevelName().Match(n)).Where(m => m.Success)
            .Select(m => int.TryParse(m.Groups[1].Value, out int v) ? v : 0).Where(v => v > 0).Order().ToList();
    }

    [GeneratedRegex("^bin([0-9]{1,6})$")]
    private static partial Regex LevelName();

    /// <summary>Reads level bin<paramref name="b"/>; null when a stored level (b &gt; 1) does not hold its bins at multiples of b.</summary>
    private static CountTable? ReadLevel(string path, NativeFile file, int b, TableReadOptions options,
        IProgress<TableReadProgress>? progress, CancellationToken cancel)
    {
        var level = GefLevel.Open(path, file, b);
        var genes = level.ReadGenes(file);
        // At a stored level, every record is one whole bin: its corner is the pixel, summed into bins of b.
        var builder = new MoleculeTableBuilder(path, b == 1 ? options : options with { PixelSize = 1.0 }, hasCounts: true);
        var clock = Stopwatch.StartNew();
        long total = level.Rows * level.RowSize;
        progress?.Report(new TableReadProgress(TableReadPhase.Reading, 0, total, 0, clock.Elapsed));

        var buffer = new byte[SliceRows * level.RowSize];
        int gi = 0;
        GeneAccumulator? gene = null;
        long geneEnd = 0;
        for (long start = 0; start < level.Rows; start += SliceRows)
        {
            cancel.ThrowIfCancellationRequested();
            int n = (int)Math.Min(SliceRows, level.Rows - start);
            level.ReadRows(start, n, buffer);
            for (int i = 0; i < n; i++)
            {
                long row = start + i;
                while (row >= geneEnd)
                {
                    var g = genes[gi++];
                    gene = builder.Genes.GetOrAdd(g.Name);
                    geneEnd = g.Offset + g.Count;
                }
                var record = buffer.AsSpan(i * level.RowSize, level.RowSize);
                long x = level.X(record), y = level.Y(record), count = level.Count(record);
                if (b > 1 && (x % b != 0 || y % b != 0)) return null;
                if (!builder.TryPixel(x, out int px) || !builder.TryPixel(y, out int py))
                    throw level.Bad(level.ExpressionPath, $"row {row:N0} has coordinates ({x}, {y}), beyond the ±2,147,483,647 pixels a canvas can address at PixelSize {options.PixelSize}");
                if (count < 0)
                    throw level.Bad(level.ExpressionPath, $"row {row:N0} has the count {count}; counts are 0 or more");
                builder.Add(gene!, px, py, count);
            }
            builder.RowsRead += n;
            builder.ChunkDone();
            progress?.Report(new TableReadProgress(TableReadPhase.Reading, (start + n) * level.RowSize, total, builder.RowsRead, clock.Elapsed));
        }
        progress?.Report(new TableReadProgress(TableReadPhase.Building, total, total, builder.RowsRead, clock.Elapsed));

        var columns = new TableColumns(level.GeneMember, "x", "y", "count", '\0', [level.ExpressionPath, level.GenePath]);
        if (b == 1) return builder.Build(columns, "GEF", cancel);
        if (builder.RowsRead == 0)
            throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}' holds no rows: {level.ExpressionPath} is empty.") { FilePath = path };
        var (minX, minY, maxX, maxY) = builder.Bounds;
        if (options.Region is not null) return builder.Build(columns, "GEF", cancel);
        // Bins on the chip's grid: the canvas runs from the first bin's corner to the end of the last bin.
        return builder.Lay(columns, minX, minY, (long)maxX - minX + b, (long)maxY - minY + b, b, b, cancel);
    }

    /// <summary>
    /// Runs a PureHDF call, turning its failures (a truncated or damaged file shows as end-of-stream or format errors)
    /// into a <see cref="SpatialSimException"/> naming the file and the object being read.
    /// </summary>
    internal static T Guard<T>(string path, string part, string action, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not (SpatialSimException or OperationCanceledException or OutOfMemoryException))
        {
            string cause = e is EndOfStreamException or ArgumentOutOfRangeException || e.Message.Contains("too small", StringComparison.OrdinalIgnoreCase)
                ? "the file ends before the data it points to: it is truncated (an interrupted download or copy?)"
                : e.Message.Trim().TrimEnd('.');
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{path}': could not {action} {part}: {cause}. The file is damaged or not an HDF5 GEF; copy it again, or check it with h5ls.", e)
            { FilePath = path };
        }
    }
}
