namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Bump allocator for <see cref="GeneAccumulator"/> blocks: large uninitialized slabs (1M rows each), so tens of
/// thousands of genes do not each churn small arrays through the GC. A slab is freed when no gene refers to it.
/// </summary>
internal sealed class RowArena(bool hasCounts)
{
    private const int SlabRows = 1 << 20;
    private long[] _pixels = [];
    private float[] _counts = [];
    private int _used;

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
        if (_used + rows > _pixels.Length)
        {
            int size = Math.Max(rows, SlabRows);
            _pixels = GC.AllocateUninitializedArray<long>(size);
            _counts = HasCounts ? GC.AllocateUninitializedArray<float>(size) : [];
            _used = 0;
        }
        var block = new Block(_pixels, _counts, _used, rows);
        _used += rows;
        RowsTaken += rows;
        return block;
    }
}
