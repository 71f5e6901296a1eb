using System.Numerics;
using System.Runtime.InteropServices;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Places one gene's rows on the canvas: pixel keys relative to the origin (<c>y &lt;&lt; bitsX | x</c>, so key order is
/// row-major), sorted by LSD radix sort, duplicates summed and counted, then mapped to binned canvas indices.
/// One instance serves all genes of a table; <see cref="Buffers"/> are per thread.
/// </summary>
internal sealed class CanvasLayout
{
    private const int SmallSort = 64;
    private const int MaxDigitBits = 11;
    private readonly long _originX, _originY;
    private readonly int _bitsX;
    private readonly ulong _maskX;
    private readonly int _binSize, _width;

    /// <param name="originX">Pixel x of canvas column 0.</param>
    /// <param name="originY">Pixel y of canvas row 0.</param>
    /// <param name="width1">Canvas width before binning (&lt; 2^32, as is the height, so keys fit 64 bits).</param>
    /// <param name="binSize">Bin size b: pixel (x, y) goes to bin (x / b, y / b).</param>
    /// <param name="width">Canvas width after binning (the stride of plane indices).</param>
    public CanvasLayout(long originX, long originY, long width1, int binSize, int width)
    {
        _originX = originX;
        _originY = originY;
        _bitsX = width1 <= 1 ? 0 : 64 - BitOperations.LeadingZeroCount((ulong)(width1 - 1));
        _maskX = _bitsX == 0 ? 0 : ulong.MaxValue >> (64 - _bitsX);
        _binSize = binSize;
        _width = width;
    }

    /// <summary>Scratch arrays reused across the genes one thread places.</summary>
    internal sealed class Buffers
    {
        public ulong[] KeysA = [], KeysB = [];
        public float[] ValuesA = [], ValuesB = [];
        public int[] Histograms = new int[6 << MaxDigitBits];
        public int[] Offsets = new int[1 << MaxDigitBits];

        public void Ensure(int n, bool values)
        {
            if (KeysA.Length < n)
            {
                int size = (int)Math.Min(Array.MaxLength, Math.Max(n, KeysA.Length * 3L / 2));
                KeysA = GC.AllocateUninitializedArray<ulong>(size);
                KeysB = GC.AllocateUninitializedArray<ulong>(size);
                ValuesA = ValuesB = [];
            }
            if (values && ValuesA.Length < n)
            {
                ValuesA = GC.AllocateUninitializedArray<float>(KeysA.Length);
                ValuesB = GC.AllocateUninitializedArray<float>(KeysA.Length);
            }
        }
    }

    public CountTable.GeneData Place(GeneAccumulator g, Buffers buffers, out long duplicates)
    {
        int n = g.Length;
        bool hasCounts = g.HasCounts;
        buffers.Ensure(n, hasCounts);
        var keys = buffers.KeysA.AsSpan(0, n);
        var values = hasCounts ? buffers.ValuesA.AsSpan(0, n) : default;
        g.CopyTo(MemoryMarshal.Cast<ulong, long>(keys), values);
        double total = g.Total;
        g.Release();

        ulong min = ulong.MaxValue, max = 0, previous = 0;
        bool sorted = true;
        for (int i = 0; i < keys.Length; i++)
        {
            long packed = (long)keys[i];
            ulong key = ((ulong)((int)(packed >> 32) - _originY) << _bitsX) | (ulong)((int)packed - _originX);
            keys[i] = key;
            if (key < previous) sorted = false;
            previous = key;
            if (key < min) min = key;
            if (key > max) max = key;
        }
        if (!sorted)
        {
            if (n <= SmallSort)
            {
                if (hasCounts) keys.Sort(values);
                else keys.Sort();
            }
            else if (RadixSort(buffers, n, hasCounts, min, max))
            {
                keys = buffers.KeysB.AsSpan(0, n);
                if (hasCounts) values = buffers.ValuesB.AsSpan(0, n);
            }
        }
        return Merge(keys, values, hasCounts, total, out duplicates);
    }

    /// <summary>Sorts KeysA (and ValuesA) by key; true when the result ended up in KeysB/ValuesB.</summary>
    internal static bool RadixSort(Buffers b, int n, bool hasCounts, ulong min, ulong max)
    {
        int bits = 64 - BitOperations.LeadingZeroCount(max - min);
        int passes = (bits + MaxDigitBits - 1) / MaxDigitBits;
        if (passes == 0) return false;
        int digitBits = (bits + passes - 1) / passes;
        int buckets = 1 << digitBits;
        ulong mask = (ulong)buckets - 1;
        var counts = b.Histograms.AsSpan(0, passes * buckets);
        counts.Clear();

        var src = b.KeysA.AsSpan(0, n);
        foreach (ulong k in src)
        {
            ulong d = k - min;
            for (int p = 0; p < passes; p++) counts[p * buckets + (int)((d >> (p * digitBits)) & mask)]++;
        }

        ulong[] fromK = b.KeysA, toK = b.KeysB;
        float[] fromV = b.ValuesA, toV = b.ValuesB;
        var offsets = b.Offsets;
        for (int p = 0; p < passes; p++)
        {
            int shift = p * digitBits;
            var hist = counts.Slice(p * buckets, buckets);
            if (hist.IndexOf(n) >= 0) continue; // every key has the same digit: the pass would not move anything
            int sum = 0;
            for (int i = 0; i < buckets; i++) { offsets[i] = sum; sum += hist[i]; }
            if (hasCounts)
            {
                for (int i = 0; i < n; i++)
                {
                    ulong k = fromK[i];
                    int at = offsets[(int)(((k - min) >> shift) & mask)]++;
                    toK[at] = k;
                    toV[at] = fromV[i];
                }
                (fromV, toV) = (toV, fromV);
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    ulong k = fromK[i];
                    toK[offsets[(int)(((k - min) >> shift) & mask)]++] = k;
                }
            }
            (fromK, toK) = (toK, fromK);
        }
        return !ReferenceEquals(fromK, b.KeysA);
    }

    private CountTable.GeneData Merge(Span<ulong> keys, Span<float> values, bool hasCounts, double total, out long duplicates)
    {
        int n = keys.Length;
        int m = 0;
        for (int i = 0; i < n; i++)
            if (i == 0 || keys[i] != keys[i - 1]) m++;
        duplicates = n - m;

        // The gene's pixels live as long as the raster made from them: allocated on the pinned-object heap, they are never
        // copied by the GC (on the small-object heap, a table's millions of pixels were copied from generation to generation
        // by the collections the read itself set off).
        var index = GC.AllocateUninitializedArray<int>(m, pinned: true);
        float[]? merged = hasCounts || m < n ? GC.AllocateUninitializedArray<float>(m, pinned: true) : null;
        bool allOnes = true;
        int j = -1;
        int bin = _binSize, width = _width, bitsX = _bitsX;
        ulong maskX = _maskX;
        for (int i = 0; i < n; i++)
        {
            ulong k = keys[i];
            if (i == 0 || k != keys[i - 1])
            {
                j++;
                long y = (long)(k >> bitsX), x = (long)(k & maskX);
                index[j] = bin == 1 ? (int)(y * width + x) : (int)(y / bin * width + x / bin);
                if (merged != null) merged[j] = hasCounts ? values[i] : 1f;
            }
            else merged![j] += hasCounts ? values[i] : 1f;
        }
        if (merged != null)
        {
            foreach (float v in merged) if (v != 1f) { allOnes = false; break; }
            if (allOnes) merged = null;
        }
        return new CountTable.GeneData(index, merged, total);
    }
}
