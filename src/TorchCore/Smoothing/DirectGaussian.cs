using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SpatialSim.TorchCore.Smoothing;

/// <summary>
/// Direct separable convolution with a symmetric kernel, <c>w[0]</c> the centre tap and
/// <c>w[j] = w[-j]</c> for <c>j = 1..r</c>; each output is <c>w0·c + Σ_j wj·(left_j + right_j)</c>,
/// summed from the outermost (smallest) taps inwards, in float32.
/// </summary>
internal static unsafe class DirectGaussian
{
    /// <summary>
    /// Vertical pass (along y): <c>dst[y] = Σ_j w[|j|]·src[reflect(y+j)]</c>; dst may be src.
    /// Each thread takes column tiles and walks down the image keeping the 2r+1 input rows the
    /// current output row needs in a ring buffer (L2-sized); reads from it are SIMD across x.
    /// The ring holds copies, so rows overwritten in place are still available. Needs r ≤ height.
    /// </summary>
    public static void Vertical(float* src, float* dst, int width, int height, float* w, int r, int threads)
    {
        int window = 2 * r + 1;
        int maxTile = (int)Math.Clamp(RingBytes / (sizeof(float) * window) / 16 * 16, 16, 4096);
        int tiles = Math.Max((width + maxTile - 1) / maxTile, Math.Min(threads * 4, (width + 63) / 64));
        int tileWidth = ((width + tiles - 1) / tiles + 15) / 16 * 16;
        tiles = (width + tileWidth - 1) / tileWidth;
        nint s = (nint)src, d = (nint)dst, wp = (nint)w;
        ParallelRanges.For(tiles, threads, (t0, t1) =>
        {
            float* ring = (float*)NativeMemory.AlignedAlloc((nuint)window * (nuint)tileWidth * sizeof(float), 64);
            float** rows = (float**)NativeMemory.Alloc((nuint)window, (nuint)sizeof(float*));
            try
            {
                for (int t = t0; t < t1; t++)
                {
                    int x0 = t * tileWidth, columns = Math.Min(tileWidth, width - x0);
                    for (int y = 0; y < height + r; y++)
                    {
                        // Bring row y into the ring; once y ≥ r the window for output row y − r is complete.
                        if (y < height)
                            new ReadOnlySpan<float>((float*)s + (long)y * width + x0, columns)
                                .CopyTo(new Span<float>(ring + (long)(y % window) * tileWidth, columns));
                        int yo = y - r;
                        if (yo < 0) continue;
                        // Reflection keeps every row output row yo reads within [yo − r, yo + r] ∩ [0, height).
                        for (int j = -r; j <= r; j++)
                            rows[j + r] = ring + (long)(Reflect.Index(yo + j, height) % window) * tileWidth;
                        float* outRow = (float*)d + (long)yo * width + x0;
                        switch (Simd.Best)
                        {
                            case SimdWidth.V512: VerticalRow<Simd512, Vector512<float>>(rows + r, (float*)wp, r, outRow, 0, columns); break;
                            case SimdWidth.V256: VerticalRow<Simd256, Vector256<float>>(rows + r, (float*)wp, r, outRow, 0, columns); break;
                            case SimdWidth.V128: VerticalRow<Simd128, Vector128<float>>(rows + r, (float*)wp, r, outRow, 0, columns); break;
                            default: VerticalRow<SimdScalar, float>(rows + r, (float*)wp, r, outRow, 0, columns); break;
                        }
                    }
                }
            }
            finally
            {
                NativeMemory.Free(rows);
                NativeMemory.AlignedFree(ring);
            }
        });
    }

    /// <summary>Target size of the vertical pass's ring buffer: well inside L2.</summary>
    private const int RingBytes = 256 * 1024;

    /// <summary>Horizontal pass (along x) of each row through a reflect-padded copy of the row, SIMD across x; dst may be src.</summary>
    public static void Horizontal(float* src, float* dst, int width, int height, float* w, int r, int threads)
    {
        nint s = (nint)src, d = (nint)dst, wp = (nint)w;
        ParallelRanges.For(height, threads, (y0, y1) =>
        {
            float* padded = (float*)NativeMemory.AlignedAlloc((nuint)(width + 2 * r) * sizeof(float), 64);
            try
            {
                for (int y = y0; y < y1; y++)
                {
                    Reflect.PadRow((float*)s + (long)y * width, width, r, padded);
                    float* outRow = (float*)d + (long)y * width;
                    switch (Simd.Best)
                    {
                        case SimdWidth.V512: HorizontalRow<Simd512, Vector512<float>>(padded + r, (float*)wp, r, outRow, 0, width); break;
                        case SimdWidth.V256: HorizontalRow<Simd256, Vector256<float>>(padded + r, (float*)wp, r, outRow, 0, width); break;
                        case SimdWidth.V128: HorizontalRow<Simd128, Vector128<float>>(padded + r, (float*)wp, r, outRow, 0, width); break;
                        default: HorizontalRow<SimdScalar, float>(padded + r, (float*)wp, r, outRow, 0, width); break;
                    }
                }
            }
            finally
            {
                NativeMemory.AlignedFree(padded);
            }
        });
    }

