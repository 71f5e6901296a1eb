using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// One gene's rows while a table is read: packed pixel coordinates (<c>y &lt;&lt; 32 | (uint)x</c>) and counts,
/// 12 bytes a row (8 without a count column, where every row counts 1). Rows go into blocks that grow
/// geometrically up to 64K rows, carved from a shared <see cref="RowArena"/>: nothing is zero-filled while reading.
/// Rows are first staged 16 at a time inside the accumulator object and then moved to the gene's block in one go:
/// with rows of thousands of genes interleaved, writing each row straight to its gene's block touched a different
/// memory page per row (a TLB miss each, costly under virtualisation); the stages of all genes sit in a few
/// hundred KB of objects, and a block is touched once per 16 rows.
/// </summary>
internal sealed class GeneAccumulator
{
    private const int MaxBlock = 1 << 16;
    private const int Stage = 16;
    public readonly byte[] Key;
    public readonly int Hash;
    public readonly string Name;
    /// <summary>False when the gene filter rejected the gene: its rows are not stored.</summary>
    public readonly bool Keep;
    public readonly bool HasCounts;
    /// <summary>Rows stored.</summary>
    public int Length;
    /// <summary>Sum of the counts of the rows stored.</summary>
    public double Total;

    private readonly RowArena _arena;
    private List<RowArena.Block> _blocks = [];
    private long[] _pixels = [];
    private float[] _counts = [];
    private int _fill, _end;
    private StagedPixels _stagedPixels;
    private StagedCounts _stagedCounts;
    private int _staged;

    [InlineArray(Stage)]
    private struct StagedPixels { private long _element; }

    [InlineArray(Stage)]
    private struct StagedCounts { private float _element; }

    public GeneAccumulator(RowArena arena, ReadOnlySpan<byte> key, int hash, string name, bool keep)
    {
        _arena = arena;
        Key = key.ToArray();
        Hash = hash;
        Name = name;
        Keep = keep;
        HasCounts = arena.HasCounts;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(long pixel, double count)
    {
        int s = _staged;
        _stagedPixels[s] = pixel;
        if (HasCounts) _stagedCounts[s] = (float)count;
        Length++;
        Total += count;
        _staged = ++s;
        if (s == Stage) Flush();
    }

    /// <summary>Moves the staged rows to the blocks.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Flush()
    {
        if (Length > Array.MaxLength)
            throw new SpatialSimException(ErrorKind.LimitExceeded,
                $"Gene '{Name}' has more than {Array.MaxLength:N0} rows, more than one gene can hold. Read a part of the file with -Region.")
            { Gene = Name };
        ReadOnlySpan<long> pixels = _stagedPixels[.._staged];
        ReadOnlySpan<float> counts = HasCounts ? _stagedCounts[.._staged] : default;
        while (!pixels.IsEmpty)
        {
            if (_fill >= _end) NewBlock();
            int n = Math.Min(pixels.Length, _end - _fill);
            pixels[..n].CopyTo(_pixels.AsSpan(_fill, n));
            pixels = pixels[n..];
            if (HasCounts)
            {
                counts[..n].CopyTo(_counts.AsSpan(_fill, n));
                counts = counts[n..];
            }
            _fill += n;
        }
        _staged = 0;
    }

    private void NewBlock()
    {
        var block = _arena.Take(Math.Clamp(Length, 16, MaxBlock));
        _blocks.Add(block);
        _pixels = block.Pixels;
        _counts = block.Counts;
        _fill = block.Offset;
        _end = block.Offset + block.Length;
    }

    /// <summary>Copies the rows out in input order (<paramref name="counts"/> only when <see cref="HasCounts"/>).</summary>
    public void CopyTo(Span<long> pixels, Span<float> counts)
    {
        int at = 0;
        for (int b = 0; b < _blocks.Count; b++)
        {
            var block = _blocks[b];
            int n = b == _blocks.Count - 1 ? _fill - block.Offset : block.Length;
            block.Pixels.AsSpan(block.Offset, n).CopyTo(pixels[at..]);
            if (HasCounts) block.Counts.AsSpan(block.Offset, n).CopyTo(counts[at..]);
            at += n;
        }
        ReadOnlySpan<long> stagedPixels = _stagedPixels[.._staged];
        stagedPixels.CopyTo(pixels[at..]);
        if (HasCounts) ((ReadOnlySpan<float>)_stagedCounts[.._staged]).CopyTo(counts[at..]);
    }

    /// <summary>
    /// Moves <paramref name="later"/>'s rows (the same gene, read from a later part of the file) after this gene's, without
    /// copying them: its blocks are appended to this gene's list. Used to join the genes of a table read in parallel parts.
    /// </summary>
    public void Append(GeneAccumulator later)
    {
        if (later.Length == 0) return;
        if ((long)Length + later.Length > Array.MaxLength)
            throw new SpatialSimException(ErrorKind.LimitExceeded,
                $"Gene '{Name}' has more than {Array.MaxLength:N0} rows, more than one gene can hold. Read a part of the file with -Region.")
            { Gene = Name };
        if (_staged > 0) Flush();
        if (later._staged > 0) later.Flush();
        TrimLastBlock();
        later.TrimLastBlock();
        _blocks.AddRange(later._blocks);
        var last = _blocks[^1];
        _pixels = last.Pixels;
        _counts = last.Counts;
        _fill = _end = last.Offset + last.Length;
        Length += later.Length;
        Total += later.Total;
        later.Release();
    }

    /// <summary>Shortens the last block to the rows it holds, so that blocks can follow it.</summary>
    private void TrimLastBlock()
    {
        if (_blocks.Count == 0) return;
        var last = _blocks[^1];
        _blocks[^1] = last with { Length = _fill - last.Offset };
        _end = _fill;
    }

    /// <summary>Drops the references to the arena once the gene is placed on the canvas.</summary>
    public void Release()
    {
        _blocks = [];
        _pixels = [];
        _counts = [];
        _fill = _end = 0;
        _staged = 0;
    }
}

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

