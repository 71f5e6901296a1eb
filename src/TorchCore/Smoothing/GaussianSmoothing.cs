using SpatialSim.TorchCore.Devices;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Smoothing;

/// <summary>
/// Gaussian smoothing of rasters with scipy.ndimage.gaussian_filter's conventions (mode 'reflect',
/// truncate 4σ unless told otherwise, normalised truncated kernel). On CPU it runs our own vectorised kernels
/// (<see cref="CpuGaussianBlur"/>): libtorch's conv2d is several times slower than scipy for
/// one-channel images with long 1-D kernels. On CUDA it is two cuDNN 1-D convolutions.
/// </summary>
public static class GaussianSmoothing
{
    public static double DefaultTruncate => 4.0;

    public static void CheckSigma(double sigma)
    {
        if (double.IsNaN(sigma) || double.IsInfinity(sigma) || sigma < 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"Sigma must be a finite number ≥ 0 (pixels), got {sigma}.");
    }

    /// <summary>Returns a new raster: the input blurred with a Gaussian of standard deviation <paramref name="sigma"/> pixels.</summary>
    public static GeneRaster Smooth(GeneRaster raster, double sigma, GaussianMethod method = GaussianMethod.Auto)
    {
        CheckSigma(sigma);
        var blurred = Blur(raster.Values, raster.Device, sigma, method);
        return raster.With(blurred, $"gaussian σ={sigma:g4}");
    }

    /// <summary>Blurs a [H, W] float32 tensor; returns a new tensor the caller owns (not in any dispose scope).</summary>
    /// <param name="image">[H, W] float32 on <paramref name="device"/>.</param>
    /// <param name="device">Where the image lives: our SIMD kernels on CPU, convolutions elsewhere.</param>
    /// <param name="sigma">Standard deviation in pixels, ≥ 0.</param>
    /// <param name="method">CPU only: direct, FFT, or chosen by cost.</param>
    /// <param name="truncate">Kernel radius in standard deviations, scipy's rule r = (int)(truncate·σ + 0.5); default 4
    /// (scipy's); SSIM uses 3.5 (scikit-image's 11-tap window at σ = 1.5).</param>
    public static Tensor Blur(Tensor image, ComputeDevice device, double sigma, GaussianMethod method = GaussianMethod.Auto, double truncate = 4.0)
    {
        CheckSigma(sigma);
        int h = (int)image.shape[0], w = (int)image.shape[1];
        if (device.IsCpu)
        {
            var output = TensorMemory.EmptyFloat32(h, w);
            using var contiguous = image.contiguous();
            CpuGaussianBlur.Blur(TensorMemory.AsFloatSpan(contiguous), TensorMemory.AsFloatSpan(output), w, h, sigma, method, truncate);
            return output;
        }
        using var scope = torch.NewDisposeScope();
        return BlurWithConvolution(image, sigma, truncate).MoveToOuterDisposeScope().DetachFromDisposeScope();
    }

    /// <summary>
    /// The CUDA path: scipy 'reflect' padding (half-sample symmetric, by an index map) and two 1-D cuDNN convolutions.
    /// Returns a tensor in the current dispose scope.
    /// </summary>
    internal static Tensor BlurWithConvolution(Tensor image, double sigma, double truncate = 4.0)
    {
        if (sigma == 0) return image.clone();
        double[] k = CpuGaussianBlur.Kernel1D(sigma, truncate);
        int r = k.Length / 2;
        var kernel = torch.tensor(k.Select(v => (float)v).ToArray(), ScalarType.Float32, image.device);
        var x = image.unsqueeze(0).unsqueeze(0);
        x = SymmetricPad(x, r, dim: 2);
        x = nn.functional.conv2d(x, kernel.view(1, 1, -1, 1));
        x = SymmetricPad(x, r, dim: 3);
        x = nn.functional.conv2d(x, kernel.view(1, 1, 1, -1));
        return x.squeeze(0).squeeze(0).contiguous();
    }

    /// <summary>Half-sample symmetric padding along one dimension, repeated when the pad exceeds the length (scipy 'reflect').</summary>
    private static Tensor SymmetricPad(Tensor x, int pad, int dim)
    {
        long n = x.shape[dim];
        // Index map for scipy 'reflect': period 2n, i -> i mod 2n, then mirror the upper half.
        var idx = torch.arange(-pad, n + pad, ScalarType.Int64, x.device);
        var m = torch.remainder(idx, 2 * n);
        m = torch.where(m >= n, 2 * n - 1 - m, m);
        return x.index_select(dim, m);
    }
}
