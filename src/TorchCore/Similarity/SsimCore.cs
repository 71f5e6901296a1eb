using SpatialSim.TorchCore.Ranking;
using System.Buffers;
using System.Numerics;
using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Shared numerics of SSIM and MS-SSIM: normalisation, blurs, the fused pass, 2×2 downsampling.</summary>
internal static class SsimCore
{
    private const int ParallelThreshold = 1 << 15;

    /// <summary>
    /// SSIM or MS-SSIM of two rasters compared once: both prepared on their device (on the CPU lazily, no full-size maps),
    /// compared, released.
    /// </summary>
    internal static SimilarityScore CompareOnce<TPrepared>(GeneRaster a, GeneRaster b, Func<GeneRaster, bool, TPrepared> prepareOn,
        Func<TPrepared, TPrepared, SimilarityScore> compare) where TPrepared : IPreparedGene
    {
        RasterChecks.RequireSameCanvas(a, b);
        bool useTorch = !a.Device.IsCpu;
        using var sa = prepareOn(a, useTorch);
        using var sb = prepareOn(b, useTorch);
        return compare(sa, sb);
    }

    /// <summary>
    /// The checks two prepared genes pass before SSIM or MS-SSIM compares them: same options (an error otherwise), same
    /// canvas; the NaN score naming the first undefined gene, or null when both are defined.
    /// </summary>
    internal static SimilarityScore? CheckPair(IPreparedGene a, IPreparedGene b, object optionsA, object optionsB, string measure)
    {
        if (!optionsA.Equals(optionsB))
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"Genes '{a.Gene}' and '{b.Gene}' were prepared with different {measure} options ({optionsA} vs {optionsB}); prepare both with the same options.");
        RasterChecks.RequireSameCanvas(a.Gene, a.Width, a.Height, b.Gene, b.Width, b.Height);
        if (a.Undefined is not null) return SimilarityScore.Undefined(a.Undefined);
        if (b.Undefined is not null) return SimilarityScore.Undefined(b.Undefined);
        return null;
    }

    /// <summary>
    /// Shift and scale making the gene scale-free, or why it cannot be: all zero, constant, or (Max) no positive value.
    /// </summary>
    internal static (double Shift, double Scale, string? Undefined) Normalisation(GeneRaster raster, SsimNormalization how, bool useTorch)
    {
        string gene = raster.Gene;
        if (raster.NonZero == 0)
            return (0, 0, $"gene '{gene}' is all zero: SSIM is undefined");
        long n = (long)raster.Width * raster.Height;
        double mean = raster.Total / n;
        double min, sumSquares;
        if (useTorch)
        {
            using var scope = torch.NewDisposeScope();
            min = raster.Values.min().item<float>();
            sumSquares = how == SsimNormalization.MeanStd ? (raster.Values.to(ScalarType.Float64) - mean).square().sum().item<double>() : 0;
        }
        else
        {
            using var x = raster.Values.contiguous();
            (min, sumSquares) = MinAndSumSquares(x, mean, how == SsimNormalization.MeanStd);
        }
        if (min == raster.Max)
            return (0, 0, $"gene '{gene}' is constant (all {raster.Max:g6}): SSIM is undefined");
        if (how == SsimNormalization.Max)
        {
            if (raster.Max <= 0)
                return (0, 0, $"gene '{gene}' has no positive value: dividing by its maximum is undefined; use Normalization MeanStd");
            return (0, 1.0 / raster.Max, null);
        }
        double std = Math.Sqrt(sumSquares / n);
        return std > 0 ? (mean, 1.0 / std, null) : (0, 0, $"gene '{gene}' is constant (std 0): SSIM is undefined");
    }

    private static (double Min, double SumSquares) MinAndSumSquares(Tensor x, double mean, bool withSquares) =>
        ChunkedParallel.Reduce(x.numel(), (start, len) =>
        {
            var s = TensorMemory.AsFloatSpan(x).Slice(start, len);
            float min = float.PositiveInfinity;
            double sum = 0;
            int i = 0, vf = Vector<float>.Count;
            var vmin = new Vector<float>(float.PositiveInfinity);
            var vmean = new Vector<double>(mean);
            var acc = Vector<double>.Zero;
            for (; i <= len - vf; i += vf)
            {
                var v = new Vector<float>(s.Slice(i));
                vmin = Vector.Min(vmin, v);
                if (withSquares)
                {
                    Vector.Widen(v, out var lo, out var hi);
                    lo -= vmean; hi -= vmean;
                    acc += lo * lo + hi * hi;
                }
            }
            for (int k = 0; k < vf; k++) min = Math.Min(min, vmin[k]);
            sum = Vector.Sum(acc);
            for (; i < len; i++)
            {
                min = Math.Min(min, s[i]);
                double d = s[i] - mean;
                if (withSquares) sum += d * d;
            }
            return (Min: (double)min, SumSquares: sum);
        }, (Min: double.PositiveInfinity, SumSquares: 0.0), (p, q) => (Math.Min(p.Min, q.Min), p.SumSquares + q.SumSquares), ParallelThreshold);

    /// <summary>
    /// <paramref name="output"/> = <paramref name="a"/> · <paramref name="b"/> element-wise for contiguous float32 CPU tensors,
    /// vectorised and in parallel, into a buffer we chose (libtorch's element-wise ops allocate a fresh output each time).
    /// </summary>
    internal static void Multiply(Tensor a, Tensor b, Tensor output) =>
        ChunkedParallel.For(a.numel(), (start, len) =>
        {
            ReadOnlySpan<float> x = TensorMemory.AsFloatSpan(a).Slice(start, len), y = TensorMemory.AsFloatSpan(b).Slice(start, len);
            MultiplySpan(x, y, TensorMemory.AsFloatSpan(output).Slice(start, len));
        }, ParallelThreshold);

    /// <summary>Blurs a contiguous float32 CPU tensor into another (may be the same) with the SSIM window.</summary>
    internal static void CpuBlur(Tensor input, Tensor output, double sigma)
    {
        int h = (int)input.shape[0], w = (int)input.shape[1];
        CpuGaussianBlur.Blur(TensorMemory.AsFloatSpan(input), TensorMemory.AsFloatSpan(output), w, h, sigma, GaussianMethod.Auto, SsimSimilarity.Truncate);
    }

    /// <summary>
    /// The torch path (CUDA): <see cref="GaussianSmoothing.BlurWithConvolution"/> with the SSIM window (truncated at 3.5σ).
    /// Returns a new float32 tensor, not in any dispose scope.
    /// </summary>
    internal static Tensor TorchBlur(Tensor image, double sigma)
    {
        using var scope = torch.NewDisposeScope();
        return GaussianSmoothing.BlurWithConvolution(image.to(ScalarType.Float32), sigma, SsimSimilarity.Truncate)
            .MoveToOuterDisposeScope().DetachFromDisposeScope();
    }

    /// <summary>
    /// The means over the cropped region (r = window radius pixels off each border) of the requested maps, in float64.
    /// Blurs a·b once (and μ, E[x²] of lazily prepared genes); everything else comes from the prepared statistics.
    /// </summary>
    internal static double[] CroppedMeans(SsimPrepared a, SsimPrepared b, params SsimTerm[] terms)
    {
        var o = a.Options;
        var c = new Constants(o.K1, o.K2, a.Shift, a.Scale, b.Shift, b.Scale);
        int pad = SsimSimilarity.Radius(o.Sigma);
        using var scope = torch.NewDisposeScope();
        if (a.UseTorch || b.UseTorch)
        {
            var device = a.Values!.device;
            using var eab = TorchBlur(a.Values * b.Values!.to(device), o.Sigma);
            return terms.Select(t => TorchMean(t, a.Mean!, a.MeanSquare!, b.Mean!.to(device), b.MeanSquare!.to(device), eab, pad, c)).ToArray();
        }
        return StripMeans(a, b, pad, c, terms);
    }

    /// <summary>Everything the per-pixel formulas need, broadcast once.</summary>
    internal readonly struct Constants
    {
        public readonly Vector<double> C1, C2, C3, ShiftA, ScaleA, ShiftB, ScaleB, ScaleA2, ScaleB2, ScaleAB, Zero, Two;
        public readonly double c1, c2, shiftA, scaleA, shiftB, scaleB;

        public Constants(double k1, double k2, double shiftA, double scaleA, double shiftB, double scaleB)
        {
            c1 = k1 * k1; c2 = k2 * k2;
            this.shiftA = shiftA; this.scaleA = scaleA; this.shiftB = shiftB; this.scaleB = scaleB;
            C1 = new(c1); C2 = new(c2); C3 = new(c2 / 2);
            ShiftA = new(shiftA); ScaleA = new(scaleA); ShiftB = new(shiftB); ScaleB = new(scaleB);
            ScaleA2 = new(scaleA * scaleA); ScaleB2 = new(scaleB * scaleB); ScaleAB = new(scaleA * scaleB);
            Zero = Vector<double>.Zero; Two = new(2.0);
        }
    }

    /// <summary>One SSIM map as a per-pixel function of the raw window moments (normalisation applied here).</summary>
    internal interface ITerm
    {
        static abstract Vector<double> Eval(Vector<double> ma, Vector<double> sa, Vector<double> mb, Vector<double> sb, Vector<double> ab, in Constants c);
    }

    // Raw moments: ma = G*x_a, sa = G*x_a², ab = G*(x_a x_b). Normalised: μ = scale·(ma − shift),
    // σ² = scale²·(sa − ma²), σab = scaleA·scaleB·(ab − ma·mb) (variance and covariance ignore the shift).
    private readonly struct FullTerm : ITerm
    {
        public static Vector<double> Eval(Vector<double> ma, Vector<double> sa, Vector<double> mb, Vector<double> sb, Vector<double> ab, in Constants c)
        {
            var ua = c.ScaleA * (ma - c.ShiftA);
            var ub = c.ScaleB * (mb - c.ShiftB);
            var va = c.ScaleA2 * (sa - ma * ma);
            var vb = c.ScaleB2 * (sb - mb * mb);
            var cov = c.ScaleAB * (ab - ma * mb);
            return (c.Two * ua * ub + c.C1) * (c.Two * cov + c.C2) / ((ua * ua + ub * ub + c.C1) * (va + vb + c.C2));
        }
    }

    private readonly struct StructureTerm : ITerm
    {
        public static Vector<double> Eval(Vector<double> ma, Vector<double> sa, Vector<double> mb, Vector<double> sb, Vector<double> ab, in Constants c)
        {
            var va = Vector.Max(c.ScaleA2 * (sa - ma * ma), c.Zero);
            var vb = Vector.Max(c.ScaleB2 * (sb - mb * mb), c.Zero);
            var cov = c.ScaleAB * (ab - ma * mb);
            return (cov + c.C3) / (Vector.SquareRoot(va * vb) + c.C3);
        }
    }

    private readonly struct ContrastStructureTerm : ITerm
    {
        public static Vector<double> Eval(Vector<double> ma, Vector<double> sa, Vector<double> mb, Vector<double> sb, Vector<double> ab, in Constants c)
        {
            var va = c.ScaleA2 * (sa - ma * ma);
            var vb = c.ScaleB2 * (sb - mb * mb);
            var cov = c.ScaleAB * (ab - ma * mb);
            return (c.Two * cov + c.C2) / (va + vb + c.C2);
        }
    }

    private readonly struct LuminanceTerm : ITerm
    {
        public static Vector<double> Eval(Vector<double> ma, Vector<double> sa, Vector<double> mb, Vector<double> sb, Vector<double> ab, in Constants c)
        {
            var ua = c.ScaleA * (ma - c.ShiftA);
            var ub = c.ScaleB * (mb - c.ShiftB);
            return (c.Two * ua * ub + c.C1) / (ua * ua + ub * ub + c.C1);
        }
    }

    /// <summary>
    /// The CPU pass. The cropped rows [r, H − r) are cut into strips; each strip is handled by one thread: the rows it
    /// needs (the strip plus r rows above and below, always inside the raster) of x_a·x_b — and of μ and E[x²] for
    /// lazily prepared genes — are multiplied and blurred single-threaded into small per-thread buffers that stay in
    /// cache, then every requested map is evaluated in float64 vectors and summed per row. Rows of the crop only see
    /// raster rows within ±r, so the strip blur is exact (the raster's own border handling never reaches the crop).
    /// Per-strip sums are added in strip order: the result does not depend on thread scheduling.
    /// </summary>
    private static double[] StripMeans(SsimPrepared a, SsimPrepared b, int pad, Constants c, SsimTerm[] terms)
    {
        int h = a.Height, w = a.Width;
        int rows = h - 2 * pad, cols = w - 2 * pad;
        double sigma = a.Options.Sigma;
        int threads = (long)rows * cols < ParallelThreshold ? 1 : Environment.ProcessorCount;
        int stripRows = Math.Clamp((rows + 4 * threads - 1) / (4 * threads), Math.Min(rows, 16), Math.Max(128, 8 * pad));
        int strips = (rows + stripRows - 1) / stripRows;
        int bufferLength = (stripRows + 2 * pad) * w;
        var sums = new double[strips * terms.Length];

        float[][] RentBuffers() => new[] { ArrayPool<float>.Shared.Rent(bufferLength), ArrayPool<float>.Shared.Rent(bufferLength),
            ArrayPool<float>.Shared.Rent(bufferLength), ArrayPool<float>.Shared.Rent(bufferLength), ArrayPool<float>.Shared.Rent(bufferLength) };
        void ReturnBuffers(float[][] buffers) { foreach (var buffer in buffers) ArrayPool<float>.Shared.Return(buffer); }

        float[][] Strip(int strip, float[][] buf)
        {
            int y0 = pad + strip * stripRows, y1 = Math.Min(pad + rows, y0 + stripRows);
            int ys = y0 - pad, ye = y1 + pad, n = (ye - ys) * w;
            ReadOnlySpan<float> xa = TensorMemory.AsFloatSpan(a.Values!).Slice(ys * w, n);
            ReadOnlySpan<float> xb = TensorMemory.AsFloatSpan(b.Values!).Slice(ys * w, n);
            // The blurred strips hold rows ys..ye-1: the strip's rows start at row pad of the buffer.
            Span<float> ab = buf[4].AsSpan(0, n);
            MultiplySpan(xa, xb, ab);
            BlurStrip(ab, ab, w, ye - ys, sigma);
            Moments(a, xa, buf[0], buf[1], ys, ye, w, sigma, y0, out var ma, out var sa);
            Moments(b, xb, buf[2], buf[3], ys, ye, w, sigma, y0, out var mb, out var sb);
            ReadOnlySpan<float> eab = ab.Slice(pad * w);
            for (int t = 0; t < terms.Length; t++)
            {
                double sum = 0;
                for (int r = 0; r < y1 - y0; r++)
                {
                    int o = r * w + pad;
                    sum += terms[t] switch
                    {
                        SsimTerm.Full => RowSum<FullTerm>(ma.Slice(o, cols), sa.Slice(o, cols), mb.Slice(o, cols), sb.Slice(o, cols), eab.Slice(o, cols), c),
                        SsimTerm.Structure => RowSum<StructureTerm>(ma.Slice(o, cols), sa.Slice(o, cols), mb.Slice(o, cols), sb.Slice(o, cols), eab.Slice(o, cols), c),
                        SsimTerm.ContrastStructure => RowSum<ContrastStructureTerm>(ma.Slice(o, cols), sa.Slice(o, cols), mb.Slice(o, cols), sb.Slice(o, cols), eab.Slice(o, cols), c),
                        _ => RowSum<LuminanceTerm>(ma.Slice(o, cols), sa.Slice(o, cols), mb.Slice(o, cols), sb.Slice(o, cols), eab.Slice(o, cols), c),
                    };
                }
                sums[strip * terms.Length + t] = sum;
            }
            return buf;
        }

        if (threads == 1)
        {
            var buffers = RentBuffers();
            for (int strip = 0; strip < strips; strip++) Strip(strip, buffers);
            ReturnBuffers(buffers);
        }
        else
        {
            Parallel.For(0, strips, new ParallelOptions { MaxDegreeOfParallelism = threads }, RentBuffers, (strip, _, buf) => Strip(strip, buf), ReturnBuffers);
        }
        var means = new double[terms.Length];
        for (int t = 0; t < terms.Length; t++)
        {
            double total = 0;
            for (int strip = 0; strip < strips; strip++) total += sums[strip * terms.Length + t];
            means[t] = total / ((double)rows * cols);
        }
        return means;
    }

    /// <summary>
    /// μ and E[x²] for the rows of one strip, starting at row <paramref name="y0"/>: views of the precomputed maps, or
    /// blurred now from the strip's rows ys..ye-1 of x into the given buffers.
    /// </summary>
    private static void Moments(SsimPrepared g, ReadOnlySpan<float> x, float[] meanBuffer, float[] squareBuffer,
        int ys, int ye, int w, double sigma, int y0, out ReadOnlySpan<float> meanRows, out ReadOnlySpan<float> squareRows)
    {
        if (g.Mean is not null)
        {
            meanRows = TensorMemory.AsFloatSpan(g.Mean).Slice(y0 * w);
            squareRows = TensorMemory.AsFloatSpan(g.MeanSquare!).Slice(y0 * w);
            return;
        }
        int n = (ye - ys) * w;
        Span<float> mean = meanBuffer.AsSpan(0, n), square = squareBuffer.AsSpan(0, n);
        BlurStrip(x, mean, w, ye - ys, sigma);
        MultiplySpan(x, x, square);
        BlurStrip(square, square, w, ye - ys, sigma);
        int offset = (y0 - ys) * w;
        meanRows = mean.Slice(offset);
        squareRows = square.Slice(offset);
    }

    private static void BlurStrip(ReadOnlySpan<float> input, Span<float> output, int width, int height, double sigma) =>
        CpuGaussianBlur.Blur(input, output, width, height, sigma, GaussianMethod.Auto, SsimSimilarity.Truncate, maxDegreeOfParallelism: 1);

    private static void MultiplySpan(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        int i = 0, vf = Vector<float>.Count, n = x.Length;
        for (; i <= n - vf; i += vf) (new Vector<float>(x.Slice(i)) * new Vector<float>(y.Slice(i))).CopyTo(z.Slice(i));
        for (; i < n; i++) z[i] = x[i] * y[i];
    }

    private static double RowSum<T>(ReadOnlySpan<float> ma, ReadOnlySpan<float> sa, ReadOnlySpan<float> mb, ReadOnlySpan<float> sb,
        ReadOnlySpan<float> ab, in Constants c) where T : struct, ITerm
    {
        int n = ma.Length, vf = Vector<float>.Count, i = 0;
        var acc = Vector<double>.Zero;
        for (; i <= n - vf; i += vf)
        {
            Vector.Widen(new Vector<float>(ma.Slice(i)), out var ma0, out var ma1);
            Vector.Widen(new Vector<float>(sa.Slice(i)), out var sa0, out var sa1);
            Vector.Widen(new Vector<float>(mb.Slice(i)), out var mb0, out var mb1);
            Vector.Widen(new Vector<float>(sb.Slice(i)), out var sb0, out var sb1);
            Vector.Widen(new Vector<float>(ab.Slice(i)), out var ab0, out var ab1);
            acc += T.Eval(ma0, sa0, mb0, sb0, ab0, c) + T.Eval(ma1, sa1, mb1, sb1, ab1, c);
        }
        double sum = Vector.Sum(acc);
        if (i < n)
        {
            // The tail: pad the last partial vector with copies of its first pixel and add only the real lanes.
            int rest = n - i;
            Span<float> buf = stackalloc float[5 * vf];
            for (int k = 0; k < vf; k++)
            {
                int j = i + Math.Min(k, rest - 1);
                buf[k] = ma[j]; buf[vf + k] = sa[j]; buf[2 * vf + k] = mb[j]; buf[3 * vf + k] = sb[j]; buf[4 * vf + k] = ab[j];
            }
            Vector.Widen(new Vector<float>(buf), out var ma0, out var ma1);
            Vector.Widen(new Vector<float>(buf.Slice(vf)), out var sa0, out var sa1);
            Vector.Widen(new Vector<float>(buf.Slice(2 * vf)), out var mb0, out var mb1);
            Vector.Widen(new Vector<float>(buf.Slice(3 * vf)), out var sb0, out var sb1);
            Vector.Widen(new Vector<float>(buf.Slice(4 * vf)), out var ab0, out var ab1);
            var lo = T.Eval(ma0, sa0, mb0, sb0, ab0, c);
            var hi = T.Eval(ma1, sa1, mb1, sb1, ab1, c);
            int half = Vector<double>.Count;
            for (int k = 0; k < rest; k++) sum += k < half ? lo[k] : hi[k - half];
        }
        return sum;
    }

    /// <summary>The torch version of the fused pass (CUDA), float64 on the cropped region.</summary>
    private static double TorchMean(SsimTerm term, Tensor ma, Tensor sa, Tensor mb, Tensor sb, Tensor ab, int pad, Constants c)
    {
        using var scope = torch.NewDisposeScope();
        Tensor Crop(Tensor t) => t.narrow(0, pad, t.shape[0] - 2 * pad).narrow(1, pad, t.shape[1] - 2 * pad).to(ScalarType.Float64);
        var (xa, xsa, xb, xsb, xab) = (Crop(ma), Crop(sa), Crop(mb), Crop(sb), Crop(ab));
        var ua = (xa - c.shiftA) * c.scaleA;
        var ub = (xb - c.shiftB) * c.scaleB;
        var va = (xsa - xa * xa) * (c.scaleA * c.scaleA);
        var vb = (xsb - xb * xb) * (c.scaleB * c.scaleB);
        var cov = (xab - xa * xb) * (c.scaleA * c.scaleB);
        var map = term switch
        {
            SsimTerm.Full => (2 * ua * ub + c.c1) * (2 * cov + c.c2) / ((ua * ua + ub * ub + c.c1) * (va + vb + c.c2)),
            SsimTerm.Structure => (cov + c.c2 / 2) / ((va.clamp_min(0) * vb.clamp_min(0)).sqrt() + c.c2 / 2),
            SsimTerm.ContrastStructure => (2 * cov + c.c2) / (va + vb + c.c2),
            SsimTerm.Luminance => (2 * ua * ub + c.c1) / (ua * ua + ub * ub + c.c1),
            _ => throw new ArgumentOutOfRangeException(nameof(term)),
        };
        return map.mean().item<double>();
    }

    /// <summary>
    /// 2×2 average pooling with stride 2; an odd last row/column is paired with itself, so a side n becomes ⌈n/2⌉
    /// (MATLAB msssim.m: 'symmetric' imfilter with ones(2)/4 then every second pixel). Returns a new tensor (not in a scope).
    /// </summary>
    internal static Tensor Downsample(Tensor x, bool useTorch)
    {
        int h = (int)x.shape[0], w = (int)x.shape[1];
        int oh = (h + 1) / 2, ow = (w + 1) / 2;
        using var scope = torch.NewDisposeScope();
        if (useTorch)
        {
            var t = x.unsqueeze(0).unsqueeze(0);
            if (h % 2 == 1 || w % 2 == 1) t = nn.functional.pad(t, new long[] { 0, w % 2, 0, h % 2 }, PaddingModes.Replicate);
            return nn.functional.avg_pool2d(t, 2).squeeze(0).squeeze(0).contiguous().MoveToOuterDisposeScope().DetachFromDisposeScope();
        }
        var input = x.contiguous();
        var output = torch.empty(new long[] { oh, ow }, ScalarType.Float32);
        void Row(int y)
        {
            ReadOnlySpan<float> src = TensorMemory.AsFloatSpan(input);
            Span<float> dst = TensorMemory.AsFloatSpan(output);
            var r0 = src.Slice(2 * y * w, w);
            var r1 = src.Slice(Math.Min(2 * y + 1, h - 1) * w, w);
            var d = dst.Slice(y * ow, ow);
            for (int j = 0; j < ow; j++)
            {
                int x0 = 2 * j, x1 = Math.Min(2 * j + 1, w - 1);
                d[j] = 0.25f * ((r0[x0] + r0[x1]) + (r1[x0] + r1[x1]));
            }
        }
        if ((long)h * w < ParallelThreshold) for (int y = 0; y < oh; y++) Row(y);
        else Parallel.For(0, oh, Row);
        return output.MoveToOuterDisposeScope().DetachFromDisposeScope();
    }
}
