using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SpatialSim.TorchCore.Smoothing;

/// <summary>
/// Separable convolution by overlap-save FFT (<see cref="FftPlan"/>): each line is cut into
/// blocks of <c>Step</c> outputs; a block's transform input is the reflect-extended line from
/// r before the block to r after it, and the first and last r outputs of the circular
/// convolution are discarded. Lanes of the batched transform are neighbouring columns
/// (vertical pass) or neighbouring rows (horizontal pass).
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
            float* buffer = AllocBuffer(plan.Size, group);
            try
            {
                for (int g = g0; g < g1; g++)
                {
                    switch (Simd.Best)
                    {
                        case SimdWidth.V512: VerticalStrip<Simd512, Vector512<float>>((float*)s, (float*)d, width, height, g * group, plan, buffer); break;
                        case SimdWidth.V256: VerticalStrip<Simd256, Vector256<float>>((float*)s, (float*)d, width, height, g * group, plan, buffer); break;
                        case SimdWidth.V128: VerticalStrip<Simd128, Vector128<float>>((float*)s, (float*)d, width, height, g * group, plan, buffer); break;
                        default: VerticalStrip<SimdScalar, float>((float*)s, (float*)d, width, height, g * group, plan, buffer); break;
                    }
                }
            }
            finally
            {
                NativeMemory.AlignedFree(buffer);
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
            float* buffer = AllocBuffer(plan.Size, group);
            try
            {
                for (int g = g0; g < g1; g++)
                {
                    switch (Simd.Best)
                    {
                        case SimdWidth.V512: HorizontalGroup<Simd512, Vector512<float>>((float*)s, (float*)d, width, height, g * group, plan, buffer); break;
                        case SimdWidth.V256: HorizontalGroup<Simd256, Vector256<float>>((float*)s, (float*)d, width, height, g * group, plan, buffer); break;
                        case SimdWidth.V128: HorizontalGroup<Simd128, Vector128<float>>((float*)s, (float*)d, width, height, g * group, plan, buffer); break;
                        default: HorizontalGroup<SimdScalar, float>((float*)s, (float*)d, width, height, g * group, plan, buffer); break;
                    }
                }
            }
            finally
            {
                NativeMemory.AlignedFree(buffer);
            }
        });
    }

    private static float* AllocBuffer(int size, int group)
        => (float*)NativeMemory.AlignedAlloc((nuint)size * (nuint)group * sizeof(float), 64);

    /// <summary>Columns [x, x + 2·lanes) of the vertical pass; columns past the image edge are zero-filled and dropped.</summary>
    private static void VerticalStrip<TOps, TV>(float* src, float* dst, int width, int height, int x, FftPlan plan, float* buffer)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        int n = TOps.Count, group = 2 * n;
        int size = plan.Size, r = plan.Radius, step = plan.Step;
        int columns = Math.Min(group, width - x);
        for (int start = 0; start < height; start += step)
        {
            for (int t = 0; t < size; t++)
            {
                float* row = src + (long)Reflect.Index(start - r + t, height) * width + x;
                float* e = buffer + (long)t * group;
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
            plan.Convolve<TOps, TV>(buffer);
            int count = Math.Min(step, height - start);
            for (int i = 0; i < count; i++)
            {
                float* e = buffer + (long)(r + i) * group;
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
    private static void HorizontalGroup<TOps, TV>(float* src, float* dst, int width, int height, int y, FftPlan plan, float* buffer)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        int group = 2 * TOps.Count;
        int size = plan.Size, r = plan.Radius, step = plan.Step;
        int rows = Math.Min(group, height - y);
        for (int start = 0; start < width; start += step)
        {
            int first = start - r;
            bool inside = first >= 0 && first + size <= width;
            for (int l = 0; l < group; l++)
            {
                float* e = buffer + l;
                if (l >= rows)
                {
                    for (int t = 0; t < size; t++) e[(long)t * group] = 0;
                    continue;
                }
                float* row = src + (long)(y + l) * width;
                if (inside)
                {
                    float* p = row + first;
                    for (int t = 0; t < size; t++) e[(long)t * group] = p[t];
                }
                else
                {
                    for (int t = 0; t < size; t++) e[(long)t * group] = row[Reflect.Index(first + t, width)];
                }
            }
            plan.Convolve<TOps, TV>(buffer);
            int count = Math.Min(step, width - start);
            for (int l = 0; l < rows; l++)
            {
                float* e = buffer + (long)r * group + l;
                float* row = dst + (long)(y + l) * width + start;
                for (int i = 0; i < count; i++) row[i] = e[(long)i * group];
            }
        }
    }
}
