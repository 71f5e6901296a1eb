using System.Numerics;
using System.Runtime.CompilerServices;
using SpatialSim.TorchCore.Smoothing;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// The soft c-transform on one H×W grid with the squared-distance cost in pixels²,
/// <code>T_w(p)_i = −ε log Σ_j w_j exp((p_j − |x_i − x_j|²)/ε)</code>
/// as a pass along the rows then one along the columns (the Gibbs kernel is separable,
/// exp(−|x_i − x_j|²/ε) = exp(−Δy²/ε)·exp(−Δx²/ε): Solomon et al. 2015), each a 1-D log-sum-exp per line computed in the
/// log domain so that ε far below the squared canvas size works.
/// </summary>
/// <remarks>
/// Per line of terms h_j (−∞ where the mass is 0): the exact maximum top_i = max_j (h_j − (i − j)²/ε) of every output
/// comes first, in O(n) from the upper envelope of the parabolas (Felzenszwalb &amp; Huttenlocher 2012); then
/// Σ_j exp(h_j − (i − j)²/ε − top_i) over the blocks of 8 terms whose upper bound, max_j (h_j − (j − e)²/ε) − (i − e)²/ε
/// with e the block's edge nearest i, lies within a margin of top_i, eight outputs at a time in SIMD lanes; nearby blocks
/// (all of them within the margin unless ε is far below 1 px²) as float64 products of exponentials computed once, a
/// multiply-add a term (<see cref="FactoredSpanNats"/>), farther ones with an exponential a term
/// (<see cref="VectorMath"/>).
/// <para>
/// Precision. Default: terms within 20 nats, the far terms' exp and sums in float32 (a relative 3e-7 on each sum, so
/// 3e-7·ε on the potentials). Below a tolerance of <see cref="PreciseBelowTolerance"/> the solver asks for the precise
/// kernel: terms within 40 nats, every exp in float64 to a relative 1e-14. Lines run in parallel on grids of
/// <see cref="ParallelPixels"/> pixels or more. Memory: one H·W float64 buffer for the row pass's output, and per thread a
/// <see cref="SinkhornLineScratch"/> of about 6 doubles a pixel of a line.
/// </para>
/// References: J. Solomon, F. de Goes, G. Peyré, M. Cuturi, A. Butscher, A. Nguyen, T. Du, L. Guibas (2015)
/// "Convolutional Wasserstein distances: efficient optimal transportation on geometric domains", ACM Trans. Graph.
/// 34(4):66, doi:10.1145/2766963; P. F. Felzenszwalb, D. P. Huttenlocher (2012) "Distance transforms of sampled
/// functions", Theory of Computing 8:415–428, doi:10.4086/toc.2012.v008a019.
/// </remarks>
internal sealed class SinkhornGrid
{
    /// <summary>Tolerances below this need the float64 kernel: the float32 one cannot resolve marginal errors that small.</summary>
    internal const double PreciseBelowTolerance = 1e-6;
    internal const int Block = 8;
    /// <summary>Grids with fewer pixels run their lines on one thread (the pass is shorter than the fork; a 64² pass takes 0.2 ms).</summary>
    private const int ParallelPixels = 64 * 64;

    private readonly double[] _transposed; // the row pass's output, [W, H]
    private readonly bool _precise;
    private readonly double _margin;
    public int Height { get; }
    public int Width { get; }
    public int Length => Height * Width;

    public SinkhornGrid(int height, int width, bool precise)
    {
        Height = height;
        Width = width;
        _precise = precise;
        _margin = precise ? 40 : 20;
        _transposed = new double[(long)height * width];
    }

    /// <summary>result = T_w(potential) with log-weights <paramref name="logW"/> (−∞ where the mass is 0).</summary>
    public void Softmin(double eps, double[] logW, double[] potential, double[] result)
    {
        double invEps = 1 / eps;
        int h = Height, w = Width;
        var transposed = _transposed;
        int threads = Length >= ParallelPixels ? Environment.ProcessorCount : 1;
        ParallelRanges.For(h, threads, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (start, end) =>
        {
            var line = new SinkhornLineScratch(w);
            for (int y = start; y < end; y++)
            {
                int row = y * w;
                for (int x = 0; x < w; x++) line.H[x] = logW[row + x] + potential[row + x] * invEps;
                LogSumExpLine(line, w, eps, transposed, y, h, 1.0);
            }
        });
        ParallelRanges.For(w, threads, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (start, end) =>
        {
            var line = new SinkhornLineScratch(h);
            for (int x = start; x < end; x++)
            {
                Array.Copy(transposed, (long)x * h, line.H, 0, h);
                LogSumExpLine(line, h, eps, result, x, w, -eps);
            }
        });
    }

