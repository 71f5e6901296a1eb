using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Runs a blocking byte source (gzip decompression) on its own thread, a few chunks ahead of the reader, so
/// decompressing and parsing use two cores. Errors reach the reader at the point in the stream where they happened.
/// </summary>
internal sealed class ReadAhead : IDisposable
{
    private const int ChunkSize = 1 << 19;
    private const int Chunks = 4;

    private readonly record struct Chunk(byte[]? Buffer, int Length, ExceptionDispatchInfo? Error);

    private readonly BlockingCollection<Chunk> _full = new(Chunks);
    private readonly BlockingCollection<byte[]> _free = new(Chunks);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private Chunk _current;
    private int _offset;
    private bool _ended;

    /// <param name="source">Fills the span with up to its length of bytes; 0 at the end. Called on the read-ahead thread only.</param>
    public ReadAhead(Func<byte[], int, int> source)
    {
        for (int i = 0; i < Chunks; i++) _free.Add(new byte[ChunkSize]);
        _producer = Task.Factory.StartNew(() => Produce(source), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Produce(Func<byte[], int, int> source)
    {
        var stop = _stop.Token;
        try
        {
            while (true)
            {
                var buffer = _free.Take(stop);
                int filled = 0, n = 0;
                ExceptionDispatchInfo? error = null;
                try
                {
                    do
                    {
                        n = source(buffer, filled);
                        filled += n;
                    } while (n > 0 && filled < buffer.Length);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    error = ExceptionDispatchInfo.Capture(e);
                }
                // The bytes before an error come first, so the reader can say where the data broke off.
                if (filled > 0) _full.Add(new Chunk(buffer, filled, null), stop);
                if (n == 0 || error != null)
                {
                    _full.Add(new Chunk(null, 0, error), stop);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            try { _full.Add(new Chunk(null, 0, ExceptionDispatchInfo.Capture(e)), stop); }
            catch (OperationCanceledException) { }
        }
    }

    /// <summary>Copies the next bytes into <paramref name="destination"/>; 0 at the end; rethrows the source's error in order.</summary>
    public int Read(Span<byte> destination)
    {
        if (_ended) return 0;
        if (_current.Buffer == null || _offset == _current.Length)
        {
            if (_current.Buffer != null) _free.Add(_current.Buffer);
            _current = _full.Take();
            _offset = 0;
            if (_current.Buffer == null)
            {
                _ended = true;
                _current.Error?.Throw();
                return 0;
            }
        }
        int n = Math.Min(destination.Length, _current.Length - _offset);
        _current.Buffer.AsSpan(_offset, n).CopyTo(destination);
        _offset += n;
        return n;
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _producer.Wait(); } catch (AggregateException) { }
        _stop.Dispose();
        _full.Dispose();
        _free.Dispose();
    }
}
