using System.Text;
using System.Text.RegularExpressions;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// Reads float64 (and float32) .npy fixtures at full precision as doubles. Expected values checked to 1e-9
/// (Spearman, Jensen–Shannon) must not pass through float32, so these tests read them here rather than through
/// the float32 <see cref="Fixtures.Npy"/>. Little-endian, C order, version 1–3 headers only (what numpy.save writes).
/// </summary>
internal static class Float64Npy
{
    public static (int[] Shape, double[] Data) Read(params string[] parts)
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.PathOf(parts));
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{Path.Combine(parts)} is not a .npy file.");
        int major = bytes[6];
        int headerLength = major == 1 ? BitConverter.ToUInt16(bytes, 8) : BitConverter.ToInt32(bytes, 8);
        int dataStart = (major == 1 ? 10 : 12) + headerLength;
        string header = Encoding.Latin1.GetString(bytes, major == 1 ? 10 : 12, headerLength);
        string descr = Regex.Match(header, @"'descr':\s*'([^']+)'").Groups[1].Value;
        if (Regex.IsMatch(header, @"'fortran_order':\s*True")) throw new InvalidDataException("Fortran-order .npy is not supported.");
        int[] shape = Regex.Match(header, @"'shape':\s*\(([^)]*)\)").Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        int count = shape.Aggregate(1, (a, b) => a * b);
        var data = new double[count];
        switch (descr)
        {
            case "<f8": Buffer.BlockCopy(bytes, dataStart, data, 0, count * 8); break;
            case "<f4": for (int i = 0; i < count; i++) data[i] = BitConverter.ToSingle(bytes, dataStart + 4 * i); break;
            default: throw new InvalidDataException($"Unsupported dtype '{descr}' in {Path.Combine(parts)}.");
        }
        return (shape, data);
    }

    /// <summary>A 2-D fixture as [i, j].</summary>
    public static double[,] Matrix(params string[] parts)
    {
        var (shape, data) = Read(parts);
        var m = new double[shape[0], shape[1]];
        Buffer.BlockCopy(data, 0, m, 0, data.Length * 8);
        return m;
    }
}
