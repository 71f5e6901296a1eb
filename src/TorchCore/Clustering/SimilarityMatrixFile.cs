using System.Buffers.Binary;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Output;

namespace SpatialSim.TorchCore.Clustering;

/// <summary>
/// A gene × gene score matrix on disk, read row by row: a 2-D square .npy of float32 or float64 (either byte order),
/// C order — what Get-RankedPairs -MatrixPath and Export-SimilarityMatrix write, or numpy.save — with its gene names one
/// per line in the .genes.txt file next to it (<see cref="SimilarityMatrix.GenesFileOf"/>). Nothing but one row is held.
/// </summary>
public sealed class SimilarityMatrixFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly long _dataOffset;
    private readonly int _itemSize;
    private readonly bool _bigEndian;
    private readonly byte[] _buffer;

    private SimilarityMatrixFile(string path, FileStream stream, IReadOnlyList<string> genes, long dataOffset, int itemSize, bool bigEndian)
    {
        Path = path;
        _stream = stream;
        Genes = genes;
        _dataOffset = dataOffset;
        _itemSize = itemSize;
        _bigEndian = bigEndian;
        _buffer = new byte[(long)itemSize * genes.Count];
    }

    public string Path { get; }
    public IReadOnlyList<string> Genes { get; }
    public int Count => Genes.Count;

    public static SimilarityMatrixFile Open(string path)
    {
        string extension = System.IO.Path.GetExtension(path);
        if (!extension.Equals(".npy", StringComparison.OrdinalIgnoreCase))
            throw new SpatialSimException(ErrorKind.NotSupported,
                $"'{path}' is not a .npy matrix: a score matrix is read from the .npy file (float32 or float64, genes × genes) that Get-RankedPairs -MatrixPath " +
                "or Export-SimilarityMatrix writes.") { FilePath = path };
        var (descr, shape, offset) = NpyFormat.ReadLayout(path);
        if (shape.Length != 2 || shape[0] != shape[1])
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{path}' holds an array of shape ({string.Join(", ", shape)}), not a square genes × genes matrix.") { FilePath = path };
        if (descr.Length != 3 || descr[1] != 'f' || descr[2] is not ('4' or '8') || descr[0] is not ('<' or '>' or '='))
            throw new SpatialSimException(ErrorKind.NotSupported,
                $"'{path}' holds '{descr}' values; a score matrix is float32 ('<f4') or float64 ('<f8').") { FilePath = path };
        string genesPath = SimilarityMatrix.GenesFileOf(path);
        if (!File.Exists(genesPath))
            throw new SpatialSimException(ErrorKind.NotFound,
                $"The matrix '{path}' has no gene list: '{genesPath}' (one gene name per line, in matrix order) was not found. " +
                "Write it next to the matrix (Get-RankedPairs -MatrixPath writes both).") { FilePath = genesPath };
        var genes = File.ReadAllLines(genesPath).Select(l => l.TrimEnd('\r')).ToList();
        while (genes.Count > shape[0] && genes[^1].Length == 0) genes.RemoveAt(genes.Count - 1);
        if (genes.Count != shape[0])
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"'{genesPath}' names {genes.Count} genes but the matrix '{path}' is {shape[0]} × {shape[1]}; they must match line for row.") { FilePath = genesPath };
        var stream = RasterFileIo.OpenRead(path);
        bool big = descr[0] == '>' || (descr[0] == '=' && !BitConverter.IsLittleEndian);
        return new SimilarityMatrixFile(path, stream, genes, offset, descr[2] == '4' ? 4 : 8, big);
    }

    /// <summary>Reads row <paramref name="i"/> (every column) into <paramref name="row"/>.</summary>
    public void ReadRow(int i, Span<double> row)
    {
        int n = Count;
        if (!RasterFileIo.TryReadAt(_stream, _dataOffset + (long)i * n * _itemSize, _buffer))
            throw new SpatialSimException(ErrorKind.InvalidData, $"'{Path}' ended inside row {i} of the matrix.") { FilePath = Path };
        var b = _buffer.AsSpan();
        for (int j = 0; j < n; j++)
        {
            var cell = b.Slice(j * _itemSize, _itemSize);
            row[j] = _itemSize == 4
                ? (_bigEndian ? BinaryPrimitives.ReadSingleBigEndian(cell) : BinaryPrimitives.ReadSingleLittleEndian(cell))
                : (_bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(cell) : BinaryPrimitives.ReadDoubleLittleEndian(cell));
        }
    }

    public void Dispose() => _stream.Dispose();
}
