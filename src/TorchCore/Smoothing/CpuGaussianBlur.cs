namespace SpatialSim.TorchCore.Smoothing;

/// <summary>
/// 2-D Gaussian blur of a float32 image on the CPU, with the conventions of
/// <c>scipy.ndimage.gaussian_filter(image, sigma, mode='reflect', truncate=truncate)</c>:
/// <list type="bullet">
/// <item>separable: the 1-D kernel is applied along y (axis 0), then along x (axis 1), each pass rounded to float32;</item>
/// <item>kernel <c>k[j] = exp(−j²/(2σ²)) / Σ_i exp(−i²/(2σ²))</c> for <c>j = −r..r</c>, radius <c>r = (int)(truncate·σ + 0.5)</c>;</item>
/// <item>mode 'reflect' (half-sample symmetric, <c>d c b a | a b c d | d c b a</c>), repeated as often as the radius needs;</item>
/// <item>σ ≤ 1e-15 (scipy's threshold), or a radius of 0, copies the image.</item>
/// </list>
/// Results agree with scipy (which sums in float64) to about 1e-6 of the largest |input|.
/// </summary>
/// <remarks>
/// Methods: <see cref="GaussianMethod.Direct"/> costs about r+1 multiply-adds per pixel and pass;
/// <see cref="GaussianMethod.Fft"/> (overlap-save) costs about log2 of the transform length, whatever
/// the radius. <see cref="GaussianMethod.Auto"/> picks per pass by an estimated cost calibrated on a
/// 2-core AVX-512 machine: both passes use Direct up to a radius of 16 (σ ≤ 4 with truncate 4) and
/// FFT from a radius of 20 (σ ≥ 5) on. That is the measured crossover on 10000² images; on 2048²
/// images the measured one is nearer a radius of 32, but there either method takes milliseconds.
/// Memory: no image-sized temporary; per thread, a few hundred KB (Direct) or about
/// (max(width, height) + 2r) × 32 floats (Fft).
/// </remarks>
public static unsafe class CpuGaussianBlur
{
    /// <summary>scipy.ndimage.gaussian_filter skips axes whose sigma is not above this.</summary>
    private const double SigmaEpsilon = 1e-15;

    /// <summary>
    /// Blurs <paramref name="input"/> into <paramref name="output"/> (both row-major, <c>[y·width + x]</c>,
    /// exactly width·height long). They may be the same span (in place).
    /// </summary>
    /// <param name="input">Image to blur.</param>
    /// <param name="output">Receives the blurred image; may be <paramref name="input"/> itself.</param>
    /// <param name="width">Columns (x), &gt; 0.</param>
    /// <param name="height">Rows (y), &gt; 0.</param>
    /// <param name="sigma">Standard deviation in pixels, ≥ 0.</param>
    /// <param name="method">How to compute; all give the same result up to float rounding.</param>
    /// <param name="truncate">Radius in standard deviations, as in scipy (default 4).</param>
    /// <param name="maxDegreeOfParallelism">Threads to use; ≤ 0 means one per processor.</param>
    public static void Blur(ReadOnlySpan<float> input, Span<float> output, int width, int height, double sigma,
        GaussianMethod method = GaussianMethod.Auto, double truncate = 4.0, int maxDegreeOfParallelism = -1) =>
        Blur(input, output, width, height, sigma, sigma, method, truncate, maxDegreeOfParallelism);

