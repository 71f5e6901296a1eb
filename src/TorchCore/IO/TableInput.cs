using System.Buffers.Binary;
using System.IO.Compression;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// The decompressed byte stream of a table file: plain text, or gzip detected by its magic bytes (not the extension).
/// .NET's GZipStream silently stops at the end of a truncated file, so gzip input is checked against the
/// trailer at the end of the file (see <see cref="GzipEndCheck"/>). Errors are <see cref="TableInputException"/>s
/// that the reader turns into <see cref="SpatialSimException"/>s carrying the line number.
/// </summary>
internal sealed class TableInput : IDisposable
{
    private readonly FileStream _file;
    private readonly Stream _stream;
    private readonly GzipEndCheck? _gzipCheck;
    private readonly ReadAhead? _readAhead;
    private readonly string _path;
    private readonly double _maxExpansion;
    private long _produced;
    private long _filePosition;
    private bool _ended;       // the caller has seen the end
    private bool _sourceEnded; // the file (or gzip stream) has ended; on the read-ahead thread for gzip

    public bool IsGzip => _gzipCheck != null;
    /// <summary>The file's handle for positional reads (<see cref="RandomAccess"/>, any thread) of a plain-text file; null for gzip.</summary>
    public Microsoft.Win32.SafeHandles.SafeFileHandle? PlainHandle => IsGzip ? null : _file.SafeFileHandle;
    /// <summary>Length of the file on disk.</summary>
    public long Length { get; }
    /// <summary>Bytes of the file on disk consumed so far (compressed bytes for gzip).</summary>
    public long Position => _ended ? Length : _readAhead != null ? Volatile.Read(ref _filePosition) : _file.Position;

    private TableInput(string path, FileStream file, Stream stream, GzipEndCheck? check, double maxExpansion)
    {
        _path = path;
        _maxExpansion = maxExpansion;
        _file = file;
        _stream = stream;
        _gzipCheck = check;
        Length = file.Length;
        // Decompress on a second thread while the caller parses.
        if (check != null) _readAhead = new ReadAhead((buffer, offset) => ReadSource(buffer.AsSpan(offset)));
    }

    /// <summary>Opens <paramref name="path"/>, refusing with a clear message files that are missing or of a kind we do not read.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxExpansion">
    /// For gzip input: the most text bytes per compressed byte read, checked once the text passes
    /// <see cref="TableReadOptions.GzipExpansionGraceBytes"/>; more is refused as a decompression bomb (LimitExceeded).
    /// </param>
    public static TableInput Open(string path, double maxExpansion = TableReadOptions.DefaultMaxGzipExpansion)
    {
        if (Directory.Exists(path))
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"'{path}' is a folder, not a table file. Give the path of the .gem, .csv or .tsv file (optionally .gz) inside it.")
            { FilePath = path };
        SpecialFile.EnsureRegular(path);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SpatialSimException(ErrorKind.NotFound, $"The table file '{path}' does not exist. Check the path and the current directory.", e)
            { FilePath = path };
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"The table file '{path}' cannot be opened: access is denied.", e)
            { FilePath = path };
        }

        try
        {
            Span<byte> magic = stackalloc byte[4];
            int n = file.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
            file.Position = 0;
            magic = magic[..n];
            if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
            {
                var check = new GzipEndCheck(file);
                file.Position = 0;
                return new TableInput(path, file, new GZipStream(file, CompressionMode.Decompress, leaveOpen: true), check, maxExpansion);
            }
            string? other = DescribeUnsupported(magic);
            if (other != null)
                throw new SpatialSimException(ErrorKind.NotSupported,
                    $"'{path}' is {other}, not a text table. Give a .gem, .csv or .tsv file, plain or gzip-compressed (.gz).")
                { FilePath = path };
            return new TableInput(path, file, file, null, maxExpansion);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static string? DescribeUnsupported(ReadOnlySpan<byte> m)
    {
        if (m.Length >= 2 && ((m[0] == 0xFF && m[1] == 0xFE) || (m[0] == 0xFE && m[1] == 0xFF)))
            return "UTF-16 text (save it as UTF-8, e.g. with 'iconv -f UTF-16 -t UTF-8 IN > OUT' or Excel's 'CSV UTF-8')";
        if (m.StartsWith("PAR1"u8)) return "a Parquet file (e.g. Xenium transcripts.parquet; use transcripts.csv.gz instead)";
        if (m.StartsWith("PK\x03\x04"u8)) return "a zip archive (unzip it first)";
        if (m.Length >= 4 && m[0] == 0x28 && m[1] == 0xB5 && m[2] == 0x2F && m[3] == 0xFD) return "zstd-compressed (decompress it first, e.g. with 'zstd -d')";
        if (m.StartsWith("BZh"u8)) return "bzip2-compressed (decompress it first, or recompress with gzip)";
        if (m.Length >= 4 && m[0] == 0x89 && m[1] == (byte)'H' && m[2] == (byte)'D' && m[3] == (byte)'F') return "an HDF5 file (e.g. .h5 or .h5ad)";
        return null;
    }

    /// <summary>Reads decompressed bytes; 0 only at the (verified) end of the data.</summary>
    public int Read(Span<byte> buffer)
    {
        if (_ended) return 0;
        int n = _readAhead != null ? _readAhead.Read(buffer) : ReadSource(buffer);
        if (n == 0) _ended = true;
        return n;
    }

    private int ReadSource(Span<byte> buffer)
    {
        if (_sourceEnded) return 0;
        int n;
        try
        {
            n = _stream.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw new TableInputException(
                $"the gzip data is damaged ({e.Message.TrimEnd('.')}) after {_produced:N0} bytes of text. Download or copy the file again.", e);
        }
        long compressed = _file.Position;
        Volatile.Write(ref _filePosition, compressed);
        if (n > 0)
        {
            _produced += n;
            if (_gzipCheck != null && _produced > TableReadOptions.GzipExpansionGraceBytes && _produced > _maxExpansion * compressed)
                throw new SpatialSimException(ErrorKind.LimitExceeded,
                    $"'{_path}' expands to more than {_maxExpansion:G} times its compressed size ({_produced:N0} bytes of text from the first " +
                    $"{compressed:N0} compressed bytes). Count tables compress 3 to 10 times; this looks like a decompression bomb, so reading stopped. " +
                    "If the file is genuine, decompress it (gunzip) and read the plain file.")
                { FilePath = _path };
            _gzipCheck?.Observe(buffer[..n]);
            return n;
        }
        _sourceEnded = true;
        if (_gzipCheck != null && !_gzipCheck.IsComplete(_produced))
            throw new TableInputException(
                $"the gzip data ends early (truncated download?) after {_produced:N0} bytes of text, or other bytes follow it (zero padding, junk): " +
                "the end of the file is not the gzip trailer recorded for that text. Download or copy the file again. " +
                "(If the file is several gzip files joined together, decompress it with gunzip and read the plain file.)");
        return 0;
    }

    public void Dispose()
    {
        _readAhead?.Dispose();
        if (!ReferenceEquals(_stream, _file)) _stream.Dispose();
        _file.Dispose();
    }
}

