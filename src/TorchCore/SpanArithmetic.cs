using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;

namespace SpatialSim.TorchCore;

/// <summary>Element-wise arithmetic on float spans, vectorised (System.Numerics), for our kernels.</summary>
internal static class SpanArithmetic
{
    /// <summary>target[i] += source[i] for every i of <paramref name="source"/> (target at least as long).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddInto(ReadOnlySpan<float> source, Span<float> target)
    {
        target = target[..source.Length];
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = MemoryMarshal.Cast<float, Vector<float>>(source);
            var t = MemoryMarshal.Cast<float, Vector<float>>(target);
            for (int k = 0; k < s.Length; k++) t[k] += s[k];
            i = s.Length * Vector<float>.Count;
        }
        for (; i < source.Length; i++) target[i] += source[i];
    }
}
