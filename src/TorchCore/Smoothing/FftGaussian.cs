using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SpatialSim.TorchCore.Smoothing;

/// <summary>
/// Separable convolution by overlap-save FFT (<see cref="FftPlan"/>). A thread copies a group of
/// 2·lanes lines (neighbouring columns for the vertical pass, neighbouring rows for the
/// horizontal pass), reflect-extended by r at both ends, into a line buffer with one element per
/// position; then cuts it into blocks of <c>Step</c> outputs: a block's transform input runs from
/// r before the block to r after it, and the first and last r outputs of the circular
/// convolution are discarded. Since the lines are copied first, dst may be src (in place).
/// </summary>
internal static unsafe class FftGaussian
{
    /// <summary>Vertical pass (along y), 2·lanes neighbouring columns per transform.</summary>
    public static void Vertical(float* src, float* dst, int width, int height, double[] kernel, int threads)
    {
        var plan = new FftPlan(kernel, FftPlan.ChooseSize(height, kernel.Length / 2, Simd.Lanes));
        int group = 2 * Simd.Lanes;
        nint s = (nint)src, d = (nint)dst;
        ParallelRanges.For((width + group - 1) / group, threads, (g0, g1) =>
        {
            float* line = AllocBuffer(height + 2 * plan.Radius, group);
            float* work = AllocBuffer(plan.Size, group);
            try
            {
                for (int g = g0; g < g1; g++)
                {
                    switch (Simd.Best)
                    {
                        case SimdWidth.V512: VerticalStrip<Simd512, Vector512<float>>((float*)s, (float*)d, width, height, g * group, plan, line, work); break;
                        case SimdWidth.V256: VerticalStrip<Simd256, Vector256<float>>((float*)s, (float*)d, width, height, g * group, plan, line, work); break;
                        case SimdWidth.V128: VerticalStrip<Simd128, Vector128<float>>((float*)s, (float*)d, width, height, g * group, plan, line, work); break;
                        default: VerticalStrip<SimdScalar, float>((float*)s, (float*)d, width, height, g * group, plan, line, work); break;
                    }
                }
            }
            finally
            {
                NativeMemory.AlignedFree(work);
                NativeMemory.AlignedFree(line);
            }
        });
    }

    /// <summary>Horizontal pass (along x), 2·lanes neighbouring rows per transform.</summary>
    public static void Horizontal(float* src, float* dst, int width, int height, double[] kernel, int threads)
    {
        var plan = new FftPlan(kernel, FftPlan.ChooseSize(width, kernel.Length / 2, Simd.Lanes));
        int group = 2 * Simd.Lanes;
        nint s = (nint)src, d = (nint)dst;
        ParallelRanges.For((height + group - 1) / group, threads, (g0, g1) =>
        {
            float* line = AllocBuffer(width + 2 * plan.Radius, group);
            float* work = AllocBuffer(plan.Size, group);
            try
            {
                for (int g = g0; g < g1; g++)
                {
                    switch (Simd.Best)
                    {
                        case SimdWidth.V512: HorizontalGroup<Simd512, Vector512<float>>((float*)s, (float*)d, width, height, g * group, plan, line, work); break;
                        case SimdWidth.V256: HorizontalGroup<Simd256, Vector256<float>>((float*)s, (float*)d, width, height, g * group, plan, line, work); break;
                        case SimdWidth.V128: HorizontalGroup<Simd128, Vector128<float>>((float*)s, (float*)d, width, height, g * group, plan, line, work); break;
                        default: HorizontalGroup<SimdScalar, float>((float*)s, (float*)d, width, height, g * group, plan, line, work); break;
                    }
                }
            }
            finally
            {
                NativeMemory.AlignedFree(work);
                NativeMemory.AlignedFree(line);
            }
        });
    }

    /// <summary>Positions handled together when transposing, so that both sides stay in cache lines already loaded.</summary>
    private const int TransposeChunk = 16;

    private static float* AllocBuffer(int elements, int group)
        => (float*)NativeMemory.AlignedAlloc((nuint)elements * (nuint)group * sizeof(float), 64);

