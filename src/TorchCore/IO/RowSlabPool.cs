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
    public static long[] TakePixels()
    {
        lock (Gate)
            if (Pixels.TryPop(out var slab))
            {
                _keptBytes -= 8L * slab.Length;
                return slab;
            }
        return GC.AllocateUninitializedArray<long>(RowArena.SlabRows);
    }

    /// <summary>A kept count slab, or a new one.</summary>
    public static float[] TakeCounts()
    {
        lock (Gate)
            if (Counts.TryPop(out var slab))
            {
                _keptBytes -= 4L * slab.Length;
                return slab;
            }
        return GC.AllocateUninitializedArray<float>(RowArena.SlabRows);
    }

    /// <summary>Keeps slabs that no gene will read again (those beyond the bound are left to the collector).</summary>
    public static void Return(IEnumerable<long[]> pixels, IEnumerable<float[]> counts)
    {
        lock (Gate)
        {
            long max = MaxKeptBytes;
            foreach (var slab in pixels)
                if (slab.Length == RowArena.SlabRows && _keptBytes + 8L * slab.Length <= max)
                {
                    Pixels.Push(slab);
                    _keptBytes += 8L * slab.Length;
                }
            foreach (var slab in counts)
                if (slab.Length == RowArena.SlabRows && _keptBytes + 4L * slab.Length <= max)
                {
                    Counts.Push(slab);
                    _keptBytes += 4L * slab.Length;
                }
            _returnedAt = Environment.TickCount64;
            if (_keptBytes > 0) _expiry ??= new Timer(_ => Expire(), null, LargeBufferPool.KeepFor / 2, LargeBufferPool.KeepFor / 2);
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