    /// <summary>A run of rows inside a slab.</summary>
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
        return block;
    }
}

/// <summary>
/// Finds a gene by its UTF-8 bytes without allocating a string per row: open addressing over byte keys.
/// New genes are passed through the gene filter once.
/// </summary>
internal sealed class GeneIndex(Func<string, bool>? filter, bool hasCounts)
{
    private readonly RowArena _arena = new(hasCounts);
    private int[] _slots = new int[1024]; // entry index + 1; 0 = empty
    private readonly List<GeneAccumulator> _entries = [];

    /// <summary>All genes met so far, in order of first appearance.</summary>
    public IReadOnlyList<GeneAccumulator> Entries => _entries;

    public GeneAccumulator GetOrAdd(ReadOnlySpan<byte> key)
    {
        int hash = HashOf(key);
        int mask = _slots.Length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            int slot = _slots[i];
            if (slot == 0) break;
            var e = _entries[slot - 1];
            if (e.Hash == hash && key.SequenceEqual(e.Key)) return e;
        }
        string name = Encoding.UTF8.GetString(key);
        bool keep = filter == null || filter(name);
        var added = new GeneAccumulator(_arena, key, hash, name, keep);
        _entries.Add(added);
        if (_entries.Count * 2 > _slots.Length) Rehash();
        else Insert(_slots, added.Hash, _entries.Count);
        return added;
    }

    private void Rehash()
    {
        var slots = new int[_slots.Length * 2];
        for (int i = 0; i < _entries.Count; i++) Insert(slots, _entries[i].Hash, i + 1);
        _slots = slots;
    }

    private static void Insert(int[] slots, int hash, int value)
    {
        int mask = slots.Length - 1;
        int i = hash & mask;
        while (slots[i] != 0) i = (i + 1) & mask;
        slots[i] = value;
    }

    /// <summary>A multiplicative hash over 8-byte words; good enough for gene symbols, deterministic across runs.</summary>
    public static int HashOf(ReadOnlySpan<byte> key)
    {
        const ulong K = 0x9E3779B97F4A7C15;
        ulong h = (ulong)key.Length * K;
        while (key.Length >= 8)
        {
            h = BitOperations.RotateLeft((h ^ MemoryMarshal.Read<ulong>(key)) * K, 29);
            key = key[8..];
        }
        ulong tail = 0;
        for (int i = 0; i < key.Length; i++) tail |= (ulong)key[i] << (8 * i);
        h = (h ^ tail) * K;
        h ^= h >> 32;
        return (int)h & int.MaxValue;
    }
}
