namespace SpatialSim.TorchCore.Devices;

/// <summary>What runs where for one kind of work (Get-SpatialSimDevice's ComputePaths; the README says the same).</summary>
/// <param name="Work">The computation and the measures that use it.</param>
/// <param name="Cpu">What computes it on the CPU.</param>
/// <param name="Cuda">What computes it for rasters on CUDA.</param>
public sealed record ComputePath(string Work, string Cpu, string Cuda)
{
    private const string OwnKernels = "SpatialSim's own vectorised, multi-threaded kernels";
    private const string CudaBranch = "(a CUDA branch: built against TorchSharp-cpu, run on CPU tensors by the tests, never on a GPU here)";
    private const string CpuOnly = "the CPU kernels (CUDA rasters are copied to the CPU)";

    /// <summary>Every kind of work, in the order the README lists them.</summary>
    public static IReadOnlyList<ComputePath> All { get; } = new ComputePath[]
    {
        new("Gaussian blur (SmoothedPearson, RoiPearson, JensenShannon, Invoke-Smoothing)", OwnKernels + " (direct or FFT, by cost)",
            "torch: two 1-D cuDNN convolutions " + CudaBranch),
        new("Gram products (all-pairs Pearson, SmoothedPearson, LeeL, MoranBV)", "libtorch BLAS (streamed Pearson, SmoothedPearson: float32 products over blocks of 1,024 pixels; every sum in float64)",
            "torch: cuBLAS " + CudaBranch),
        new("SSIM, MS-SSIM", OwnKernels + " (one fused pass)", "torch ops " + CudaBranch),
        new("Spatial lags (LeeL, MoranBV)", OwnKernels, "torch ops " + CudaBranch),
        new("Sinkhorn", OwnKernels + " (log-domain separable convolutions)", "CPU only: " + CpuOnly),
        new("LBP, DenseSift, Keypoints", OwnKernels, "CPU only: " + CpuOnly),
        new("RoiPearson peak regions and thresholds", OwnKernels, "CPU only: " + CpuOnly),
        new("Shift test (-Permutations)", "libtorch FFT", "torch FFT " + CudaBranch),
        new("Tensor storage", "libtorch", "libtorch (CUDA memory)"),
    };
}
