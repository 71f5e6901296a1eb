using System.Buffers.Binary;

namespace SpatialSim.TorchCore.IO;

/// <summary>What <see cref="ImageRasterWriter.WritePng16"/> wrote.</summary>
/// <param name="Exact">True when every value was an integer in 0..65535 and was written unchanged.</param>
/// <param name="Scale">Stored value = round(value × Scale); 1 when <paramref name="Exact"/>.</param>
/// <param name="MaxValue">Largest value of the raster.</param>
public sealed record PngExportInfo(bool Exact, double Scale, float MaxValue)
{
    /// <summary>A sentence for the user when the values were scaled; null when they were written exactly.</summary>
    public string? Warning => Exact ? null
        : $"The values are not all whole numbers between 0 and 65535 (largest {MaxValue:G9}), so they were scaled by {Scale:G9} " +
          "to fill the 16-bit range; divide by that factor to get them back. Export as TIFF (float32) or .npy to keep them exactly.";
}

/// <summary>
/// Writes a raster as a 16-bit grayscale PNG (<see cref="PngStreamWriter"/>, stoppable row by row) or as a 32-bit float grayscale TIFF (own baseline writer, which
/// <see cref="ImageRasterReader"/>, tifffile, PIL and ImageJ read back exactly). Both write to a temporary file next to
/// <c>path</c> and rename it into place, so a failure never leaves a partial file; an existing file is replaced only when
/// <c>overwrite</c> is true.
/// </summary>
public static class ImageRasterWriter
{
    /// <summary>Target size of one TIFF strip; tools read strip by strip, so this bounds their buffers.</summary>
    private const int TiffStripTargetBytes = 256 * 1024;

    /// <summary>
    /// Writes <paramref name="plane"/> as a 16-bit grayscale PNG. Integer values in 0..65535 are written exactly; otherwise
    /// all values are scaled so the largest becomes 65535 (see the returned <see cref="PngExportInfo"/>). Negative or
    /// non-finite values cannot be stored in a PNG and are refused.
    /// </summary>
    public static PngExportInfo WritePng16(string path, RasterPlane plane, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plane);
        RasterFileIo.CheckTarget(path, overwrite); // fail before the work when the answer is already known
        var px = plane.Pixels;
        bool integral = true;
        float max = 0;
        for (int i = 0; i < px.Length; i++)
        {
            float v = px[i];
            if (!float.IsFinite(v) || v < 0)
            {
                string what = float.IsNaN(v) ? "NaN (missing) values" : float.IsInfinity(v) ? "infinite values" : $"negative values ({v:G9})";
                throw new SpatialSimException(ErrorKind.InvalidArgument,
                    $"Gene '{plane.Gene}' cannot be written to PNG '{path}': it has {what}, first at x={i % plane.Width}, y={i / plane.Width}. " +
                    "PNG stores only non-negative numbers; export as TIFF (float32) or .npy instead.") { FilePath = path, Gene = plane.Gene };
            }
            if (v > max) max = v;
            if (integral && v != MathF.Floor(v)) integral = false;
        }
        bool exact = integral && max <= 65535f;
        double scale = exact || max == 0 ? 1.0 : 65535.0 / max;
        var info = new PngExportInfo(exact, scale, max);

