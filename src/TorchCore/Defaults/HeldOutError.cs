using SpatialSim.TorchCore.Smoothing;

namespace SpatialSim.TorchCore.Defaults;

/// <summary>
/// One gene's count-split held-out error at a σ (<see cref="CountSplitScale"/>), averaged over every binomial split of its
/// counts c (N = Σ c) in closed form:
/// <code>E(σ) = ¼ [ Σ (G*c − c)² + N (1 + 2 G(0) + Σ G²) ]</code>
/// (A ~ Binomial(c, ½) pixel by pixel: E[(G*A)²] = ¼ (G*c)² + ¼ Σ G² c, E[B_p A_p] = ¼ c_p (c_p − 1), E[B_p A_q] = ¼ c_p c_q).
/// The pairs of counts in one pixel, Σ c (c − 1), enter at their credible value (<see cref="SelfPairs"/>).
/// <para>
/// Evaluated on block sums b of a stride s: n = ⌈W/s⌉ blocks of s_x = W/n pixels along x (likewise y), so the blocks tile
/// the canvas and mode 'reflect' mirrors at its own edges. Written over pairs of counts, Σ c (G*c) sums G at their distances
/// and Σ (G*c)² sums G*G (variance 2σ²). On the blocks two distinct counts lie apart by their blocks' distance plus the
/// difference of their places in their blocks, of variance v = (s_x² − 1)/6 per axis (pixels uniform over s_x places), so:
/// </para>
/// <list type="bullet">
/// <item>Σ c (G*c) is Σ b (G′*b) with σ′² = (σ² − v) / s_x² per axis (grid units);</item>
/// <item>Σ (G*c)² is Σ (T*G′*b)², T a three-tap kernel of variance v / (2 s_x²), so that the squared kernel has 2σ² − v;</item>
/// <item>each count with itself, and the pairs in one pixel, lie at distance 0 exactly: their block-spread weights are taken
/// out and G(0), Σ G² of the pixels' own kernel put in.</item>
/// </list>
/// At s = 1 this is the exact sum on the pixels. Every term is in pixels (divided by s_x s_y).
/// </summary>
internal sealed class HeldOutError
{
    private readonly int[] _index;
    private readonly float[] _values;
    private readonly int _width, _height;
    private readonly double _total, _same, _observedSame;
    private int _stride = -1, _nx, _ny, _otherStride = -1, _otherNx, _otherNy;
    private float[] _blocks = [], _smooth = [], _otherBlocks = [], _otherSmooth = [];

    /// <param name="index">The gene's non-zero pixels (flat indices y·W + x).</param>
    /// <param name="values">Their counts.</param>
    /// <param name="width">Canvas width W.</param>
    /// <param name="height">Canvas height H.</param>
    /// <param name="total">N = Σ c.</param>
    /// <param name="same">Σ c (c − 1) at its credible value.</param>
    /// <param name="observedSame">Σ c (c − 1) as observed.</param>
    public HeldOutError(int[] index, float[] values, int width, int height, double total, double same, double observedSame)
    {
        (_index, _values, _width, _height, _total, _same, _observedSame) = (index, values, width, height, total, same, observedSame);
    }

