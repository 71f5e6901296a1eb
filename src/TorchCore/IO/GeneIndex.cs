using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Finds a gene by its UTF-8 bytes without allocating a string per row: open addressing over byte keys.
/// New genes are passed through the gene filter once. Holds the rows' arena and keeps what they cost bounded: once
/// the rows held since the last merge pass both <paramref name="compactRows"/> and the distinct pixels then kept,
/// <see cref="CompactIfDue"/> sums every gene's repeated pixels (<see cref="GeneAccumulator.Compact"/>), so the rows
/// held stay below max(compactRows, 2 × distinct gene pixels); more than <paramref name="maxEntries"/> distinct gene
/// pixels are refused.
/// </summary>
internal sealed class GeneIndex(Func<string, bool>? filter, bool hasCounts, long compactRows = long.MaxValue, long maxEntries = long.MaxValue)
{
    private RowArena _arena = new(hasCounts);
    private int[] _slots = new int[1024]; // entry index + 1; 0 = empty
    private readonly List<GeneAccumulator> _entries = [];
    private long _distinct; // distinct gene pixels kept at the last merge
    private CanvasLayout.Buffers? _buffers;

    /// <summary>All genes met so far, in order of first appearance.</summary>
    public IReadOnlyList<GeneAccumulator> Entries => _entries;

    /// <summary>Rows held now: the merged rows and those added since.</summary>
    public long RowsHeld => _distinct + _arena.RowsTaken;

    /// <summary>The most rows held at any merge (before it merged), or now when more.</summary>
    public long PeakRowsHeld => Math.Max(_peak, RowsHeld);
    private long _peak;

    /// <summary>Merge passes made.</summary>
    public int Compactions { get; private set; }

    /// <summary>
    /// Sums repeated pixels of every gene when the rows added since the last merge exceed both compactRows and the rows then
    /// kept; throws <see cref="SpatialSimException"/> (LimitExceeded) naming <paramref name="path"/> when more than
    /// maxEntries distinct gene pixels remain. Cheap when not due: call it after each chunk of input.
    /// </summary>
    public void CompactIfDue(string path)
    {
        long added = _arena.RowsTaken;
        if (added <= compactRows || added <= _distinct) return;
        _peak = Math.Max(_peak, RowsHeld);
        var arena = new RowArena(hasCounts);
        _buffers ??= new CanvasLayout.Buffers();
        long distinct = 0;
        foreach (var gene in _entries)
            if (gene.Keep) distinct += gene.Compact(_buffers, arena);
        _arena = arena;
        _distinct = distinct;
        Compactions++;
        if (distinct > maxEntries) throw TooManyEntries(path, maxEntries);
    }

    /// <summary>Hands the rows' slabs on for the next table (<see cref="RowArena.Recycle"/>): only once the table is built.</summary>
    public void Recycle() => _arena.Recycle();

    /// <summary>The error for a table that keeps more than <paramref name="maxEntries"/> distinct gene pixels.</summary>
    public static SpatialSimException TooManyEntries(string path, long maxEntries) =>
        new(ErrorKind.LimitExceeded,
            $"'{path}' holds more than {maxEntries:N0} distinct gene pixels (gene, x, y), the most a table may keep in memory " +
            $"(about {maxEntries * 12.0 / (1 << 30):F1} GB while reading). Read a part of it with -Region, or fewer genes with -Gene.")
        { FilePath = path };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        var gene = new GeneAccumulator(_arena, key, hash, name, keep);
        _entries.Add(gene);
        if (_entries.Count * 2 > _slots.Length) Rehash();
        else Insert(_slots, gene.Hash, _entries.Count);
        return gene;
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
