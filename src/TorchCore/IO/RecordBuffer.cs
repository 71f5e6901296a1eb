namespace SpatialSim.TorchCore.IO;

/// <summary>
/// The count-table parser's window on its input: <see cref="Data"/> holds the bytes read and not yet consumed, starting
/// at a record's start. <see cref="Refill"/> drops what the parser consumed, grows the buffer when one record fills it,
/// and reads until the buffer is full or the source ends. Used alike for the sequential read (decompressed stream) and
/// for each part of a parallel read (positional reads of the file).
/// </summary>
internal sealed class RecordBuffer(int initialSize, int maxSize)
{
    private byte[] _bytes = new byte[initialSize];
    private int _length;

    /// <summary>Reads up to <c>destination.Length</c> bytes; 0 only at the end of the source.</summary>
    public delegate int Source(Span<byte> destination);

    /// <summary>The bytes not yet consumed.</summary>
    public ReadOnlySpan<byte> Data => new(_bytes, 0, _length);

    /// <summary>The source has ended: <see cref="Data"/> ends with the last bytes.</summary>
    public bool Ended { get; private set; }

    /// <summary>
    /// The damage the source reported (a <see cref="TableInputException"/>) after the bytes in <see cref="Data"/>, or null.
    /// The caller parses the complete records before it, then reports it.
    /// </summary>
    public TableInputException? Failure { get; private set; }

    /// <summary>Empties the buffer for a new source (the next part of a parallel read), keeping its memory.</summary>
    public void Reset()
    {
        _length = 0;
        Ended = false;
        Failure = null;
    }

    /// <summary>
    /// Drops the first <paramref name="consumed"/> bytes of <see cref="Data"/> and reads more from <paramref name="read"/>.
    /// False when nothing was consumed from a buffer already at its largest size: one record is longer than that.
    /// </summary>
    public bool Refill(int consumed, Source read)
    {
        if (consumed > 0)
        {
            Buffer.BlockCopy(_bytes, consumed, _bytes, 0, _length - consumed);
            _length -= consumed;
        }
        else if (_length == _bytes.Length)
        {
            if (_bytes.Length >= maxSize) return false;
            Array.Resize(ref _bytes, _bytes.Length * 2);
        }
        while (_length < _bytes.Length && !Ended)
        {
            int n;
            try
            {
                n = read(_bytes.AsSpan(_length));
            }
            catch (TableInputException e)
            {
                Failure = e;
                break;
            }
            if (n == 0) Ended = true;
            else _length += n;
        }
        return true;
    }
}
