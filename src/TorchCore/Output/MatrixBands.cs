using SpatialSim.TorchCore.Ranking;

namespace SpatialSim.TorchCore.Output;

/// <summary>
/// Writes the bands of a streamed correlation matrix (<see cref="CorrelationBlock"/>) to a matrix file: each band as it
/// is (its rows from its first column on) and, mirrored, the part right of its square as the band's columns in the rows
/// below it. Over the bands of a whole matrix every cell is written once; the cells left of a band were written by the
/// bands above it. Scores are stored as float32.
/// </summary>
public static class MatrixBands
{
    /// <summary>Rows written per call, to keep the float32 copy small.</summary>
    private const int RowsPerWrite = 64;

    public static void Write(CorrelationBlock block, ISimilarityMatrixSink sink, CancellationToken cancellationToken = default)
    {
        int columns = block.Columns, rows = block.Rows;
        var buffer = new float[(long)Math.Min(rows, RowsPerWrite) * columns];
        for (int r0 = 0; r0 < rows; r0 += RowsPerWrite)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(RowsPerWrite, rows - r0);
            var span = buffer.AsSpan(0, count * columns);
            var source = block.Values.AsSpan(r0 * columns, count * columns);
            for (int k = 0; k < span.Length; k++) span[k] = (float)source[k];
            sink.WriteBlock(block.RowStart + r0, block.ColumnStart, count, columns, span);
        }
        // The mirror: rows below the band, the band's columns.
        int below = block.GeneCount - block.RowEnd;
        if (below <= 0) return;
        var mirror = new float[(long)Math.Min(below, RowsPerWrite) * rows];
        for (int c0 = 0; c0 < below; c0 += RowsPerWrite)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(RowsPerWrite, below - c0);
            for (int c = 0; c < count; c++)
            {
                int column = rows + c0 + c;  // column index within the band
                for (int r = 0; r < rows; r++) mirror[c * rows + r] = (float)block.Values[(long)r * columns + column];
            }
            sink.WriteBlock(block.RowEnd + c0, block.RowStart, count, rows, mirror.AsSpan(0, count * rows));
        }
    }
}