    /// <summary>
    /// As <see cref="Blur(ReadOnlySpan{float}, Span{float}, int, int, double, GaussianMethod, double, int)"/>, with a
    /// standard deviation of <paramref name="sigmaX"/> pixels along x and <paramref name="sigmaY"/> along y
    /// (scipy's <c>gaussian_filter(image, sigma=(sigmaY, sigmaX), mode='reflect')</c>).
    /// </summary>
    public static void Blur(ReadOnlySpan<float> input, Span<float> output, int width, int height, double sigmaX, double sigmaY,
        GaussianMethod method = GaussianMethod.Auto, double truncate = 4.0, int maxDegreeOfParallelism = -1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        long pixels = (long)width * height;
        if (input.Length != pixels)
            throw new ArgumentException($"Input holds {input.Length} values, expected {width}×{height}.", nameof(input));
        if (output.Length != pixels)
            throw new ArgumentException($"Output holds {output.Length} values, expected {width}×{height}.", nameof(output));
        if (method is not (GaussianMethod.Auto or GaussianMethod.Direct or GaussianMethod.Fft))
            throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown Gaussian method.");
        int radiusX = Radius(sigmaX, truncate), radiusY = Radius(sigmaY, truncate);
        bool alongX = sigmaX > SigmaEpsilon && radiusX > 0, alongY = sigmaY > SigmaEpsilon && radiusY > 0;
        if (!alongY) input.CopyTo(output);
        if (!alongX && !alongY) return;

        int threads = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        if (pixels < 1 << 15) threads = 1;

        // Pass 1 (along y) reads input and writes output; pass 2 (along x) works in place on output.
        // Both passes copy what they read into per-thread buffers first, so input may be output.
        fixed (float* src = input)
        fixed (float* dst = output)
        {
            if (alongY)
            {
                double[] vertical = FoldedKernel(sigmaY, radiusY, height);
                if (UseFft(method, vertical, height, alongX: false))
                    FftGaussian.Vertical(src, dst, width, height, vertical, threads);
                else
                    Direct(DirectGaussian.Vertical, src, dst, width, height, vertical, threads);
            }
            if (alongX)
            {
                double[] horizontal = FoldedKernel(sigmaX, radiusX, width);
                if (UseFft(method, horizontal, width, alongX: true))
                    FftGaussian.Horizontal(dst, dst, width, height, horizontal, threads);
                else
                    Direct(DirectGaussian.Horizontal, dst, dst, width, height, horizontal, threads);
            }
        }
    }

    /// <summary>
    /// The second pass of <see cref="Blur(ReadOnlySpan{float}, Span{float}, int, int, double, GaussianMethod, double, int)"/> alone: each of <paramref name="rows"/> rows of <paramref name="input"/>
    /// blurred along x (mode 'reflect' at the row ends), into <paramref name="output"/> (may be the same span).
    /// With a first pass along y done elsewhere (e.g. from sparse pixels), the result equals that method's.
    /// </summary>
    public static void BlurAlongX(ReadOnlySpan<float> input, Span<float> output, int width, int rows, double sigma,
        GaussianMethod method = GaussianMethod.Auto, double truncate = 4.0, int maxDegreeOfParallelism = -1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        long pixels = (long)width * rows;
        if (input.Length != pixels || output.Length != pixels)
            throw new ArgumentException($"Input and output must hold {width}×{rows} values.");
        int radius = Radius(sigma, truncate);
        if (sigma <= SigmaEpsilon || radius == 0)
        {
            input.CopyTo(output);
            return;
        }
        int threads = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        if (pixels < 1 << 15) threads = 1;
        double[] horizontal = FoldedKernel(sigma, radius, width);
        fixed (float* src = input)
        fixed (float* dst = output)
        {
            if (UseFft(method, horizontal, width, alongX: true))
                FftGaussian.Horizontal(src, dst, width, rows, horizontal, threads);
            else
                Direct(DirectGaussian.Horizontal, src, dst, width, rows, horizontal, threads);
        }
    }

    /// <summary>
    /// The normalised 1-D Gaussian kernel <c>k[−r..r]</c> (index j + r), r = (int)(truncate·σ + 0.5),
    /// exactly as scipy.ndimage builds it. σ = 0 gives the identity kernel {1}.
    /// </summary>
    public static double[] Kernel1D(double sigma, double truncate = 4.0) => Kernel(sigma, Radius(sigma, truncate));

