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
    /// Vertical pass (along y): <c>dst[y] = Σ_j w[|j|]·src[reflect(y+j)]</c>; dst may be src. Needs r ≤ height.
    /// Each thread takes column tiles and walks down the reflect-extended column (extended row
    /// p = source row reflect(p − r)), keeping the last 2r+1 extended rows in a ring buffer small
    /// enough for L1. Every row is stored twice in the ring (slots s and s + 2r + 1), so the window
    /// of any output row is contiguous and the taps are plain strided SIMD loads.
    /// The ring holds copies: rows already overwritten in place are read from it, never from dst.
    /// </summary>
    public static void Vertical(float* src, float* dst, int width, int height, float* w, int r, int threads)
    {
        int window = 2 * r + 1;
        int maxTile = (int)Math.Clamp(RingBytes / (sizeof(float) * 2 * window) / TileQuantum * TileQuantum, TileQuantum, 4096);
        int tiles = Math.Max((width + maxTile - 1) / maxTile, Math.Min(threads * 4, (width + TileQuantum - 1) / TileQuantum));
        int tileWidth = ((width + tiles - 1) / tiles + TileQuantum - 1) / TileQuantum * TileQuantum;
        tiles = (width + tileWidth - 1) / tileWidth;
        nint s = (nint)src, d = (nint)dst, wp = (nint)w;
        ParallelRanges.For(tiles, threads, (t0, t1) =>
        {
            float* ring = (float*)NativeMemory.AlignedAlloc((nuint)(2 * window) * (nuint)tileWidth * sizeof(float), 64);
            try
            {
                for (int t = t0; t < t1; t++)
                    VerticalTile((float*)s, (float*)d, width, height, t * tileWidth, Math.Min(tileWidth, width - t * tileWidth),
                        (float*)wp, r, ring, tileWidth);
            }
            finally
            {
                NativeMemory.AlignedFree(ring);
            }
        });
    }

    /// <summary>Target size of the vertical pass's ring buffer: between L1 and L2 measured best.</summary>
    private const int RingBytes = 64 * 1024;

    /// <summary>Tile widths are multiples of this: four 512-bit vectors, the unrolled step of <see cref="Row"/>.</summary>
    private const int TileQuantum = 64;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void VerticalTile(float* src, float* dst, int width, int height, int x0, int columns, float* w, int r, float* ring, int stride)
    {
        int window = 2 * r + 1;
        for (int p = 0; p < height + 2 * r; p++)
        {
            // Extended row p reads source row q = reflect(p − r). Below the image (q ≥ height) that row
            // was itself extended row 2·height − 1 − (p − r) + r, still in the ring and maybe overwritten in dst.
            int q = p - r;
            float* from = q < 0 ? src + (long)(-q - 1) * width + x0
                : q < height ? src + (long)q * width + x0
                : ring + (long)((2 * height - 1 - q + r) % window) * stride;
            float* slot = ring + (long)(p % window) * stride;
            var row = new ReadOnlySpan<float>(from, columns);
            row.CopyTo(new Span<float>(slot, columns));
            row.CopyTo(new Span<float>(slot + (long)window * stride, columns));

            int y = p - 2 * r;
            if (y < 0) continue;
            float* center = ring + (long)(y % window + r) * stride;
            float* outRow = dst + (long)y * width + x0;
            switch (Simd.Best)
            {
                case SimdWidth.V512: Row<Simd512, Vector512<float>>(center, stride, w, r, outRow, 0, columns); break;
                case SimdWidth.V256: Row<Simd256, Vector256<float>>(center, stride, w, r, outRow, 0, columns); break;
                case SimdWidth.V128: Row<Simd128, Vector128<float>>(center, stride, w, r, outRow, 0, columns); break;
                default: Row<SimdScalar, float>(center, stride, w, r, outRow, 0, columns); break;
            }
        }
    }

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
                        case SimdWidth.V512: Row<Simd512, Vector512<float>>(padded + r, 1, (float*)wp, r, outRow, 0, width); break;
                        case SimdWidth.V256: Row<Simd256, Vector256<float>>(padded + r, 1, (float*)wp, r, outRow, 0, width); break;
                        case SimdWidth.V128: Row<Simd128, Vector128<float>>(padded + r, 1, (float*)wp, r, outRow, 0, width); break;
                        default: Row<SimdScalar, float>(padded + r, 1, (float*)wp, r, outRow, 0, width); break;
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
    /// Output columns [x0, x1) of one row: <c>dst[x] = w[0]·c[x] + Σ_j w[j]·(c[x − j·stride] + c[x + j·stride])</c>,
    /// with <c>c</c> = <paramref name="center"/>; stride 1 convolves along the row, stride = a row
    /// length convolves across rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row<TOps, TV>(float* center, nint stride, float* w, int r, float* dst, int x0, int x1)
        where TOps : struct, ISimdOps<TV> where TV : struct
    {
        int n = TOps.Count;
        int x = x0;
        for (; x <= x1 - 4 * n; x += 4 * n)
        {
            TV a0 = default, a1 = default, a2 = default, a3 = default;
            float* c = center + x;
            float* up = c - r * stride, down = c + r * stride;
            for (int j = r; j >= 1; j--, up += stride, down -= stride)
            {
                TV wj = TOps.Splat(w[j]);
                a0 = TOps.MultiplyAdd(wj, TOps.Add(TOps.Load(up), TOps.Load(down)), a0);
                a1 = TOps.MultiplyAdd(wj, TOps.Add(TOps.Load(up + n), TOps.Load(down + n)), a1);
                a2 = TOps.MultiplyAdd(wj, TOps.Add(TOps.Load(up + 2 * n), TOps.Load(down + 2 * n)), a2);
                a3 = TOps.MultiplyAdd(wj, TOps.Add(TOps.Load(up + 3 * n), TOps.Load(down + 3 * n)), a3);
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
            float* c = center + x;
            float* up = c - r * stride, down = c + r * stride;
            for (int j = r; j >= 1; j--, up += stride, down -= stride)
                a = TOps.MultiplyAdd(TOps.Splat(w[j]), TOps.Add(TOps.Load(up), TOps.Load(down)), a);
            TOps.Store(dst + x, TOps.MultiplyAdd(TOps.Splat(w[0]), TOps.Load(c), a));
        }
        if (n > 1 && x < x1)
            Row<SimdScalar, float>(center, stride, w, r, dst, x, x1);
    }
}
