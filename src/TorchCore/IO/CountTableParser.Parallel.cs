namespace SpatialSim.TorchCore.IO;

/// <summary>The parallel read of a large plain-text table: parts cut at line breaks, parsed on all cores, joined in file order.</summary>
internal sealed partial class CountTableParser
{
    /// <summary>Smallest file read in parallel parts (tests lower it to exercise the parallel read on small files).</summary>
    internal static long ParallelMinBytes = 32L << 20;
    /// <summary>Smallest part (tests lower it).</summary>
    internal static long MinPartBytes = 8L << 20;
    /// <summary>Reads completed in parallel parts so far (lets tests check which path ran).</summary>
    internal static int ParallelReads;

    /// <summary>
    /// A parser for one part of the file: the header state of <paramref name="main"/>, its own genes and counters. Its
    /// genes merge repeated pixels once they hold <paramref name="compactRows"/> rows (the parts share the budget).
    /// </summary>
    private CountTableParser(CountTableParser main, long compactRows) : this(main._path, main._options, main._input, null, main._cancel)
    {
        _header = main._header;
        _headerLine = main._headerLine;
        _delim = main._delim;
        _decimalComma = main._decimalComma;
        _roles = main._roles;
        _maxColumn = main._maxColumn;
        _hasCount = main._hasCount;
        _hasQuality = main._hasQuality;
        _genes = new GeneIndex(_options.GeneFilter, _hasCount, compactRows, _options.MaxEntries);
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
        long partBudget = Math.Max(1, _options.CompactRows / parts);
        for (int k = 0; k < parts; k++) workers[k] = new CountTableParser(this, partBudget);
        var shared = new PartState();
        int next = -1;
        void Work()
        {
            var buffer = new RecordBuffer(InitialBuffer, MaxRecordBytes);
            int k;
            while (!shared.GaveUp && (k = Interlocked.Increment(ref next)) < parts)
            {
                try
                {
                    if (!workers[k].RunPart(handle, bounds[k], bounds[k + 1], buffer, shared)) shared.GaveUp = true;
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
            _rowsLowQuality += w._rowsLowQuality;
            _rowsControl += w._rowsControl;
            _controlNames.UnionWith(w._controlNames);
            _line += w._line;
            _minX = Math.Min(_minX, w._minX);
            _minY = Math.Min(_minY, w._minY);
            _maxX = Math.Max(_maxX, w._maxX);
            _maxY = Math.Max(_maxY, w._maxY);
            foreach (var gene in w._genes.Entries) _genes.GetOrAdd(gene.Key).Append(gene);
        }
        _partsPeakRowsHeld = workers.Sum(w => w._genes.PeakRowsHeld);
        _partIndexes = workers.Select(w => w._genes).ToArray();
        _partsDone = true;
        Report(TableReadPhase.Reading, force: true);
        Interlocked.Increment(ref ParallelReads);
        return true;
    }

    /// <summary>Rows the parts held at most, together (each part's peak, as parts keep their rows until the join).</summary>
    private long _partsPeakRowsHeld;

    /// <summary>The parts' gene indexes, whose slabs hold the rows the joined genes refer to (recycled once the table is built).</summary>
    private GeneIndex[] _partIndexes = [];

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
    private bool RunPart(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long start, long end, RecordBuffer buffer, PartState shared)
    {
        long position = start;
        int ReadPart(Span<byte> destination)
        {
            int want = (int)Math.Min(destination.Length, end - position);
            int n = want == 0 ? 0 : RandomAccess.Read(handle, destination[..want], position);
            position += n;
            Interlocked.Add(ref shared.Bytes, n);
            return n;
        }
        buffer.Reset();
        int consumed = 0;
        while (true)
        {
            if (!buffer.Refill(consumed, ReadPart)) return false;
            _cancel.ThrowIfCancellationRequested();
            if (shared.GaveUp) return true; // another part gave up: stop early, the caller reads sequentially
            var data = buffer.Data;
            bool eof = buffer.Ended;
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
            consumed = pos;
            if (eof) return true;
        }
    }
}
