using System.Numerics;
using System.Runtime.CompilerServices;

namespace SpatialSim.TorchCore.Smoothing;

/// <summary>
/// Circular convolution of many float lines at once with one real, symmetric kernel, by a
/// power-of-two complex FFT whose every element is a pair of float vectors: lane l of the
/// "real" vector and lane l of the "imaginary" vector are two independent real lines.
/// Because the kernel is real, <c>conv(a + i·b) = conv(a) + i·conv(b)</c>, so one complex
/// transform convolves 2·lanes real lines with no shuffles at all.
/// </summary>
/// <remarks>
/// Buffer layout: element t (t = 0..Size−1) occupies floats <c>[t·2n, t·2n + 2n)</c>, n = lanes;
/// the first n are the real parts, the next n the imaginary parts.
/// The forward transform is decimation-in-frequency (natural order in, bit-reversed out), the
/// inverse decimation-in-time (bit-reversed in, natural out), so no permutation pass is needed:
/// the kernel spectrum is stored bit-reversed. Both run two radix-2 stages per sweep (radix-2²).
/// The kernel tap j sits at circular position j mod Size, so its spectrum is real, and the 1/Size
/// of the inverse transform is folded into it.
/// </remarks>
internal sealed unsafe class FftPlan
{
    /// <summary>Transform length, a power of two.</summary>
    public int Size { get; }
    /// <summary>Kernel radius r: output t of the circular convolution is exact for t in [r, Size − r).</summary>
    public int Radius { get; }
    /// <summary>Outputs per block, Size − 2r (overlap-save).</summary>
    public int Step => Size - 2 * Radius;

    private readonly int _log2;
    // Pinned tables: w^k = exp(−2πi·k/Size) = _cos[k] + i·_sin[k] for k in [0, Size), and the
    // kernel spectrum / Size, bit-reversed. The arrays keep the memory the pointers address alive.
    private readonly float[] _tables;
    private readonly float* _cos, _sin, _spectrum;

    /// <param name="kernel">Symmetric taps k[−r..r] (length 2r + 1).</param>
    /// <param name="size">Power of two, at least 2r + 2.</param>
    public FftPlan(double[] kernel, int size)
    {
        Radius = kernel.Length / 2;
        Size = size;
        _log2 = BitOperations.Log2((uint)size);
        if (!BitOperations.IsPow2(size) || size < 2 * Radius + 2)
            throw new ArgumentOutOfRangeException(nameof(size));

        _tables = GC.AllocateUninitializedArray<float>(3 * size, pinned: true);
        _cos = (float*)Unsafe.AsPointer(ref _tables[0]);
        _sin = _cos + size;
        _spectrum = _sin + size;
        for (int k = 0; k < size; k++)
        {
            double angle = 2 * Math.PI * k / size;
            _cos[k] = (float)Math.Cos(angle);
            _sin[k] = (float)-Math.Sin(angle);
        }
        double[] spectrum = BitReversedSpectrum(kernel, size);
        for (int k = 0; k < size; k++)
            _spectrum[k] = (float)(spectrum[k] / size);
    }

    /// <summary>
    /// The transform length (power of two) that convolves a line of <paramref name="length"/>
    /// samples with a kernel of radius <paramref name="radius"/> at least cost, overlap-save.
    /// </summary>
    public static int ChooseSize(int length, int radius, int lanes)
    {
        int min = (int)BitOperations.RoundUpToPowerOf2((uint)(2 * radius + 2));
        int max = Math.Max(min, (int)BitOperations.RoundUpToPowerOf2((uint)(length + 2 * radius)));
        int best = min;
        double bestCost = double.MaxValue;
        for (int n = min; n <= max; n *= 2)
        {
            double cost = Cost(length, radius, n, lanes);
            if (cost < bestCost)
            {
                bestCost = cost;
                best = n;
            }
        }
        return best;
    }

    /// <summary>Relative cost of convolving one line with transforms of length <paramref name="size"/>.</summary>
    public static double Cost(int length, int radius, int size, int lanes)
    {
        long blocks = (length + size - 2 * radius - 1) / (size - 2 * radius);
        // Per element: log2(size) butterfly stages plus a fixed cost for gather, scaling and scatter.
        double perElement = BitOperations.Log2((uint)size) + 4.0;
        // Work buffers that spill out of L2 are slower.
        if ((long)size * 2 * lanes * sizeof(float) > 512 * 1024) perElement *= 1.5;
        return blocks * size * perElement;
    }

