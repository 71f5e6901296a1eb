using System.Buffers.Binary;

namespace SpatialSim.TorchCore.IO;

/// <summary>Numeric element types found in raster files (TIFF samples, NumPy dtypes).</summary>
internal enum SampleType
{
    Bool, U8, I8, U16, I16, U32, I32, U64, I64, F16, F32, F64,
}

/// <summary>
/// Converts packed little- or big-endian samples to float32. Shared by the TIFF and .npy readers so
/// both convert the same way: integers convert exactly up to 2^24, wider values round to nearest float.
/// </summary>
internal static class SampleDecoder
{
    public static int SizeOf(SampleType type) => type switch
    {
        SampleType.Bool or SampleType.U8 or SampleType.I8 => 1,
        SampleType.U16 or SampleType.I16 or SampleType.F16 => 2,
        SampleType.U32 or SampleType.I32 or SampleType.F32 => 4,
        SampleType.U64 or SampleType.I64 or SampleType.F64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>
    /// Decodes <c>dst.Length</c> values from <paramref name="src"/>. Value <c>i</c> is taken from the sample at
    /// index <c>i * stride + offset</c> (stride and offset in samples), so one channel of interleaved data can be picked.
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> src, Span<float> dst, SampleType type, bool bigEndian, int stride = 1, int offset = 0)
    {
        int size = SizeOf(type);
        int n = dst.Length;
        if (n == 0) return;
        if (stride < 1 || offset < 0 || offset >= stride) throw new ArgumentOutOfRangeException(nameof(stride));
        long needed = ((long)(n - 1) * stride + offset + 1) * size;
        if (src.Length < needed) throw new ArgumentException($"Source holds {src.Length} bytes, {needed} needed.", nameof(src));

        int step = stride * size;
        int pos = offset * size;
        switch (type)
        {
            case SampleType.Bool:
                for (int i = 0; i < n; i++, pos += step) dst[i] = src[pos] != 0 ? 1f : 0f;
                break;
            case SampleType.U8:
                for (int i = 0; i < n; i++, pos += step) dst[i] = src[pos];
                break;
            case SampleType.I8:
                for (int i = 0; i < n; i++, pos += step) dst[i] = (sbyte)src[pos];
                break;
            case SampleType.U16:
                if (bigEndian) for (int i = 0; i < n; i++, pos += step) dst[i] = BinaryPrimitives.ReadUInt16BigEndian(src[pos..]);
                else for (int i = 0; i < n; i++, pos += step) dst[i] = BinaryPrimitives.ReadUInt16LittleEndian(src[pos..]);
                break;
            case SampleType.I16:
                if (bigEndian) for (int i = 0; i < n; i++, pos += step) dst[i] = BinaryPrimitives.ReadInt16BigEndian(src[pos..]);
                else for (int i = 0; i < n; i++, pos += step) dst[i] = BinaryPrimitives.ReadInt16LittleEndian(src[pos..]);
                break;
            case SampleType.U32:
                if (bigEndian) for (int i = 0; i < n; i++, pos += step) dst[i] = BinaryPrimitives.ReadUInt32BigEndian(src[pos..]);
                else for (int i = 0; i < n; i++, pos += step) dst[i] = BinaryPrimitives.ReadUInt32LittleEndian(src[pos..]);
                break;
            case SampleType.I32:
                if (bigEndian) for (int i = 0; i < n; i++, pos += step) dst[i] = BinaryPrimitives.ReadInt32BigEndian(src[pos..]);
                else for (int i = 0; i < n; i++, pos += step) dst[i] = BinaryPrimitives.ReadInt32LittleEndian(src[pos..]);
                break;
            case SampleType.U64:
                if (bigEndian) for (int i = 0; i < n; i++, pos += step) dst[i] = BinaryPrimitives.ReadUInt64BigEndian(src[pos..]);
                else for (int i = 0; i < n; i++, pos += step) dst[i] = BinaryPrimitives.ReadUInt64LittleEndian(src[pos..]);
                break;
            case SampleType.I64:
                if (bigEndian) for (int i = 0; i < n; i++, pos += step) dst[i] = BinaryPrimitives.ReadInt64BigEndian(src[pos..]);
                else for (int i = 0; i < n; i++, pos += step) dst[i] = BinaryPrimitives.ReadInt64LittleEndian(src[pos..]);
                break;
            case SampleType.F16:
                if (bigEndian) for (int i = 0; i < n; i++, pos += step) dst[i] = (float)BinaryPrimitives.ReadHalfBigEndian(src[pos..]);
                else for (int i = 0; i < n; i++, pos += step) dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src[pos..]);
                break;
            case SampleType.F32:
                if (bigEndian) for (int i = 0; i < n; i++, pos += step) dst[i] = BinaryPrimitives.ReadSingleBigEndian(src[pos..]);
                else for (int i = 0; i < n; i++, pos += step) dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src[pos..]);
                break;
            case SampleType.F64:
                if (bigEndian) for (int i = 0; i < n; i++, pos += step) dst[i] = (float)BinaryPrimitives.ReadDoubleBigEndian(src[pos..]);
                else for (int i = 0; i < n; i++, pos += step) dst[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src[pos..]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type));
        }
    }

    /// <summary>
    /// Decodes <c>dst.Length</c> consecutive values from <paramref name="src"/> at full precision: float64 exactly,
    /// integers exactly up to 2⁵³ (for reference values that must not pass through float32).
    /// </summary>
    public static void DecodeDouble(ReadOnlySpan<byte> src, Span<double> dst, SampleType type, bool bigEndian)
    {
        int size = SizeOf(type);
        if (src.Length < (long)dst.Length * size) throw new ArgumentException($"Source holds {src.Length} bytes, {(long)dst.Length * size} needed.", nameof(src));
        for (int i = 0; i < dst.Length; i++)
        {
            var s = src.Slice(i * size, size);
            dst[i] = type switch
            {
                SampleType.Bool => s[0] != 0 ? 1 : 0,
                SampleType.U8 => s[0],
                SampleType.I8 => (sbyte)s[0],
                SampleType.U16 => bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s),
                SampleType.I16 => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(s) : BinaryPrimitives.ReadInt16LittleEndian(s),
                SampleType.U32 => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s),
                SampleType.I32 => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(s) : BinaryPrimitives.ReadInt32LittleEndian(s),
                SampleType.U64 => bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s),
                SampleType.I64 => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(s) : BinaryPrimitives.ReadInt64LittleEndian(s),
                SampleType.F16 => (double)(bigEndian ? BinaryPrimitives.ReadHalfBigEndian(s) : BinaryPrimitives.ReadHalfLittleEndian(s)),
                SampleType.F32 => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(s) : BinaryPrimitives.ReadSingleLittleEndian(s),
                SampleType.F64 => bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(s) : BinaryPrimitives.ReadDoubleLittleEndian(s),
                _ => throw new ArgumentOutOfRangeException(nameof(type)),
            };
        }
    }
}
