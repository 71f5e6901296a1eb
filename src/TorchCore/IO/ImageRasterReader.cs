using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SpatialSim.TorchCore.IO.Tiff;

namespace SpatialSim.TorchCore.IO;

/// <summary>Options for <see cref="ImageRasterReader.Read(string, ImageReadOptions?, out IReadOnlyList{string})"/>.</summary>
public sealed record ImageReadOptions
{
    /// <summary>Channel of a colour image to read: 0 = R, 1 = G, 2 = B, 3 = A. Null: the image must be grayscale.</summary>
    public int? Channel { get; init; }
    /// <summary>Largest width × height accepted; checked from the file header before any pixel memory is allocated.</summary>
    public long MaxPixels { get; init; } = 150_000_000;
    /// <summary>Gene name of the raster; null: the file name without its last extension ("x.ome.tif" → "x.ome").</summary>
    public string? Gene { get; init; }
}

/// <summary>
/// Reads one gene's raster from a PNG or TIFF image. Pixel values are the raw stored numbers (counts), never
/// normalised: 8-bit gives 0..255, 16-bit 0..65535, float TIFF the stored floats, exactly.
/// <list type="bullet">
/// <item>The format is recognised from the file's first bytes, not its extension.</item>
/// <item>PNG: grayscale of 1–16 bits (1/2/4-bit values are the raw 0..2ⁿ−1 levels), grayscale+alpha, RGB, RGBA, palette; decoded by ImageSharp.</item>
/// <item>TIFF: uncompressed strips of 8/16/32/64-bit unsigned or signed integers or 16/32/64-bit floats, in either byte order,
/// chunky or planar, are read by our own strict reader. LZW, Deflate and PackBits compressed 8/16-bit grayscale or RGB, and
/// palette images, are decoded by ImageSharp. Tiled, BigTIFF, JPEG-compressed and compressed float/32-bit TIFFs are refused.</item>
/// <item>Colour images (RGB, RGBA, palette) need <see cref="ImageReadOptions.Channel"/>; without it they are refused.</item>
/// <item>Grayscale+alpha images: the gray value is read and the alpha channel is ignored (with a warning); Channel 3 reads the alpha
/// channel instead. Channel 0–2 on a grayscale image reads the gray value (R = G = B), with a warning.</item>
/// <item>Multi-page TIFF: page 1 is read and a warning says how many pages there are.</item>
/// </list>
/// Before anything is decoded the file's structure is checked by our own parsers (PNG chunk list, TIFF directory chain):
/// the size is refused above <see cref="ImageReadOptions.MaxPixels"/>, and truncated files, chunks or tags pointing past the end
/// of the file and looping TIFF directories are refused, so a crafted file cannot make the decoder allocate more than the
/// image size allows. Every problem is reported as a <see cref="SpatialSimException"/> naming the file.
/// </summary>
public static class ImageRasterReader
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Reads the raster; warnings are discarded (see the overload with <c>out warnings</c>).</summary>
    public static RasterPlane Read(string path, ImageReadOptions? options = null) => Read(path, options, out _);

    /// <summary>Reads the raster and returns what a user should be told about it (ignored channels, extra pages, …).</summary>
    public static RasterPlane Read(string path, ImageReadOptions? options, out IReadOnlyList<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new ImageReadOptions();
        if (options.Channel is { } ch && (ch < 0 || ch > 3))
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"Channel must be 0 (R), 1 (G), 2 (B) or 3 (A); got {ch}.") { FilePath = path };
        if (options.MaxPixels <= 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"MaxPixels must be positive; got {options.MaxPixels}.") { FilePath = path };
        if (options.Gene is not null && string.IsNullOrWhiteSpace(options.Gene))
            throw new SpatialSimException(ErrorKind.InvalidArgument, "The gene name is empty. Give a name, or leave it out to use the file name.") { FilePath = path };

        // One raster is one float[]: never accept more pixels than an array can hold, whatever the option says.
        options = options with { MaxPixels = Math.Min(options.MaxPixels, Array.MaxLength) };
        var notes = new List<string>();
        int width, height;
        float[] pixels;
        using (var fs = RasterFileIo.OpenRead(path))
        {
            Span<byte> head = stackalloc byte[8];
            int got = fs.Length >= 8 ? 8 : (int)fs.Length;
            if (got > 0 && !RasterFileIo.TryReadAt(fs, 0, head[..got]))
                throw new SpatialSimException(ErrorKind.ResourceUnavailable, $"Could not read the start of '{path}'.") { FilePath = path };
            head = head[..got];
            if (head.Length == 0)
                throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}' is empty (0 bytes); expected a PNG or TIFF image.") { FilePath = path };

            if (StartsWithPrefixOf(head, PngSignature))
                (width, height, pixels) = ReadPng(fs, path, options, notes);
            else if (IsTiffStart(head))
                (width, height, pixels) = ReadTiff(fs, path, options, notes);
            else
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"'{path}' is not a PNG or TIFF image: it starts with bytes {RasterFileIo.HexPrefix(head)}{GuessFormat(head)}. " +
                    "Save the raster as a grayscale PNG or TIFF.") { FilePath = path };
        }
        warnings = notes;
        return new RasterPlane(options.Gene ?? RasterFileIo.GeneFromFileName(path), width, height, pixels, path);
    }

    // ---------------------------------------------------------------- format detection

    private static bool StartsWithPrefixOf(ReadOnlySpan<byte> head, ReadOnlySpan<byte> signature)
        => head.SequenceEqual(signature[..Math.Min(head.Length, signature.Length)]) && head.Length >= 2;

    private static bool IsTiffStart(ReadOnlySpan<byte> h)
        => h.Length >= 2 && ((h[0] == 'I' && h[1] == 'I' && (h.Length < 3 || h[2] is 42 or 43)) ||
                             (h[0] == 'M' && h[1] == 'M' && (h.Length < 4 || h[3] is 42 or 43)));

    private static string GuessFormat(ReadOnlySpan<byte> h)
    {
        if (h.Length >= 4 && h[1] == 'P' && h[2] == 'N' && h[3] == 'G')
            return " (a PNG with a damaged signature, e.g. after a text-mode transfer; copy the file again in binary mode)";
        if (h.Length >= 3 && h[0] == 'G' && h[1] == 'I' && h[2] == 'F') return " (a GIF image)";
        if (h.Length >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF) return " (a JPEG image; JPEG is lossy and unsuitable for counts)";
        if (h.Length >= 2 && h[0] == 'B' && h[1] == 'M') return " (a BMP image)";
        if (h.Length >= 6 && h[0] == 0x93 && h[1..6].SequenceEqual("NUMPY"u8)) return " (a NumPy .npy file; read it as .npy instead)";
        if (h.Length >= 4 && h[0] == 'R' && h[1] == 'I' && h[2] == 'F' && h[3] == 'F') return " (a RIFF/WebP file)";
        if (h.Length >= 2 && h[0] == 0x1F && h[1] == 0x8B) return " (a gzip archive; decompress it first)";
        if (h.Length >= 4 && h[0] == 'P' && h[1] == 'K' && h[2] == 3 && h[3] == 4) return " (a zip archive; extract it first)";
        return "";
    }

    // ---------------------------------------------------------------- channel choice (shared by PNG and TIFF)

    private enum Component { Gray, Red, Green, Blue, Alpha }

    private static Component ChooseComponent(string path, bool color, bool hasAlpha, int? channel, string description, List<string> notes)
    {
        if (!color)
        {
            if (channel == 3)
            {
                if (!hasAlpha)
                    throw new SpatialSimException(ErrorKind.NotSupported,
                        $"'{path}' is a grayscale image ({description}) without an alpha channel, so channel 3 (A) cannot be read. Leave -Channel out.") { FilePath = path };
                return Component.Alpha;
            }
            if (channel is { } c)
                notes.Add($"'{path}' is a grayscale image; channel {c} ({"RGB"[c]}) is its gray value, which was read.");
            else if (hasAlpha)
                notes.Add($"'{path}' is grayscale with an alpha channel; the gray values were read and the alpha channel ignored (use -Channel A to read alpha).");
            return Component.Gray;
        }
        if (channel is null)
            throw new SpatialSimException(ErrorKind.NotSupported,
                $"'{path}' is a colour image ({description}), but SpatialSim reads one value per pixel. " +
                "Pass -Channel R, G, B or A (0-3) to say which channel holds the counts, or save the raster as a grayscale image.") { FilePath = path };
        if (channel == 3 && !hasAlpha)
            throw new SpatialSimException(ErrorKind.NotSupported,
                $"'{path}' ({description}) has no alpha channel, so channel 3 (A) cannot be read. Choose R, G or B (0-2).") { FilePath = path };
        return (Component)(channel.Value + 1);
    }

    // ---------------------------------------------------------------- PNG

    private readonly record struct PngInfo(int Width, int Height, int BitDepth, int ColorType, bool HasTransparency, bool Animated,
        bool Interlaced, List<(long Offset, int Length)> ImageData);

    /// <summary>Walks the chunk list without decoding: IHDR must come first, every chunk must fit in the file, IEND must be there.</summary>
    private static PngInfo ScanPng(FileStream fs, string path, long maxPixels)
    {
        long length = fs.Length;
        SpatialSimException Bad(string what) => new(ErrorKind.InvalidData, $"'{path}' is not a readable PNG file: {what}") { FilePath = path };
        if (length < 8) throw Bad($"the file is truncated ({length} bytes; the PNG signature alone is 8).");
        Span<byte> sig = stackalloc byte[8];
        if (!RasterFileIo.TryReadAt(fs, 0, sig) || !sig.SequenceEqual(PngSignature))
            throw Bad($"the signature is {RasterFileIo.HexPrefix(sig)}, expected 89 50 4E 47 0D 0A 1A 0A (damaged, or transferred in text mode).");

        Span<byte> chunkHead = stackalloc byte[8];
        Span<byte> ihdr = stackalloc byte[13];
        long pos = 8;
        bool first = true, seenIdat = false, seenPlte = false, trns = false, animated = false;
        int width = 0, height = 0, depth = 0, colorType = 0;
        bool interlaced = false;
        var imageData = new List<(long Offset, int Length)>();
        while (true)
        {
            if (!RasterFileIo.TryReadAt(fs, pos, chunkHead))
                throw Bad($"the file is truncated: it ends at byte {length:N0} without the closing IEND chunk.");
            uint len = BinaryPrimitives.ReadUInt32BigEndian(chunkHead);
            string type = System.Text.Encoding.ASCII.GetString(chunkHead[4..]);
            if (!chunkHead[4..].ToArray().All(b => (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z')))
                throw Bad($"the chunk at byte {pos:N0} has an invalid type (bytes {RasterFileIo.HexPrefix(chunkHead[4..])}); the file is damaged.");
            if (len > int.MaxValue)
                throw Bad($"chunk {type} at byte {pos:N0} declares {len:N0} bytes, more than PNG allows.");
            if (len + 12L > length - pos)
                throw Bad($"the file is truncated: chunk {type} at byte {pos:N0} declares {len:N0} bytes of data, but only {Math.Max(0, length - pos - 12):N0} remain.");

            if (first)
            {
                if (type != "IHDR" || len != 13)
                    throw Bad($"the first chunk is {type} ({len} bytes), expected the 13-byte IHDR header.");
                RasterFileIo.TryReadAt(fs, pos + 8, ihdr);
                long w = BinaryPrimitives.ReadUInt32BigEndian(ihdr), h = BinaryPrimitives.ReadUInt32BigEndian(ihdr[4..]);
                depth = ihdr[8];
                colorType = ihdr[9];
                if (w == 0 || h == 0 || w > int.MaxValue || h > int.MaxValue)
                    throw Bad($"the header gives a size of {w}×{h} pixels; width and height must be between 1 and 2³¹−1.");
                if (w * h > maxPixels)
                    throw new SpatialSimException(ErrorKind.LimitExceeded,
                        $"'{path}' is {w}×{h} = {w * h:N0} pixels, more than the limit of {maxPixels:N0}. " +
                        "Raise the pixel limit (-MaxPixels) if the machine has the memory, or bin/crop the image first.") { FilePath = path };
                bool validDepth = colorType switch
                {
                    0 => depth is 1 or 2 or 4 or 8 or 16,
                    3 => depth is 1 or 2 or 4 or 8,
                    2 or 4 or 6 => depth is 8 or 16,
                    _ => false,
                };
                if (!validDepth)
                    throw Bad($"the header gives colour type {colorType} with bit depth {depth}, which is not a valid PNG combination.");
                if (ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1)
                    throw Bad($"the header gives compression {ihdr[10]}, filter {ihdr[11]}, interlace {ihdr[12]}; only 0, 0 and 0/1 exist.");
                width = (int)w;
                height = (int)h;
                interlaced = ihdr[12] == 1;
                first = false;
            }
            else
            {
                switch (type)
                {
                    case "IHDR": throw Bad($"a second IHDR chunk appears at byte {pos:N0}.");
                    case "PLTE": seenPlte = true; break;
                    case "tRNS": trns = true; break;
                    case "acTL": animated = true; break;
                    case "IDAT": seenIdat = true; imageData.Add((pos + 8, (int)len)); break;
                }
                if (type == "IEND") break;
            }
            pos += 12L + len;
        }
        if (!seenIdat) throw Bad("it contains no image data (IDAT chunk).");
        if (colorType == 3 && !seenPlte) throw Bad("it is a palette image without a palette (PLTE chunk).");
        return new PngInfo(width, height, depth, colorType, trns, animated, interlaced, imageData);
    }

    private static (int, int, float[]) ReadPng(FileStream fs, string path, ImageReadOptions options, List<string> notes)
    {
        var info = ScanPng(fs, path, options.MaxPixels);
        if (info.Animated)
            notes.Add($"'{path}' is an animated PNG; only its default (first) image was read.");

        bool sixteen = info.BitDepth == 16;
        string bits = $"{info.BitDepth} bits per channel";
        bool color = info.ColorType is 2 or 3 or 6;
        bool hasAlpha = info.ColorType is 4 or 6 || info.HasTransparency;
        string description = info.ColorType switch
        {
            0 => $"PNG grayscale, {info.BitDepth}-bit",
            2 => $"PNG RGB, {bits}",
            3 => $"PNG palette, {info.BitDepth}-bit indices",
            4 => $"PNG grayscale+alpha, {bits}",
            _ => $"PNG RGBA, {bits}",
        };
        var component = ChooseComponent(path, color, hasAlpha, options.Channel, description, notes);
        // ImageSharp fills the rows of a cut image data stream with zeros (and can spin on a cut interlaced one): check first.
        int samples = info.ColorType switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };
        PngDataCheck.Verify(fs, path, info.ImageData, PngDataCheck.ExpectedBytes(info.Width, info.Height, samples * info.BitDepth, info.Interlaced));

        var decoder = new PngDecoder { IgnoreMetadata = true }; // metadata skipped: no text-chunk inflation
        float[] pixels;
        if (!color)
        {
            // Gray, or gray + alpha (alpha from an alpha channel or from a tRNS colour key).
            bool wantAlpha = component == Component.Alpha;
            if (!wantAlpha && info.ColorType == 0)
                pixels = sixteen
                    ? Decode<L16>(path, "PNG", fs, info.Width, info.Height, 2, (c, s) => decoder.Decode<L16>(c, s, default), SampleType.U16, 1, 0)
                    : Decode<L8>(path, "PNG", fs, info.Width, info.Height, 1, (c, s) => decoder.Decode<L8>(c, s, default), SampleType.U8, 1, 0);
            else
                pixels = sixteen
                    ? Decode<La32>(path, "PNG", fs, info.Width, info.Height, 4, (c, s) => decoder.Decode<La32>(c, s, default), SampleType.U16, 2, wantAlpha ? 1 : 0)
                    : Decode<La16>(path, "PNG", fs, info.Width, info.Height, 2, (c, s) => decoder.Decode<La16>(c, s, default), SampleType.U8, 2, wantAlpha ? 1 : 0);
            if (!wantAlpha && info.BitDepth < 8)
            {
                // ImageSharp stretches 1/2/4-bit gray to 0..255 by multiplying with 255/(2ⁿ−1); undo it to get the stored levels.
                float factor = 255f / ((1 << info.BitDepth) - 1);
                for (int i = 0; i < pixels.Length; i++) pixels[i] = MathF.Round(pixels[i] / factor);
            }
        }
        else
        {
            int offset = (int)component - 1; // R G B A → 0 1 2 3
            pixels = sixteen
                ? Decode<Rgba64>(path, "PNG", fs, info.Width, info.Height, 8, (c, s) => decoder.Decode<Rgba64>(c, s, default), SampleType.U16, 4, offset)
                : Decode<Rgba32>(path, "PNG", fs, info.Width, info.Height, 4, (c, s) => decoder.Decode<Rgba32>(c, s, default), SampleType.U8, 4, offset);
        }
        return (info.Width, info.Height, pixels);
    }

    // ---------------------------------------------------------------- TIFF

    private static (int, int, float[]) ReadTiff(FileStream fs, string path, ImageReadOptions options, List<string> notes)
    {
        var t = TiffStructure.Parse(fs, path, options.MaxPixels);
        SpatialSimException Unsupported(string what) => new(ErrorKind.NotSupported, $"'{path}': {what}") { FilePath = path };

        if (t.IsTiled)
            throw Unsupported("tiled TIFF files are not supported. Save the image with strips (the default of most tools; in tifffile, leave out tile=).");

        bool gray = t.Photometric is TiffPhotometric.WhiteIsZero or TiffPhotometric.BlackIsZero;
        bool palette = t.Photometric == TiffPhotometric.Palette;
        bool rgb = t.Photometric == TiffPhotometric.Rgb;
        if (!gray && !palette && !rgb)
        {
            string name = t.Photometric switch
            {
                TiffPhotometric.TransparencyMask => "transparency mask",
                TiffPhotometric.Separated => "CMYK/separated",
                TiffPhotometric.YCbCr => "YCbCr",
                TiffPhotometric.CieLab or TiffPhotometric.IccLab or TiffPhotometric.ItuLab => "CIE L*a*b*",
                _ => "unknown",
            };
            throw Unsupported($"its colour model (PhotometricInterpretation {(int)t.Photometric}, {name}) is not supported. Save it as grayscale or RGB.");
        }
        if (rgb && t.SamplesPerPixel < 3)
            throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}' claims to be RGB but has {t.SamplesPerPixel} sample(s) per pixel.") { FilePath = path };
        if (palette && !t.HasColorMap)
            throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}' is a palette image without a colour map (tag 320).") { FilePath = path };

        bool grayAlpha = gray && t.SamplesPerPixel >= 2 && t.ExtraSamples.Length > 0 &&
                         t.ExtraSamples[0] is TiffExtraSample.AssociatedAlpha or TiffExtraSample.UnassociatedAlpha;
        bool hasAlpha = grayAlpha || (rgb && t.SamplesPerPixel >= 4);
        string description = palette ? $"TIFF palette, {t.BitsPerSample}-bit indices"
            : $"TIFF {(gray ? "grayscale" : "RGB")}{(hasAlpha ? "+alpha" : "")}, {t.SampleDescription}{(t.SamplesPerPixel > 1 ? " per channel" : "")}";
        var component = ChooseComponent(path, !gray, hasAlpha, options.Channel, description, notes);
        if (gray && t.SamplesPerPixel > 1 && !grayAlpha && component == Component.Gray)
            notes.Add($"'{path}' has {t.SamplesPerPixel} samples per pixel; the first (gray) sample was read and the others ignored.");
        if (t.PhotometricMissing)
            notes.Add($"'{path}' has no PhotometricInterpretation tag; it was read as {(gray ? "grayscale (BlackIsZero)" : "RGB")}.");
        if (t.Photometric == TiffPhotometric.WhiteIsZero)
            notes.Add($"'{path}' is stored as WhiteIsZero; its values were read as stored (not inverted).");

        if (t.PageCount > 1 || t.LaterPagesProblem is not null)
            notes.Add(t.LaterPagesProblem is null
                ? $"'{path}' has {t.PageCount} pages; only page 1 was read."
                : $"'{path}': only page 1 was read; the pages after it could not all be checked ({t.LaterPagesProblem}).");

        int sample = component switch
        {
            Component.Gray or Component.Red => 0,
            Component.Green => 1,
            Component.Blue => 2,
            _ => gray ? 1 : 3, // alpha
        };

        if (t.Compression == TiffCompression.None && !palette)
        {
            if (t.Predictor != TiffPredictor.None)
                throw Unsupported($"it is uncompressed but uses predictor {(int)t.Predictor}, an unusual combination that is not supported. Save it without a predictor.");
            if (t.SampleType is null)
                throw Unsupported($"its samples are {t.SampleDescription}, which is not supported. " +
                                  "Supported: 8/16/32/64-bit unsigned or signed integers and 16/32/64-bit floats.");
            try
            {
                return (t.Width, t.Height, t.ReadUncompressedSample(fs, sample));
            }
            catch (OutOfMemoryException ex)
            {
                throw new SpatialSimException(ErrorKind.LimitExceeded,
                    $"Not enough memory to read '{path}' ({t.Width}×{t.Height} pixels). Lower the pixel limit or free memory.", ex) { FilePath = path };
            }
        }

        // Everything else goes to ImageSharp, which must not be given anything it could mis-decode or that could make it misbehave.
        string compression = t.Compression switch
        {
            TiffCompression.None => "uncompressed",
            TiffCompression.Lzw => "LZW",
            TiffCompression.AdobeDeflate or TiffCompression.Deflate => "Deflate",
            TiffCompression.PackBits => "PackBits",
            TiffCompression.OldJpeg or TiffCompression.Jpeg => "JPEG",
            TiffCompression.Ccitt1D or TiffCompression.CcittGroup3Fax or TiffCompression.CcittGroup4Fax => "CCITT fax",
            TiffCompression.Lzma or TiffCompression.LzmaAlternative => "LZMA",
            TiffCompression.Zstd => "Zstd",
            TiffCompression.WebP => "WebP",
            TiffCompression.Lerc => "LERC",
            _ => $"compression code {(int)t.Compression}",
        };
        if (t.Compression is TiffCompression.OldJpeg or TiffCompression.Jpeg)
            throw Unsupported("it is JPEG-compressed, which is lossy: the counts would not be the stored values. Save it uncompressed or with LZW/Deflate.");
        if (t.Compression is not (TiffCompression.None or TiffCompression.Lzw or TiffCompression.AdobeDeflate or TiffCompression.Deflate or TiffCompression.PackBits))
            throw Unsupported($"its compression ({compression}) is not supported. Save it uncompressed, or with LZW, Deflate or PackBits.");
        if (palette ? t.BitsPerSample is not (1 or 2 or 4 or 8) : (t.SampleFormat != TiffSampleFormat.UnsignedInteger || t.BitsPerSample is not (8 or 16)))
            throw Unsupported($"{compression}-compressed TIFFs can be read with 8- or 16-bit unsigned samples only; this one has {t.SampleDescription} samples. " +
                              "Save it uncompressed (every sample type is supported then).");
        if (gray && t.SamplesPerPixel != 1)
            throw Unsupported($"{compression}-compressed grayscale TIFFs with extra channels are not supported. Save it uncompressed.");
        if (rgb && t.SamplesPerPixel > 4)
            throw Unsupported($"{compression}-compressed RGB TIFFs with {t.SamplesPerPixel} samples per pixel are not supported. Save it uncompressed.");
        if (t.LaterPagesProblem is not null)
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{path}' cannot be decoded safely: {t.LaterPagesProblem}. Save page 1 on its own, uncompressed.") { FilePath = path };
        t.EnsureStripsInFile();
        TiffStripCheck.Verify(fs, t);

        var decoder = new TiffDecoder { IgnoreMetadata = true, DecodingMode = FrameDecodingMode.First };
        float[] px;
        if (gray)
        {
            bool sixteen = t.BitsPerSample == 16;
            px = sixteen
                ? Decode<L16>(path, "TIFF", fs, t.Width, t.Height, 2, (c, s) => decoder.Decode<L16>(c, s, default), SampleType.U16, 1, 0)
                : Decode<L8>(path, "TIFF", fs, t.Width, t.Height, 1, (c, s) => decoder.Decode<L8>(c, s, default), SampleType.U8, 1, 0);
            if (t.Photometric == TiffPhotometric.WhiteIsZero)
            {
                // ImageSharp shows WhiteIsZero inverted (max − stored); undo it so the stored values come back, as above.
                float max = sixteen ? 65535f : 255f;
                for (int i = 0; i < px.Length; i++) px[i] = max - px[i];
            }
        }
        else
        {
            int offset = sample; // R G B A → 0 1 2 3
            px = rgb && t.BitsPerSample == 16
                ? Decode<Rgba64>(path, "TIFF", fs, t.Width, t.Height, 8, (c, s) => decoder.Decode<Rgba64>(c, s, default), SampleType.U16, 4, offset)
                : Decode<Rgba32>(path, "TIFF", fs, t.Width, t.Height, 4, (c, s) => decoder.Decode<Rgba32>(c, s, default), SampleType.U8, 4, offset);
        }
        return (t.Width, t.Height, px);
    }

    // ---------------------------------------------------------------- ImageSharp decoding

    /// <summary>
    /// Runs an ImageSharp decoder with a bounded allocator and copies one component of every pixel to float32.
    /// Any exception from the decoder (crafted files trigger many kinds) becomes a <see cref="SpatialSimException"/> naming the file.
    /// </summary>
    private static float[] Decode<TPixel>(string path, string format, FileStream fs, int width, int height, int bytesPerPixel,
        Func<Configuration, Stream, Image<TPixel>> decode, SampleType componentType, int componentsPerPixel, int component)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        long largest = (long)width * height * bytesPerPixel;
        var config = new Configuration
        {
            MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
            {
                MaximumPoolSizeMegabytes = 0, // nothing kept after the read
                AllocationLimitMegabytes = (int)Math.Min(int.MaxValue, largest / (1 << 20) + 64),
            }),
            MaxDegreeOfParallelism = 1,
        };

        Image<TPixel> image;
        try
        {
            fs.Position = 0;
            image = decode(config, fs);
        }
        catch (Exception ex) when (ex is InvalidMemoryOperationException or OutOfMemoryException)
        {
            throw new SpatialSimException(ErrorKind.LimitExceeded,
                $"Decoding '{path}' ({width}×{height} pixels) needs more memory than is available or allowed. The file may be damaged, or too large for this machine.", ex) { FilePath = path };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Deliberately broad: a damaged or crafted file can make a decoder throw almost anything
            // (ImageFormatException, InvalidImageContentException, NotSupportedException, IndexOutOfRangeException, …).
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{path}' could not be decoded as {format}: {ex.Message.TrimEnd('.', '!', ' ')}. The file may be damaged or truncated; re-export it.", ex) { FilePath = path };
        }

        using (image)
        {
            if (image.Width != width || image.Height != height)
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"'{path}' decoded to {image.Width}×{image.Height} pixels, but its header says {width}×{height}; the file is damaged.") { FilePath = path };
            var pixels = new float[(long)width * height];
            bool bigEndianHost = !BitConverter.IsLittleEndian; // ImageSharp pixels are in host order
            image.ProcessPixelRows(accessor =>
            {
                for (int y = 0; y < accessor.Height; y++)
                {
                    ReadOnlySpan<byte> row = MemoryMarshal.AsBytes(accessor.GetRowSpan(y));
                    SampleDecoder.Decode(row, pixels.AsSpan(y * width, width), componentType, bigEndianHost, componentsPerPixel, component);
                }
            });
            return pixels;
        }
    }
}
