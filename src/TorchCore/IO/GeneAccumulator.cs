using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// One gene's rows while a table is read: packed pixel coordinates (<c>y &lt;&lt; 32 | (uint)x</c>) and counts,
/// 12 bytes a row (8 without a count column, where every row counts 1). Rows go into blocks that grow
/// geometrically up to 64K rows, carved from a shared <see cref="RowArena"/>: nothing is zero-filled while reading.
/// Rows are first staged 16 at a time inside the accumulator object and then moved to the gene's block in one go:
/// with rows of thousands of genes interleaved, writing each row straight to its gene's block touched a different
/// memory page per row (a TLB miss each, costly under virtualisation); the stages of all genes sit in a few
/// hundred KB of objects, and a block is touched once per 16 rows.
/// <see cref="Compact"/> (called by <see cref="GeneIndex.CompactIfDue"/> when the rows held grow past a bound) sums
/// the rows of repeated pixels into one block of the gene's own, so what a gene holds stays bounded by its distinct pixels.
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
    /// <summary>Rows stored (after <see cref="Compact"/>: its distinct pixels plus the rows added since).</summary>
    public int Length;
    /// <summary>Sum of the counts of the rows stored.</summary>
    public double Total;
    /// <summary>Rows whose pixel repeated an earlier row of the gene, summed by <see cref="Compact"/>.</summary>
    public long MergedDuplicates;

    private RowArena _arena;
    /// <summary>Whether new rows carry their counts (the table has a count column).</summary>
    private readonly bool _rowCounts;
    /// <summary>Whether some block carries counts although rows do not (merged rows of a table without a count column).</summary>
    private bool _countedBlock;
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
        _rowCounts = arena.HasCounts;
    }

    /// <summary>Whether <see cref="CopyTo"/> gives counts (otherwise every row counts 1).</summary>
    public bool HasCounts => _rowCounts || _countedBlock;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(long pixel, double count)
    {
        int s = _staged;
        _stagedPixels[s] = pixel;
        if (_rowCounts) _stagedCounts[s] = (float)count;
        Length++;
        Total += count;
        _staged = ++s;
        if (s == Stage) Flush();
    }

    /// <summary>Moves the staged rows to the blocks.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void Flush()
    {
        if (Length > Array.MaxLength)
            throw new SpatialSimException(ErrorKind.LimitExceeded,
                $"Gene '{Name}' has more than {Array.MaxLength:N0} rows, more than one gene can hold. Read a part of the file with -Region.")
            { Gene = Name };
        ReadOnlySpan<long> pixels = _stagedPixels[.._staged];
        ReadOnlySpan<float> counts = _rowCounts ? _stagedCounts[.._staged] : default;
        while (!pixels.IsEmpty)
        {
            if (_fill >= _end) NewBlock();
            int n = Math.Min(pixels.Length, _end - _fill);
            pixels[..n].CopyTo(_pixels.AsSpan(_fill, n));
            pixels = pixels[n..];
            if (_rowCounts)
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

    /// <summary>
    /// Copies the rows out in input order (merged rows first after a <see cref="Compact"/>); <paramref name="counts"/>
    /// only when <see cref="HasCounts"/>, with 1 for rows that carry no count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CopyTo(Span<long> pixels, Span<float> counts)
    {
        bool withCounts = HasCounts;
        int at = 0;
        for (int b = 0; b < _blocks.Count; b++)
        {
            var block = _blocks[b];
            int n = b == _blocks.Count - 1 ? _fill - block.Offset : block.Length;
            block.Pixels.AsSpan(block.Offset, n).CopyTo(pixels[at..]);
            if (withCounts)
            {
                if (block.Counts.Length == 0) counts.Slice(at, n).Fill(1f);
                else block.Counts.AsSpan(block.Offset, n).CopyTo(counts[at..]);
            }
            at += n;
        }
        ReadOnlySpan<long> stagedPixels = _stagedPixels[.._staged];
        stagedPixels.CopyTo(pixels[at..]);
        if (withCounts)
        {
            if (_rowCounts) ((ReadOnlySpan<float>)_stagedCounts[.._staged]).CopyTo(counts[at..]);
            else counts.Slice(at, _staged).Fill(1f);
        }
    }

    /// <summary>
    /// Sums the rows of each repeated pixel and keeps the distinct pixels, sorted, in one block of the gene's own;
    /// later rows go to blocks of <paramref name="arena"/> (the old arena is then referenced by no gene and freed).
    /// <see cref="Total"/> is unchanged; <see cref="MergedDuplicates"/> counts the rows summed away.
    /// Returns the distinct pixels held.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Compact(CanvasLayout.Buffers buffers, RowArena arena)
    {
        int n = Length;
        bool counted = HasCounts;
        if (n > 0)
        {
            buffers.Ensure(n, values: true);
            var keys = buffers.KeysA.AsSpan(0, n);
            var values = buffers.ValuesA.AsSpan(0, n);
            CopyTo(MemoryMarshal.Cast<ulong, long>(keys), counted ? values : default);
            if (!counted) values.Fill(1f);
            var merged = PixelRows.SortAndSum(buffers, n);
            int m = merged.Keys.Length;
            var pixels = GC.AllocateUninitializedArray<long>(m);
            MemoryMarshal.Cast<ulong, long>(merged.Keys).CopyTo(pixels);
            float[] sums = [];
            if (counted || m < n)
            {
                sums = GC.AllocateUninitializedArray<float>(m);
                merged.Values.CopyTo(sums);
                if (!_rowCounts) _countedBlock = true;
            }
            MergedDuplicates += n - m;
            _blocks = [new RowArena.Block(pixels, sums, 0, m)];
            _pixels = pixels;
            _counts = sums;
            _fill = _end = m; // the merged block is full: the next row takes a new block
            Length = m;
        }
        _staged = 0;
        _arena = arena;
        return Length;
    }

    /// <summary>
    /// Moves <paramref name="later"/>'s rows (the same gene, read from a later part of the file) after this gene's, without
    /// copying them: its blocks are appended to this gene's list. Used to join the genes of a table read in parallel parts.
    /// </summary>
    public void Append(GeneAccumulator later)
    {
        MergedDuplicates += later.MergedDuplicates;
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
        _countedBlock |= later._countedBlock;
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