    /// <summary>E(σ) evaluated on block sums of stride <paramref name="stride"/> (see the class remarks).</summary>
    public double At(double sigma, int stride)
    {
        Blocks(stride);
        double sx = (double)_width / _nx, sy = (double)_height / _ny;
        double vx = (sx * sx - 1) / 6, vy = (sy * sy - 1) / 6;
        double gx = Math.Sqrt(Math.Max(sigma * sigma - vx, 0)) / sx;
        double gy = Math.Sqrt(Math.Max(sigma * sigma - vy, 0)) / sy;
        double tx = vx / (2 * sx * sx), ty = vy / (2 * sy * sy);

        var smooth = _smooth;
        CpuGaussianBlur.Blur(_blocks, smooth, _nx, _ny, gx, gy, GaussianMethod.Auto, GaussianSmoothing.DefaultTruncate, 1);
        double cross = 0;
        for (int i = 0; i < smooth.Length; i++) cross += (double)_blocks[i] * smooth[i];
        ThreeTap(smooth, _nx, _ny, tx / 2, ty / 2);
        double squares = 0;
        foreach (float v in smooth) squares += (double)v * v;

        var kx = CpuGaussianBlur.Kernel1D(gx, GaussianSmoothing.DefaultTruncate);
        var ky = CpuGaussianBlur.Kernel1D(gy, GaussianSmoothing.DefaultTruncate);
        double gridCentre = kx[kx.Length / 2] * ky[ky.Length / 2];
        double gridEnergy = Energy(kx, tx / 2) * Energy(ky, ty / 2);
        var pixel = CpuGaussianBlur.Kernel1D(sigma, GaussianSmoothing.DefaultTruncate);
        double pixelCentre = pixel[pixel.Length / 2] * pixel[pixel.Length / 2];
        double pixelEnergy = Math.Pow(pixel.Sum(k => k * k), 2);

        double atZero = _total + _observedSame, area = sx * sy;
        squares = (squares - atZero * gridEnergy) / area + pixelEnergy * (_total + _same);
        cross = (cross - atZero * gridCentre) / area + pixelCentre * (_total + _same);
        return 0.25 * (squares - 2 * cross + _total * (2 * pixelCentre + pixelEnergy) + _same + _total + _total);
    }

    /// <summary>The block sums of this stride (the last two strides' are kept: the search alternates between two grids).</summary>
    private void Blocks(int stride)
    {
        if (stride == _stride) return;
        if (stride == _otherStride)
        {
            (_stride, _nx, _ny, _blocks, _smooth, _otherStride, _otherNx, _otherNy, _otherBlocks, _otherSmooth) =
                (_otherStride, _otherNx, _otherNy, _otherBlocks, _otherSmooth, _stride, _nx, _ny, _blocks, _smooth);
            return;
        }
        (_otherStride, _otherNx, _otherNy, _otherBlocks, _otherSmooth) = (_stride, _nx, _ny, _blocks, _smooth);
        int w = _width, h = _height;
        _nx = BlockSums.Blocks(w, stride);
        _ny = BlockSums.Blocks(h, stride);
        _blocks = new float[(long)_nx * _ny];
        _smooth = new float[_blocks.Length];
        for (int k = 0; k < _index.Length; k++)
        {
            int i = _index[k], y = i / w, x = i - y * w;
            _blocks[(long)y * _ny / h * _nx + (long)x * _nx / w] += _values[k];
        }
        _stride = stride;
    }

    /// <summary>Σ k² of the kernel k convolved with the three-tap kernel [a, 1 − 2a, a].</summary>
    private static double Energy(double[] kernel, double a)
    {
        if (a <= 0) return kernel.Sum(k => k * k);
        double sum = 0;
        for (int j = -1; j <= kernel.Length; j++)
        {
            double v = (1 - 2 * a) * At(kernel, j) + a * (At(kernel, j - 1) + At(kernel, j + 1));
            sum += v * v;
        }
        return sum;
    }

    private static double At(double[] kernel, int j) => j >= 0 && j < kernel.Length ? kernel[j] : 0;

    /// <summary>In place: [a, 1 − 2a, a] along x and [b, 1 − 2b, b] along y, mode 'reflect' (the edge pixel is its own neighbour).</summary>
    private static void ThreeTap(float[] image, int width, int height, double a, double b)
    {
        if (a > 0)
        {
            var row = new float[width];
            for (int y = 0; y < height; y++)
            {
                var span = image.AsSpan(y * width, width);
                span.CopyTo(row);
                for (int x = 0; x < width; x++)
                {
                    float left = row[Math.Max(x - 1, 0)], right = row[Math.Min(x + 1, width - 1)];
                    span[x] = (float)((1 - 2 * a) * row[x] + a * (left + right));
                }
            }
        }
        if (b > 0)
        {
            var above = new float[width];
            var current = new float[width];
            image.AsSpan(0, width).CopyTo(above);
            for (int y = 0; y < height; y++)
            {
                image.AsSpan(y * width, width).CopyTo(current);
                var below = image.AsSpan(Math.Min(y + 1, height - 1) * width, width);
                var target = image.AsSpan(y * width, width);
                for (int x = 0; x < width; x++) target[x] = (float)((1 - 2 * b) * current[x] + b * (above[x] + below[x]));
                (above, current) = (current, above);
            }
        }
    }
}
