using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace SpatialSim.TorchCore.Smoothing;

internal static unsafe class Transpose
{
    /// <summary>
    /// <c>dst[k·dstStride + m] = src[m·srcStride + k]</c> for k, m in 0..3: a 4 × 4 float transpose
    /// between two strided layouts, in registers where the hardware has the shuffles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block4x4(float* src, nint srcStride, float* dst, nint dstStride)
    {
        if (Sse.IsSupported)
        {
            Vector128<float> r0 = Sse.LoadVector128(src), r1 = Sse.LoadVector128(src + srcStride);
            Vector128<float> r2 = Sse.LoadVector128(src + 2 * srcStride), r3 = Sse.LoadVector128(src + 3 * srcStride);
            Vector128<float> t0 = Sse.UnpackLow(r0, r1), t1 = Sse.UnpackLow(r2, r3);
            Vector128<float> t2 = Sse.UnpackHigh(r0, r1), t3 = Sse.UnpackHigh(r2, r3);
            Sse.Store(dst, Sse.MoveLowToHigh(t0, t1));
            Sse.Store(dst + dstStride, Sse.MoveHighToLow(t1, t0));
            Sse.Store(dst + 2 * dstStride, Sse.MoveLowToHigh(t2, t3));
            Sse.Store(dst + 3 * dstStride, Sse.MoveHighToLow(t3, t2));
        }
        else if (AdvSimd.Arm64.IsSupported)
        {
            Vector128<float> r0 = AdvSimd.LoadVector128(src), r1 = AdvSimd.LoadVector128(src + srcStride);
            Vector128<float> r2 = AdvSimd.LoadVector128(src + 2 * srcStride), r3 = AdvSimd.LoadVector128(src + 3 * srcStride);
            Vector128<double> t0 = AdvSimd.Arm64.ZipLow(r0, r1).AsDouble(), t1 = AdvSimd.Arm64.ZipLow(r2, r3).AsDouble();
            Vector128<double> t2 = AdvSimd.Arm64.ZipHigh(r0, r1).AsDouble(), t3 = AdvSimd.Arm64.ZipHigh(r2, r3).AsDouble();
            AdvSimd.Store(dst, AdvSimd.Arm64.ZipLow(t0, t1).AsSingle());
            AdvSimd.Store(dst + dstStride, AdvSimd.Arm64.ZipHigh(t0, t1).AsSingle());
            AdvSimd.Store(dst + 2 * dstStride, AdvSimd.Arm64.ZipLow(t2, t3).AsSingle());
            AdvSimd.Store(dst + 3 * dstStride, AdvSimd.Arm64.ZipHigh(t2, t3).AsSingle());
        }
        else
        {
            for (int k = 0; k < 4; k++)
                for (int m = 0; m < 4; m++)
                    dst[k * dstStride + m] = src[m * srcStride + k];
        }
    }
}
