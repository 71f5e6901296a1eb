namespace SpatialSim.TorchCore.IO;

/// <summary>
/// The slabs of <see cref="RowArena"/> kept after a table is read, for the next table: reading holds every row in slabs of
/// <see cref="RowArena.SlabRows"/> rows (about 290 MB of them for a 10⁷-row GEM file, in parts on every core), large
/// arrays the garbage collector would otherwise free and the kernel fault in anew for the next file (imports of several
/// samples, or of one file at several bin sizes). A 10⁷-row GEM file read again allocated 310 MB and took 5 full
/// collections each time.
/// <para>What it holds: at most <see cref="MaxKeptBytes"/> of slabs (a 10⁷-row table's), none longer than
/// <see cref="LargeBufferPool.KeepFor"/> after the last table was read (a timer drops them, the collector frees them), and
/// nothing after <see cref="LargeBufferPool.Trim"/>. A slab is returned only once no gene of the table that used it is
/// read again (<see cref="RowArena.Recycle"/> after the table is built).</para>
/// </summary>
internal static class RowSlabPool
{
    /// <summary>
    /// Most bytes kept: a 32nd of the physical memory, at most 512 MB (a ranking usually follows an import and needs the
    /// memory more).
    /// </summary>
    public static long MaxKeptBytes => Math.Min(512L << 20, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 32);

    private static readonly object Gate = new();
    private static readonly Stack<long[]> Pixels = new();
    private static readonly Stack<float[]> Counts = new();
    private static long _keptBytes;
    private static long _returnedAt;
    private static Timer? _expiry;

    /// <summary>Bytes kept now.</summary>
    public static long KeptBytes { get { lock (Gate) return _keptBytes; } }

    /// <summary>A kept pixel slab, or a new one.</summary>
    public static long[] TakePixels() => Take(Pixels, sizeof(long));

    /// <summary>A kept count slab, or a new one.</summary>
    public static float[] TakeCounts() => Take(Counts, sizeof(float));

    /// <summary>Keeps slabs that no gene will read again (those beyond the bound are left to the collector).</summary>
    public static void Return(IEnumerable<long[]> pixels, IEnumerable<float[]> counts)
    {
        lock (Gate)
        {
            long max = MaxKeptBytes;
            Keep(Pixels, pixels, sizeof(long), max);
            Keep(Counts, counts, sizeof(float), max);
            _returnedAt = Environment.TickCount64;
            if (_keptBytes > 0) _expiry ??= new Timer(_ => Expire(), null, LargeBufferPool.KeepFor / 2, LargeBufferPool.KeepFor / 2);
        }
    }

    private static T[] Take<T>(Stack<T[]> kept, int elementSize)
    {
        lock (Gate)
            if (kept.TryPop(out var slab))
            {
                _keptBytes -= (long)elementSize * slab.Length;
                return slab;
            }
        return GC.AllocateUninitializedArray<T>(RowArena.SlabRows);
    }

    /// <summary>Pushes the full-size slabs that fit under <paramref name="max"/> (the caller holds the gate).</summary>
    private static void Keep<T>(Stack<T[]> kept, IEnumerable<T[]> slabs, int elementSize, long max)
    {
        foreach (var slab in slabs)
            if (slab.Length == RowArena.SlabRows && _keptBytes + (long)elementSize * slab.Length <= max)
            {
                kept.Push(slab);
                _keptBytes += (long)elementSize * slab.Length;
            }
    }

    /// <summary>Drops every kept slab.</summary>
    public static void Clear()
    {
        lock (Gate)
        {
            Pixels.Clear();
            Counts.Clear();
            _keptBytes = 0;
            _expiry?.Dispose();
            _expiry = null;
        }
    }

    private static void Expire()
    {
        lock (Gate)
            if (Environment.TickCount64 - _returnedAt < (long)LargeBufferPool.KeepFor.TotalMilliseconds) return;
        Clear();
    }
}
