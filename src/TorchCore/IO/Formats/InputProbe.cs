using System.IO.Compression;
using System.Text;
using PureHDF;
using PureHDF.VOL.Native;

namespace SpatialSim.TorchCore.IO.Formats;

/// <summary>
/// What the formats look at to recognise an input: the path (file or folder), its extension (without a trailing .gz),
/// its first bytes (decompressed when gzip) and, for HDF5 files, which groups and datasets exist. Everything is read
/// lazily and at most once; nothing is written. Dispose closes the HDF5 file if one was opened.
/// </summary>
public sealed class InputProbe : IDisposable
{
    /// <summary>Bytes read for the magic number and first lines of a file.</summary>
    private const int HeadBytes = 64 << 10;
    /// <summary>At most this many decompressed bytes are read looking for the first lines (a wide matrix's header can be long).</summary>
    private const int MaxHeadLineBytes = 32 << 20;
    private static readonly byte[] Hdf5Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];

    private byte[]? _magic;
    private (string? First, string? Second)? _lines;
    private NativeFile? _hdf5;
    private Exception? _hdf5Error;
    private bool _hdf5Tried;

    public InputProbe(string path)
    {
        Path = path;
        IsDirectory = Directory.Exists(path);
        string name = System.IO.Path.GetFileName(path.TrimEnd('/', '\\')).ToLowerInvariant();
        IsGzipName = name.EndsWith(".gz", StringComparison.Ordinal);
        if (IsGzipName) name = name[..^3];
        Extension = System.IO.Path.GetExtension(name);
    }

    public string Path { get; }
    public bool IsDirectory { get; }
    /// <summary>Set by the caller when the user said the file is a spot × gene matrix (e.g. gave a spot table for it).</summary>
    public bool ExpectSpotMatrix { get; init; }
    /// <summary>The extension in lower case with its dot, after removing a trailing ".gz" (e.g. ".csv" for x.csv.gz).</summary>
    public string Extension { get; }
    /// <summary>Whether the name ends in .gz.</summary>
    public bool IsGzipName { get; }

    /// <summary>The first bytes of the file as stored (compressed for gzip); empty for a folder or an unreadable file.</summary>
    public ReadOnlySpan<byte> Magic => _magic ??= ReadMagic();

    public bool StartsWith(ReadOnlySpan<byte> bytes) => Magic.StartsWith(bytes);

    /// <summary>gzip by content (magic bytes 1f 8b).</summary>
    public bool IsGzip => Magic.Length >= 2 && Magic[0] == 0x1f && Magic[1] == 0x8b;

    /// <summary>An HDF5 file by content: the signature at offset 0 (h5py, anndata, 10x write it there).</summary>
    public bool IsHdf5 => Magic.StartsWith(Hdf5Signature);

    /// <summary>Whether the content looks like text (no NUL or other control bytes besides tab and line breaks in the first bytes, after gunzip).</summary>
    public bool IsText
    {
        get
        {
            if (IsDirectory || IsHdf5) return false;
            var (first, _) = Lines;
            return first is not null && first.All(c => c >= ' ' || c is '\t' or '\r' or '\n');
        }
    }

    /// <summary>The first line (a table's header; leading '#' comment and blank lines skipped) and the line after it; null when absent.</summary>
    public (string? First, string? Second) Lines => _lines ??= ReadLines();

    /// <summary>Whether the HDF5 file has an object at <paramref name="path"/> (e.g. "matrix/barcodes"); false when not HDF5 or unreadable.</summary>
    public bool Hdf5Has(string path)
    {
        var file = Hdf5File;
        if (file is null) return false;
        try
        {
            IH5Group group = file;
            var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            for (int i = 0; i < parts.Length; i++)
            {
                if (!group.LinkExists(parts[i])) return false;
                if (i == parts.Length - 1) break;
                if (group.Get(parts[i]) is not IH5Group next) return false;
                group = next;
            }
            return true;
        }
        catch (Exception) { return false; }
    }

    /// <summary>The opened HDF5 file (kept open until Dispose), or null when the file is not HDF5 or cannot be opened (see <see cref="Hdf5Error"/>).</summary>
    public NativeFile? Hdf5File
    {
        get
        {
            if (_hdf5Tried) return _hdf5;
            _hdf5Tried = true;
            if (!IsHdf5) return null;
            try { _hdf5 = H5File.OpenRead(Path); }
            catch (Exception e) { _hdf5Error = e; }
            return _hdf5;
        }
    }

    /// <summary>Why the HDF5 file could not be opened, when it could not.</summary>
    public Exception? Hdf5Error { get { _ = Hdf5File; return _hdf5Error; } }

    private byte[] ReadMagic()
    {
        if (IsDirectory) return [];
        try
        {
            using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
            var buffer = new byte[Math.Min(HeadBytes, Math.Max(0, file.Length))];
            int n = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return buffer[..n];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    private (string?, string?) ReadLines()
    {
        if (IsDirectory || Magic.Length == 0) return (null, null);
        try
        {
            using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using Stream text = IsGzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            var buffer = new byte[1 << 16];
            var line = new MemoryStream();
            string? first = null;
            long total = 0;
            int n;
            while ((n = text.Read(buffer)) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    byte b = buffer[i];
                    if (b != (byte)'\n') { line.WriteByte(b); continue; }
                    string s = Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length).TrimEnd('\r');
                    line.SetLength(0);
                    if (first is null)
                    {
                        if (s.Length == 0 || s.StartsWith('#')) continue;
                        first = s;
                    }
                    else return (first, s);
                }
                total += n;
                if (total > MaxHeadLineBytes) break;
            }
            string rest = Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length).TrimEnd('\r');
            return first is null ? (rest.Length > 0 ? rest : null, null) : (first, rest.Length > 0 ? rest : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException) { return (null, null); }
    }

    public void Dispose()
    {
        _hdf5?.Dispose();
        _hdf5 = null;
    }
}
