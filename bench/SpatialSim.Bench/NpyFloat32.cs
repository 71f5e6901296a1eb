using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace SpatialSim.Bench;

/// <summary>
/// The benchmark's input files: little-endian float32 C-order NumPy .npy arrays of 2 dimensions [height, width] or
/// 3 [planes, height, width], which numpy.load reads directly. Only what <see cref="Write"/> produces is read back;
/// the product's own .npy reader is not used, so the benchmark does not depend on the code it would measure.
/// </summary>
internal static partial class NpyFloat32
{
    private static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    /// <summary>Writes planes one at a time: <paramref name="fill"/>(index, buffer) fills plane <c>index</c>. Returns the file size.</summary>
    public static long Write(string path, int planes, int height, int width, bool threeDimensional, Action<int, float[]> fill)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("The benchmark writes little-endian .npy files only.");
        string shape = threeDimensional ? $"({planes}, {height}, {width})" : $"({height}, {width})";
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}";
        int unpadded = Magic.Length + 2 + 2 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - unpadded % 64) % 64) + "\n";
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        stream.Write(Magic);
        stream.Write(new byte[] { 1, 0 });
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
        var buffer = new float[(long)height * width];
        for (int p = 0; p < planes; p++)
        {
            fill(p, buffer);
            stream.Write(MemoryMarshal.AsBytes(buffer.AsSpan()));
        }
        return stream.Length;
    }

    /// <summary>Opens a file written by <see cref="Write"/> for reading plane by plane.</summary>
    public static Reader Open(string path) => new(path);

    internal sealed class Reader : IDisposable
    {
        private readonly FileStream _stream;

        public int Planes { get; }
        public int Height { get; }
        public int Width { get; }

        public Reader(string path)
        {
            _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            var prefix = new byte[Magic.Length + 4];
            _stream.ReadExactly(prefix);
            if (!prefix.AsSpan(0, Magic.Length).SequenceEqual(Magic) || prefix[Magic.Length] != 1)
                throw new InvalidDataException($"'{path}' is not a version 1 .npy file.");
            var header = new byte[BitConverter.ToUInt16(prefix, Magic.Length + 2)];
            _stream.ReadExactly(header);
            var match = HeaderPattern().Match(Encoding.ASCII.GetString(header));
            if (!match.Success)
                throw new InvalidDataException($"'{path}' is not a little-endian float32 C-order array of 2 or 3 dimensions.");
            var dims = match.Groups["shape"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(int.Parse).ToArray();
            (Planes, Height, Width) = dims.Length == 3 ? (dims[0], dims[1], dims[2]) : (1, dims[0], dims[1]);
        }

        /// <summary>Reads the next plane (Height × Width values).</summary>
        public void ReadPlane(Span<float> into) => _stream.ReadExactly(MemoryMarshal.AsBytes(into[..checked(Height * Width)]));

        public void Dispose() => _stream.Dispose();
    }

    [GeneratedRegex(@"^\{'descr': '<f4', 'fortran_order': False, 'shape': \((?<shape>\d+, \d+(, \d+)?)\), \}\s*$")]
    private static partial Regex HeaderPattern();
}
