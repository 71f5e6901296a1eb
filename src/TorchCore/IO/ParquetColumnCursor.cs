using ParquetSharp;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Reads one flat (not nested, not repeated) column of a Parquet row group in batches of exactly the rows asked for.
/// ParquetSharp's <c>ReadBatch</c> stops at page ends, so this loops until the batch is full. A null value is an error
/// naming the file, row group, column and row; the caller decides what the values mean.
/// </summary>
internal sealed class ParquetColumnCursor : IDisposable
{
    private readonly ColumnReader _reader;
    private readonly string _path, _column;
    private readonly int _rowGroup;
    private readonly long _firstRow;
    private readonly bool _optional;
    private short[] _definitions = [];
    private long _batchStart, _rowsDone;

    public ParquetColumnCursor(RowGroupReader rowGroup, int column, string path, int rowGroupIndex, long firstRow)
    {
        _reader = rowGroup.Column(column);
        _column = _reader.ColumnDescriptor.Name;
        _optional = _reader.ColumnDescriptor.MaxDefinitionLevel > 0;
        _path = path;
        _rowGroup = rowGroupIndex;
        _firstRow = firstRow;
    }

    public PhysicalType Type => _reader.Type;

    /// <summary>Fills <paramref name="values"/> with the next <c>values.Length</c> values of a column of physical type <typeparamref name="T"/>.</summary>
    public void Read<T>(Span<T> values) where T : unmanaged
    {
        var reader = (ColumnReader<T>)_reader;
        _batchStart = _rowsDone;
        if (_optional && _definitions.Length < values.Length) _definitions = new short[values.Length];
        int done = 0;
        while (done < values.Length)
        {
            long levels, read;
            if (_optional)
            {
                levels = reader.ReadBatch(values.Length - done, _definitions.AsSpan(done, values.Length - done), default, values[done..], out read);
                if (read != levels)
                {
                    int at = _definitions.AsSpan(done, (int)levels).IndexOfAnyExcept((short)1);
                    throw Problem(done + Math.Max(0, at), "is empty (null). Every row needs a value here; remove or fill the row");
                }
            }
            else
            {
                levels = reader.ReadBatch(values.Length - done, values[done..], out read);
            }
            if (levels == 0)
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"Row group {_rowGroup} of '{_path}': column '{_column}' ends after {_rowsDone + done:N0} values, before the row group's last row. The file is damaged.")
                { FilePath = _path };
            done += (int)levels;
        }
        _rowsDone += values.Length;
    }

    /// <summary>An error about the value at <paramref name="offset"/> in the batch being (or last) read: file, row (0-based, in the file), row group, column.</summary>
    public SpatialSimException Problem(int offset, string what, string? gene = null)
    {
        long row = _firstRow + _batchStart + offset;
        return new SpatialSimException(ErrorKind.InvalidData,
            $"Row {row:N0} (row group {_rowGroup}) of '{_path}': the value in column '{_column}' {what}.")
        { FilePath = _path, Gene = gene };
    }

    public void Dispose() => _reader.Dispose();
}
