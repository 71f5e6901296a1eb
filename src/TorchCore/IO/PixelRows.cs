using System.Runtime.InteropServices;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Sums the rows of repeated pixels of one gene while a table is still being read (see <see cref="GeneAccumulator.Compact"/>):
/// the packed pixels (<c>y &lt;&lt; 32 | (uint)x</c>, signed) are sorted as unsigned keys by the canvas' radix sort and
/// equal neighbours summed.
/// </summary>
internal static class PixelRows
{
    /// <summary>Flipping the sign bits of y (bit 63) and x (bit 31) orders packed pixels as unsigned numbers.</summary>
    private const ulong SignBits = 0x8000_0000_8000_0000;
    private const int SmallSort = 64;

    /// <summary>The merged rows: distinct packed pixels (ascending) and their summed counts, of equal length.</summary>
    internal readonly ref struct Merged(Span<ulong> keys, Span<float> values)
    {
        public Span<ulong> Keys { get; } = keys;
        public Span<float> Values { get; } = values;
    }

    /// <summary>
    /// Sorts the first <paramref name="n"/> rows of <c>KeysA</c> (packed pixels) and <c>ValuesA</c> (counts) and sums
    /// repeated pixels; returns the merged rows (inside the buffers). Counts are summed in float32 in
    /// input order (the radix sort is stable), as the canvas merges them.
    /// </summary>
    public static Merged SortAndSum(CanvasLayout.Buffers buffers, int n)
    {
        var keys = buffers.KeysA.AsSpan(0, n);
        var values = buffers.ValuesA.AsSpan(0, n);
        ulong min = ulong.MaxValue, max = 0, previous = 0;
        bool sorted = true;
        for (int i = 0; i < n; i++)
        {
            ulong k = keys[i] ^ SignBits;
            keys[i] = k;
            if (k < previous) sorted = false;
            previous = k;
            if (k < min) min = k;
            if (k > max) max = k;
        }
        if (!sorted)
        {
            if (n <= SmallSort)
            {
                // Insertion sort: stable, so the counts of a pixel are summed in input order as after the radix sort.
                for (int i = 1; i < n; i++)
                {
                    ulong k = keys[i];
                    float v = values[i];
                    int j = i - 1;
                    while (j >= 0 && keys[j] > k) { keys[j + 1] = keys[j]; values[j + 1] = values[j]; j--; }
                    keys[j + 1] = k;
                    values[j + 1] = v;
                }
            }
            else if (CanvasLayout.RadixSort(buffers, n, hasCounts: true, min, max))
            {
                keys = buffers.KeysB.AsSpan(0, n);
                values = buffers.ValuesB.AsSpan(0, n);
            }
        }
        int m = 0;
        for (int i = 0; i < n; i++)
        {
            if (m > 0 && keys[i] == keys[m - 1]) values[m - 1] += values[i];
            else
            {
                keys[m] = keys[i];
                values[m] = values[i];
                m++;
            }
        }
        for (int i = 0; i < m; i++) keys[i] ^= SignBits;
        return new Merged(keys[..m], values[..m]);
    }
}
