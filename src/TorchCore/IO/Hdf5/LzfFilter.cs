using System.Runtime.InteropServices;
using PureHDF.Filters;

namespace SpatialSim.TorchCore.IO.Hdf5;

/// <summary>
/// The HDF5 LZF filter (id 32000, registered by h5py; what anndata writes with compression='lzf'), decompression only,
/// done by the system's liblzf (Debian package liblzf1, which h5py itself uses) through P/Invoke. PureHDF 2.2.0 has no LZF
/// filter and no managed LZF library is available, so a file with LZF datasets needs liblzf installed; without it the error
/// says so and how to rewrite the file with gzip.
/// </summary>
internal sealed class LzfFilter : IH5Filter
{
    /// <summary>h5py's registered filter id for LZF.</summary>
    public const ushort Id = 32000;
    private static readonly string[] LibraryNames = ["liblzf.so.1", "liblzf.so", "lzf", "liblzf.dylib", "lzf.dll"];
    private static readonly Lazy<IntPtr> Decompress = new(Load);
    private static int _registered;

    private unsafe delegate uint LzfDecompress(byte* input, uint inputLength, byte* output, uint outputLength);

    public ushort FilterId => Id;
    public string Name => "lzf";

    /// <summary>Registers the filter with PureHDF once per process.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0) H5Filter.Register(new LzfFilter());
    }

    /// <summary>Whether liblzf can be loaded here.</summary>
    public static bool IsAvailable => Decompress.Value != IntPtr.Zero;

    public unsafe Memory<byte> Filter(FilterInfo info)
    {
        if (!info.Flags.HasFlag(H5FilterFlags.Decompress))
            throw new NotSupportedException("SpatialSim reads LZF-compressed HDF5 data but does not write it.");
        var entry = Decompress.Value;
        if (entry == IntPtr.Zero)
            throw new SpatialSimException(ErrorKind.ResourceUnavailable,
                "This dataset is LZF-compressed (h5py's filter 32000), which SpatialSim decompresses with the system's liblzf, not installed here. " +
                "Install it (Debian/Ubuntu: apt-get install liblzf1), or rewrite the file with gzip: adata.write_h5ad(path, compression='gzip').");
        // h5py stores the decompressed chunk size as the third parameter; the chunk size is the fallback.
        int expected = info.Parameters.Length >= 3 && info.Parameters[2] > 0 ? (int)info.Parameters[2] : info.ChunkSize;
        var output = new byte[Math.Max(expected, 1)];
        var input = info.Buffer.Span;
        var call = Marshal.GetDelegateForFunctionPointer<LzfDecompress>(entry);
        uint n;
        fixed (byte* source = input)
        fixed (byte* target = output)
            n = call(source, (uint)input.Length, target, (uint)output.Length);
        // h5py's filter is optional: a chunk that LZF cannot shrink is stored as it is (HDF5 then marks the filter as skipped
        // for that chunk, which PureHDF does not check for this filter), so data of exactly the chunk's size is the chunk.
        if (n == 0 && input.Length == expected) return info.Buffer.ToArray();
        if (n == 0)
            throw new InvalidDataException($"LZF data of {input.Length} bytes does not decompress to at most {output.Length} bytes (damaged chunk).");
        return output.AsMemory(0, (int)n);
    }

    public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options) =>
        throw new NotSupportedException("SpatialSim does not write LZF-compressed HDF5 data.");

    private static IntPtr Load()
    {
        foreach (var name in LibraryNames)
            if (NativeLibrary.TryLoad(name, out var handle) && NativeLibrary.TryGetExport(handle, "lzf_decompress", out var entry))
                return entry;
        return IntPtr.Zero;
    }
}
