using System.Diagnostics;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// The streaming parser behind <see cref="CountTableReader"/>: reads chunks, splits records and fields on bytes,
/// validates numbers and files rows into per-gene <see cref="GeneAccumulator"/>s; <see cref="Build"/> then
/// lays them on the canvas. This file: its state, the header and the sequential read. The other parts:
/// <c>.Parallel</c> (large plain files in parts), <c>.Records</c> (splitting records into fields), <c>.VectorRows</c>
/// (the SIMD splitter), <c>.Values</c> (numbers and pixels of a row), <c>.Errors</c> (messages naming the line) and
/// <c>.Build</c> (the canvas).
/// </summary>
internal sealed partial class CountTableParser
{
    private const int InitialBuffer = 1 << 20;
    private const int MaxRecordBytes = 64 << 20;
    private const int MaxQuotedSpan = 1 << 20;
    private const byte RoleNone = 0, RoleGene = 1, RoleX = 2, RoleY = 3, RoleCount = 4, RoleQuality = 5;

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
    private bool _hasQuality;
    private long _rowsLowQuality, _rowsControl;
    private byte[] _lastControl = [];
    private readonly HashSet<string> _controlNames = new(StringComparer.Ordinal);
    private readonly byte[][] _scratch = [[], [], [], [], [], []]; // one per role (RoleNone … RoleQuality)

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

    /// <summary>Reads the whole input from the start, one record after the other.</summary>
    public void Run()
    {
        var buffer = new RecordBuffer(InitialBuffer, MaxRecordBytes);
        int consumed = 0;
        Report(TableReadPhase.Reading, force: true);
        while (true)
        {
            if (!buffer.Refill(consumed, _input.Read))
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"Line {_line + 1} of '{_path}' is longer than {MaxRecordBytes >> 20} MiB without a line break. This is not a count table with one row per line.")
                { FilePath = _path, LineNumber = _line + 1 };
            _cancel.ThrowIfCancellationRequested();
            Report(TableReadPhase.Reading, force: false);
            consumed = ProcessChunk(buffer.Data, buffer.Ended);
            if (buffer.Failure is { } failure)
            {
                // The complete lines before the damage are checked first; the error names the line that was cut.
                long line = _line + 1;
                throw new SpatialSimException(ErrorKind.InvalidData, $"Reading '{_path}' failed at line {line:N0}: {failure.Message}", failure.InnerException)
                { FilePath = _path, LineNumber = line };
            }
            if (buffer.Ended) break;
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
            else if (eof || (_header == null && rest.IndexOf((byte)'\r') is >= 0 and var cr && cr < rest.Length - 1))
            {
                line = rest; // the last line, or a header line ended by a lone CR: Preamble says so
                next = data.Length;
            }
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

    private void Preamble(ReadOnlySpan<byte> line)
    {
        if (_line == 0 && line.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) line = line[3..]; // UTF-8 byte order mark
        if (line.Trim(" \t"u8).IsEmpty || line[0] == (byte)'#') return;
        if (LooksLikeUtf16(line))
            throw new SpatialSimException(ErrorKind.NotSupported,
                $"'{_path}' is UTF-16 text (line {_recordLine} has a zero byte after every character), which is not read. " +
                "Save the table as UTF-8, e.g. with 'iconv -f UTF-16 -t UTF-8 IN > OUT' or Excel's 'CSV UTF-8'.")
            { FilePath = _path, LineNumber = _recordLine };
        if (line.IndexOf((byte)0) >= 0)
            throw new SpatialSimException(ErrorKind.NotSupported,
                $"'{_path}' is not a text table (line {_recordLine} holds binary data). Give a .gem, .csv or .tsv file, plain or gzip-compressed.")
            { FilePath = _path, LineNumber = _recordLine };

        int cr = line.IndexOf((byte)'\r');
        if (cr >= 0 && cr < line.Length - 1)
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{_path}' ends its lines with a carriage return (\\r) alone (classic Mac OS), so the whole file reads as one line. " +
                "Convert the line ends to \\n, e.g. with 'tr \"\\r\" \"\\n\" < IN > OUT', and read it again.")
            { FilePath = _path, LineNumber = _recordLine };

        var header = CountTableHeader.Parse(line, _path, _recordLine);
        _header = header;
        _headerLine = _recordLine;
        _delim = header.Delimiter;
        _decimalComma = _delim == (byte)';';
        _hasCount = header.CountColumn >= 0;
        _hasQuality = header.QualityColumn >= 0;
        _maxColumn = Math.Max(Math.Max(Math.Max(header.GeneColumn, header.XColumn), Math.Max(header.YColumn, header.CountColumn)), header.QualityColumn);
        _roles = new byte[_maxColumn + 1];
        _roles[header.GeneColumn] = RoleGene;
        _roles[header.XColumn] = RoleX;
        _roles[header.YColumn] = RoleY;
        if (_hasCount) _roles[header.CountColumn] = RoleCount;
        if (_hasQuality) _roles[header.QualityColumn] = RoleQuality;
        _genes = new GeneIndex(_options.GeneFilter, _hasCount, _options.CompactRows, _options.MaxEntries);
    }

    /// <summary>UTF-16 text seen as bytes: a byte order mark, or a zero byte beside most of the first characters.</summary>
    private static bool LooksLikeUtf16(ReadOnlySpan<byte> line)
    {
        if (line.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || line.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])) return true;
        int pairs = Math.Min(line.Length / 2, 32), zeros = 0;
        for (int i = 0; i < pairs; i++)
            if ((line[2 * i] == 0) != (line[2 * i + 1] == 0)) zeros++;
        return pairs >= 2 && zeros * 4 >= pairs * 3;
    }
}
