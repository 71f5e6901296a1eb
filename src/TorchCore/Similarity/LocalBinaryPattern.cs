using System.Numerics;
using System.Runtime.CompilerServices;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>How local binary pattern codes are formed (scikit-image's <c>method</c> argument).</summary>
public enum LbpMethod
{
    /// <summary>'default': Σ s_i·2^i over the P neighbours (grey-scale invariant, not rotation invariant); codes 0 … 2^P − 1.</summary>
    Default,
    /// <summary>'ror': the default code rotated (circular bit shift) to its minimum; rotation invariant.</summary>
    Ror,
    /// <summary>'uniform': number of neighbours ≥ the centre if the pattern is uniform (≤ 2 bit changes), else P + 1; codes 0 … P + 1.</summary>
    Uniform,
    /// <summary>'var': variance of the P neighbour samples (rotation invariant contrast; not grey-scale invariant); NaN where it is 0.</summary>
    Var,
}

/// <summary>
/// Local binary patterns (Ojala, Pietikäinen &amp; Mäenpää 2002, "Multiresolution gray-scale and rotation invariant
/// texture classification with local binary patterns", IEEE TPAMI 24(7):971–987), computed exactly as
/// scikit-image 0.19's <c>skimage.feature.local_binary_pattern(image, P, R, method)</c> computes them:
/// <list type="bullet">
/// <item>R is taken as a float32 (the Cython signature declares <c>float R</c>).</item>
/// <item>Neighbour i of pixel (r, c) sits at (r + rp_i, c + cp_i) with rp_i = round(−R·sin(2πi/P), 5) and
/// cp_i = round(R·cos(2πi/P), 5) (numpy rounding to 5 decimals, half to even) — row index first, rows growing down,
/// so i = 0 is to the right and i = P/4 is <em>above</em> the centre.</item>
/// <item>Its value is interpolated bilinearly from the four surrounding pixels, with weights
/// dc = (c + cp_i) − floor(c + cp_i), dr likewise, in float64 and in scikit-image's operation order
/// (top = (1−dc)·TL + dc·TR, bottom = (1−dc)·BL + dc·BR, value = (1−dr)·top + dr·bottom), so that ties are resolved
/// bit for bit as scikit-image resolves them; pixels outside the image count as 0 (mode 'constant', cval 0).</item>
/// <item>s_i = 1 when value_i − centre ≥ 0.</item>
/// <item>'uniform' counts bit changes between consecutive neighbours 0…P−1 <em>without</em> the wrap-around pair
/// (P−1, 0), as scikit-image does, and gives P + 1 to patterns with more than 2 changes.</item>
/// <item>'var' is the biased variance (Σv²−(Σv)²/P)/P of the P samples (the centre excluded), NaN where it is exactly 0.</item>
/// </list>
/// The output is float64 like scikit-image's (integer codes are exact). P may be 1 … 31 (scikit-image's int32 code
/// arithmetic overflows at 32) and R up to <see cref="MaxRadius"/> pixels.
/// <para>Speed: the P sample positions and their integer offsets are computed once; rows are processed in bands,
/// each band's source rows converted once to a zero-padded float64 slab (so the constant-0 border needs no tests), the
/// interpolation runs across x with <see cref="Vector{T}"/> (the column weights are formed in the vector lanes, bit
/// identical to the scalar arithmetic), and bands run on all cores.</para>
/// </summary>
public static unsafe class LocalBinaryPattern
{
    /// <summary>Largest number of points: codes are built in 32-bit integers as in scikit-image.</summary>
    public const int MaxPoints = 31;
    /// <summary>Largest radius in pixels: each worker holds a band of 16 + 2⌈R⌉ + 2 rows of the image in float64.</summary>
    public const double MaxRadius = 256;
    private const int BandRows = 16;
    private const int SingleThreadPixels = 1 << 15;

    /// <summary>
    /// Neighbour offsets (row, column) of the P sampling points, exactly scikit-image's <c>rp</c>, <c>cp</c>
    /// (radius rounded to float32, offsets rounded to 5 decimals).
    /// </summary>
    public static (double[] Rows, double[] Columns) SamplingOffsets(int points, double radius)
    {
        var g = new Geometry(points, radius);
        return ((double[])g.Rp.Clone(), (double[])g.Cp.Clone());
    }

    /// <summary>The LBP image of a row-major <paramref name="height"/>×<paramref name="width"/> image (float64, like scikit-image).</summary>
    public static double[] Compute(ReadOnlySpan<float> image, int width, int height, int points, double radius, LbpMethod method,
        int maxDegreeOfParallelism = -1)
    {
        var output = new double[checked(width * height)];
        fixed (double* fresh = output) HugePages.Advise((IntPtr)fresh, (long)output.Length * sizeof(double));
        Compute(image, output, width, height, points, radius, method, maxDegreeOfParallelism);
        return output;
    }

    /// <summary>Writes the LBP image of <paramref name="image"/> into <paramref name="output"/> (both row-major, width·height long).</summary>
    public static void Compute(ReadOnlySpan<float> image, Span<double> output, int width, int height, int points, double radius,
        LbpMethod method, int maxDegreeOfParallelism = -1)
    {
        CheckSize(image.Length, width, height);
        if (output.Length != (long)width * height)
            throw new ArgumentException($"Output holds {output.Length} values, expected {width}×{height}.", nameof(output));
        var geometry = new Geometry(points, radius);
        fixed (float* src = image)
        fixed (double* dst = output)
        {
            nint target = (nint)dst;
            Run(src, width, height, 1f, geometry, method, markBackground: false, maxDegreeOfParallelism,
                () => new CopySink((double*)target, width), null);
        }
    }

    internal static void CheckSize(int length, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (length != (long)width * height)
            throw new ArgumentException($"Image holds {length} values, expected {width}×{height}.");
    }

    /// <summary>Receives the codes of one row (a worker's own sink; rows arrive in any order across workers).</summary>
    internal interface IRowSink
    {
        /// <summary>Codes of row <paramref name="y"/>, <c>codes[0 … width−1]</c>; in background mode −∞ marks a pixel whose centre and samples are all 0.</summary>
        void Row(int y, double* codes);
    }

    private sealed class CopySink : IRowSink
    {
        private readonly double* _output;
        private readonly int _width;
        public CopySink(double* output, int width) { _output = output; _width = width; }
        public void Row(int y, double* codes) =>
            new ReadOnlySpan<double>(codes, _width).CopyTo(new Span<double>(_output + (long)y * _width, _width));
    }

    /// <summary>
    /// Runs the LBP over the image (values divided by <paramref name="divisor"/> in float32 first, as numpy's
    /// <c>x / x.max()</c> on a float32 array), handing each row's codes to a per-worker sink.
    /// <paramref name="finish"/> is called once per sink, possibly concurrently.
    /// </summary>
    internal static void Run<TSink>(float* image, int width, int height, float divisor, Geometry geometry, LbpMethod method,
        bool markBackground, int maxDegreeOfParallelism, Func<TSink> createSink, Action<TSink>? finish) where TSink : class, IRowSink
    {
        if (method is not (LbpMethod.Default or LbpMethod.Ror or LbpMethod.Uniform or LbpMethod.Var))
            throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown LBP method.");
        int threads = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        if ((long)width * height < SingleThreadPixels) threads = 1;
        int bands = (height + BandRows - 1) / BandRows;
        nint source = (nint)image;
        Parallel.For(0, bands, new ParallelOptions { MaxDegreeOfParallelism = threads },
            () => new Worker<TSink>(geometry, width, createSink()),
            (band, _, worker) =>
            {
                int y0 = band * BandRows;
                worker.Band((float*)source, height, divisor, y0, Math.Min(height, y0 + BandRows), method, markBackground);
                return worker;
            },
            worker => finish?.Invoke(worker.Sink));
    }

    /// <summary>The P sampling points: offsets exactly as scikit-image computes them, and their integer corners.</summary>
    internal sealed class Geometry
    {
        public readonly int P;
        public readonly double R;
        public readonly double[] Rp, Cp;
        /// <summary>floor / ceil of the row and column offsets (the integer corners of the bilinear cell).</summary>
        public readonly int[] Fr, Cr, Fc, Cc;
        /// <summary>Zero padding around the slab, ≥ every |corner offset|.</summary>
        public readonly int Pad;

        public Geometry(int points, double radius)
        {
            if (points < 1 || points > MaxPoints)
                throw new SpatialSimException(ErrorKind.InvalidArgument,
                    $"LBP needs 1 to {MaxPoints} sampling points, got {points}. The usual choices are 8 (radius 1), 16 (radius 2) and 24 (radius 3 or more).");
            float r32 = (float)radius;
            if (!double.IsFinite(radius) || !(r32 > 0) || radius > MaxRadius)
                throw new SpatialSimException(ErrorKind.InvalidArgument,
                    $"The LBP radius must be a number of pixels > 0 and ≤ {MaxRadius}, got {radius}. Textures are local: 1 to 16 pixels is usual (default 8).");
            P = points;
            R = r32; // scikit-image's Cython signature takes `float R`
            Rp = new double[P]; Cp = new double[P];
            Fr = new int[P]; Cr = new int[P]; Fc = new int[P]; Cc = new int[P];
            double twoPi = 2 * Math.PI;
            for (int i = 0; i < P; i++)
            {
                double angle = twoPi * i / P;              // numpy: 2 * np.pi * np.arange(P) / P
                Rp[i] = Round5(-R * Math.Sin(angle));      // rr = -R * np.sin(...); np.round(rr, 5)
                Cp[i] = Round5(R * Math.Cos(angle));
                Fr[i] = (int)Math.Floor(Rp[i]); Cr[i] = (int)Math.Ceiling(Rp[i]);
                Fc[i] = (int)Math.Floor(Cp[i]); Cc[i] = (int)Math.Ceiling(Cp[i]);
            }
            Pad = (int)Math.Ceiling(R) + 1;
        }

        /// <summary>numpy.round(x, 5): multiply by 10^5, round half to even, divide.</summary>
        private static double Round5(double x) => Math.Round(x * 1e5, MidpointRounding.ToEven) / 1e5;
    }

    /// <summary>One worker's buffers: the band's zero-padded float64 slab and a row of codes.</summary>
    private sealed class Worker<TSink> where TSink : class, IRowSink
    {
        private static int Lanes => Vector<double>.Count; // a JIT-time constant (a static field of this shared generic would be looked up at run time)
        private readonly Geometry _g;
        private readonly int _width, _paddedWidth, _stride;
        private readonly double[] _slab;
        private readonly double[] _codes;
        private readonly nint[] _tl, _tr, _bl, _br;
        private readonly double[] _dr, _omdr;
        public readonly TSink Sink;

        public Worker(Geometry g, int width, TSink sink)
        {
            _g = g;
            _width = width;
            _paddedWidth = (width + Lanes - 1) / Lanes * Lanes;
            _stride = _paddedWidth + 2 * g.Pad;
            _slab = new double[(long)(BandRows + 2 * g.Pad) * _stride];
            _codes = new double[_paddedWidth];
            _tl = new nint[g.P]; _tr = new nint[g.P]; _bl = new nint[g.P]; _br = new nint[g.P];
            for (int i = 0; i < g.P; i++)
            {
                _tl[i] = (nint)g.Fr[i] * _stride + g.Fc[i];
                _tr[i] = (nint)g.Fr[i] * _stride + g.Cc[i];
                _bl[i] = (nint)g.Cr[i] * _stride + g.Fc[i];
                _br[i] = (nint)g.Cr[i] * _stride + g.Cc[i];
            }
            _dr = new double[g.P];
            _omdr = new double[g.P];
            Sink = sink;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Band(float* image, int height, float divisor, int y0, int y1, LbpMethod method, bool markBackground)
        {
            int pad = _g.Pad;
            int slabRows = y1 - y0 + 2 * pad;
            fixed (double* slab = _slab)
            fixed (double* codes = _codes)
            {
                // Source rows y0−pad … y1+pad−1 as float64, 0 outside the image (scikit-image's mode 'constant').
                new Span<double>(slab, slabRows * _stride).Clear();
                for (int k = 0; k < slabRows; k++)
                {
                    int y = y0 - pad + k;
                    if (y < 0 || y >= height) continue;
                    ConvertRow(image + (long)y * _width, slab + (long)k * _stride + pad, _width, divisor);
                }
                for (int y = y0; y < y1; y++)
                {
                    double* centre = slab + (long)(y - y0 + pad) * _stride + pad;
                    for (int i = 0; i < _g.P; i++)
                    {
                        // scikit-image: dr = (r + rp) − floor(r + rp), in float64; it depends (in the last bits) on r.
                        double dr = ((double)y + _g.Rp[i]) - ((double)y + _g.Fr[i]);
                        _dr[i] = dr;
                        _omdr[i] = 1 - dr;
                    }
                    switch (method)
                    {
                        case LbpMethod.Uniform: UniformRow(centre, codes, markBackground); break;
                        case LbpMethod.Var: VarRow(centre, codes, markBackground); break;
                        default: DefaultRow(centre, codes, markBackground, method == LbpMethod.Ror); break;
                    }
                    Sink.Row(y, codes);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ConvertRow(float* source, double* target, int width, float divisor)
        {
            if (divisor == 1f)
                for (int x = 0; x < width; x++) target[x] = source[x];
            else
                for (int x = 0; x < width; x++) target[x] = source[x] / divisor; // float32 division, then widened
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<double> Load(double* p) => Unsafe.ReadUnaligned<Vector<double>>(p);

        /// <summary>Bilinear sample of point i for the Lanes pixels at columns cv, in scikit-image's exact operation order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector<double> Sample(double* p, int i, Vector<double> cv)
        {
            // dc = (c + cp) − floor(c + cp); floor(c + cp) = c + floor(cp) exactly (|c| ≪ 2^52, cp has 5 decimals).
            var dc = (cv + new Vector<double>(_g.Cp[i])) - (cv + new Vector<double>(_g.Fc[i]));
            var omdc = Vector<double>.One - dc;
            var top = omdc * Load(p + _tl[i]) + dc * Load(p + _tr[i]);
            var bottom = omdc * Load(p + _bl[i]) + dc * Load(p + _br[i]);
            return new Vector<double>(_omdr[i]) * top + new Vector<double>(_dr[i]) * bottom;
        }

        private static Vector<double> LaneIndex()
        {
            Span<double> lanes = stackalloc double[Lanes];
            for (int k = 0; k < Lanes; k++) lanes[k] = k;
            return new Vector<double>(lanes);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void UniformRow(double* centre, double* codes, bool markBackground)
        {
            int p = _g.P;
            var lane = LaneIndex();
            var two = new Vector<long>(2);
            var nonUniform = new Vector<double>(p + 1);
            var background = new Vector<double>(double.NegativeInfinity);
            for (int c = 0; c < _paddedWidth; c += Lanes)
            {
                double* q = centre + c;
                var cen = Load(q);
                var cv = new Vector<double>(c) + lane;
                var ones = Vector<long>.Zero;
                var changes = Vector<long>.Zero;
                var previous = Vector<long>.Zero;
                var allZero = Vector.Equals(cen, Vector<double>.Zero);
                for (int i = 0; i < p; i++)
                {
                    var t = Sample(q, i, cv);
                    var s = Vector.GreaterThanOrEqual(t - cen, Vector<double>.Zero); // −1 where s_i = 1
                    ones -= s;
                    if (i > 0) changes -= s ^ previous;
                    previous = s;
                    if (markBackground) allZero &= Vector.Equals(t, Vector<double>.Zero);
                }
                var code = Vector.ConditionalSelect(Vector.LessThanOrEqual(changes, two), Vector.ConvertToDouble(ones), nonUniform);
                if (markBackground) code = Vector.ConditionalSelect(allZero, background, code);
                Unsafe.WriteUnaligned(codes + c, code);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void DefaultRow(double* centre, double* codes, bool markBackground, bool rotationInvariant)
        {
            int p = _g.P;
            var lane = LaneIndex();
            var background = new Vector<double>(double.NegativeInfinity);
            var low = Vector<long>.One;
            for (int c = 0; c < _paddedWidth; c += Lanes)
            {
                double* q = centre + c;
                var cen = Load(q);
                var cv = new Vector<double>(c) + lane;
                var bits = Vector<long>.Zero;
                var allZero = Vector.Equals(cen, Vector<double>.Zero);
                for (int i = 0; i < p; i++)
                {
                    var t = Sample(q, i, cv);
                    var s = Vector.GreaterThanOrEqual(t - cen, Vector<double>.Zero);
                    bits |= s & new Vector<long>(1L << i);
                    if (markBackground) allZero &= Vector.Equals(t, Vector<double>.Zero);
                }
                if (rotationInvariant)
                {
                    // Minimum over the P circular right shifts (scikit-image's rotation chain).
                    var min = bits;
                    var v = bits;
                    for (int k = 1; k < p; k++)
                    {
                        v = Vector.ShiftRightLogical(v, 1) | Vector.ShiftLeft(v & low, p - 1);
                        min = Vector.Min(min, v);
                    }
                    bits = min;
                }
                var code = Vector.ConvertToDouble(bits);
                if (markBackground) code = Vector.ConditionalSelect(allZero, background, code);
                Unsafe.WriteUnaligned(codes + c, code);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void VarRow(double* centre, double* codes, bool markBackground)
        {
            int p = _g.P;
            var lane = LaneIndex();
            var count = new Vector<double>(p);
            var nan = new Vector<double>(double.NaN);
            var background = new Vector<double>(double.NegativeInfinity);
            for (int c = 0; c < _paddedWidth; c += Lanes)
            {
                double* q = centre + c;
                var cen = Load(q);
                var cv = new Vector<double>(c) + lane;
                var sum = Vector<double>.Zero;
                var squares = Vector<double>.Zero;
                var allZero = Vector.Equals(cen, Vector<double>.Zero);
                for (int i = 0; i < p; i++)
                {
                    var t = Sample(q, i, cv);
                    sum += t;
                    squares += t * t;
                    if (markBackground) allZero &= Vector.Equals(t, Vector<double>.Zero);
                }
                var variance = (squares - (sum * sum) / count) / count;
                var code = Vector.ConditionalSelect(Vector.Equals(variance, Vector<double>.Zero), nan, variance);
                if (markBackground) code = Vector.ConditionalSelect(allZero, background, code);
                Unsafe.WriteUnaligned(codes + c, code);
            }
        }
    }
}