    private static double[] Kernel(double sigma, int radius)
    {
        var kernel = new double[2 * radius + 1];
        if (radius == 0)
        {
            kernel[0] = 1;
            return kernel;
        }
        double sum = 0;
        for (int j = -radius; j <= radius; j++)
            sum += kernel[j + radius] = Weight(j, sigma);
        for (int j = 0; j < kernel.Length; j++)
            kernel[j] /= sum;
        return kernel;
    }

    /// <summary>scipy's radius, <c>int(truncate·σ + 0.5)</c>, after checking both arguments.</summary>
    internal static int Radius(double sigma, double truncate)
    {
        if (!(sigma >= 0))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "Sigma must be a number ≥ 0.");
        if (!(truncate >= 0) || double.IsPositiveInfinity(truncate))
            throw new ArgumentOutOfRangeException(nameof(truncate), truncate, "Truncate must be a finite number ≥ 0.");
        double radius = truncate * sigma + 0.5;
        if (!(radius < int.MaxValue / 2))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "Sigma × truncate is too large.");
        return (int)radius;
    }

    /// <summary>Unnormalised weight of tap j, written as scipy writes it: exp(−0.5/σ² · j²).</summary>
    private static double Weight(int j, double sigma) => Math.Exp(-0.5 / (sigma * sigma) * ((double)j * j));

    /// <summary>
    /// The kernel for a line of <paramref name="length"/> samples. Reflection makes the extended line
    /// periodic with period 2·length, so when the radius exceeds the length, taps j and j' with
    /// j ≡ j' (mod 2·length) read the same sample and are summed into one: the result is an
    /// equivalent symmetric kernel of radius at most <paramref name="length"/> (the tap at ±length,
    /// one residue class, is split evenly between its two ends).
    /// </summary>
    private static double[] FoldedKernel(double sigma, int radius, int length)
    {
        if (radius <= length) return Kernel(sigma, radius);
        int period = 2 * length;
        var folded = new double[period];
        double sum = 0;
        for (int j = -radius; j <= radius; j++)
        {
            double w = Weight(j, sigma);
            sum += w;
            folded[((j % period) + period) % period] += w;
        }
        var kernel = new double[period + 1];
        kernel[length] = folded[0] / sum;
        for (int u = 1; u < length; u++)
            kernel[length + u] = kernel[length - u] = folded[u] / sum;
        kernel[0] = kernel[period] = folded[length] / 2 / sum;
        return kernel;
    }

    /// <summary>
    /// Auto's choice for one pass, by a cost model in seconds per 10⁸ pixels fitted to timings of
    /// each pass on a 10000² image (2-core AVX-512 EPYC, 2 threads): the direct pass grows linearly
    /// with the radius; the FFT pass is proportional to <see cref="FftPlan.Cost"/> per pixel.
    /// </summary>
    private static bool UseFft(GaussianMethod method, double[] kernel, int length, bool alongX)
    {
        if (method != GaussianMethod.Auto) return method == GaussianMethod.Fft;
        int r = kernel.Length / 2;
        double direct = alongX ? 0.016 + 0.0020 * r : 0.020 + 0.0028 * r;
        double fftUnits = FftPlan.Cost(length, r, FftPlan.ChooseSize(length, r, Simd.Lanes), Simd.Lanes) / length;
        double fft = (alongX ? 0.0036 : 0.0047) * fftUnits;
        return fft < direct;
    }

    private delegate void DirectPass(float* src, float* dst, int width, int height, float* weights, int radius, int threads);

    private static void Direct(DirectPass pass, float* src, float* dst, int width, int height, double[] kernel, int threads)
    {
        int r = kernel.Length / 2;
        var weights = new float[r + 1];
        for (int j = 0; j <= r; j++) weights[j] = (float)kernel[r + j];
        fixed (float* w = weights)
            pass(src, dst, width, height, w, r, threads);
    }
}
