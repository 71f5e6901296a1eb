namespace SpatialSim.TorchCore.IO.Hdf5;

/// <summary>
/// LZF decompression (Marc Lehmann's liblzf format, the codec of h5py's HDF5 filter 32000): a stream of runs, each
/// introduced by a control byte c:
/// <list type="bullet">
/// <item>c &lt; 32: a literal run, the next c + 1 bytes copied as they are;</item>
/// <item>c ≥ 32: a back reference of length L = (c &gt;&gt; 5) + 2 (when c &gt;&gt; 5 is 7, plus the next byte) copied from
/// distance D = ((c &amp; 31) &lt;&lt; 8) + the next byte + 1 behind the output's end, byte by byte (so it may overlap
/// what it writes: a run of one repeated byte).</item>
/// </list>
/// A compression format, not a file format: it is decoded here because no managed LZF library is served on NuGet and
/// PureHDF 2.2.0 has no LZF filter. Every step is bounds-checked: damaged input is an <see cref="InvalidDataException"/>,
/// never a read or write outside the buffers.
/// </summary>
internal static class LzfDecompressor
{
    /// <summary>Decompresses <paramref name="input"/> into <paramref name="output"/>; returns the bytes written.</summary>
    /// <exception cref="InvalidDataException">The input is damaged, or decompresses to more than <paramref name="output"/> holds.</exception>
    public static int Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int ip = 0, op = 0;
        while (ip < input.Length)
        {
            int control = input[ip++];
            if (control < 32)
            {
                int length = control + 1;
                if (ip + length > input.Length) throw Damaged("a literal run goes past the end of the data");
                if (op + length > output.Length) throw TooLong(output.Length);
                input.Slice(ip, length).CopyTo(output[op..]);
                ip += length;
                op += length;
                continue;
            }
            int count = control >> 5;
            if (count == 7)
            {
                if (ip >= input.Length) throw Damaged("a back reference's length byte is missing");
                count += input[ip++];
            }
            if (ip >= input.Length) throw Damaged("a back reference's distance byte is missing");
            int from = op - ((control & 0x1f) << 8) - input[ip++] - 1;
            count += 2;
            if (from < 0) throw Damaged("a back reference points before the start of the data");
            if (op + count > output.Length) throw TooLong(output.Length);
            for (int k = 0; k < count; k++) output[op + k] = output[from + k];
            op += count;
        }
        return op;
    }

    private static InvalidDataException Damaged(string what) => new($"LZF data is damaged: {what}.");

    private static InvalidDataException TooLong(int capacity) => new($"LZF data decompresses to more than the {capacity} bytes of its chunk (damaged chunk).");
}