    /// <summary>
    /// top[p] = max_q (h_q − (p − q)²/ε) for p &lt; n, exactly: the upper envelope of the parabolas rooted at every finite
    /// h_q; false when every h is −∞.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool Envelope(double[] h, int n, double eps, double[] top, int[] parabolas, double[] boundaries)
    {
        int k = -1;
        for (int q = 0; q < n; q++)
        {
            if (h[q] == double.NegativeInfinity) continue;
            double fq = -eps * h[q] + (double)q * q;
            if (k < 0)
            {
                k = 0;
                parabolas[0] = q;
                boundaries[0] = double.NegativeInfinity;
                boundaries[1] = double.PositiveInfinity;
                continue;
            }
            double s = Intersection(h, eps, q, fq, parabolas[k]);
            while (s <= boundaries[k]) s = Intersection(h, eps, q, fq, parabolas[--k]); // boundaries[0] = −∞ ends it
            k++;
            parabolas[k] = q;
            boundaries[k] = s;
            boundaries[k + 1] = double.PositiveInfinity;
        }
        if (k < 0) return false;
        double invEps = 1 / eps;
        for (int p = 0, m = 0; p < n; p++)
        {
            while (boundaries[m + 1] < p) m++;
            int r = parabolas[m];
            top[p] = h[r] - (double)(p - r) * (p - r) * invEps;
        }
        return true;
    }

    /// <summary>Where q's parabola (fq = −ε h_q + q²) overtakes r's.</summary>
    private static double Intersection(double[] h, double eps, int q, double fq, int r) =>
        (fq - (-eps * h[r] + (double)r * r)) / (2.0 * (q - r));

    private static readonly Vector<double> Lanes = MakeLanes();

    private static Vector<double> MakeLanes()
    {
        var l = new double[Vector<double>.Count];
        for (int i = 0; i < l.Length; i++) l[i] = i;
        return new Vector<double>(l);
    }