    /// <summary>Circularly convolves the 2·lanes lines held in <paramref name="buffer"/> with the kernel, in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Convolve<TOps, TV>(float* buffer) where TOps : struct, ISimdOps<TV> where TV : struct
    {
        Forward<TOps, TV>(buffer);
        int n = TOps.Count, stride = 2 * n;
        for (int t = 0; t < Size; t++)
        {
            float* e = buffer + (long)t * stride;
            TV k = TOps.Splat(_spectrum[t]);
            TOps.Store(e, TOps.Multiply(TOps.Load(e), k));
            TOps.Store(e + n, TOps.Multiply(TOps.Load(e + n), k));
        }
        Inverse<TOps, TV>(buffer);
    }

    /// <summary>Decimation-in-frequency forward transform, natural order in, bit-reversed order out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Forward<TOps, TV>(float* buffer) where TOps : struct, ISimdOps<TV> where TV : struct
    {
        int n = TOps.Count, stride = 2 * n;
        int m = Size;
        for (; m >= 4; m >>= 2)
        {
            int q = m >> 2, step = Size / m;
            for (int g = 0; g < Size; g += m)
            {
                for (int j = 0; j < q; j++)
                {
                    float* p0 = buffer + (long)(g + j) * stride;
                    float* p1 = p0 + q * stride, p2 = p1 + q * stride, p3 = p2 + q * stride;
                    TV ar = TOps.Load(p0), ai = TOps.Load(p0 + n);
                    TV br = TOps.Load(p1), bi = TOps.Load(p1 + n);
                    TV cr = TOps.Load(p2), ci = TOps.Load(p2 + n);
                    TV dr = TOps.Load(p3), di = TOps.Load(p3 + n);
                    // First stage (length m): a ± c, b ± d, the difference b − d times −i.
                    TV s0r = TOps.Add(ar, cr), s0i = TOps.Add(ai, ci);
                    TV t0r = TOps.Subtract(ar, cr), t0i = TOps.Subtract(ai, ci);
                    TV s1r = TOps.Add(br, dr), s1i = TOps.Add(bi, di);
                    TV t1r = TOps.Subtract(bi, di), t1i = TOps.Subtract(dr, br);
                    // Second stage (length m/2), with the twiddles of both stages combined: w^2j, w^j, w^3j.
                    TOps.Store(p0, TOps.Add(s0r, s1r));
                    TOps.Store(p0 + n, TOps.Add(s0i, s1i));
                    if (j == 0)
                    {
                        TOps.Store(p1, TOps.Subtract(s0r, s1r));
                        TOps.Store(p1 + n, TOps.Subtract(s0i, s1i));
                        TOps.Store(p2, TOps.Add(t0r, t1r));
                        TOps.Store(p2 + n, TOps.Add(t0i, t1i));
                        TOps.Store(p3, TOps.Subtract(t0r, t1r));
                        TOps.Store(p3 + n, TOps.Subtract(t0i, t1i));
                        continue;
                    }
                    int k1 = j * step;
                    Twiddle<TOps, TV>(p1, TOps.Subtract(s0r, s1r), TOps.Subtract(s0i, s1i), _cos[2 * k1], _sin[2 * k1]);
                    Twiddle<TOps, TV>(p2, TOps.Add(t0r, t1r), TOps.Add(t0i, t1i), _cos[k1], _sin[k1]);
                    Twiddle<TOps, TV>(p3, TOps.Subtract(t0r, t1r), TOps.Subtract(t0i, t1i), _cos[3 * k1], _sin[3 * k1]);
                }
            }
        }
        if (m == 2)
            Radix2<TOps, TV>(buffer);
    }

