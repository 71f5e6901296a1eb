using System.Runtime.CompilerServices;

namespace SpatialSim.TorchCore.Smoothing;

/// <summary>
/// scipy.ndimage mode 'reflect' (half-sample symmetric, <c>d c b a | a b c d | d c b a</c>),
/// repeated as often as needed: the extended line has period 2·length.
/// </summary>
internal static unsafe class Reflect
{
    /// <summary>The index inside [0, length) that position <paramref name="i"/> of the extended line reads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Index(int i, int length)
    {
        if ((uint)i < (uint)length) return i;
        int period = 2 * length;
        int u = i % period;
        if (u < 0) u += period;
        return u < length ? u : period - 1 - u;
    }

    /// <summary>Writes <c>row[reflect(t − r)]</c> to <c>padded[t]</c> for t in [0, length + 2r).</summary>
    public static void PadRow(float* row, int length, int r, float* padded)
    {
        new ReadOnlySpan<float>(row, length).CopyTo(new Span<float>(padded + r, length));
        for (int t = 0; t < r; t++)
        {
            padded[t] = row[Index(t - r, length)];
            padded[r + length + t] = row[Index(length + t, length)];
        }
    }
}
