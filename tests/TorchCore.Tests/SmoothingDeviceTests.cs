using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// The CUDA smoothing path (reflect padding + two 1-D convolutions) cannot run here; its logic is checked by
/// running it on CPU tensors against our CPU kernel. Also checks the tensor-level dispatcher.
/// </summary>
public class SmoothingDeviceTests
{
    private static float[] RandomImage(int w, int h, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, w * h).Select(_ => rng.NextDouble() < 0.1 ? (float)rng.Next(1, 9) : 0f).ToArray();
    }

    [Theory]
    [InlineData(23, 17, 1.0, 4.0)]
    [InlineData(23, 17, 3.0, 4.0)]
    [InlineData(5, 3, 4.0, 4.0)]
    [InlineData(23, 17, 1.5, 3.5)] // the SSIM window: 11 taps
    [InlineData(9, 7, 3.0, 3.5)]
    public void ConvolutionPathEqualsCpuKernel(int w, int h, double sigma, double truncate)
    {
        var pixels = RandomImage(w, h, 7);
        var expected = new float[w * h];
        CpuGaussianBlur.Blur(pixels, expected, w, h, sigma, GaussianMethod.Direct, truncate);
        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var image = torch.tensor(pixels, new long[] { h, w });
        var blurred = GaussianSmoothing.BlurWithConvolution(image, sigma, truncate).data<float>().ToArray();
        float max = pixels.Max();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - blurred[i]) <= 1e-5 * max, $"pixel {i}: {expected[i]} vs {blurred[i]}");
    }

    [Fact]
    public void SmoothReturnsANewRasterAndKeepsTheInput()
    {
        var pixels = RandomImage(40, 30, 3);
        using var raster = GeneRaster.FromPlane(new RasterPlane("g", 40, 30, pixels, "t"), 1, ComputeDevice.Cpu);
        using var smooth = GaussianSmoothing.Smooth(raster, 2.0);
        Assert.Equal(pixels, raster.ToArray());
        Assert.NotEqual(pixels, smooth.ToArray());
        Assert.Equal(raster.Total, smooth.Total, 2);
        Assert.Contains("σ=2", smooth.Processing);
    }

    [Fact]
    public void NegativeSigmaIsRefused()
    {
        using var raster = GeneRaster.FromPlane(new RasterPlane("g", 4, 4, new float[16], "t"), 1, ComputeDevice.Cpu);
        var e = Assert.Throws<SpatialSimException>(() => GaussianSmoothing.Smooth(raster, -1));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public void CudaWhereThereIsNoneIsAClearError()
    {
        if (TorchRuntime.CudaAvailable) return;
        var e = Assert.Throws<SpatialSimException>(() => ComputeDevice.Resolve(DeviceKind.Cuda));
        Assert.Equal(ErrorKind.ResourceUnavailable, e.Kind);
        Assert.Contains("-Device Cpu", e.Message);
    }
}
