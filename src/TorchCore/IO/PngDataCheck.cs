using System.IO.Compression;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Inflates a PNG's image data (the IDAT chunks, one zlib stream) once, keeping only the byte count, before ImageSharp
/// decodes it: ImageSharp leaves the rows of a cut stream at 0 and reads on silently, where libpng refuses the file
/// ("Not enough image data"). The stream must give every filtered row: <c>1 + ceil(width × bits per pixel / 8)</c> bytes
/// per row, per Adam7 pass when interlaced (PNG specification, sections 7.2 and 8.2). Fewer bytes, or data that is not
/// valid zlib, are <see cref="ErrorKind.InvalidData"/> naming the file. Run before ImageSharp sees the data (it spun without
/// end on a cut interlaced stream); costs one more inflate pass, no image memory.
/// </summary>
internal static class PngDataCheck
{
    /// <summary>Adam7 passes: first column, first row, column step, row step.</summary>
    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>Bytes of filtered scanlines the image data must hold.</summary>
    public static long ExpectedBytes(int width, int height, int bitsPerPixel, bool interlaced)
    {
        static long Rows(long w, long h, int bpp) => w == 0 || h == 0 ? 0 : h * (1 + (w * bpp + 7) / 8);
        if (!interlaced) return Rows(width, height, bitsPerPixel);
        long total = 0;
        foreach (var (x0, y0, dx, dy) in Adam7)
            total += Rows(Math.Max(0, (width - x0 + dx - 1) / dx), Math.Max(0, (height - y0 + dy - 1) / dy), bitsPerPixel);
        return total;
    }

    /// <summary>Checks that the IDAT chunks at <paramref name="chunks"/> (file offset and length of each chunk's data) inflate to the full image.</summary>
    public static void Verify(FileStream fs, string path, IReadOnlyList<(long Offset, int Length)> chunks, long expected)
    {
        var buffer = new byte[64 << 10];
        long total = 0;
        try
        {
            using var z = new ZLibStream(new ChunkStream(fs, chunks), CompressionMode.Decompress);
            int n;
            while (total < expected && (n = z.Read(buffer)) > 0) total += n;
        }
        catch (InvalidDataException e)
        {
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{path}' is not a readable PNG file: its image data (IDAT) is damaged after {total:N0} of {expected:N0} bytes ({e.Message.TrimEnd('.')}). Re-export the image.", e)
            { FilePath = path };
        }
        if (total < expected)
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{path}' is not a readable PNG file: its image data (IDAT) is cut short: it inflates to {total:N0} bytes, but the " +
                $"image's rows need {expected:N0} (a truncated or damaged file; libpng refuses it too). Re-export the image.")
            { FilePath = path };
    }

    /// <summary>The data of the IDAT chunks read one after the other, as one stream.</summary>
    private sealed class ChunkStream(FileStream fs, IReadOnlyList<(long Offset, int Length)> chunks) : Stream
    {
        private int _chunk;
        private int _offset;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> destination)
        {
            while (_chunk < chunks.Count && _offset == chunks[_chunk].Length) { _chunk++; _offset = 0; }
            if (_chunk == chunks.Count || destination.IsEmpty) return 0;
            var (start, length) = chunks[_chunk];
            int n = Math.Min(destination.Length, length - _offset);
            n = RandomAccess.Read(fs.SafeFileHandle, destination[..n], start + _offset);
            if (n <= 0) { _chunk = chunks.Count; return 0; }
            _offset += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
