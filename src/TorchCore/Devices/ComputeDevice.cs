using TorchSharp;

namespace SpatialSim.TorchCore.Devices;

/// <summary>The kinds of device a raster can live on.</summary>
public enum DeviceKind { Cpu, Cuda }

/// <summary>
/// The one device abstraction of SpatialSim: every tensor is created on a ComputeDevice, and every
/// numerical routine asks it which code path to take (<see cref="IsCpu"/>): our own vectorised CPU kernels, or torch ops
/// (cuDNN convolutions, cuBLAS products) on CUDA.
/// <para>What runs where. On the CPU, blur, SSIM/MS-SSIM, Sinkhorn, LBP, SIFT, the spatial lags and the reductions are
/// this project's own vectorised, multi-threaded code; libtorch supplies BLAS (the Gram products), FFT (FFT blur, the
/// shift test) and tensor storage. CUDA branches exist for the blur, SSIM/MS-SSIM, the spatial lags and the Gram products,
/// but no CUDA libtorch is served to this project's machines, so they are built against TorchSharp-cpu and never run on
/// a GPU here; <see cref="TorchOnCpu"/> runs them on CPU tensors in the tests. Sinkhorn, LBP, SIFT, keypoints and
/// RoiPearson's thresholds run on the CPU whatever the device (CUDA rasters are copied).</para>
/// </summary>
public sealed class ComputeDevice : IEquatable<ComputeDevice>
{
    public DeviceKind Kind { get; }
    public int Index { get; }
    /// <summary>The torch device, e.g. "cpu" or "cuda:0". Made on first use, after libtorch is loaded
    /// (<see cref="TorchRuntime.EnsureInitialized"/>), so that a failure to load it is an error that says why, not a broken type.</summary>
    public torch.Device TorchDevice
    {
        get
        {
            if (_torchDevice is { } device) return device;
            TorchRuntime.EnsureInitialized();
            return _torchDevice = Kind == DeviceKind.Cpu ? torch.CPU : new torch.Device(DeviceType.CUDA, Index);
        }
    }

    private torch.Device? _torchDevice;

    private readonly bool _torchPath;

    private ComputeDevice(DeviceKind kind, int index, bool torchPath = false)
    {
        Kind = kind;
        Index = index;
        _torchPath = torchPath;
    }

    public static ComputeDevice Cpu { get; } = new(DeviceKind.Cpu, 0);

    /// <summary>
    /// The CUDA code path on CPU tensors (tests only): tensors live on the CPU, but every routine takes the branch it takes
    /// on CUDA (<see cref="IsCpu"/> is false), so that code runs and is compared with the CPU kernels where no GPU exists.
    /// </summary>
    internal static ComputeDevice TorchOnCpu { get; } = new(DeviceKind.Cpu, 0, torchPath: true);

    /// <summary>Whether the routines run our own CPU kernels (the CPU device); false on CUDA (torch ops).</summary>
    public bool IsCpu => Kind == DeviceKind.Cpu && !_torchPath;

    /// <summary>The device asked for, or a clear error when it is not available here.</summary>
    public static ComputeDevice Resolve(DeviceKind kind, int index = 0)
    {
        TorchRuntime.EnsureInitialized();
        if (kind == DeviceKind.Cpu) return Cpu;
        if (!torch.cuda.is_available())
            throw new SpatialSimException(ErrorKind.ResourceUnavailable,
                "CUDA was asked for, but no CUDA device is available: this SpatialSim runs on a CPU build of libtorch, " +
                "or the machine has no NVIDIA GPU/driver. Use -Device Cpu, or install a CUDA build of TorchSharp's libtorch.");
        int count = torch.cuda.device_count();
        if (index < 0 || index >= count)
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"CUDA device {index} does not exist; this machine has {count} (0..{count - 1}).");
        return new ComputeDevice(DeviceKind.Cuda, index);
    }

    /// <summary>
    /// The device named by <paramref name="name"/> — "Cpu", "Cuda" (device 0) or "Cuda:N" (case-insensitive) — or a clear
    /// error when the name is not one of these or the device is not available here.
    /// </summary>
    public static ComputeDevice Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string n = name.Trim();
        if (n.Equals("Cpu", StringComparison.OrdinalIgnoreCase)) return Resolve(DeviceKind.Cpu);
        if (n.Equals("Cuda", StringComparison.OrdinalIgnoreCase)) return Resolve(DeviceKind.Cuda);
        if (n.StartsWith("Cuda:", StringComparison.OrdinalIgnoreCase) &&
            int.TryParse(n.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index))
            return Resolve(DeviceKind.Cuda, index);
        throw new SpatialSimException(ErrorKind.InvalidArgument,
            $"'{name}' is not a device name: use Cpu, Cuda (the first GPU) or Cuda:N (GPU number N). Get-SpatialSimDevice lists the devices of this machine.");
    }

    /// <summary>Devices usable on this machine, CPU first.</summary>
    public static IReadOnlyList<ComputeDevice> Available()
    {
        TorchRuntime.EnsureInitialized();
        var list = new List<ComputeDevice> { Cpu };
        if (torch.cuda.is_available())
            for (int i = 0; i < torch.cuda.device_count(); i++) list.Add(new ComputeDevice(DeviceKind.Cuda, i));
        return list;
    }

    public override string ToString() => Kind == DeviceKind.Cpu ? (_torchPath ? "Cpu (torch path)" : "Cpu") : $"Cuda:{Index}";
    public bool Equals(ComputeDevice? other) => other is not null && other.Kind == Kind && other.Index == Index && other._torchPath == _torchPath;
    public override bool Equals(object? obj) => Equals(obj as ComputeDevice);
    public override int GetHashCode() => HashCode.Combine(Kind, Index, _torchPath);
}