/// <summary>A problem with the input bytes themselves (damaged or truncated gzip); the reader adds file and line.</summary>
internal sealed class TableInputException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Decides whether gzip data that ended was complete. Every gzip member ends with CRC32 and ISIZE (length mod 2^32)
/// of its data; zlib verifies them for each member it finishes, but a stream cut short simply ends.
/// For a single-member file ISIZE (the file's last 4 bytes) equals the whole length. For multi-member files
/// (bgzip, concatenated .gz) the last 8 bytes describe only the last member, so the last ISIZE bytes of text are kept
/// in a ring (when at most 16 MiB) and their CRC32 compared. A truncated file ends in compressed data, whose last
/// 8 bytes pass either test only by a 1 in 2^32 chance.
/// </summary>
internal sealed class GzipEndCheck
{
    private const int MaxRing = 16 << 20;
    private readonly bool _tooShort;
    private readonly uint _crc, _isize;
    private readonly byte[]? _ring;
    private long _written;

    public GzipEndCheck(FileStream file)
    {
        // header (10) + shortest deflate data (2) + trailer (8)
        if (file.Length < 20) { _tooShort = true; return; }
        Span<byte> tail = stackalloc byte[8];
        file.Position = file.Length - 8;
        file.ReadExactly(tail);
        _isize = BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]);
        _crc = BinaryPrimitives.ReadUInt32LittleEndian(tail[..4]);
        if (_isize <= MaxRing) _ring = new byte[_isize];
    }

    public void Observe(ReadOnlySpan<byte> data)
    {
        if (_ring is not { Length: > 0 } ring) { _written += data.Length; return; }
        if (data.Length > ring.Length) { _written += data.Length - ring.Length; data = data[^ring.Length..]; }
        int at = (int)(_written % ring.Length);
        int first = Math.Min(data.Length, ring.Length - at);
        data[..first].CopyTo(ring.AsSpan(at));
        data[first..].CopyTo(ring);
        _written += data.Length;
    }

    public bool IsComplete(long total)
    {
        if (_tooShort) return false;
        if ((uint)total == _isize) return true;
        // ISIZE 0 with data means no trailer there (zero padding after the stream); an empty ring would match any CRC of 0.
        if (_ring == null || total < _isize || _isize == 0) return false;
        int start = _ring.Length == 0 ? 0 : (int)(_written % _ring.Length);
        var crc32 = new System.IO.Hashing.Crc32(); // IEEE 802.3, as in gzip
        crc32.Append(_ring.AsSpan(start));
        crc32.Append(_ring.AsSpan(0, start));
        uint crc = crc32.GetCurrentHashAsUInt32();
        return crc == _crc;
    }
}
