using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

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
        using var input = TableInput.Open(path);
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

/// <summary>
/// The streaming parser behind <see cref="CountTableReader"/>: reads chunks, splits records and fields on bytes,
/// validates numbers and files rows into per-gene <see cref="GeneAccumulator"/>s; <see cref="Build"/> then
/// lays them on the canvas.
/// </summary>
internal sealed class CountTableParser
{
    private const int InitialBuffer = 1 << 20;
    private const int MaxRecordBytes = 64 << 20;
    private const int MaxQuotedSpan = 1 << 20;
    private const byte RoleNone = 0, RoleGene = 1, RoleX = 2, RoleY = 3, RoleCount = 4;

    private readonly string _path;
    private readonly TableReadOptions _options;
    private readonly TableInput _input;
    private readonly IProgress<TableReadProgress>? _progress;
    private readonly CancellationToken _cancel;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastReport = TimeSpan.MinValue;

    // Pixel scaling: 0 = PixelSize 1, 1 = integer PixelSize (exact floor division of integers), 2 = general.
    private readonly int _scaleMode;
    private readonly long _scaleInt;
    private readonly double _pixelSize;
    private readonly bool _hasRegion;
    private readonly int _rx0, _ry0, _rx1, _ry1;

    private CountTableHeader? _header;
    private long _headerLine;
    private byte _delim;
    private bool _decimalComma;
    private byte[] _roles = [];
    private int _maxColumn;
    private bool _hasCount;
    private readonly byte[][] _scratch = [[], [], [], [], []];

    private GeneIndex _genes = null!;
    private GeneAccumulator? _last;

    private long _line;        // physical lines consumed so far
    private long _recordLine;  // 1-based line where the current record starts
    private long _rowsRead, _rowsOutside;
    private int _minX = int.MaxValue, _minY = int.MaxValue, _maxX = int.MinValue, _maxY = int.MinValue;

    public CountTableParser(string path, TableReadOptions options, TableInput input, IProgress<TableReadProgress>? progress, CancellationToken cancel)
    {
        _path = path;
        _options = options;
        _input = input;
        _progress = progress;
        _cancel = cancel;
        _pixelSize = options.PixelSize;
        if (_pixelSize == 1.0) _scaleMode = 0;
        else if (_pixelSize == Math.Floor(_pixelSize) && _pixelSize <= int.MaxValue) { _scaleMode = 1; _scaleInt = (long)_pixelSize; }
        else _scaleMode = 2;
        if (options.Region is { } r)
        {
            _hasRegion = true;
            (_rx0, _ry0, _rx1, _ry1) = r;
        }
    }

    // ---------------------------------------------------------------- parallel parts

    /// <summary>Smallest file read in parallel parts (tests lower it to exercise the parallel read on small files).</summary>
    internal static long ParallelMinBytes = 32L << 20;
    /// <summary>Smallest part (tests lower it).</summary>
    internal static long MinPartBytes = 8L << 20;
    /// <summary>Reads completed in parallel parts so far (lets tests check which path ran).</summary>
    internal static int ParallelReads;

    /// <summary>A parser for one part of the file: the header state of <paramref name="main"/>, its own genes and counters.</summary>
    private CountTableParser(CountTableParser main) : this(main._path, main._options, main._input, null, main._cancel)
    {
        _header = main._header;
        _headerLine = main._headerLine;
        _delim = main._delim;
        _decimalComma = main._decimalComma;
        _roles = main._roles;
        _maxColumn = main._maxColumn;
        _hasCount = main._hasCount;
        _genes = new GeneIndex(_options.GeneFilter, hasCounts: _hasCount);
    }

