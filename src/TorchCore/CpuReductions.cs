using System.Numerics;
using System.Runtime.InteropServices;

namespace SpatialSim.TorchCore;

/// <summary>
/// Float64-accumulated reductions over float32 pixels in managed/CPU memory, vectorised (System.Numerics) and run in
/// parallel over fixed chunks whose partial sums are added in chunk order (<see cref="ChunkedParallel"/>), so results do not depend on the thread
/// count. They replace torch's <c>sum(ScalarType.Float64)</c> on float32 tensors, which makes a full float64 copy.
/// </summary>
internal static class CpuReductions
{
    /// <summary>Sum (float64), number of non-zero values and maximum of <paramref name="values"/>.</summary>
    public static unsafe (double Sum, long NonZero, float Max) Describe(ReadOnlySpan<float> values)
    {
        int n = values.Length;
        if (n == 0) return (0, 0, 0);
        fixed (float* p = values)
        {
            var basePtr = (IntPtr)p;
            return ChunkedParallel.Reduce(n, (start, len) =>
            {
                var span = new ReadOnlySpan<float>((float*)basePtr + start, len);
                var vectors = MemoryMarshal.Cast<float, Vector<float>>(span);
                Vector<double> acc0 = Vector<double>.Zero, acc1 = Vector<double>.Zero;
                var vmax = new Vector<float>(float.NegativeInfinity);
                long zeros = 0;
                foreach (var v in vectors)
                {
                    Vector.Widen(v, out var lo, out var hi);
                    acc0 += lo;
                    acc1 += hi;
                    vmax = Vector.Max(vmax, v);
                    zeros -= Vector.Sum(Vector.Equals(v, Vector<float>.Zero)); // -1 per equal lane
                }
                double sum = Vector.Sum(acc0 + acc1);
                float max = float.NegativeInfinity;
                for (int k = 0; k < Vector<float>.Count; k++) max = Math.Max(max, vmax[k]);
                for (int i = vectors.Length * Vector<float>.Count; i < len; i++)
                {
                    float v = span[i];
                    sum += v;
                    if (v == 0) zeros++;
                    if (v > max) max = v;
                }
                return (Sum: sum, NonZero: len - zeros, Max: max);
            }, (Sum: 0.0, NonZero: 0L, Max: float.NegativeInfinity),
            (x, y) => (x.Sum + y.Sum, x.NonZero + y.NonZero, Math.Max(x.Max, y.Max)));
        }
    }

    /// <summary>Σ a (float64).</summary>
    public static double Sum(ReadOnlySpan<float> values) => Describe(values).Sum;

    /// <summary>The smallest and largest value (+∞/−∞ for an empty span): how the measures tell an all-zero or constant gene.</summary>
    public static (float Min, float Max) MinMax(ReadOnlySpan<float> values)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in values)
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }
        return (min, max);
    }

    /// <summary>
    /// Means of <paramref name="a"/> and <paramref name="b"/> and the centred sums Σ(a−ā)(b−b̄), Σ(a−ā)², Σ(b−b̄)², all in float64.
    /// </summary>
    public static unsafe (double MeanA, double MeanB, double Sab, double Saa, double Sbb) CentredProducts(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("Spans differ in length.");
        int n = a.Length;
        if (n == 0) return (double.NaN, double.NaN, 0, 0, 0);
        double meanA = Sum(a) / n, meanB = Sum(b) / n;
        (double Sab, double Saa, double Sbb) sums;
        fixed (float* pa = a)
        fixed (float* pb = b)
        {
            IntPtr baseA = (IntPtr)pa, baseB = (IntPtr)pb;
            sums = ChunkedParallel.Reduce(n, (start, len) =>
            {
                var sa = new ReadOnlySpan<float>((float*)baseA + start, len);
                var sb = new ReadOnlySpan<float>((float*)baseB + start, len);
                var va = MemoryMarshal.Cast<float, Vector<float>>(sa);
                var vb = MemoryMarshal.Cast<float, Vector<float>>(sb);
                var ma = new Vector<double>(meanA);
                var mb = new Vector<double>(meanB);
                Vector<double> ab = Vector<double>.Zero, aa = Vector<double>.Zero, bb = Vector<double>.Zero;
                for (int k = 0; k < va.Length; k++)
                {
                    Vector.Widen(va[k], out var alo, out var ahi);
                    Vector.Widen(vb[k], out var blo, out var bhi);
                    alo -= ma; ahi -= ma; blo -= mb; bhi -= mb;
                    ab += alo * blo + ahi * bhi;
                    aa += alo * alo + ahi * ahi;
                    bb += blo * blo + bhi * bhi;
                }
                double sab = Vector.Sum(ab), saa = Vector.Sum(aa), sbb = Vector.Sum(bb);
                for (int i = va.Length * Vector<float>.Count; i < len; i++)
                {
                    double da = sa[i] - meanA, db = sb[i] - meanB;
                    sab += da * db;
                    saa += da * da;
                    sbb += db * db;
                }
                return (sab, saa, sbb);
            }, (0.0, 0.0, 0.0), (x, y) => (x.Item1 + y.Item1, x.Item2 + y.Item2, x.Item3 + y.Item3));
        }
        var (tab, taa, tbb) = sums;
        return (meanA, meanB, tab, taa, tbb);
    }
}
