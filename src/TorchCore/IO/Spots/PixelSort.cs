namespace SpatialSim.TorchCore.IO.Spots;

/// <summary>
/// Sorts a gene's (pixel index, value) entries by pixel: LSD radix sort in passes of <see cref="DigitBits"/> bits over the
/// bits the largest index needs (one or two passes for canvases up to 2^22 pixels), about 10 times faster than Array.Sort
/// on the few thousand entries a gene of spot data has. Stable; uses scratch arrays the caller keeps per thread.
/// </summary>
internal sealed class PixelSort
{
    private const int DigitBits = 11;
    private int[] _keys = [];
    private float[] _values = [];
    private readonly int[] _counts = new int[1 << DigitBits];

    /// <summary>Sorts entries [0, <paramref name="count"/>) of <paramref name="keys"/> (all in [0, <paramref name="maxKey"/>]) with their values.</summary>
    public void Sort(int[] keys, float[] values, int count, int maxKey)
    {
        if (count < 64)
        {
            Array.Sort(keys, values, 0, count);
            return;
        }
        if (_keys.Length < count)
        {
            _keys = new int[Math.Max(count, _keys.Length * 2)];
            _values = new float[_keys.Length];
        }
        int bits = 32 - int.LeadingZeroCount(Math.Max(1, maxKey));
        int[] srcK = keys, dstK = _keys;
        float[] srcV = values, dstV = _values;
        int passes = 0;
        for (int shift = 0; shift < bits; shift += DigitBits, passes++)
        {
            int digits = Math.Min(1 << DigitBits, 1 << Math.Min(DigitBits, bits - shift));
            var counts = _counts.AsSpan(0, digits);
            counts.Clear();
            int mask = digits - 1;
            for (int i = 0; i < count; i++) counts[(srcK[i] >> shift) & mask]++;
            int sum = 0;
            for (int d = 0; d < digits; d++) { int c = counts[d]; counts[d] = sum; sum += c; }
            for (int i = 0; i < count; i++)
            {
                int at = counts[(srcK[i] >> shift) & mask]++;
                dstK[at] = srcK[i];
                dstV[at] = srcV[i];
            }
            (srcK, dstK) = (dstK, srcK);
            (srcV, dstV) = (dstV, srcV);
        }
        if (passes % 2 == 1)
        {
            Array.Copy(srcK, keys, count);
            Array.Copy(srcV, values, count);
        }
    }
}
