using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("SpatialSim.TorchCore.Tests")]

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// File plumbing shared by the raster readers and writers: opening for reading with errors people can act on,
/// and "write to a temporary file, then rename" so a failed export never leaves a half-written file behind.
/// </summary>
internal static class RasterFileIo
{
    /// <summary>Opens <paramref name="path"/> for sequential or positional reading; throws <see cref="SpatialSimException"/> when it cannot.</summary>
    public static FileStream OpenRead(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument, "The file path is empty.");
        SpecialFile.EnsureRegular(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.None);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SpatialSimException(ErrorKind.NotFound, $"File '{path}' was not found. Check the path.", ex) { FilePath = path };
        }
        catch (UnauthorizedAccessException ex)
        {
            string what = Directory.Exists(path) ? "is a directory, not a file" : "cannot be read (access denied)";
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"'{path}' {what}.", ex) { FilePath = path };
        }
        catch (Exception ex) when (ex is IOException or NotSupportedException or ArgumentException)
        {
            throw new SpatialSimException(ErrorKind.ResourceUnavailable, $"Could not open '{path}': {ex.Message}", ex) { FilePath = path };
        }
    }

    /// <summary>Reads exactly <c>buffer.Length</c> bytes at <paramref name="offset"/>, or returns false when the file ends first.</summary>
    public static bool TryReadAt(FileStream fs, long offset, Span<byte> buffer)
    {
        if (offset < 0 || offset > fs.Length - buffer.Length) return false;
        int done = 0;
        while (done < buffer.Length)
        {
            int n = RandomAccess.Read(fs.SafeFileHandle, buffer[done..], offset + done);
            if (n <= 0) return false;
            done += n;
        }
        return true;
    }

    /// <summary>
    /// Writes float32 values little-endian (the byte order of every file SpatialSim writes), in pieces of at most 16 MB,
    /// checking <paramref name="cancellationToken"/> before each.
    /// </summary>
    public static void WriteFloat32LittleEndian(Stream stream, ReadOnlySpan<float> values, CancellationToken cancellationToken = default)
    {
        if (BitConverter.IsLittleEndian)
        {
            const int piece = 4 << 20; // floats
            for (int i = 0; i < values.Length; i += piece)
            {
                cancellationToken.ThrowIfCancellationRequested();
                stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.Slice(i, Math.Min(piece, values.Length - i))));
            }
            return;
        }
        var buffer = new byte[1 << 20];
        int per = buffer.Length / 4;
        for (int i = 0; i < values.Length; i += per)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var part = values.Slice(i, Math.Min(per, values.Length - i));
            for (int k = 0; k < part.Length; k++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(k * 4), part[k]);
            stream.Write(buffer, 0, part.Length * 4);
        }
    }

    /// <summary>The first bytes of a file as hex ("47 49 46 38"), for messages about unrecognised files.</summary>
    public static string HexPrefix(ReadOnlySpan<byte> bytes, int max = 8)
        => bytes.Length == 0 ? "(nothing)" : string.Join(' ', bytes[..Math.Min(max, bytes.Length)].ToArray().Select(b => b.ToString("X2")));

    /// <summary>Gene name from a file name: the name without its last extension ("x.ome.tif" → "x.ome").</summary>
    public static string GeneFromFileName(string path)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        return name.Length > 0 ? name : Path.GetFileName(path);
    }

    /// <summary>
    /// Writes a file through a temporary sibling (<c>path + ".tmp-XXXXXXXX"</c>) that is renamed to <paramref name="path"/>
    /// only after <paramref name="write"/> succeeded and the data is flushed. The temporary file is deleted on any failure.
    /// Without <paramref name="overwrite"/>, an existing file is never replaced, even one created while we were writing.
    /// Cancellation (Ctrl+C in the shell) before the rename leaves no file behind: the temporary file is deleted and the
    /// target is untouched; <paramref name="write"/> may check the token itself to stop sooner.
    /// </summary>
    /// <param name="readable">Open the temporary file for reading too (writers that seek back and read, such as HDF5's).</param>
    public static void WriteAtomically(string path, bool overwrite, Action<FileStream> write, CancellationToken cancellationToken = default, bool readable = false)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = CheckTarget(path, overwrite);

        string tmp = full + ".tmp-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, readable ? FileAccess.ReadWrite : FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                cancellationToken.ThrowIfCancellationRequested();
                write(fs);
                cancellationToken.ThrowIfCancellationRequested();
                fs.Flush(flushToDisk: true);
            }
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                File.Move(tmp, full, overwrite);
            }
            catch (IOException) when (!overwrite && File.Exists(full))
            {
                throw ExistsError(path); // someone created it while we were writing
            }
        }
        catch (Exception ex)
        {
            TryDelete(tmp);
            if (ex is SpatialSimException) throw;
            if (ex is IOException or UnauthorizedAccessException)
                throw new SpatialSimException(ErrorKind.ResourceUnavailable, $"Could not write '{path}': {ex.Message}", ex) { FilePath = path };
            throw;
        }
    }

    /// <summary>
    /// Checks that <paramref name="path"/> can be written (valid, folder exists, not a folder, not an existing file unless
    /// <paramref name="overwrite"/>) and returns its full path. Writers call it early to fail before doing the work.
    /// </summary>
    public static string CheckTarget(string path, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument, "The output path is empty.");
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"'{path}' is not a valid file path: {ex.Message}", ex) { FilePath = path };
        }

        string? dir = Path.GetDirectoryName(full);
        if (dir is not null && !Directory.Exists(dir))
            throw new SpatialSimException(ErrorKind.NotFound, $"Cannot write '{path}': folder '{dir}' does not exist. Create it first.") { FilePath = path };
        if (Directory.Exists(full))
            throw new SpatialSimException(ErrorKind.WriteConflict, $"Cannot write '{path}': a folder of that name exists.") { FilePath = path };
        if (!overwrite && File.Exists(full))
            throw ExistsError(path);
        return full;
    }

    private static SpatialSimException ExistsError(string path)
        => new(ErrorKind.WriteConflict, $"File '{path}' already exists. Choose another name, or allow overwriting (-Force) to replace it.") { FilePath = path };

    private static void TryDelete(string file)
    {
        try { File.Delete(file); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { /* best effort; nothing more we can do */ }
    }
}
