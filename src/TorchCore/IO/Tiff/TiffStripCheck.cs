using System.IO.Compression;

namespace SpatialSim.TorchCore.IO.Tiff;

/// <summary>
/// Decodes every compressed strip of page 1 once, keeping only the byte count, before ImageSharp decodes the image:
/// ImageSharp fills the rows of a strip whose data is cut short with zeros and reads on silently, where libtiff refuses
/// the file ("Not enough data", "ZIPDecode: … data error"). A strip must decode to the bytes its rows need:
/// <c>rows × ceil(width × bits × samples / 8)</c> (one sample per strip when planar). Fewer bytes, data that is not valid
/// Deflate/LZW, or a PackBits run past the strip's rows (which made ImageSharp index out of its buffer) are
/// <see cref="ErrorKind.InvalidData"/> naming the file and the strip. Costs one more decompression pass, no image memory.
/// </summary>
internal static class TiffStripCheck
{
    private const int LzwClear = 256, LzwEndOfInformation = 257, LzwFirstCode = 258, LzwMaxBits = 12;

    /// <summary>Checks page 1's strips; only for Deflate, LZW and PackBits (other compressions are refused before).</summary>
    public static void Verify(FileStream fs, TiffStructure t)
    {
        if (t.Compression is not (TiffCompression.AdobeDeflate or TiffCompression.Deflate or TiffCompression.Lzw or TiffCompression.PackBits))
            return;
        bool planar = t.PlanarConfiguration == TiffPlanarConfiguration.Planar;
        long rowBytes = ((long)t.Width * t.BitsPerSample * (planar ? 1 : t.SamplesPerPixel) + 7) / 8;
        int perPlane = t.StripsPerPlane;
        int strips = perPlane * (planar ? t.SamplesPerPixel : 1);
        byte[] data = [];
        for (int s = 0; s < strips; s++)
        {
            int rows = Math.Min(t.RowsPerStrip, t.Height - (s % perPlane) * t.RowsPerStrip);
            long need = rows * rowBytes;
            long length = t.StripByteCounts[s];
            if (data.Length < length) data = new byte[length];
            var strip = data.AsSpan(0, (int)length);
            if (!RasterFileIo.TryReadAt(fs, t.StripOffsets[s], strip))
                throw Invalid(t, s, strips, "its data lies beyond the end of the file (truncated)");
            long got = t.Compression switch
            {
                TiffCompression.PackBits => PackBitsLength(strip, need, t, s, strips),
                TiffCompression.Lzw => LzwLength(strip, need, t, s, strips),
                _ => DeflateLength(data, (int)length, need, t, s, strips),
            };
            if (got < need)
                throw Invalid(t, s, strips,
                    $"it decodes to {got:N0} bytes, but its {rows} row{(rows == 1 ? "" : "s")} need {need:N0}: the compressed data is cut short " +
                    "(a truncated or damaged file; libtiff refuses it too)");
        }
    }

    private static SpatialSimException Invalid(TiffStructure t, int strip, int strips, string what) =>
        new(ErrorKind.InvalidData,
            $"'{t.Path}' is not a readable TIFF file: strip {strip + 1} of {strips} ({Name(t.Compression)}) is damaged: {what}. Re-export the image.")
        { FilePath = t.Path };

    private static string Name(TiffCompression c) => c switch
    {
        TiffCompression.Lzw => "LZW",
        TiffCompression.PackBits => "PackBits",
        _ => "Deflate",
    };

    /// <summary>Bytes a zlib stream decodes to, at most <paramref name="need"/> + 1 (enough to decide).</summary>
    private static long DeflateLength(byte[] data, int length, long need, TiffStructure t, int strip, int strips)
    {
        var buffer = new byte[64 << 10];
        long total = 0;
        try
        {
            using var z = new ZLibStream(new MemoryStream(data, 0, length, writable: false), CompressionMode.Decompress);
            int n;
            while (total <= need && (n = z.Read(buffer)) > 0) total += n;
        }
        catch (InvalidDataException e)
        {
            throw Invalid(t, strip, strips, $"it is not valid Deflate data after {total:N0} decoded bytes ({e.Message.TrimEnd('.')})");
        }
        return total;
    }

    /// <summary>
    /// Bytes a PackBits strip decodes to (TIFF 6.0 section 9): n in 0..127 copies n + 1 bytes, n in −127..−1 repeats the
    /// next byte 1 − n times, −128 does nothing. Any run past <paramref name="need"/> bytes is an overrun (libtiff discards
    /// it with a warning; ImageSharp failed with "Index was outside the bounds of the array").
    /// </summary>
    private static long PackBitsLength(ReadOnlySpan<byte> src, long need, TiffStructure t, int strip, int strips)
    {
        long total = 0;
        int i = 0;
        while (i < src.Length) // to the end: ImageSharp decodes every run, and indexed past its buffer on a run past the rows
        {
            int n = (sbyte)src[i++];
            int run;
            if (n >= 0)
            {
                run = n + 1;
                if (src.Length - i < run)
                    throw Invalid(t, strip, strips, $"a literal run of {run} bytes at byte {i - 1:N0} runs past the end of the strip's {src.Length:N0} bytes");
                i += run;
            }
            else if (n != -128)
            {
                run = 1 - n;
                if (i >= src.Length)
                    throw Invalid(t, strip, strips, $"a repeat run at byte {i - 1:N0} has no byte to repeat");
                i++;
            }
            else continue;
            total += run;
            if (total > need)
                throw Invalid(t, strip, strips, $"a run at byte {i:N0} decodes past the {need:N0} bytes of the strip's rows (a PackBits overrun)");
        }
        return total;
    }

    /// <summary>
    /// Bytes a TIFF LZW strip decodes to (TIFF 6.0 section 13: codes MSB first, 9 to 12 bits, the width growing one code
    /// early as libtiff writes it). Only the lengths of the table's strings are kept: the bytes themselves are not needed.
    /// </summary>
    private static long LzwLength(ReadOnlySpan<byte> src, long need, TiffStructure t, int strip, int strips)
    {
        var lengths = new int[1 << LzwMaxBits];
        long total = 0;
        int width = 9, next = LzwFirstCode, previous = -1;
        ulong accumulator = 0;
        int held = 0, at = 0;
        while (total < need)
        {
            while (held < width && at < src.Length)
            {
                accumulator = (accumulator << 8) | src[at++];
                held += 8;
            }
            if (held < width) break; // the data ends without End-of-Information
            held -= width;
            int code = (int)(accumulator >> held) & ((1 << width) - 1);
            if (code == LzwClear)
            {
                width = 9;
                next = LzwFirstCode;
                previous = -1;
                continue;
            }
            if (code == LzwEndOfInformation) break;
            int length;
            if (code < 256) length = 1;
            else if (code < next) length = lengths[code];
            else if (code == next && previous >= 0) length = (previous < 256 ? 1 : lengths[previous]) + 1;
            else throw Invalid(t, strip, strips, $"it holds LZW code {code} where at most {next} can follow (after {total:N0} decoded bytes)");
            total += length;
            if (previous >= 0 && next < lengths.Length)
            {
                lengths[next] = (previous < 256 ? 1 : lengths[previous]) + 1;
                next++;
                if (next + 1 >= 1 << width && width < LzwMaxBits) width++;
            }
            previous = code;
        }
        return total;
    }
}
