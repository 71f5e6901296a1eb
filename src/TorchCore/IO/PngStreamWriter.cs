using System.Buffers.Binary;
using System.IO.Compression;

namespace SpatialSim.TorchCore.IO;

/// <summary>The pixel layouts <see cref="PngStreamWriter"/> writes.</summary>
public enum PngPixelLayout
{
    /// <summary>16-bit grayscale: 2 bytes per pixel, big-endian (PNG colour type 0, bit depth 16).</summary>
    Gray16,
    /// <summary>8-bit RGB: 3 bytes per pixel (PNG colour type 2, bit depth 8).</summary>
    Rgb8,
}

/// <summary>
/// A PNG encoder that works one row at a time: the caller fills each row, the row is filtered and deflated straight into the
/// output, and the cancellation token is checked before every row, so a stop (Ctrl+C) takes effect within one row instead of
/// after the whole image (ImageSharp's encoder offers no stop). Memory: two rows and the deflate window, whatever the image size.
/// </summary>
/// <remarks>
/// Written to the PNG specification (ISO/IEC 15948, W3C PNG 2nd edition): signature, IHDR, IDAT chunks of at most
/// <see cref="MaxChunkBytes"/>, IEND; non-interlaced; zlib stream from <see cref="ZLibStream"/>; CRC-32 from System.IO.Hashing.
/// Each row takes the filter (None, Sub, Up, Average, Paeth) whose output has the smallest sum of absolute values as signed
/// bytes, the heuristic of libpng and the specification's section 12.8.
/// </remarks>
public static class PngStreamWriter
{
    /// <summary>Largest IDAT chunk written (bytes of compressed data).</summary>
    public const int MaxChunkBytes = 1 << 16;

    private static ReadOnlySpan<byte> Signature => new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

    /// <summary>Fills <paramref name="row"/> with the bytes of image row <paramref name="y"/> in PNG order.</summary>
    public delegate void RowFiller(int y, Span<byte> row);

    /// <summary>
    /// Writes a <paramref name="width"/>×<paramref name="height"/> PNG to <paramref name="output"/>, asking
    /// <paramref name="fillRow"/> for each row from the top. Throws <see cref="OperationCanceledException"/> before the next
    /// row once <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static void Write(Stream output, int width, int height, PngPixelLayout layout, RowFiller fillRow,
        CompressionLevel compression = CompressionLevel.Optimal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(fillRow);
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"A PNG needs at least one pixel; got {width}×{height}.");
        int bytesPerPixel = layout == PngPixelLayout.Gray16 ? 2 : 3;
        long rowLength = (long)width * bytesPerPixel;
        if (rowLength > int.MaxValue - 1)
            throw new SpatialSimException(ErrorKind.LimitExceeded, $"A PNG row of {width} pixels is too long to write.");

        output.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)height);
        header[8] = layout == PngPixelLayout.Gray16 ? (byte)16 : (byte)8; // bit depth
        header[9] = layout == PngPixelLayout.Gray16 ? (byte)0 : (byte)2;  // colour type
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering
        header[12] = 0; // not interlaced
        WriteChunk(output, "IHDR"u8, header);

        var previous = new byte[rowLength];
        var current = new byte[rowLength];
        var candidates = new byte[5][];
        for (int f = 0; f < 5; f++) candidates[f] = new byte[rowLength + 1];
        using (var idat = new IdatStream(output))
        using (var zlib = new ZLibStream(idat, compression, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                fillRow(y, current);
                zlib.Write(Filter(current, previous, y == 0, bytesPerPixel, candidates));
                (previous, current) = (current, previous);
            }
        }
        WriteChunk(output, "IEND"u8, ReadOnlySpan<byte>.Empty);
    }

    /// <summary>The filtered row (filter type byte first) with the smallest sum of absolute values.</summary>
    private static ReadOnlySpan<byte> Filter(byte[] row, byte[] above, bool first, int bpp, byte[][] out5)
    {
        long best = long.MaxValue;
        int bestFilter = 0;
        for (int f = 0; f < 5; f++)
        {
            if (first && f is 2 or 4) continue; // on the first row Up is None and Paeth is Sub
            var o = out5[f];
            o[0] = (byte)f;
            long sum = Apply(f, row, first ? null : above, bpp, o.AsSpan(1), best);
            if (sum < best)
            {
                best = sum;
                bestFilter = f;
            }
        }
        return out5[bestFilter];
    }

    /// <summary>Filters <paramref name="row"/> with filter <paramref name="f"/> into <paramref name="o"/>; returns the sum of absolute values (stops early once it reaches <paramref name="stopAt"/>).</summary>
    private static long Apply(int f, byte[] row, byte[]? above, int bpp, Span<byte> o, long stopAt)
    {
        int n = row.Length;
        long sum = 0;
        const int Block = 4096; // check the early stop once per block
        for (int start = 0; start < n; start += Block)
        {
            int end = Math.Min(n, start + Block);
            switch (f)
            {
                case 0:
                    for (int i = start; i < end; i++) { byte v = row[i]; o[i] = v; sum += Math.Abs((int)(sbyte)v); }
                    break;
                case 1:
                    for (int i = start; i < end; i++) { byte v = (byte)(row[i] - (i >= bpp ? row[i - bpp] : 0)); o[i] = v; sum += Math.Abs((int)(sbyte)v); }
                    break;
                case 2:
                    for (int i = start; i < end; i++) { byte v = (byte)(row[i] - above![i]); o[i] = v; sum += Math.Abs((int)(sbyte)v); }
                    break;
                case 3:
                    for (int i = start; i < end; i++)
                    {
                        int a = i >= bpp ? row[i - bpp] : 0, b = above is null ? 0 : above[i];
                        byte v = (byte)(row[i] - ((a + b) >> 1));
                        o[i] = v;
                        sum += Math.Abs((int)(sbyte)v);
                    }
                    break;
                default:
                    for (int i = start; i < end; i++)
                    {
                        int a = i >= bpp ? row[i - bpp] : 0, b = above![i], c = i >= bpp ? above[i - bpp] : 0;
                        byte v = (byte)(row[i] - Paeth(a, b, c));
                        o[i] = v;
                        sum += Math.Abs((int)(sbyte)v);
                    }
                    break;
            }
            if (sum >= stopAt) return sum;
        }
        return sum;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(type);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc.GetCurrentHashAsUInt32());
        output.Write(word);
    }

    /// <summary>Cuts the zlib stream into IDAT chunks of at most <see cref="MaxChunkBytes"/>.</summary>
    private sealed class IdatStream : Stream
    {
        private readonly Stream _output;
        private readonly byte[] _buffer = new byte[MaxChunkBytes];
        private int _count;

        public IdatStream(Stream output) => _output = output;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (buffer.Length > 0)
            {
                int take = Math.Min(buffer.Length, _buffer.Length - _count);
                buffer[..take].CopyTo(_buffer.AsSpan(_count));
                _count += take;
                buffer = buffer[take..];
                if (_count == _buffer.Length) Emit();
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        private void Emit()
        {
            if (_count == 0) return;
            WriteChunk(_output, "IDAT"u8, _buffer.AsSpan(0, _count));
            _count = 0;
        }

        public override void Flush() { }

        protected override void Dispose(bool disposing)
        {
            if (disposing) Emit();
            base.Dispose(disposing);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