    /// <summary>Decimation-in-time inverse transform (unscaled), bit-reversed order in, natural order out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Inverse<TOps, TV>(float* buffer) where TOps : struct, ISimdOps<TV> where TV : struct
    {
        int n = TOps.Count, stride = 2 * n;
        int m = 4;
        if ((_log2 & 1) == 1)
        {
            Radix2<TOps, TV>(buffer);
            m = 8;
        }
        for (; m <= Size; m <<= 2)
        {
            int q = m >> 2, step = Size / m;
            for (int g = 0; g < Size; g += m)
            {
                for (int j = 0; j < q; j++)
                {
                    float* p0 = buffer + (long)(g + j) * stride;
                    float* p1 = p0 + q * stride, p2 = p1 + q * stride, p3 = p2 + q * stride;
                    TV ar = TOps.Load(p0), ai = TOps.Load(p0 + n);
                    TV br, bi, cr, ci, dr, di;
                    if (j == 0)
                    {
                        br = TOps.Load(p1); bi = TOps.Load(p1 + n);
                        cr = TOps.Load(p2); ci = TOps.Load(p2 + n);
                        dr = TOps.Load(p3); di = TOps.Load(p3 + n);
                    }
                    else
                    {
                        // Undo the forward twiddles: multiply by their conjugates.
                        int k1 = j * step;
                        (br, bi) = ConjugateTwiddle<TOps, TV>(p1, _cos[2 * k1], _sin[2 * k1]);
                        (cr, ci) = ConjugateTwiddle<TOps, TV>(p2, _cos[k1], _sin[k1]);
                        (dr, di) = ConjugateTwiddle<TOps, TV>(p3, _cos[3 * k1], _sin[3 * k1]);
                    }
                    TV s0r = TOps.Add(ar, br), s0i = TOps.Add(ai, bi);
                    TV s1r = TOps.Subtract(ar, br), s1i = TOps.Subtract(ai, bi);
                    TV t0r = TOps.Add(cr, dr), t0i = TOps.Add(ci, di);
                    TV t1r = TOps.Subtract(cr, dr), t1i = TOps.Subtract(ci, di);
                    TOps.Store(p0, TOps.Add(s0r, t0r));
                    TOps.Store(p0 + n, TOps.Add(s0i, t0i));
                    TOps.Store(p2, TOps.Subtract(s0r, t0r));
                    TOps.Store(p2 + n, TOps.Subtract(s0i, t0i));
                    // s1 ± i·t1
                    TOps.Store(p1, TOps.Subtract(s1r, t1i));
                    TOps.Store(p1 + n, TOps.Add(s1i, t1r));
                    TOps.Store(p3, TOps.Add(s1r, t1i));
                    TOps.Store(p3 + n, TOps.Subtract(s1i, t1r));
                }
            }
        }
    }

    /// <summary>Length-2 butterflies on neighbouring elements (the odd stage when log2(Size) is odd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Radix2<TOps, TV>(float* buffer) where TOps : struct, ISimdOps<TV> where TV : struct
    {
        int n = TOps.Count, stride = 2 * n;
        for (int g = 0; g < Size; g += 2)
        {
            float* p0 = buffer + (long)g * stride, p1 = p0 + stride;
            TV ar = TOps.Load(p0), ai = TOps.Load(p0 + n);
            TV br = TOps.Load(p1), bi = TOps.Load(p1 + n);
            TOps.Store(p0, TOps.Add(ar, br));
            TOps.Store(p0 + n, TOps.Add(ai, bi));
            TOps.Store(p1, TOps.Subtract(ar, br));
            TOps.Store(p1 + n, TOps.Subtract(ai, bi));
        }
    }

    /// <summary>Stores (x + iy)·(c + is) at <paramref name="p"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Twiddle<TOps, TV>(float* p, TV x, TV y, float c, float s)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        TV vc = TOps.Splat(c), vs = TOps.Splat(s);
        TOps.Store(p, TOps.MultiplySubtract(y, vs, TOps.Multiply(x, vc)));
        TOps.Store(p + TOps.Count, TOps.MultiplyAdd(y, vc, TOps.Multiply(x, vs)));
    }

    /// <summary>Loads the element at <paramref name="p"/> and returns it times (c − is).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TV Re, TV Im) ConjugateTwiddle<TOps, TV>(float* p, float c, float s)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        TV x = TOps.Load(p), y = TOps.Load(p + TOps.Count);
        TV vc = TOps.Splat(c), vs = TOps.Splat(s);
        return (TOps.MultiplyAdd(y, vs, TOps.Multiply(x, vc)), TOps.MultiplySubtract(x, vs, TOps.Multiply(y, vc)));
    }

    /// <summary>
    /// DFT of the kernel placed circularly (tap j at j mod size), in double precision, in
    /// bit-reversed order (radix-2 decimation in frequency without the final permutation).
    /// The kernel is real and symmetric, so the spectrum is real.
    /// </summary>
    private static double[] BitReversedSpectrum(double[] kernel, int size)
    {
        int r = kernel.Length / 2;
        var re = new double[size];
        var im = new double[size];
        for (int j = -r; j <= r; j++)
            re[(j + size) % size] = kernel[j + r];
        var cos = new double[size / 2];
        var sin = new double[size / 2];
        for (int k = 0; k < size / 2; k++)
        {
            double angle = 2 * Math.PI * k / size;
            cos[k] = Math.Cos(angle);
            sin[k] = -Math.Sin(angle);
        }
        for (int m = size; m >= 2; m >>= 1)
        {
            int h = m / 2, step = size / m;
            for (int g = 0; g < size; g += m)
            {
                for (int j = 0; j < h; j++)
                {
                    int a = g + j, b = a + h;
                    double dr = re[a] - re[b], di = im[a] - im[b];
                    re[a] += re[b];
                    im[a] += im[b];
                    double c = cos[j * step], s = sin[j * step];
                    re[b] = dr * c - di * s;
                    im[b] = dr * s + di * c;
                }
            }
        }
        return re;
    }
}