    /// <summary>Columns [x, x + 2·lanes) of the vertical pass; columns past the image edge are zero-filled and dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void VerticalStrip<TOps, TV>(float* src, float* dst, int width, int height, int x, FftPlan plan, float* line, float* work)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        int n = TOps.Count, group = 2 * n, r = plan.Radius;
        int columns = Math.Min(group, width - x);
        for (int p = 0; p < height + 2 * r; p++)
        {
            float* row = src + (long)Reflect.Index(p - r, height) * width + x;
            float* e = line + (long)p * group;
            if (columns == group)
            {
                TOps.Store(e, TOps.Load(row));
                TOps.Store(e + n, TOps.Load(row + n));
            }
            else
            {
                for (int c = 0; c < columns; c++) e[c] = row[c];
                for (int c = columns; c < group; c++) e[c] = 0;
            }
        }
        for (int start = 0; start < height; start += plan.Step)
        {
            ConvolveBlock<TOps, TV>(plan, line, height + 2 * r, start, work);
            int count = Math.Min(plan.Step, height - start);
            for (int i = 0; i < count; i++)
            {
                float* e = work + (long)(r + i) * group;
                float* row = dst + (long)(start + i) * width + x;
                if (columns == group)
                {
                    TOps.Store(row, TOps.Load(e));
                    TOps.Store(row + n, TOps.Load(e + n));
                }
                else
                {
                    for (int c = 0; c < columns; c++) row[c] = e[c];
                }
            }
        }
    }

    /// <summary>Rows [y, y + 2·lanes) of the horizontal pass; rows past the image edge are zero-filled and dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HorizontalGroup<TOps, TV>(float* src, float* dst, int width, int height, int y, FftPlan plan, float* line, float* work)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        int group = 2 * TOps.Count, r = plan.Radius;
        int rows = Math.Min(group, height - y), length = width + 2 * r;
        // Line buffer element p, lane l = row y + l at x = reflect(p − r): transposed 4 × 4 at a time inside the image.
        for (int p0 = 0; p0 < length; p0 += TransposeChunk)
        {
            int p1 = Math.Min(p0 + TransposeChunk, length);
            for (int l0 = 0; l0 < group; l0 += 4)
            {
                for (int p = p0; p < p1;)
                {
                    if (l0 + 4 <= rows && p + 4 <= p1 && p >= r && p + 4 <= width + r)
                    {
                        Transpose.Block4x4(src + (long)(y + l0) * width + (p - r), width, line + (long)p * group + l0, group);
                        p += 4;
                        continue;
                    }
                    for (int l = l0; l < Math.Min(l0 + 4, group); l++)
                        line[(long)p * group + l] = l < rows ? src[(long)(y + l) * width + Reflect.Index(p - r, width)] : 0;
                    p++;
                }
            }
        }
        for (int start = 0; start < width; start += plan.Step)
        {
            ConvolveBlock<TOps, TV>(plan, line, length, start, work);
            int count = Math.Min(plan.Step, width - start);
            for (int i0 = 0; i0 < count; i0 += TransposeChunk)
            {
                int i1 = Math.Min(i0 + TransposeChunk, count);
                for (int l0 = 0; l0 < rows; l0 += 4)
                {
                    for (int i = i0; i < i1;)
                    {
                        float* e = work + (long)(r + i) * group;
                        float* row = dst + (long)(y + l0) * width + start + i;
                        if (l0 + 4 <= rows && i + 4 <= i1)
                        {
                            Transpose.Block4x4(e + l0, group, row, width);
                            i += 4;
                            continue;
                        }
                        for (int l = l0; l < Math.Min(l0 + 4, rows); l++)
                            row[(long)(l - l0) * width] = e[l];
                        i++;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Copies elements [start, start + Size) of the line buffer (zeros past its end: they only
    /// reach discarded outputs) into <paramref name="work"/> and convolves them there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConvolveBlock<TOps, TV>(FftPlan plan, float* line, int length, int start, float* work)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        int group = 2 * TOps.Count;
        int available = Math.Min(plan.Size, length - start);
        long copied = (long)available * group;
        Buffer.MemoryCopy(line + (long)start * group, work, copied * sizeof(float), copied * sizeof(float));
        new Span<float>(work + copied, (plan.Size - available) * group).Clear();
        plan.Convolve<TOps, TV>(work);
    }
}
