using PureHDF.Filters;

namespace SpatialSim.TorchCore.IO.Hdf5;

/// <summary>
/// The HDF5 LZF filter (id 32000, registered by h5py; what anndata writes with compression='lzf'), decompression only,
/// in managed code (<see cref="LzfDecompressor"/>): PureHDF 2.2.0 has no LZF filter, and no system library is needed.
/// </summary>
internal sealed class LzfFilter : IH5Filter
{
    /// <summary>h5py's registered filter id for LZF.</summary>
    public const ushort Id = 32000;
    private static int _registered;

    public ushort FilterId => Id;
    public string Name => "lzf";

    /// <summary>Registers the filter with PureHDF once per process.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0) H5Filter.Register(new LzfFilter());
    }

    public Memory<byte> Filter(FilterInfo info)
    {
        if (!info.Flags.HasFlag(H5FilterFlags.Decompress))
            throw new NotSupportedException("SpatialSim reads LZF-compressed HDF5 data but does not write it.");
        // h5py stores the decompressed chunk size as the third parameter; the chunk size is the fallback.
        int expected = info.Parameters.Length >= 3 && info.Parameters[2] > 0 ? (int)info.Parameters[2] : info.ChunkSize;
        var input = info.Buffer.Span;
        var output = new byte[Math.Max(expected, 1)];
        try
        {
            int n = LzfDecompressor.Decompress(input, output);
            return output.AsMemory(0, n);
        }
        catch (InvalidDataException) when (input.Length == expected)
        {
            // h5py's filter is optional: a chunk that LZF cannot shrink is stored as it is (HDF5 then marks the filter as
            // skipped for that chunk, which PureHDF does not check for this filter), so data of exactly the chunk's size that
            // does not decode is the chunk itself.
            return info.Buffer.ToArray();
        }
    }

    public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options) =>
        throw new NotSupportedException("SpatialSim does not write LZF-compressed HDF5 data.");
}
