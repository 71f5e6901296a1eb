using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore;

/// <summary>Direct access to the memory of contiguous float32 / float64 CPU tensors, for our own vectorised kernels.</summary>
internal static class TensorMemory
{
    public static Span<float> AsFloatSpan(Tensor t)
    {
        if (t.device_type != TorchSharp.DeviceType.CPU || t.dtype != ScalarType.Float32 || !t.is_contiguous())
            throw new InvalidOperationException("Expected a contiguous float32 CPU tensor.");
        return MemoryMarshal.Cast<byte, float>(t.bytes);
    }

    public static Span<double> AsDoubleSpan(Tensor t)
    {
        if (t.device_type != TorchSharp.DeviceType.CPU || t.dtype != ScalarType.Float64 || !t.is_contiguous())
            throw new InvalidOperationException("Expected a contiguous float64 CPU tensor.");
        return MemoryMarshal.Cast<byte, double>(t.bytes);
    }
}
