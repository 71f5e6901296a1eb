namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Reads long-format count tables (one row per gene and position, e.g. Stereo-seq GEM, Xenium transcripts.csv,
/// MERSCOPE detected_transcripts.csv) into a <see cref="CountTable"/>: one sparse raster per gene on a shared canvas.
/// </summary>
/// <remarks>
/// <para>Input: text with a header line, delimited by tab, comma or semicolon (detected from the header),
/// plain or gzip-compressed (detected by the magic bytes). Leading <c>#</c> lines (GEM's <c>#FileFormat=GEMv0.1</c>)
/// and blank lines are skipped; RFC 4180 quoting is understood, including quoted fields spanning lines.
/// Columns are recognised by name (see <see cref="CountTableHeader"/>); without a count column each row counts 1.</para>
/// <para>The file is streamed in 1 MiB chunks and parsed as UTF-8 bytes: no string per row, integers without
/// double parsing, the previous row's gene compared first (GEM rows come grouped by gene); stretches without quotes are
/// split with SIMD compares 64 bytes at a time, the rest byte by byte (which decides every unusual record). A plain (not gzip) file
/// of 32 MB or more is cut at line breaks into parts parsed on all cores, and the parts' genes joined in file order;
/// when a part meets a quoted field running over line breaks, or any problem (whose message must name the exact
/// line), the file is read again sequentially, so results and errors are those of the sequential read.</para>
/// <para>Memory is bounded by the distinct gene pixels, not by the rows: once the rows held pass 32M (about 384 MB),
/// each gene's rows of repeated pixels are summed while the file streams, so at most max(32M, 2 × distinct gene pixels)
/// rows are held. A table keeping more than <see cref="TableReadOptions.MaxEntries"/> distinct gene pixels, and gzip
/// input expanding more than <see cref="TableReadOptions.MaxGzipExpansion"/> times (a decompression bomb), are refused
/// with <see cref="ErrorKind.LimitExceeded"/>.</para>
/// </remarks>
public static class CountTableReader
{
    /// <summary>Reads <paramref name="path"/>. Every problem with the file or options is a <see cref="SpatialSimException"/>.</summary>
    /// <param name="path">A .gem, .csv, .tsv or .txt file, optionally gzip-compressed.</param>
    /// <param name="options">Pixel size, region, gene filter, MinTotal, bin size and pixel limit.</param>
    /// <param name="progress">Receives bytes read of the file on disk (compressed for .gz) a few times a second.</param>
    /// <param name="cancellationToken">Checked every 64K rows; cancellation throws <see cref="OperationCanceledException"/>.</param>
    public static CountTable Read(string path, TableReadOptions options,
        IProgress<TableReadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        cancellationToken.ThrowIfCancellationRequested();
        if (options.Region is { } r)
            CheckCanvas(path, options, (long)r.X1 - r.X0, (long)r.Y1 - r.Y0, r.X0, r.Y0, fromRegion: true);
        using var input = TableInput.Open(path, options.MaxGzipExpansion);
        var parser = new CountTableParser(path, options, input, progress, cancellationToken);
        if (!parser.TryRunParallel())
        {
            // Not a large plain file, or a part needed what only a sequential read can do (a quoted field over line
            // breaks, a bad row whose line number must be exact): read it from the start, one record after the other.
            parser = new CountTableParser(path, options, input, progress, cancellationToken);
            parser.Run();
        }
        return parser.Build();
    }

    internal static void Validate(TableReadOptions o)
    {
        static SpatialSimException Bad(string message) => new(ErrorKind.InvalidArgument, message);
        if (!double.IsFinite(o.PixelSize) || o.PixelSize <= 0)
            throw Bad($"PixelSize must be a positive number (coordinate units per pixel), got {o.PixelSize}.");
        if (o.BinSize < 1)
            throw Bad($"BinSize must be 1 or more, got {o.BinSize}.");
        if (double.IsNaN(o.MinTotal) || o.MinTotal < 0)
            throw Bad($"MinTotal must be 0 or more, got {o.MinTotal}.");
        if (o.MaxPixels < 1)
            throw Bad($"MaxPixels must be 1 or more, got {o.MaxPixels}.");
        if (o.MaxEntries < 1)
            throw Bad($"MaxEntries must be 1 or more, got {o.MaxEntries}.");
        if (double.IsNaN(o.MinQuality))
            throw Bad("MinQuality must be a number (0 keeps every row).");
        if (!(o.MaxGzipExpansion >= 1))
            throw Bad($"MaxGzipExpansion must be 1 or more, got {o.MaxGzipExpansion}.");
        if (o.Region is { } r && (r.X1 <= r.X0 || r.Y1 <= r.Y0))
            throw Bad($"Region [{r.X0}, {r.X1}) × [{r.Y0}, {r.Y1}) is empty: X1 must be greater than X0 and Y1 greater than Y0 (pixel units, end exclusive).");
    }

    /// <summary>Refuses a canvas of more than MaxPixels pixels after binning, suggesting a bin size that fits.</summary>
    internal static (int Width, int Height) CheckCanvas(string path, TableReadOptions o, long width1, long height1, long originX, long originY, bool fromRegion)
    {
        int b = o.BinSize;
        long w = (width1 + b - 1) / b, h = (height1 + b - 1) / b;
        long limit = Math.Min(o.MaxPixels, Array.MaxLength);
        double pixels = (double)w * h;
        if (pixels <= limit && w <= int.MaxValue && h <= int.MaxValue) return ((int)w, (int)h);

        long suggest = Math.Max(b + 1, (long)Math.Ceiling(Math.Sqrt((double)width1 * height1 / limit)));
        while ((double)((width1 + suggest - 1) / suggest) * ((height1 + suggest - 1) / suggest) > limit) suggest++;
        string what = fromRegion
            ? $"The region is {width1:N0} × {height1:N0} pixels"
            : $"The data in '{path}' spans {width1:N0} × {height1:N0} pixels (x {originX}..{originX + width1 - 1}, y {originY}..{originY + height1 - 1} at PixelSize {o.PixelSize})";
        string binned = b > 1 ? $", {w:N0} × {h:N0} = {pixels:N0} after BinSize {b}," : $" = {pixels:N0} pixels,";
        string cap = limit < o.MaxPixels ? $"the {limit:N0} pixels one plane can hold" : $"MaxPixels ({o.MaxPixels:N0})";
        throw new SpatialSimException(ErrorKind.LimitExceeded,
            $"{what}{binned} more than {cap}. Use -BinSize {suggest} or more, read a part with -Region, " +
            "or use a larger -PixelSize" + (limit < o.MaxPixels ? "." : "; raise -MaxPixels only if memory allows (4 bytes per pixel per gene)."))
        { FilePath = path };
    }
}
