using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using SpatialSim.TorchCore.IO;

namespace SpatialSim.TorchCore.Output;

/// <summary>
/// Streams a gene × gene matrix into a NumPy .npy file: version 1.0, little-endian float32 ('&lt;f4'), C order, shape
/// (genes, genes), header padded to 64 bytes as NumPy does; the gene names go to <see cref="SimilarityMatrix.GenesFileOf"/>
/// (one per line, UTF-8, matrix order), as <see cref="SimilarityMatrix.WriteNpy"/> writes them. Blocks are written at
/// their offsets (positioned writes, no memory map), so the process holds one block at a time, never the matrix.
/// The data goes to a temporary sibling that is renamed into place by <see cref="Complete"/>; on failure or
/// cancellation nothing is left behind. Read it with <c>numpy.load(path, mmap_mode='r')</c>.
/// </summary>
public sealed class NpyMatrixSink : ISimilarityMatrixSink
{
    private readonly bool _overwrite;
    private readonly string _full;
    private string? _temporary;
    private SafeFileHandle? _handle;
    private long _dataOffset;
    private int _n;
    private IReadOnlyList<string> _genes = Array.Empty<string>();

    public NpyMatrixSink(string path, bool overwrite)
    {
        Path = path;
        _overwrite = overwrite;
        _full = RasterFileIo.CheckTarget(path, overwrite);
        RasterFileIo.CheckTarget(SimilarityMatrix.GenesFileOf(path), overwrite);
    }

    public string Path { get; }

    public IReadOnlyList<string> CompanionPaths => new[] { SimilarityMatrix.GenesFileOf(Path) };

    /// <summary>Bytes of the file for <paramref name="genes"/> genes.</summary>
    public static long FileBytes(int genes) => NpyFormat.BuildHeader(new long[] { genes, genes }).Length + 4L * genes * genes;

    public void Begin(IReadOnlyList<string> genes, string method, string parameters)
    {
        if (_handle is not null) throw new InvalidOperationException("Begin was called twice.");
        foreach (var g in genes)
            if (g.IndexOfAny(new[] { '\n', '\r' }) >= 0)
                throw new SpatialSimException(ErrorKind.InvalidData, $"Gene name '{g.ReplaceLineEndings(" ")}' contains a line break, which the gene list file cannot hold.") { Gene = g, FilePath = Path };
        _genes = genes.ToArray();
        _n = genes.Count;
        var header = NpyFormat.BuildHeader(new long[] { _n, _n });
        _dataOffset = header.Length;
        _temporary = _full + ".tmp-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        try
        {
            _handle = File.OpenHandle(_temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.None, preallocationSize: 0);
            RandomAccess.SetLength(_handle, _dataOffset + 4L * _n * _n);
            RandomAccess.Write(_handle, header, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Dispose();
            throw new SpatialSimException(ErrorKind.ResourceUnavailable, $"Could not write '{Path}': {e.Message}", e) { FilePath = Path };
        }
    }

    public void WriteBlock(int rowStart, int columnStart, int rows, int columns, ReadOnlySpan<float> values)
    {
        if (_handle is null) throw new InvalidOperationException("WriteBlock before Begin.");
        if (rowStart < 0 || columnStart < 0 || rowStart + rows > _n || columnStart + columns > _n || values.Length != rows * columns)
            throw new ArgumentOutOfRangeException(nameof(rowStart), $"Block [{rowStart}+{rows}, {columnStart}+{columns}] does not fit the {_n} × {_n} matrix.");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("The .npy writer assumes a little-endian machine.");
        try
        {
            for (int r = 0; r < rows; r++)
            {
                long offset = _dataOffset + 4L * ((long)(rowStart + r) * _n + columnStart);
                RandomAccess.Write(_handle, MemoryMarshal.AsBytes(values.Slice(r * columns, columns)), offset);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpatialSimException(ErrorKind.ResourceUnavailable, $"Could not write '{Path}': {e.Message}", e) { FilePath = Path };
        }
    }

    public void Complete()
    {
        if (_handle is null || _temporary is null) throw new InvalidOperationException("Complete before Begin.");
        try
        {
            RandomAccess.FlushToDisk(_handle);
            _handle.Dispose();
            _handle = null;
            File.Move(_temporary, _full, _overwrite);
            _temporary = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Dispose();
            if (!_overwrite && File.Exists(_full))
                throw new SpatialSimException(ErrorKind.WriteConflict, $"File '{Path}' already exists. Choose another name, or allow overwriting (-Force) to replace it.") { FilePath = Path };
            throw new SpatialSimException(ErrorKind.ResourceUnavailable, $"Could not write '{Path}': {e.Message}", e) { FilePath = Path };
        }
        RasterFileIo.WriteAtomically(SimilarityMatrix.GenesFileOf(Path), _overwrite,
            fs => fs.Write(new UTF8Encoding(false).GetBytes(string.Join("\n", _genes) + "\n")));
    }

    public void Dispose()
    {
        _handle?.Dispose();
        _handle = null;
        if (_temporary is not null)
        {
            try { File.Delete(_temporary); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* best effort */ }
            _temporary = null;
        }
    }
}
