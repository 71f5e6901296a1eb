namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Bump allocator for <see cref="GeneAccumulator"/> blocks: large uninitialized slabs (1M rows each), so tens of
/// thousands of genes do not each churn small arrays through the GC. A slab is freed when no gene refers to it, or kept
/// for the next table (<see cref="Recycle"/>, <see cref="RowSlabPool"/>) once the table it served is built.
/// </summary>
internal sealed class RowArena(bool hasCounts)
{
    /// <summary>Rows per slab.</summary>
    public const int SlabRows = 1 << 20;
    private long[] _pixels = [];
    private float[] _counts = [];
    private int _used;
    private readonly List<long[]> _slabPixels = [];
    private readonly List<float[]> _slabCounts = [];
    private bool _recycled;

    public bool HasCounts { get; } = hasCounts;

    /// <summary>Rows handed out so far (blocks taken, whether filled or not).</summary>
    public long RowsTaken { get; private set; }

    /// <summary>
    /// A run of rows inside a slab, or an array of its own (a gene's merged rows, see <see cref="GeneAccumulator.Compact"/>).
    /// <see cref="Counts"/> is empty when the rows carry no count (each counts 1).
    /// </summary>
    public readonly record struct Block(long[] Pixels, float[] Counts, int Offset, int Length);

    public Block Take(int rows)
    {
        if (_recycled) throw new InvalidOperationException("The arena's slabs were handed on.");
        if (_used + rows > _pixels.Length)
        {
            if (rows > SlabRows)
            {
                _pixels = GC.AllocateUninitializedArray<long>(rows);
                _counts = HasCounts ? GC.AllocateUninitializedArray<float>(rows) : [];
            }
            else
            {
                _pixels = RowSlabPool.TakePixels();
                _counts = HasCounts ? RowSlabPool.TakeCounts() : [];
            }
            _slabPixels.Add(_pixels);
            if (HasCounts) _slabCounts.Add(_counts);
            _used = 0;
        }
        var block = new Block(_pixels, _counts, _used, rows);
        _used += rows;
        RowsTaken += rows;
        return block;
    }

    /// <summary>
    /// Hands the slabs to <see cref="RowSlabPool"/> for the next table. Only once no gene's rows in them will be read again
    /// (the table is built: every gene placed on the canvas or left out); the arena takes no rows after this.
    /// </summary>
    public void Recycle()
    {
        _recycled = true;
        RowSlabPool.Return(_slabPixels, _slabCounts);
        _slabPixels.Clear();
        _slabCounts.Clear();
        _pixels = [];
        _counts = [];
    }
}