    /// <summary>dst[offset + i·stride] = scale · log Σ_j exp(h_j − (i − j)²/ε) for i &lt; n, h = s.H[0..n) (−∞ allowed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void LogSumExpLine(SinkhornLineScratch s, int n, double eps, double[] dst, int offset, int stride, double scale)
    {
        var h = s.H;
        var top = s.Top;
        if (!Envelope(h, n, eps, top, s.Parabolas, s.Boundaries))
        {
            for (int i = 0; i < n; i++) dst[offset + (long)i * stride] = scale * double.NegativeInfinity;
            return;
        }
        int blocks = (n + Block - 1) / Block;
        for (int i = n; i < blocks * Block; i++) top[i] = double.PositiveInfinity; // padding lanes: never within the margin
        var blockMax = s.BlockMax;
        var fromLeft = s.FromLeft;
        var fromRight = s.FromRight;
        var leftMax = s.LeftMax;
        var rightMax = s.RightMax;
        double invEps = 1 / eps;
        // Bounds of a block's terms seen from outside it: for an output i left of block k (i ≤ j0), (i − j)² ≥ (j0 − i)²
        // + (j − j0)², so every term is at most fromLeft_k − (j0 − i)²/ε with fromLeft_k = max_j (h_j − (j − j0)²/ε);
        // fromRight likewise from the block's last pixel. Tighter than the block's largest h on steep lines (a potential
        // far from the optimum, small ε), where far blocks would otherwise be visited for nothing.
        for (int k = 0; k < blocks; k++)
        {
            double m = double.NegativeInfinity, left = double.NegativeInfinity, right = double.NegativeInfinity;
            for (int q = 0, j = k * Block; q < Block; q++, j++)
            {
                if (h[j] > m) m = h[j];
                left = Math.Max(left, h[j] - (double)q * q * invEps);
                right = Math.Max(right, h[j] - (double)(Block - 1 - q) * (Block - 1 - q) * invEps);
            }
            blockMax[k] = m;
            fromLeft[k] = left;
            fromRight[k] = right;
        }
        // Each term as a line in i: h_j − (i − j)²/ε − top_i = (h_j − j²/ε) + (2j/ε)·i + (−i²/ε − top_i), a multiply and an add per lane.
        var intercepts = s.Intercepts;
        for (int j = 0; j < blocks * Block; j++) intercepts[j] = h[j] - (double)j * j * invEps;
        // The bounds of every block from k outwards, for stopping the walk away from the outputs.
        double run = double.NegativeInfinity;
        for (int k = 0; k < blocks; k++) leftMax[k] = run = Math.Max(run, fromRight[k]);
        run = double.NegativeInfinity;
        for (int k = blocks - 1; k >= 0; k--) rightMax[k] = run = Math.Max(run, fromLeft[k]);

        // Block pairs up to `factored` blocks apart are summed as products of exponentials computed once (SumBlockFactored).
        int factored = s.PrepareFactored(eps, blocks);
        if (factored >= 0) s.ScaleByBlockMax(blocks, _precise);

        int vc = Vector<double>.Count; // Block = 2 vectors of doubles on 256-bit SIMD; more vectors on narrower hardware
        int vectors = Block / vc;
        var inv = new Vector<double>(invEps);
        var floor = new Vector<double>(-_margin);
        Span<Vector<double>> lanes = stackalloc Vector<double>[vectors];
        Span<Vector<double>> tops = stackalloc Vector<double>[vectors];
        Span<Vector<double>> offsets = stackalloc Vector<double>[vectors];
        Span<Vector<double>> sums = stackalloc Vector<double>[vectors];
        for (int g = 0; g < blocks; g++)
        {
            int i0 = g * Block;
            for (int v = 0; v < vectors; v++)
            {
                lanes[v] = new Vector<double>(i0 + v * vc) + Lanes;
                tops[v] = new Vector<double>(top, i0 + v * vc);
                offsets[v] = -(lanes[v] * lanes[v] * inv) - tops[v];
                sums[v] = Vector<double>.Zero;
            }
            SumPair(s, g, g, factored, invEps, lanes, offsets, tops, sums);
            for (int k = g - 1; k >= 0; k--)
            {
                var nearest = new Vector<double>(k * Block + Block - 1);
                if (AllBelow(leftMax[k], lanes, nearest, tops, inv, floor)) break;
                if (!AllBelow(fromRight[k], lanes, nearest, tops, inv, floor)) SumPair(s, g, k, factored, invEps, lanes, offsets, tops, sums);
            }
            for (int k = g + 1; k < blocks; k++)
            {
                var nearest = new Vector<double>(k * Block);
                if (AllBelow(rightMax[k], lanes, nearest, tops, inv, floor)) break;
                if (!AllBelow(fromLeft[k], lanes, nearest, tops, inv, floor)) SumPair(s, g, k, factored, invEps, lanes, offsets, tops, sums);
            }
            int count = Math.Min(Block, n - i0);
            for (int l = 0; l < count; l++)
                dst[offset + (long)(i0 + l) * stride] = scale * (top[i0 + l] + Math.Log(sums[l / vc][l % vc]));
        }
    }

    /// <summary>
    /// Block pairs whose every term's squared distance is at most this many ε apart, (|i0 − j0| + 7)²/ε ≤ 600, are summed
    /// factored: exp(h_j − (i − j)²/ε − top_i) = exp(h_j − c_k) · exp(−(i − j)²/ε) · exp(c_k − top_i) with c_k the largest
    /// h of input block k. The first factor is computed once per input pixel (at most 1), the second is a table of the
    /// Gibbs kernel (at least e^−600), the third once per pair of blocks (at most e^600, since top_i ≥ c_k − (i − j*)²/ε);
    /// a term then costs a float64 multiply-add instead of an exponential, and every factor is within float64's range
    /// (e^±708). What underflows there is below e^(−708 + 600) of the largest term: nothing that counts. Farther pairs, and
    /// every pair at ε below 0.082 px² (the blocks' own span is too wide), take <see cref="SumBlock"/>.
    /// </summary>
    internal const double FactoredSpanNats = 600;