        int width = plane.Width;
        RasterFileIo.WriteAtomically(path, overwrite, fs => PngStreamWriter.Write(fs, plane.Width, plane.Height, PngPixelLayout.Gray16, (y, row) =>
        {
            var src = px.AsSpan(y * width, width);
            for (int x = 0; x < src.Length; x++)
            {
                ushort v = exact ? (ushort)src[x] : (ushort)Math.Min(65535.0, Math.Round(src[x] * scale));
                BinaryPrimitives.WriteUInt16BigEndian(row[(2 * x)..], v);
            }
        }, cancellationToken: cancellationToken), cancellationToken);
        return info;
    }

    /// <summary>
    /// Writes <paramref name="plane"/> as a single-page, uncompressed, little-endian TIFF of 32-bit IEEE floats
    /// (BlackIsZero, one sample per pixel, strips). Every value, including NaN and infinities, round-trips exactly.
    /// </summary>
    public static void WriteTiffFloat32(string path, RasterPlane plane, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plane);
        RasterFileIo.CheckTarget(path, overwrite);
        int w = plane.Width, h = plane.Height;
        long rowBytes = (long)w * 4;
        int rowsPerStrip = (int)Math.Clamp(TiffStripTargetBytes / rowBytes, 1, h);
        int strips = (h + rowsPerStrip - 1) / rowsPerStrip;

        // Layout: header | IFD | strip offsets | strip byte counts | software | pixel data.
        const int entryCount = 12;
        byte[] software = "SpatialSim\0"u8.ToArray();
        long ifdOffset = 8;
        long ifdSize = 2 + entryCount * 12 + 4;
        long offsetsPos = ifdOffset + ifdSize;
        long countsPos = offsetsPos + (strips > 1 ? strips * 4L : 0);
        long softwarePos = countsPos + (strips > 1 ? strips * 4L : 0);
        long dataPos = softwarePos + software.Length;
        dataPos += (4 - dataPos % 4) % 4; // word-align the data
        long total = dataPos + rowBytes * h;
        if (total > uint.MaxValue)
            throw new SpatialSimException(ErrorKind.LimitExceeded,
                $"Gene '{plane.Gene}' ({w}×{h} pixels) is too large for a classic TIFF file (over 4 GB). Export it as .npy instead.") { FilePath = path, Gene = plane.Gene };

        var head = new byte[dataPos];
        var s = head.AsSpan();
        "II"u8.CopyTo(s);
        BinaryPrimitives.WriteUInt16LittleEndian(s[2..], 42);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], (uint)ifdOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(s[(int)ifdOffset..], entryCount);
        int e = 0;
        void Entry(ushort tag, ushort type, uint count, uint value)
        {
            var en = head.AsSpan((int)ifdOffset + 2 + e++ * 12, 12);
            BinaryPrimitives.WriteUInt16LittleEndian(en, tag);
            BinaryPrimitives.WriteUInt16LittleEndian(en[2..], type);
            BinaryPrimitives.WriteUInt32LittleEndian(en[4..], count);
            if (type == 3 && count == 1) BinaryPrimitives.WriteUInt16LittleEndian(en[8..], (ushort)value);
            else BinaryPrimitives.WriteUInt32LittleEndian(en[8..], value);
        }
        const ushort SHORT = 3, LONG = 4, ASCII = 2;
        Entry(256, LONG, 1, (uint)w);                       // ImageWidth
        Entry(257, LONG, 1, (uint)h);                       // ImageLength
        Entry(258, SHORT, 1, 32);                           // BitsPerSample
        Entry(259, SHORT, 1, 1);                            // Compression: none
        Entry(262, SHORT, 1, 1);                            // PhotometricInterpretation: BlackIsZero
        Entry(273, LONG, (uint)strips, strips > 1 ? (uint)offsetsPos : (uint)dataPos); // StripOffsets
        Entry(277, SHORT, 1, 1);                            // SamplesPerPixel
        Entry(278, LONG, 1, (uint)rowsPerStrip);            // RowsPerStrip
        Entry(279, LONG, (uint)strips, strips > 1 ? (uint)countsPos : (uint)(rowBytes * h)); // StripByteCounts
        Entry(284, SHORT, 1, 1);                            // PlanarConfiguration: chunky
        Entry(305, ASCII, (uint)software.Length, (uint)softwarePos); // Software
        Entry(339, SHORT, 1, 3);                            // SampleFormat: IEEE float
        BinaryPrimitives.WriteUInt32LittleEndian(s[(int)(ifdOffset + 2 + entryCount * 12)..], 0); // no next page
        if (strips > 1)
        {
            for (int i = 0; i < strips; i++)
            {
                long rows = Math.Min(rowsPerStrip, h - (long)i * rowsPerStrip);
                BinaryPrimitives.WriteUInt32LittleEndian(s[(int)(offsetsPos + i * 4L)..], (uint)(dataPos + (long)i * rowsPerStrip * rowBytes));
                BinaryPrimitives.WriteUInt32LittleEndian(s[(int)(countsPos + i * 4L)..], (uint)(rows * rowBytes));
            }
        }
        software.CopyTo(s[(int)softwarePos..]);

        RasterFileIo.WriteAtomically(path, overwrite, fs =>
        {
            fs.Write(head);
            RasterFileIo.WriteFloat32LittleEndian(fs, plane.Pixels, cancellationToken);
        }, cancellationToken);
    }
}
