using SpatialSim.TorchCore.IO;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// Float64 .npy fixtures at full precision, read by <see cref="NpyFormat.ReadFloat64"/> (the module's own reader; this
/// class only finds the fixture and shapes a matrix). Expected values checked to 1e-9 (Spearman, Jensen–Shannon) must
/// not pass through float32.
/// </summary>
internal static class Float64Npy
{
    public static (int[] Shape, double[] Data) Read(params string[] parts) => NpyFormat.ReadFloat64(Fixtures.PathOf(parts));

    /// <summary>A 2-D fixture as [i, j].</summary>
    public static double[,] Matrix(params string[] parts)
    {
        var (shape, data) = Read(parts);
        var m = new double[shape[0], shape[1]];
        Buffer.BlockCopy(data, 0, m, 0, data.Length * 8);
        return m;
    }
}