    /// <summary>
    /// Output columns [x0, x1) of one row: <c>dst[x] = Σ_j w[|j|]·rows[j][x]</c>, where <c>rows[j]</c>
    /// (j = −r..r) points at the input row j rows away (already reflected).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void VerticalRow<TOps, TV>(float** rows, float* w, int r, float* dst, int x0, int x1)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        int n = TOps.Count;
        int x = x0;
        for (; x <= x1 - 4 * n; x += 4 * n)
        {
            TV a0 = default, a1 = default, a2 = default, a3 = default;
            for (int j = r; j >= 1; j--)
            {
                float* up = rows[-j] + x, down = rows[j] + x;
                TV wj = TOps.Splat(w[j]);
                a0 = TOps.MultiplyAdd(wj, TOps.Add(TOps.Load(up), TOps.Load(down)), a0);
                a1 = TOps.MultiplyAdd(wj, TOps.Add(TOps.Load(up + n), TOps.Load(down + n)), a1);
                a2 = TOps.MultiplyAdd(wj, TOps.Add(TOps.Load(up + 2 * n), TOps.Load(down + 2 * n)), a2);
                a3 = TOps.MultiplyAdd(wj, TOps.Add(TOps.Load(up + 3 * n), TOps.Load(down + 3 * n)), a3);
            }
            float* c = rows[0] + x;
            TV w0 = TOps.Splat(w[0]);
            TOps.Store(dst + x, TOps.MultiplyAdd(w0, TOps.Load(c), a0));
            TOps.Store(dst + x + n, TOps.MultiplyAdd(w0, TOps.Load(c + n), a1));
            TOps.Store(dst + x + 2 * n, TOps.MultiplyAdd(w0, TOps.Load(c + 2 * n), a2));
            TOps.Store(dst + x + 3 * n, TOps.MultiplyAdd(w0, TOps.Load(c + 3 * n), a3));
        }
        for (; x <= x1 - n; x += n)
        {
            TV a = default;
            for (int j = r; j >= 1; j--)
                a = TOps.MultiplyAdd(TOps.Splat(w[j]), TOps.Add(TOps.Load(rows[-j] + x), TOps.Load(rows[j] + x)), a);
            TOps.Store(dst + x, TOps.MultiplyAdd(TOps.Splat(w[0]), TOps.Load(rows[0] + x), a));
        }
        if (n > 1 && x < x1)
            VerticalRow<SimdScalar, float>(rows, w, r, dst, x, x1);
    }

    /// <summary>Output columns [x0, x1) of one row: <c>dst[x] = Σ_j w[|j|]·padded[x+j]</c>, <c>padded[-r..width+r)</c> valid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HorizontalRow<TOps, TV>(float* padded, float* w, int r, float* dst, int x0, int x1)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        int n = TOps.Count;
        int x = x0;
        for (; x <= x1 - 4 * n; x += 4 * n)
        {
            TV a0 = default, a1 = default, a2 = default, a3 = default;
            float* c = padded + x;
            for (int j = r; j >= 1; j--)
            {
                TV wj = TOps.Splat(w[j]);
                a0 = TOps.MultiplyAdd(wj, TOps.Add(TOps.Load(c - j), TOps.Load(c + j)), a0);
                a1 = TOps.MultiplyAdd(wj, TOps.Add(TOps.Load(c + n - j), TOps.Load(c + n + j)), a1);
                a2 = TOps.MultiplyAdd(wj, TOps.Add(TOps.Load(c + 2 * n - j), TOps.Load(c + 2 * n + j)), a2);
                a3 = TOps.MultiplyAdd(wj, TOps.Add(TOps.Load(c + 3 * n - j), TOps.Load(c + 3 * n + j)), a3);
            }
            TV w0 = TOps.Splat(w[0]);
            TOps.Store(dst + x, TOps.MultiplyAdd(w0, TOps.Load(c), a0));
            TOps.Store(dst + x + n, TOps.MultiplyAdd(w0, TOps.Load(c + n), a1));
            TOps.Store(dst + x + 2 * n, TOps.MultiplyAdd(w0, TOps.Load(c + 2 * n), a2));
            TOps.Store(dst + x + 3 * n, TOps.MultiplyAdd(w0, TOps.Load(c + 3 * n), a3));
        }
        for (; x <= x1 - n; x += n)
        {
            TV a = default;
            float* c = padded + x;
            for (int j = r; j >= 1; j--)
                a = TOps.MultiplyAdd(TOps.Splat(w[j]), TOps.Add(TOps.Load(c - j), TOps.Load(c + j)), a);
            TOps.Store(dst + x, TOps.MultiplyAdd(TOps.Splat(w[0]), TOps.Load(c), a));
        }
        if (n > 1 && x < x1)
            HorizontalRow<SimdScalar, float>(padded, w, r, dst, x, x1);
    }
}