    /// <summary>
    /// Reads a large plain-text file in parts on all cores. False when it does not apply (gzip, small file, one core,
    /// no header in the first MiB) or a part gave up; then nothing of this parser may be used (read again with a new one).
    /// </summary>
    public bool TryRunParallel()
    {
        var handle = _input.PlainHandle;
        int cores = Environment.ProcessorCount;
        if (handle is null || _input.Length < ParallelMinBytes || cores < 2) return false;

        // The preamble and header, exactly as the sequential read handles them.
        var head = new byte[InitialBuffer];
        int headLength = 0;
        while (headLength < head.Length)
        {
            int n = RandomAccess.Read(handle, head.AsSpan(headLength), headLength);
            if (n == 0) break;
            headLength += n;
        }
        int pos = 0;
        while (_header == null)
        {
            int nl = head.AsSpan(pos, headLength - pos).IndexOf((byte)'\n');
            if (nl < 0) return false;
            var line = head.AsSpan(pos, nl);
            if (!line.IsEmpty && line[^1] == (byte)'\r') line = line[..^1];
            _recordLine = _line + 1;
            Preamble(line);
            _line++;
            pos += nl + 1;
        }

        // Parts of about equal size, each starting after a line break; a few per core so that they finish together.
        long dataStart = pos, length = _input.Length;
        int parts = (int)Math.Clamp((length - dataStart) / MinPartBytes, 1, 4 * cores);
        var bounds = new long[parts + 1];
        bounds[0] = dataStart;
        bounds[parts] = length;
        var probe = new byte[64 << 10];
        for (int k = 1; k < parts; k++)
        {
            long at = Math.Max(bounds[k - 1], dataStart + (length - dataStart) * k / parts);
            while (true)
            {
                int n = RandomAccess.Read(handle, probe, at);
                if (n == 0) { at = length; break; }
                int nl = probe.AsSpan(0, n).IndexOf((byte)'\n');
                if (nl >= 0) { at += nl + 1; break; }
                at += n;
            }
            bounds[k] = at;
        }

        var workers = new CountTableParser[parts];
        for (int k = 0; k < parts; k++) workers[k] = new CountTableParser(this);
        var shared = new PartState();
        int next = -1;
        void Work()
        {
            var buffer = new byte[InitialBuffer];
            int k;
            while (!shared.GaveUp && (k = Interlocked.Increment(ref next)) < parts)
            {
                try
                {
                    if (!workers[k].RunPart(handle, bounds[k], bounds[k + 1], ref buffer, shared)) shared.GaveUp = true;
                }
                catch (SpatialSimException)
                {
                    shared.GaveUp = true; // the sequential read reports it with its exact line
                }
            }
        }
        var tasks = new Task[Math.Min(cores, parts)];
        for (int t = 0; t < tasks.Length; t++) tasks[t] = Task.Factory.StartNew(Work, _cancel, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Report(TableReadPhase.Reading, force: true);
        try
        {
            while (!Task.WaitAll(tasks, 200))
                if (_progress != null)
                    _progress.Report(new TableReadProgress(TableReadPhase.Reading, dataStart + Interlocked.Read(ref shared.Bytes), length,
                        workers.Sum(w => Volatile.Read(ref w._rowsRead)), _clock.Elapsed));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        _cancel.ThrowIfCancellationRequested();
        if (shared.GaveUp) return false;

        // Join the parts in file order: genes keep the order of their first appearance, rows their file order.
        foreach (var w in workers)
        {
            _rowsRead += w._rowsRead;
            _rowsOutside += w._rowsOutside;
            _line += w._line;
            _minX = Math.Min(_minX, w._minX);
            _minY = Math.Min(_minY, w._minY);
            _maxX = Math.Max(_maxX, w._maxX);
            _maxY = Math.Max(_maxY, w._maxY);
            foreach (var gene in w._genes.Entries) _genes.GetOrAdd(gene.Key).Append(gene);
        }
        _partsDone = true;
        Report(TableReadPhase.Reading, force: true);
        Interlocked.Increment(ref ParallelReads);
        return true;
    }

    /// <summary>The whole file was read in parts (the input stream itself was not read: progress says all of it).</summary>
    private bool _partsDone;

    /// <summary>What the parts share: whether one gave up, and the bytes read by all (for progress).</summary>
    private sealed class PartState
    {
        public volatile bool GaveUp;
        public long Bytes;
    }

    /// <summary>
    /// Parses the bytes [<paramref name="start"/>, <paramref name="end"/>) of the file, which begin a line. False when
    /// a record needs the sequential read: a quoted field not closed on its line (it may run into the next part).
    /// </summary>
    private bool RunPart(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long start, long end, ref byte[] buf, PartState shared)
    {
        int from = 0, to = 0;
        long position = start;
        bool eof = false;
        while (true)
        {
            if (from > 0)
            {
                Buffer.BlockCopy(buf, from, buf, 0, to - from);
                to -= from;
                from = 0;
            }
            else if (to == buf.Length)
            {
                if (buf.Length >= MaxRecordBytes) return false;
                Array.Resize(ref buf, buf.Length * 2);
            }
            while (to < buf.Length && !eof)
            {
                int want = (int)Math.Min(buf.Length - to, end - position);
                int n = want == 0 ? 0 : RandomAccess.Read(handle, buf.AsSpan(to, want), position);
                if (n == 0) { eof = true; break; }
                position += n;
                to += n;
                Interlocked.Add(ref shared.Bytes, n);
            }
            _cancel.ThrowIfCancellationRequested();
            if (shared.GaveUp) return true; // another part gave up: stop early, the caller reads sequentially
            var data = new ReadOnlySpan<byte>(buf, 0, to);
            int pos = 0;
            while (pos < data.Length)
            {
                pos = FastRows(data, pos, eof, out bool quoted);
                if (!quoted) break;
                // A record with quotes FastRows leaves to the quote-aware parser: fine when it ends on its line.
                int nl = data[pos..].IndexOf((byte)'\n');
                if (nl < 0 && !eof) break;
                var line = nl >= 0 ? data.Slice(pos, nl) : data[pos..];
                int next = nl >= 0 ? pos + nl + 1 : data.Length;
                if (!line.IsEmpty && line[^1] == (byte)'\r') line = line[..^1];
                _recordLine = _line + 1;
                if (!line.IsEmpty && !ParseRecord(line)) return false;
                _line++;
                pos = next;
            }
            from = pos;
            if (eof) return true;
        }
    }

    // ---------------------------------------------------------------- streaming

    public void Run()
    {
        byte[] buf = new byte[InitialBuffer];
        int start = 0, end = 0;
        bool eof = false;
        Report(TableReadPhase.Reading, force: true);
        while (true)
        {
            if (start > 0)
            {
                Buffer.BlockCopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            else if (end == buf.Length)
            {
                if (buf.Length >= MaxRecordBytes)
                    throw new SpatialSimException(ErrorKind.InvalidData,
                        $"Line {_line + 1} of '{_path}' is longer than {MaxRecordBytes >> 20} MiB without a line break. This is not a count table with one row per line.")
                    { FilePath = _path, LineNumber = _line + 1 };
                Array.Resize(ref buf, buf.Length * 2);
            }
            TableInputException? failure = null;
            while (end < buf.Length && !eof)
            {
                int n;
                try
                {
                    n = _input.Read(buf.AsSpan(end));
                }
                catch (TableInputException e)
                {
                    failure = e;
                    break;
                }
                if (n == 0) eof = true;
                else end += n;
            }
            _cancel.ThrowIfCancellationRequested();
            Report(TableReadPhase.Reading, force: false);
            start = ProcessChunk(new ReadOnlySpan<byte>(buf, 0, end), eof);
            if (failure != null)
            {
                // The complete lines before the damage are checked first; the error names the line that was cut.
                long line = _line + 1;
                throw new SpatialSimException(ErrorKind.InvalidData, $"Reading '{_path}' failed at line {line:N0}: {failure.Message}", failure.InnerException)
                { FilePath = _path, LineNumber = line };
            }
            if (eof) break;
        }
        Report(TableReadPhase.Reading, force: true);
    }

    private void Report(TableReadPhase phase, bool force)
    {
        if (_progress == null) return;
        var now = _clock.Elapsed;
        if (!force && now - _lastReport < TimeSpan.FromMilliseconds(200)) return;
        _lastReport = now;
        _progress.Report(new TableReadProgress(phase, _partsDone ? _input.Length : _input.Position, _input.Length, _rowsRead, now));
    }

    /// <summary>Handles every complete record in <paramref name="data"/>; returns the bytes consumed.</summary>
    private int ProcessChunk(ReadOnlySpan<byte> data, bool eof)
    {
        int pos = 0;
        while (pos < data.Length)
        {
            if (_header != null)
            {
                pos = FastRows(data, pos, eof, out bool quoted);
                if (!quoted) break; // all consumed, or the last record is incomplete
            }
            var rest = data[pos..];
            int nl = rest.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line;
            int next;
            if (nl >= 0) { line = rest[..nl]; next = pos + nl + 1; }
            else if (eof) { line = rest; next = data.Length; }
            else break;
            if (!line.IsEmpty && line[^1] == (byte)'\r') line = line[..^1];
            _recordLine = _line + 1;

            if (_header == null)
            {
                Preamble(line);
            }
            else if (!line.IsEmpty && !ParseRecord(line))
            {
                // A quoted field runs on over line breaks: take more lines.
                int end = MultiLineRecord(data, pos, eof, out long lines);
                if (end < 0) break;
                _line += lines;
                pos = end;
                continue;
            }
            _line++;
            pos = next;
        }
        return pos;
    }

    /// <summary>
    /// The hot loop: splits records field by field in one pass over the bytes, without looking at the fields after the
    /// last one needed until the line break. Stops at a record that needs the quote-aware path (<paramref name="quoted"/>)
    /// or that is not complete in <paramref name="data"/>; returns where it stopped.
    /// </summary>
    private int FastRows(ReadOnlySpan<byte> data, int pos, bool eof, out bool quoted)
    {
        quoted = false;
        byte delim = _delim;
        byte[] roles = _roles;
        int max = _maxColumn;
        int len = data.Length;
        bool vector = VectorRowsEnabled;
        int quoteAt = -1; // the first quote at or after pos (len: none), found when pos passes the last one
        while (pos < len)
        {
            if (vector && len - pos >= VectorWindow)
            {
                if (quoteAt < pos)
                {
                    int q = data[pos..].IndexOf((byte)'"');
                    quoteAt = q < 0 ? len : pos + q;
                }
                if (quoteAt - pos >= VectorWindow)
                {
                    pos = VectorRows(data, pos, quoteAt);
                    if (pos >= len) break;
                }
            }
            // One record the long way: near the end of the data, at a quote, or one VectorRows left (a blank line,
            // too few fields): the checks and errors below are the reference for both paths.
            int p = pos;
            int gs = 0, ge = 0, xs = 0, xe = 0, ys = 0, ye = 0, cs = 0, ce = 0;
            bool blank = false;
            for (int f = 0; ; f++)
            {
                int s = p, e;
                if (p < len && data[p] == (byte)'"')
                {
                    // A simple quoted field: no doubled quotes, no line break inside, delimiter or line end after.
                    int close = data[(p + 1)..].IndexOfAny((byte)'"', (byte)'\n');
                    if (close < 0 && !eof) return pos;
                    if (close < 0 || data[p + 1 + close] == (byte)'\n') { quoted = true; return pos; }
                    s = p + 1;
                    e = s + close;
                    p = e + 1;
                    if (p < len && data[p] == (byte)'\r' && p + 1 < len && data[p + 1] == (byte)'\n') p++;
                    if (p == len && !eof) return pos;
                    if (p < len && data[p] != delim && data[p] != (byte)'\n')
                    {
                        quoted = true;
                        return pos;
                    }
                }
                else
                {
                    while (p < len)
                    {
                        byte b = data[p];
                        if (b == delim || b == (byte)'\n') break;
                        p++;
                    }
                    if (p == len && !eof) return pos;
                    e = p;
                    if (e > s && data[e - 1] == (byte)'\r' && (p == len || data[p] == (byte)'\n')) e--;
                }
                bool lineEnd = p == len || data[p] == (byte)'\n';
                switch (roles[f])
                {
                    case RoleGene: gs = s; ge = e; break;
                    case RoleX: xs = s; xe = e; break;
                    case RoleY: ys = s; ye = e; break;
                    case RoleCount: cs = s; ce = e; break;
                }
                if (f == max) break;
                if (lineEnd)
                {
                    if (f == 0 && e == s) { blank = true; break; }
                    _recordLine = _line + 1;
                    throw TooFewFields(f + 1, data[gs..ge]);
                }
                p++;
            }
            int next;
            if (p < len && data[p] != (byte)'\n' && !blank)
            {
                // p is at the delimiter after the last field we need: skip the rest of the record.
                // An odd number of quotes in it may mean a quoted field running on to the next line.
                int rel = data[p..].IndexOf((byte)'\n');
                if (rel < 0 && !eof) return pos;
                next = rel < 0 ? len : p + rel + 1;
                var rest = rel < 0 ? data[p..] : data.Slice(p, rel);
                if ((rest.Count((byte)'"') & 1) != 0) { quoted = true; return pos; }
            }
            else next = Math.Min(p + 1, len);
            _recordLine = _line + 1;
            if (!blank) HandleRow(data[gs..ge], data[xs..xe], data[ys..ye], data[cs..ce]);
            _line++;
            pos = next;
        }
        return pos;
    }

    /// <summary>Bytes classified at once by <see cref="VectorRows"/>.</summary>
    private const int VectorWindow = 64;

    /// <summary>Whether <see cref="FastRows"/> may hand quote-free stretches to <see cref="VectorRows"/> (tests turn it off to compare).</summary>
    internal static bool VectorRowsEnabled = Vector128.IsHardwareAccelerated;

    /// <summary>
    /// The hot loop for the common case, records of plain fields: finds the delimiters and line breaks of 64 bytes at a
    /// time as a bit mask (SIMD compares), then walks the bits, so a row costs a few bit operations per field instead of
    /// two compares per byte. Only bytes before <paramref name="limit"/> (the next quote, or the end of the data) are
    /// looked at, so the records it handles hold no quote. It handles complete records with at least the needed fields
    /// exactly as the byte loop of <see cref="FastRows"/> does (a CR before the line break is not part of the last
    /// field), and returns the start of the first record it leaves to that loop: one running past its last whole window,
    /// a blank line, a line with too few fields.
    /// </summary>
    private int VectorRows(ReadOnlySpan<byte> data, int pos, int limit)
    {
        ref byte origin = ref MemoryMarshal.GetReference(data);
        byte delim = _delim;
        byte[] roles = _roles;
        int max = _maxColumn;
        int lastWindow = limit - VectorWindow; // windows start at or before this, so they end at or before limit
        int at = pos;
        ulong bits = Separators(ref origin, at, delim);
        while (true)
        {
            int start = pos, s = pos, sep;
            int gs = 0, ge = 0, xs = 0, xe = 0, ys = 0, ye = 0, cs = 0, ce = 0;
            bool lineEnd;
            for (int f = 0; ; f++)
            {
                while (bits == 0)
                {
                    at += VectorWindow;
                    if (at > lastWindow) return start;
                    bits = Separators(ref origin, at, delim);
                }
                sep = at + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                int e = sep;
                lineEnd = Unsafe.Add(ref origin, sep) == (byte)'\n';
                if (lineEnd && e > s && Unsafe.Add(ref origin, e - 1) == (byte)'\r') e--;
                switch (roles[f])
                {
                    case RoleGene: gs = s; ge = e; break;
                    case RoleX: xs = s; xe = e; break;
                    case RoleY: ys = s; ye = e; break;
                    case RoleCount: cs = s; ce = e; break;
                }
                if (f == max) break;
                if (lineEnd) return start; // blank line or too few fields: FastRows decides
                s = sep + 1;
            }
            while (!lineEnd)
            {
                // The fields after the last one needed: on to the line break.
                while (bits == 0)
                {
                    at += VectorWindow;
                    if (at > lastWindow) return start;
                    bits = Separators(ref origin, at, delim);
                }
                sep = at + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                lineEnd = Unsafe.Add(ref origin, sep) == (byte)'\n';
            }
            _recordLine = _line + 1;
            HandleRow(data[gs..ge], data[xs..xe], data[ys..ye], data[cs..ce]);
            _line++;
            pos = sep + 1;
        }
    }

    /// <summary>Bit i set when byte <paramref name="at"/> + i is the delimiter or a line break, for i in 0..63.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Separators(ref byte origin, int at, byte delim)
    {
        ref byte p = ref Unsafe.Add(ref origin, at);
        if (Vector512.IsHardwareAccelerated)
        {
            var v = Vector512.LoadUnsafe(ref p);
            return (Vector512.Equals(v, Vector512.Create(delim)) | Vector512.Equals(v, Vector512.Create((byte)'\n'))).ExtractMostSignificantBits();
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var a = Vector256.LoadUnsafe(ref p);
            var b = Vector256.LoadUnsafe(ref p, 32);
            var d = Vector256.Create(delim);
            var n = Vector256.Create((byte)'\n');
            return (Vector256.Equals(a, d) | Vector256.Equals(a, n)).ExtractMostSignificantBits()
                | ((ulong)(Vector256.Equals(b, d) | Vector256.Equals(b, n)).ExtractMostSignificantBits() << 32);
        }
        {
            var d = Vector128.Create(delim);
            var n = Vector128.Create((byte)'\n');
            ulong m = 0;
            for (int k = 0; k < 4; k++)
            {
                var v = Vector128.LoadUnsafe(ref p, (nuint)(16 * k));
                m |= (ulong)(Vector128.Equals(v, d) | Vector128.Equals(v, n)).ExtractMostSignificantBits() << (16 * k);
            }
            return m;
        }
    }

    /// <summary>
    /// A record whose quoted field runs over line breaks: finds its end in one quote-aware pass, then parses it.
    /// Returns the position after it, or -1 when more data is needed.
    /// </summary>
    private int MultiLineRecord(ReadOnlySpan<byte> data, int pos, bool eof, out long lines)
    {
        lines = 0;
        int end = FindRecordEnd(data, pos);
        if (end < 0 && (eof || data.Length - pos > MaxQuotedSpan))
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"Line {_recordLine:N0} of '{_path}' opens a quoted field (\") that is not closed " +
                (eof ? "before the end of the file." : $"within {MaxQuotedSpan >> 20} MiB.") +
                " Check the quotes on that line; a quote inside a quoted field must be doubled (\"\").")
            { FilePath = _path, LineNumber = _recordLine };
        if (end < 0 || (end == data.Length && !eof)) return -1;
        var record = data[pos..end];
        lines = 1 + record.Count((byte)'\n');
        if (!record.IsEmpty && record[^1] == (byte)'\r') record = record[..^1];
        if (!ParseRecord(record))
            throw new InvalidOperationException($"Record at line {_recordLine} was not split as scanned."); // a bug, not bad input
        return end == data.Length ? end : end + 1;
    }

    /// <summary>
    /// Where the record starting at <paramref name="pos"/> ends, with the quoting rules of <see cref="ParseRecord"/>
    /// (a quote opens a quoted field only at a field's start; "" inside is a quote): the index of its line break,
    /// data.Length when the data ends outside quotes, or -1 when it ends inside a quoted field.
    /// </summary>
    private int FindRecordEnd(ReadOnlySpan<byte> data, int pos)
    {
        byte delim = _delim;
        int i = pos;
        bool fieldStart = true;
        while (i < data.Length)
        {
            byte b = data[i];
            if (fieldStart && b == (byte)'"')
            {
                i++;
                while (true)
                {
                    int q = data[i..].IndexOf((byte)'"');
                    if (q < 0) return -1;
                    i += q + 1;
                    if (i < data.Length && data[i] == (byte)'"') { i++; continue; }
                    break;
                }
                fieldStart = false;
                continue;
            }
            if (b == (byte)'\n') return i;
            fieldStart = b == delim;
            i++;
        }
        return data.Length;
    }

    // ---------------------------------------------------------------- header

    private void Preamble(ReadOnlySpan<byte> line)
    {
        if (_line == 0 && line.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) line = line[3..]; // UTF-8 byte order mark
        if (line.Trim(" \t"u8).IsEmpty || line[0] == (byte)'#') return;
        if (line.IndexOf((byte)0) >= 0)
            throw new SpatialSimException(ErrorKind.NotSupported,
                $"'{_path}' is not a text table (line {_recordLine} holds binary data). Give a .gem, .csv or .tsv file, plain or gzip-compressed.")
            { FilePath = _path, LineNumber = _recordLine };

        var header = CountTableHeader.Parse(line, _path, _recordLine);
        _header = header;
        _headerLine = _recordLine;
        _delim = header.Delimiter;
        _decimalComma = _delim == (byte)';';
        _hasCount = header.CountColumn >= 0;
        _maxColumn = Math.Max(Math.Max(header.GeneColumn, header.XColumn), Math.Max(header.YColumn, header.CountColumn));
        _roles = new byte[_maxColumn + 1];
        _roles[header.GeneColumn] = RoleGene;
        _roles[header.XColumn] = RoleX;
        _roles[header.YColumn] = RoleY;
        if (_hasCount) _roles[header.CountColumn] = RoleCount;
        _genes = new GeneIndex(_options.GeneFilter, hasCounts: _hasCount);
    }

    // ---------------------------------------------------------------- records

    /// <summary>Splits one record and handles it; false (and no effect) when a quoted field is not closed within it.</summary>
    private bool ParseRecord(ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> gene = default, xs = default, ys = default, cs = default;
        byte delim = _delim;
        byte[] roles = _roles;
        int max = _maxColumn;
        int pos = 0;
        for (int f = 0; ; f++)
        {
            ReadOnlySpan<byte> field;
            int fieldEnd;
            if (pos < line.Length && line[pos] == (byte)'"')
            {
                if (!ReadQuoted(line, pos, roles[f], out field, out fieldEnd)) return false;
            }
            else
            {
                int rel = line[pos..].IndexOf(delim);
                fieldEnd = rel < 0 ? line.Length : pos + rel;
                field = line[pos..fieldEnd];
            }
            switch (roles[f])
            {
                case RoleGene: gene = field; break;
                case RoleX: xs = field; break;
                case RoleY: ys = field; break;
                case RoleCount: cs = field; break;
            }
            if (f == max) { pos = fieldEnd; break; }
            if (fieldEnd >= line.Length) throw TooFewFields(f + 1, gene);
            pos = fieldEnd + 1;
        }
        if (pos < line.Length && line[pos..].IndexOf((byte)'"') >= 0 && !QuotesClosed(line[(pos + 1)..])) return false;
        HandleRow(gene, xs, ys, cs);
        return true;
    }

    /// <summary>Reads the quoted field starting at <paramref name="pos"/>; false when its closing quote is not in <paramref name="line"/>.</summary>
    private bool ReadQuoted(ReadOnlySpan<byte> line, int pos, byte role, out ReadOnlySpan<byte> field, out int fieldEnd)
    {
        field = default;
        fieldEnd = 0;
        int i = pos + 1;
        int q = line[i..].IndexOf((byte)'"');
        if (q < 0) return false;
        int close = i + q;
        int after = close + 1;
        if ((after == line.Length || line[after] == _delim))
        {
            field = line[i..close];
            fieldEnd = after;
            return true;
        }
        // Doubled quotes inside, or text after the closing quote: build the value in a scratch buffer.
        var sb = new List<byte>(line.Length - pos);
        sb.AddRange(line[i..close]);
        while (true)
        {
            if (after < line.Length && line[after] == (byte)'"')
            {
                sb.Add((byte)'"');
                int from = after + 1;
                q = line[from..].IndexOf((byte)'"');
                if (q < 0) return false;
                close = from + q;
                sb.AddRange(line[from..close]);
                after = close + 1;
                if (after == line.Length || line[after] == _delim) break;
                continue;
            }
            // Lenient like Python's csv: text after the closing quote belongs to the field.
            int rel = line[after..].IndexOf(_delim);
            int stop = rel < 0 ? line.Length : after + rel;
            sb.AddRange(line[after..stop]);
            after = stop;
            break;
        }
        var scratch = _scratch[role];
        if (scratch.Length < sb.Count) scratch = _scratch[role] = new byte[Math.Max(sb.Count, 64)];
        CollectionsMarshal.AsSpan(sb).CopyTo(scratch);
        field = scratch.AsSpan(0, sb.Count);
        fieldEnd = after;
        return true;
    }

    /// <summary>Whether the fields after the ones we need have all their quotes closed.</summary>
    private bool QuotesClosed(ReadOnlySpan<byte> rest)
    {
        int pos = 0;
        while (true)
        {
            if (pos < rest.Length && rest[pos] == (byte)'"')
            {
                int i = pos + 1;
                while (true)
                {
                    int q = rest[i..].IndexOf((byte)'"');
                    if (q < 0) return false;
                    i += q + 1;
                    if (i < rest.Length && rest[i] == (byte)'"') { i++; continue; }
                    break;
                }
                pos = i;
            }
            int rel = rest[pos..].IndexOf(_delim);
            if (rel < 0) return true;
            pos += rel + 1;
        }
    }

    private void HandleRow(ReadOnlySpan<byte> gene, ReadOnlySpan<byte> xs, ReadOnlySpan<byte> ys, ReadOnlySpan<byte> cs)
    {
        if ((++_rowsRead & 0xFFFF) == 0) _cancel.ThrowIfCancellationRequested();

        if (!gene.IsEmpty && (gene[0] == (byte)' ' || gene[^1] == (byte)' ')) gene = gene.Trim((byte)' ');
        if (gene.IsEmpty)
            throw RowError($"the gene name (column '{_header!.Columns[_header.GeneColumn]}') is empty. Every row needs a gene; fix or remove the line.", gene);
        int px = ToPixel(xs, RoleX, gene);
        int py = ToPixel(ys, RoleY, gene);
        double count = _hasCount ? ParseCount(cs, gene) : 1.0;

        if (px < _minX) _minX = px;
        if (px > _maxX) _maxX = px;
        if (py < _minY) _minY = py;
        if (py > _maxY) _maxY = py;
        if (_hasRegion && (px < _rx0 || px >= _rx1 || py < _ry0 || py >= _ry1))
        {
            _rowsOutside++;
            return;
        }

        var g = _last;
        if (g == null || !gene.SequenceEqual(g.Key))
        {
            g = _genes.GetOrAdd(gene);
            _last = g;
        }
        if (g.Keep) g.Add(((long)py << 32) | (uint)px, count);
    }

    // ---------------------------------------------------------------- numbers

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ToPixel(ReadOnlySpan<byte> s, byte role, ReadOnlySpan<byte> gene)
    {
        if (Utf8Numbers.TryParseInteger(s, out long v))
        {
            if (_scaleMode == 2)
            {
                double q = ScaleFloor(v);
                if (!(q >= int.MinValue && q <= int.MaxValue)) throw CoordinateTooLarge(s, role, q, gene);
                return (int)q;
            }
            long p = _scaleMode == 0 ? v : v >= 0 ? v / _scaleInt : -((-v + _scaleInt - 1) / _scaleInt);
            if (p < int.MinValue || p > int.MaxValue) throw CoordinateTooLarge(s, role, p, gene);
            return (int)p;
        }
        if (Utf8Numbers.TryParseSimpleDecimal(s, out double d))
        {
            double q = _scaleMode == 0 ? Math.Floor(d) : ScaleFloor(d);
            if (!(q >= int.MinValue && q <= int.MaxValue)) throw CoordinateTooLarge(s, role, q, gene);
            return (int)q;
        }
        return ToPixelSlow(s, role, gene);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int ToPixelSlow(ReadOnlySpan<byte> s, byte role, ReadOnlySpan<byte> gene)
    {
        string axis = role == RoleX ? "x" : "y";
        string column = _header!.Columns[role == RoleX ? _header.XColumn : _header.YColumn];
        if (!Utf8Numbers.TryParseDouble(s, _decimalComma, out double d))
            throw RowError(s.Trim(" "u8).IsEmpty
                ? $"the {axis} coordinate (column '{column}') is empty. Every row needs x and y; fix or remove the line."
                : $"the {axis} coordinate '{Show(s)}' (column '{column}') is not a number. Coordinates must be numbers such as 12, -3 or 4.25; fix or remove the line.", gene);
        if (!double.IsFinite(d))
            throw RowError($"the {axis} coordinate '{Show(s)}' (column '{column}') is not a finite number. NaN and infinity cannot be placed on a raster; remove the line.", gene);
        double p = _scaleMode == 0 ? Math.Floor(d) : ScaleFloor(d);
        if (!(p >= int.MinValue && p <= int.MaxValue)) throw CoordinateTooLarge(s, role, p, gene);
        return (int)p;
    }

    /// <summary>floor(d / PixelSize), where a quotient within 1e-9 (relative) of a whole number counts as that number, so 0.3 / 0.1 is pixel 3.</summary>
    private double ScaleFloor(double d)
    {
        double q = d / _pixelSize;
        double r = Math.Round(q);
        return Math.Abs(q - r) <= 1e-9 * Math.Max(1.0, Math.Abs(r)) ? r : Math.Floor(q);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double ParseCount(ReadOnlySpan<byte> s, ReadOnlySpan<byte> gene)
    {
        if (Utf8Numbers.TryParseInteger(s, out long v) && v >= 0) return v;
        if (Utf8Numbers.TryParseSimpleDecimal(s, out double d) && d >= 0) return d;
        return ParseCountSlow(s, gene);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private double ParseCountSlow(ReadOnlySpan<byte> s, ReadOnlySpan<byte> gene)
    {
        string column = _header!.Columns[_header.CountColumn];
        if (!Utf8Numbers.TryParseDouble(s, _decimalComma, out double d))
            throw RowError(s.Trim(" "u8).IsEmpty
                ? $"the count (column '{column}') is empty. Counts must be numbers of 0 or more; fix or remove the line."
                : $"the count '{Show(s)}' (column '{column}') is not a number. Counts must be numbers of 0 or more; fix or remove the line.", gene);
        if (!double.IsFinite(d))
            throw RowError($"the count '{Show(s)}' (column '{column}') is not a finite number (NaN or infinity). Counts must be numbers of 0 or more; fix or remove the line.", gene);
        if (d < 0)
            throw RowError($"the count '{Show(s)}' (column '{column}') is negative. Counts must be 0 or more; fix or remove the line.", gene);
        if (d > float.MaxValue)
            throw RowError($"the count '{Show(s)}' (column '{column}') is too large to store (more than {float.MaxValue:G3}).", gene);
        return d;
    }

    // ---------------------------------------------------------------- errors

    private static string Show(ReadOnlySpan<byte> s)
    {
        string text = Encoding.UTF8.GetString(s.Length > 60 ? s[..60] : s);
        return s.Length > 60 ? text + "…" : text;
    }

    private SpatialSimException RowError(string what, ReadOnlySpan<byte> gene) =>
        new(ErrorKind.InvalidData, $"Line {_recordLine:N0} of '{_path}': {what}")
        {
            FilePath = _path,
            LineNumber = _recordLine,
            Gene = gene.IsEmpty ? null : Encoding.UTF8.GetString(gene),
        };

    private SpatialSimException CoordinateTooLarge(ReadOnlySpan<byte> s, byte role, double pixel, ReadOnlySpan<byte> gene)
    {
        string axis = role == RoleX ? "x" : "y";
        string column = _header!.Columns[role == RoleX ? _header.XColumn : _header.YColumn];
        return RowError($"the {axis} coordinate '{Show(s)}' (column '{column}') gives pixel {pixel:G6} at PixelSize {_pixelSize}, " +
            "beyond the ±2,147,483,647 pixels a canvas can address. Check that the column holds coordinates, or use a larger -PixelSize.", gene);
    }

    private SpatialSimException TooFewFields(int fields, ReadOnlySpan<byte> gene)
    {
        var h = _header!;
        int column = fields;
        while (_roles[column] == RoleNone) column++; // _roles[_maxColumn] is never RoleNone
        string role = _roles[column] switch { RoleGene => "gene", RoleX => "x", RoleY => "y", _ => "count" };
        return RowError($"the line has {fields} field{(fields == 1 ? "" : "s")}, but the {role} column '{h.Columns[column]}' is field {column + 1} " +
            $"of the {h.Columns.Count} in the header. The line may be cut short, or split by another delimiter than the header's ({CountTableHeader.DelimiterName(_delim)}).", gene);
    }

    // ---------------------------------------------------------------- canvas

    /// <summary>Lays every kept gene on the canvas: merges duplicate pixels, sorts row-major and maps to binned indices.</summary>
    public CountTable Build()
    {
        if (_header == null)
            throw new SpatialSimException(ErrorKind.InvalidData,
                (_line == 0 ? $"'{_path}' is empty." : $"'{_path}' has no header line, only {_line:N0} comment or blank line{(_line == 1 ? "" : "s")}.") +
                " A count table starts with a header naming its gene, x and y columns (e.g. 'geneID<TAB>x<TAB>y<TAB>MIDCount'), then one row per gene and position.")
            { FilePath = _path, LineNumber = Math.Max(1, _line) };
        if (_rowsRead == 0)
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{_path}' has a header (line {_headerLine}) but no data rows. Check that the file was written or downloaded completely.")
            { FilePath = _path, LineNumber = _headerLine };

        var o = _options;
        long ox, oy, w1, h1;
        if (o.Region is { } r)
        {
            if (_rowsOutside == _rowsRead)
                throw new SpatialSimException(ErrorKind.InvalidArgument,
                    $"All {_rowsRead:N0} data rows of '{_path}' lie outside the region [{r.X0}, {r.X1}) × [{r.Y0}, {r.Y1}). " +
                    $"The data spans pixels x {_minX}..{_maxX}, y {_minY}..{_maxY} at PixelSize {o.PixelSize}; the region is in those pixel units.")
                { FilePath = _path };
            (ox, oy, w1, h1) = (r.X0, r.Y0, (long)r.X1 - r.X0, (long)r.Y1 - r.Y0);
        }
        else
        {
            (ox, oy, w1, h1) = (_minX, _minY, (long)_maxX - _minX + 1, (long)_maxY - _minY + 1);
        }
        var (width, height) = CountTableReader.CheckCanvas(_path, o, w1, h1, ox, oy, fromRegion: o.Region.HasValue);

        Report(TableReadPhase.Building, force: true);
        var kept = _genes.Entries.Where(g => g.Keep && g.Total >= o.MinTotal).ToArray();
        var results = new CountTable.GeneData[kept.Length];
        var duplicates = new long[kept.Length];
        var layout = new CanvasLayout(ox, oy, w1, o.BinSize, width);
        // Largest genes first, so the workers finish together; one set of scratch buffers per worker.
        var order = Enumerable.Range(0, kept.Length).OrderByDescending(i => kept[i].Length).ToArray();
        int nextGene = -1;
        void Work()
        {
            var buffers = new CanvasLayout.Buffers();
            int k;
            while ((k = Interlocked.Increment(ref nextGene)) < order.Length)
            {
                _cancel.ThrowIfCancellationRequested();
                int i = order[k];
                results[i] = layout.Place(kept[i], buffers, out duplicates[i]);
            }
        }
        int workers = Math.Clamp(Environment.ProcessorCount, 1, Math.Max(1, order.Length / 16));
        var helpers = new Task[workers - 1];
        for (int t = 0; t < helpers.Length; t++) helpers[t] = Task.Run(Work, _cancel);
        try
        {
            Work();
        }
        finally
        {
            try { Task.WaitAll(helpers); }
            catch (AggregateException) { /* rethrown below when the main worker succeeded */ }
        }
        foreach (var t in helpers)
            if (t.Exception?.InnerException is { } e) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
        _cancel.ThrowIfCancellationRequested();

        var data = new Dictionary<string, CountTable.GeneData>(kept.Length, StringComparer.Ordinal);
        for (int i = 0; i < kept.Length; i++)
            if (!data.TryAdd(kept[i].Name, results[i]))
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"'{_path}' holds two different gene names that read as '{kept[i].Name}': the file is not valid UTF-8 text.")
                { FilePath = _path, Gene = kept[i].Name };

        var h = _header;
        var columns = new TableColumns(h.Columns[h.GeneColumn], h.Columns[h.XColumn], h.Columns[h.YColumn],
            h.CountColumn >= 0 ? h.Columns[h.CountColumn] : null, (char)h.Delimiter, h.Columns);
        return new CountTable(_path, columns, kept.Select(g => g.Name).ToArray(), data, width, height,
            (int)ox, (int)oy, o.BinSize, o.PixelSize * o.BinSize, _rowsRead, _rowsOutside, duplicates.Sum(), _genes.Entries.Count);
    }
}
