using SpatialSim.TorchCore.IO;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Reference values made by the scripts in tests/reference/ (copied next to the test assembly).</summary>
internal static class Fixtures
{
    public static string PathOf(params string[] parts) =>
        Path.Combine(new[] { AppContext.BaseDirectory, "fixtures" }.Concat(parts).ToArray());

    public static NpyArray Npy(params string[] parts) => NpyFormat.Read(PathOf(parts));

    /// <summary>A square float64 matrix fixture as [i, j].</summary>
    public static double[,] Matrix(params string[] parts)
    {
        var a = Npy(parts);
        int n = a.Shape[0];
        var m = new double[n, a.Shape[1]];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < a.Shape[1]; j++)
                m[i, j] = a.Data[i * a.Shape[1] + j];
        return m;
    }
}
