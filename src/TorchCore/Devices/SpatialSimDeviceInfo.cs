namespace SpatialSim.TorchCore.Devices;

/// <summary>What Get-SpatialSimDevice reports.</summary>
public sealed class SpatialSimDeviceInfo
{
    public string TorchVersion { get; init; } = "";
    public string TorchSharpVersion { get; init; } = "";
    public string[] Devices { get; init; } = Array.Empty<string>();
    public bool CudaAvailable { get; init; }
    public int TorchThreads { get; init; }
    public int ProcessorCount { get; init; }
    public string Platform { get; init; } = "";
    /// <summary>What runs where: our own CPU kernels, libtorch's BLAS/FFT, and the CUDA branches that cannot run here.</summary>
    public IReadOnlyList<ComputePath> ComputePaths { get; init; } = ComputePath.All;

    public static SpatialSimDeviceInfo Current() => new()
    {
        TorchVersion = TorchRuntime.TorchVersion,
        TorchSharpVersion = TorchRuntime.TorchSharpVersion,
        Devices = ComputeDevice.Available().Select(d => d.ToString()).ToArray(),
        CudaAvailable = TorchRuntime.CudaAvailable,
        TorchThreads = TorchRuntime.Threads,
        ProcessorCount = Environment.ProcessorCount,
        Platform = TorchRuntime.Platform,
    };
}