    /// <summary>Adds the terms of input block k to the sums of output block g.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SumPair(SinkhornLineScratch s, int g, int k, int factored, double invEps, ReadOnlySpan<Vector<double>> lanes,
        ReadOnlySpan<Vector<double>> offsets, ReadOnlySpan<Vector<double>> tops, Span<Vector<double>> sums)
    {
        if (Math.Abs(g - k) <= factored) SumBlockFactored(s, g, k, _precise, tops, sums);
        else SumBlock(s.Intercepts, k, invEps, lanes, offsets, sums);
    }

    /// <summary>sums_i += exp(c_k − top_i) · Σ_j u_j K(i − j) over input block k, u_j = exp(h_j − c_k) (see <see cref="FactoredSpanNats"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SumBlockFactored(SinkhornLineScratch s, int g, int k, bool precise, ReadOnlySpan<Vector<double>> tops, Span<Vector<double>> sums)
    {
        double c = s.BlockMax[k];
        if (c == double.NegativeInfinity) return;
        var u = s.Scaled;
        var kernel = s.Kernel;
        int j0 = k * Block, start = g * Block - j0 + s.KernelRadius, vc = Vector<double>.Count;
        var cv = new Vector<double>(c);
        for (int v = 0; v < tops.Length; v++)
        {
            var acc = Vector<double>.Zero;
            for (int m = 0; m < Block; m++) // no test for u = 0: a branch a term costs more than the multiply-add
                acc += new Vector<double>(u[j0 + m]) * new Vector<double>(kernel, start - m + v * vc);
            sums[v] += acc * VectorMath.Exp(cv - tops[v], precise);
        }
    }

    /// <summary>Whether bound − (i − nearest)²/ε − top_i is below the margin for every output lane i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AllBelow(double bound, ReadOnlySpan<Vector<double>> lanes, Vector<double> nearest,
        ReadOnlySpan<Vector<double>> tops, Vector<double> inv, Vector<double> floor)
    {
        var b = new Vector<double>(bound);
        for (int v = 0; v < lanes.Length; v++)
        {
            var d = lanes[v] - nearest;
            if (!Vector.LessThanAll(b - d * d * inv - tops[v], floor)) return false;
        }
        return true;
    }

    /// <summary>
    /// sums_i += Σ over block k's terms exp(h_j − (i − j)²/ε − top_i), every term at most 1, each term computed as
    /// intercept_j + (2j/ε)·i + offset_i with intercept_j = h_j − j²/ε and offset_i = −i²/ε − top_i (float64: the parts
    /// reach 1e5 nats at small ε, their sum is within the margin).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SumBlock(double[] intercepts, int k, double invEps, ReadOnlySpan<Vector<double>> lanes,
        ReadOnlySpan<Vector<double>> offsets, Span<Vector<double>> sums)
    {
        var floor = new Vector<double>(-_margin);
        bool narrow = !_precise && lanes.Length % 2 == 0;
        Span<Vector<float>> partial = stackalloc Vector<float>[lanes.Length / 2];
        partial.Clear();
        for (int j = k * Block, end = j + Block; j < end; j++)
        {
            double intercept = intercepts[j];
            if (intercept == double.NegativeInfinity) continue;
            var a = new Vector<double>(intercept);
            var slope = new Vector<double>(2.0 * j * invEps);
            if (narrow)
            {
                for (int v = 0; v < lanes.Length; v += 2)
                {
                    var t0 = slope * lanes[v] + (a + offsets[v]);
                    var t1 = slope * lanes[v + 1] + (a + offsets[v + 1]);
                    if (Vector.LessThanAll(t0, floor) && Vector.LessThanAll(t1, floor)) continue;
                    partial[v / 2] += VectorMath.Exp(Vector.Narrow(t0, t1));
                }
            }
            else
            {
                for (int v = 0; v < lanes.Length; v++)
                {
                    var t = slope * lanes[v] + (a + offsets[v]);
                    if (!Vector.LessThanAll(t, floor)) sums[v] += VectorMath.Exp(t);
                }
            }
        }
        if (!narrow) return;
        for (int v = 0; v < lanes.Length; v += 2)
        {
            Vector.Widen(partial[v / 2], out var low, out var high);
            sums[v] += low;
            sums[v + 1] += high;
        }
    }
}
