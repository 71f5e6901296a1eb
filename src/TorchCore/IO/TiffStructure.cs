using System.Buffers.Binary;
using SpatialSim.TorchCore.IO.Tiff;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Strict parser for the structure of a classic (non-Big) TIFF file, and a reader for the pixel data of its
/// first page when that page is uncompressed and stored in strips.
/// <para>
/// Parsing validates the whole directory (IFD) chain before any pixel memory is allocated: the image size is checked
/// against the caller's pixel limit as soon as it is known, every tag's data and every strip must lie inside the file,
/// and a directory chain that loops is detected. A file that passes can therefore be handed to a decoder without any
/// allocation being driven by numbers larger than the file itself.
/// </para>
/// </summary>
internal sealed class TiffStructure
{
    /// <summary>Directories walked at most when counting pages.</summary>
    public const int MaxPagesCounted = 100_000;

    public required string Path { get; init; }
    public required bool BigEndian { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int BitsPerSample { get; init; }
    /// <summary>Unsigned integer, signed integer or IEEE float (TIFF SampleFormat).</summary>
    public required TiffSampleFormat SampleFormat { get; init; }
    public required int SamplesPerPixel { get; init; }
    /// <summary>TIFF Compression code.</summary>
    public required TiffCompression Compression { get; init; }
    /// <summary>TIFF PhotometricInterpretation: WhiteIsZero, BlackIsZero, RGB and palette are read, others unsupported.</summary>
    public required TiffPhotometric Photometric { get; init; }
    public required bool PhotometricMissing { get; init; }
    /// <summary>Chunky (samples of a pixel together) or planar (one set of strips per sample).</summary>
    public required TiffPlanarConfiguration PlanarConfiguration { get; init; }
    public required TiffPredictor Predictor { get; init; }
    public required bool IsTiled { get; init; }
    public required bool HasColorMap { get; init; }
    /// <summary>ExtraSamples values: what each channel after the colour channels holds.</summary>
    public required TiffExtraSample[] ExtraSamples { get; init; }
    public required int RowsPerStrip { get; init; }
    public required long[] StripOffsets { get; init; }
    /// <summary>Byte count of each strip; inferred from the image size when the tag is missing and the data is uncompressed.</summary>
    public required long[] StripByteCounts { get; init; }
    public required long FileLength { get; init; }
    /// <summary>Number of pages (directories) found; at most <see cref="MaxPagesCounted"/>.</summary>
    public required int PageCount { get; init; }
    /// <summary>Why the pages after the first could not all be walked (broken link, loop, tag outside the file), or null.</summary>
    public required string? LaterPagesProblem { get; init; }

    public int StripsPerPlane => (int)((Height + (long)RowsPerStrip - 1) / RowsPerStrip);

    /// <summary>Element type of the samples, or null when BitsPerSample/SampleFormat is a combination we cannot decode exactly.</summary>
    public SampleType? SampleType => (BitsPerSample, SampleFormat) switch
    {
        (8, TiffSampleFormat.UnsignedInteger) => IO.SampleType.U8,
        (8, TiffSampleFormat.SignedInteger) => IO.SampleType.I8,
        (16, TiffSampleFormat.UnsignedInteger) => IO.SampleType.U16,
        (16, TiffSampleFormat.SignedInteger) => IO.SampleType.I16,
        (16, TiffSampleFormat.Float) => IO.SampleType.F16,
        (32, TiffSampleFormat.UnsignedInteger) => IO.SampleType.U32,
        (32, TiffSampleFormat.SignedInteger) => IO.SampleType.I32,
        (32, TiffSampleFormat.Float) => IO.SampleType.F32,
        (64, TiffSampleFormat.UnsignedInteger) => IO.SampleType.U64,
        (64, TiffSampleFormat.SignedInteger) => IO.SampleType.I64,
        (64, TiffSampleFormat.Float) => IO.SampleType.F64,
        _ => null,
    };

    public string SampleDescription => SampleFormat switch
    {
        TiffSampleFormat.UnsignedInteger => $"{BitsPerSample}-bit unsigned integer",
        TiffSampleFormat.SignedInteger => $"{BitsPerSample}-bit signed integer",
        TiffSampleFormat.Float => $"{BitsPerSample}-bit float",
        _ => $"{BitsPerSample}-bit (SampleFormat {(int)SampleFormat})",
    };

    private readonly record struct Entry(TiffTag Tag, TiffFieldType Type, uint Count, uint ValueOrOffset, long EntryPosition);

    private static int TypeSize(TiffFieldType type) => type switch
    {
        TiffFieldType.Byte or TiffFieldType.Ascii or TiffFieldType.SByte or TiffFieldType.Undefined => 1,
        TiffFieldType.Short or TiffFieldType.SShort => 2,
        TiffFieldType.Long or TiffFieldType.SLong or TiffFieldType.Float or TiffFieldType.Ifd => 4,
        TiffFieldType.Rational or TiffFieldType.SRational or TiffFieldType.Double => 8,
        _ => 0, // unknown types are ignored, as the TIFF specification asks
    };

    private static SpatialSimException Invalid(string path, string what)
        => new(ErrorKind.InvalidData, $"'{path}' is not a readable TIFF file: {what}") { FilePath = path };

    /// <summary>Parses the header and the directory chain. <paramref name="maxPixels"/> is enforced as soon as the size is read.</summary>
    public static TiffStructure Parse(FileStream fs, string path, long maxPixels)
    {
        long length = fs.Length;
        Span<byte> head = stackalloc byte[8];
        if (!RasterFileIo.TryReadAt(fs, 0, head))
            throw Invalid(path, $"the file is truncated ({length} bytes; a TIFF header alone is 8 bytes).");
        bool be;
        if (head[0] == (byte)'I' && head[1] == (byte)'I') be = false;
        else if (head[0] == (byte)'M' && head[1] == (byte)'M') be = true;
        else throw Invalid(path, $"it starts with bytes {RasterFileIo.HexPrefix(head)}, not a TIFF byte-order mark (II or MM).");
        ushort magic = be ? BinaryPrimitives.ReadUInt16BigEndian(head[2..]) : BinaryPrimitives.ReadUInt16LittleEndian(head[2..]);
        if (magic == 43)
            throw new SpatialSimException(ErrorKind.NotSupported,
                $"'{path}' is a BigTIFF file, which is not supported. Save it as a classic TIFF (under 4 GB), or export the raster as .npy.") { FilePath = path };
        if (magic != 42)
            throw Invalid(path, $"the TIFF version number is {magic}, expected 42.");
        uint firstIfd = be ? BinaryPrimitives.ReadUInt32BigEndian(head[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);

        var reader = new IfdReader(fs, path, be, length);
        var entries = reader.ReadDirectory(firstIfd, pageNumber: 1, out uint nextIfd, out string? problem);
        if (entries is null) throw Invalid(path, problem!);
        problem = reader.CheckEntriesInFile(entries, 1);
        if (problem is not null) throw Invalid(path, problem);

        var tags = new Dictionary<TiffTag, Entry>();
        foreach (var e in entries) tags.TryAdd(e.Tag, e);

        // Size first, so an absurd size is refused before anything else is read.
        long width = reader.Scalar(tags, TiffTag.ImageWidth, required: true);
        long height = reader.Scalar(tags, TiffTag.ImageLength, required: true);
        if (width <= 0 || height <= 0)
            throw Invalid(path, $"the image is {width}×{height} pixels; width and height must both be at least 1.");
        if (width > int.MaxValue || height > int.MaxValue || width * height > maxPixels)
            throw new SpatialSimException(ErrorKind.LimitExceeded,
                $"'{path}' is {width}×{height} = {(ulong)width * (ulong)height:N0} pixels, more than the limit of {maxPixels:N0}. " +
                "Raise the pixel limit (-MaxPixels) if the machine has the memory, or bin/crop the image first.") { FilePath = path };

        int spp = (int)reader.Scalar(tags, TiffTag.SamplesPerPixel, defaultValue: 1);
        if (spp < 1 || spp > 16)
            throw Invalid(path, $"SamplesPerPixel is {spp}.");
        int bits = reader.UniformValue(tags, TiffTag.BitsPerSample, spp, defaultValue: 1, "BitsPerSample");
        var format = (TiffSampleFormat)reader.UniformValue(tags, TiffTag.SampleFormat, spp, defaultValue: (int)TiffSampleFormat.UnsignedInteger, "SampleFormat");
        var compression = (TiffCompression)reader.Scalar(tags, TiffTag.Compression, defaultValue: (long)TiffCompression.None);
        bool photometricMissing = !tags.ContainsKey(TiffTag.PhotometricInterpretation);
        var photometric = (TiffPhotometric)reader.Scalar(tags, TiffTag.PhotometricInterpretation,
            defaultValue: (long)(spp >= 3 ? TiffPhotometric.Rgb : TiffPhotometric.BlackIsZero));
        var planar = (TiffPlanarConfiguration)reader.Scalar(tags, TiffTag.PlanarConfiguration, defaultValue: (long)TiffPlanarConfiguration.Chunky);
        if (planar is not (TiffPlanarConfiguration.Chunky or TiffPlanarConfiguration.Planar))
            throw Invalid(path, $"PlanarConfiguration is {(int)planar}, expected 1 or 2.");
        var predictor = (TiffPredictor)reader.Scalar(tags, TiffTag.Predictor, defaultValue: (long)TiffPredictor.None);
        bool tiled = tags.ContainsKey(TiffTag.TileWidth) || tags.ContainsKey(TiffTag.TileLength) || tags.ContainsKey(TiffTag.TileOffsets);
        TiffExtraSample[] extra = tags.TryGetValue(TiffTag.ExtraSamples, out var ex)
            ? reader.Values(ex, maxCount: 16).Select(v => (TiffExtraSample)v).ToArray() : [];

        long rps = reader.Scalar(tags, TiffTag.RowsPerStrip, defaultValue: height);
        if (rps <= 0) throw Invalid(path, $"RowsPerStrip is {rps}.");
        rps = Math.Min(rps, height);

        long[] offsets = [], counts = [];
        if (!tiled)
        {
            int stripsPerPlane = (int)((height + rps - 1) / rps);
            long needed = (long)stripsPerPlane * (planar == TiffPlanarConfiguration.Planar ? spp : 1);
            if (!tags.TryGetValue(TiffTag.StripOffsets, out var so))
                throw Invalid(path, "the StripOffsets tag (273) is missing, so the pixel data cannot be found.");
            offsets = reader.Values(so, maxCount: int.MaxValue);
            if (offsets.Length < needed)
                throw Invalid(path, $"StripOffsets lists {offsets.Length} strips, but {width}×{height} pixels with {rps} rows per strip need {needed}.");
            if (tags.TryGetValue(TiffTag.StripByteCounts, out var sc))
            {
                counts = reader.Values(sc, maxCount: int.MaxValue);
                if (counts.Length < needed)
                    throw Invalid(path, $"StripByteCounts lists {counts.Length} strips, {needed} needed.");
            }
            else if (compression == TiffCompression.None && bits % 8 == 0)
            {
                // Some writers omit the byte counts of uncompressed data: they follow from the geometry.
                long rowBytes = width * (bits / 8) * (planar == TiffPlanarConfiguration.Planar ? 1 : spp);
                counts = new long[needed];
                for (int i = 0; i < needed; i++)
                    counts[i] = Math.Min(rps, height - (i % stripsPerPlane) * rps) * rowBytes;
            }
            else
            {
                throw Invalid(path, "the StripByteCounts tag (279) is missing.");
            }
        }

        // Walk the remaining pages: count them, and make sure no later directory points outside the file or loops.
        int pages = 1;
        string? laterProblem = null;
        var seen = new HashSet<uint> { firstIfd };
        while (nextIfd != 0)
        {
            if (pages >= MaxPagesCounted)
            {
                laterProblem = $"it has more than {MaxPagesCounted:N0} pages";
                break;
            }
            if (!seen.Add(nextIfd))
            {
                laterProblem = $"the directory of page {pages + 1} points back to an earlier page (a loop)";
                break;
            }
            var more = reader.ReadDirectory(nextIfd, pages + 1, out uint after, out string? p);
            if (more is null)
            {
                laterProblem = p;
                break;
            }
            pages++;
            p = reader.CheckEntriesInFile(more, pages);
            if (p is not null)
            {
                laterProblem = p;
                break;
            }
            nextIfd = after;
        }

        return new TiffStructure
        {
            Path = path, BigEndian = be, Width = (int)width, Height = (int)height, BitsPerSample = bits, SampleFormat = format,
            SamplesPerPixel = spp, Compression = compression, Photometric = photometric, PhotometricMissing = photometricMissing,
            PlanarConfiguration = planar, Predictor = predictor, IsTiled = tiled, HasColorMap = tags.ContainsKey(TiffTag.ColorMap),
            ExtraSamples = extra, RowsPerStrip = (int)rps, StripOffsets = offsets, StripByteCounts = counts, FileLength = length,
            PageCount = pages, LaterPagesProblem = laterProblem,
        };
    }

    /// <summary>Checks that every strip of page 1 lies inside the file (so a decoder cannot be asked to read past its end).</summary>
    public void EnsureStripsInFile()
    {
        int n = StripsPerPlane * (PlanarConfiguration == TiffPlanarConfiguration.Planar ? SamplesPerPixel : 1);
        for (int i = 0; i < n; i++)
        {
            long off = StripOffsets[i], cnt = StripByteCounts[i];
            if (off < 0 || cnt < 0 || off > FileLength || cnt > FileLength - off)
                throw Invalid(Path, $"the file is truncated or damaged: strip {i + 1} of {n} claims {cnt:N0} bytes at offset {off:N0}, " +
                                    $"but the file is only {FileLength:N0} bytes long.");
        }
    }

    /// <summary>
    /// Reads sample <paramref name="sample"/> (0-based, within a pixel) of every pixel of page 1 as float32.
    /// Only for uncompressed strips with a supported <see cref="SampleType"/>.
    /// </summary>
    public float[] ReadUncompressedSample(FileStream fs, int sample)
    {
        var type = SampleType ?? throw new InvalidOperationException("Unsupported sample type.");
        if (Compression != TiffCompression.None || IsTiled) throw new InvalidOperationException("Not uncompressed strips.");
        if ((uint)sample >= (uint)SamplesPerPixel) throw new ArgumentOutOfRangeException(nameof(sample));

        int bytesPerSample = SampleDecoder.SizeOf(type);
        bool planar = PlanarConfiguration == TiffPlanarConfiguration.Planar;
        int stride = planar ? 1 : SamplesPerPixel;
        int offsetInPixel = planar ? 0 : sample;
        int bytesPerPixel = stride * bytesPerSample;
        long rowBytes = (long)Width * bytesPerPixel;
        int strips = StripsPerPlane;
        int firstStrip = planar ? sample * strips : 0;

        // Validate every strip before allocating the output.
        for (int s = 0; s < strips; s++)
        {
            int rows = Math.Min(RowsPerStrip, Height - s * RowsPerStrip);
            long need = rows * rowBytes;
            long off = StripOffsets[firstStrip + s], have = StripByteCounts[firstStrip + s];
            if (have < need)
                throw Invalid(Path, $"strip {s + 1} of {strips} holds {have:N0} bytes, but {rows} rows of {Width} {SampleDescription} pixels need {need:N0}.");
            if (off < 0 || off > FileLength || need > FileLength - off)
                throw Invalid(Path, $"the file is truncated: strip {s + 1} of {strips} needs {need:N0} bytes at offset {off:N0}, " +
                                    $"but the file is only {FileLength:N0} bytes long.");
        }

        var pixels = new float[(long)Width * Height];
        int pixelsPerChunk = Math.Max(1, (1 << 20) / bytesPerPixel);
        var buffer = new byte[(long)pixelsPerChunk * bytesPerPixel];
        long pixelIndex = 0;
        for (int s = 0; s < strips; s++)
        {
            int rows = Math.Min(RowsPerStrip, Height - s * RowsPerStrip);
            long stripPixels = (long)rows * Width;
            long pos = StripOffsets[firstStrip + s];
            while (stripPixels > 0)
            {
                int n = (int)Math.Min(pixelsPerChunk, stripPixels);
                var chunk = buffer.AsSpan(0, n * bytesPerPixel);
                if (!RasterFileIo.TryReadAt(fs, pos, chunk))
                    throw Invalid(Path, $"the file ended while reading strip {s + 1} (it may have been truncated while being read).");
                SampleDecoder.Decode(chunk, pixels.AsSpan((int)pixelIndex, n), type, BigEndian, stride, offsetInPixel);
                pos += chunk.Length;
                pixelIndex += n;
                stripPixels -= n;
            }
        }
        return pixels;
    }

    /// <summary>Reads directories and tag values with bounds checks against the file length.</summary>
    private sealed class IfdReader(FileStream fs, string path, bool be, long length)
    {
        public Entry[]? ReadDirectory(uint offset, int pageNumber, out uint next, out string? problem)
        {
            next = 0;
            problem = null;
            Span<byte> two = stackalloc byte[2];
            if (offset < 8 || !RasterFileIo.TryReadAt(fs, offset, two))
            {
                problem = $"the directory of page {pageNumber} is at offset {offset:N0}, outside the {length:N0}-byte file (truncated or damaged).";
                return null;
            }
            int n = be ? BinaryPrimitives.ReadUInt16BigEndian(two) : BinaryPrimitives.ReadUInt16LittleEndian(two);
            if (n == 0)
            {
                problem = $"the directory of page {pageNumber} has no entries.";
                return null;
            }
            var buf = new byte[n * 12 + 4];
            if (!RasterFileIo.TryReadAt(fs, offset + 2L, buf))
            {
                problem = $"the directory of page {pageNumber} ({n} entries at offset {offset:N0}) runs past the end of the {length:N0}-byte file (truncated).";
                return null;
            }
            var entries = new Entry[n];
            for (int i = 0; i < n; i++)
            {
                var e = buf.AsSpan(i * 12, 12);
                entries[i] = new Entry((TiffTag)U16(e), (TiffFieldType)U16(e[2..]), U32(e[4..]), U32(e[8..]), offset + 2L + i * 12 + 8);
            }
            next = U32(buf.AsSpan(n * 12));
            return entries;
        }

        /// <summary>Null when every tag's data lies inside the file; otherwise a description of the first that does not.</summary>
        public string? CheckEntriesInFile(Entry[] entries, int pageNumber)
        {
            foreach (var e in entries)
            {
                long bytes = (long)e.Count * TypeSize(e.Type);
                if (bytes > 4 && (e.ValueOrOffset > length || bytes > length - e.ValueOrOffset))
                    return $"tag {(ushort)e.Tag} of page {pageNumber} declares {bytes:N0} bytes of data at offset {e.ValueOrOffset:N0}, " +
                           $"beyond the end of the {length:N0}-byte file (truncated or damaged).";
            }
            return null;
        }

        public long Scalar(Dictionary<TiffTag, Entry> tags, TiffTag tag, long defaultValue = 0, bool required = false)
        {
            if (!tags.TryGetValue(tag, out var e))
            {
                if (required) throw Invalid(path, $"the required tag {(ushort)tag} ({TagName(tag)}) is missing.");
                return defaultValue;
            }
            if (e.Count == 0) throw Invalid(path, $"tag {(ushort)tag} ({TagName(tag)}) has no value.");
            return Values(e, maxCount: 1)[0];
        }

        /// <summary>A per-sample tag (BitsPerSample, SampleFormat) whose values must all be equal.</summary>
        public int UniformValue(Dictionary<TiffTag, Entry> tags, TiffTag tag, int spp, int defaultValue, string name)
        {
            if (!tags.TryGetValue(tag, out var e) || e.Count == 0) return defaultValue;
            var v = Values(e, maxCount: spp);
            if (v.Any(x => x != v[0]))
                throw new SpatialSimException(ErrorKind.NotSupported,
                    $"'{path}' uses different {name} values per channel ({string.Join(", ", v)}), which is not supported.") { FilePath = path };
            if (v[0] > 1024) throw Invalid(path, $"{name} is {v[0]}.");
            return (int)v[0];
        }

        /// <summary>Integer values of a BYTE/SHORT/LONG tag; at most <paramref name="maxCount"/> are read.</summary>
        public long[] Values(Entry e, int maxCount)
        {
            int size = e.Type switch
            {
                TiffFieldType.Byte => 1,
                TiffFieldType.Short or TiffFieldType.SShort => 2,
                TiffFieldType.Long or TiffFieldType.SLong or TiffFieldType.Ifd => 4,
                _ => 0,
            };
            if (size == 0)
                throw Invalid(path, $"tag {(ushort)e.Tag} ({TagName(e.Tag)}) has data type {(ushort)e.Type}; an integer type (BYTE, SHORT or LONG) was expected.");
            int count = (int)Math.Min(e.Count, (uint)maxCount);
            long bytes = (long)count * size;
            byte[] data = new byte[bytes];
            long at = (long)e.Count * size <= 4 ? e.EntryPosition : e.ValueOrOffset;
            if (!RasterFileIo.TryReadAt(fs, at, data))
                throw Invalid(path, $"the values of tag {(ushort)e.Tag} ({TagName(e.Tag)}) lie beyond the end of the file (truncated).");
            var result = new long[count];
            for (int i = 0; i < count; i++)
            {
                var s = data.AsSpan(i * size);
                result[i] = e.Type switch
                {
                    TiffFieldType.Byte => s[0],
                    TiffFieldType.Short => U16(s),
                    TiffFieldType.SShort => (short)U16(s),
                    TiffFieldType.SLong => (int)U32(s),
                    _ => U32(s),
                };
            }
            return result;
        }

        private ushort U16(ReadOnlySpan<byte> s) => be ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);
        private uint U32(ReadOnlySpan<byte> s) => be ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);
    }

    private static string TagName(TiffTag tag) => Enum.IsDefined(tag) && tag is not (TiffTag.ColorMap or TiffTag.TileWidth or TiffTag.TileLength or TiffTag.TileOffsets)
        ? tag.ToString()
        : "tag";
}
