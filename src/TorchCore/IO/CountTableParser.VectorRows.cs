using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SpatialSim.TorchCore.IO;

/// <summary>The SIMD row splitter for quote-free stretches of records.</summary>
internal sealed partial class CountTableParser
{
    /// <summary>Bytes classified at once by <see cref="VectorRows"/>.</summary>
    private const int VectorWindow = 64;

    /// <summary>Whether <see cref="FastRows"/> may hand quote-free stretches to <see cref="VectorRows"/> (tests turn it off to compare).</summary>
    internal static bool VectorRowsEnabled = Vector128.IsHardwareAccelerated;

    /// <summary>
    /// The hot loop for the common case, records of plain fields: finds the delimiters and line breaks of 64 bytes at a
    /// time as a bit mask (SIMD compares), then walks the bits, so a row costs a few bit operations per field instead of
    /// two compares per byte. Only bytes before <paramref name="limit"/> (the next quote, or the end of the data) are
    /// looked at, so the records it handles hold no quote. It handles complete records with at least the needed fields
    /// exactly as the byte loop of <see cref="FastRows"/> does (a CR before the line break is not part of the last
    /// field), and returns the start of the first record it leaves to that loop: one running past its last whole window,
    /// a blank line, a line with too few fields.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int VectorRows(ReadOnlySpan<byte> data, int pos, int limit)
    {
        ref byte origin = ref MemoryMarshal.GetReference(data);
        byte delim = _delim;
        byte[] roles = _roles;
        int max = _maxColumn;
        int lastWindow = limit - VectorWindow; // windows start at or before this, so they end at or before limit
        int at = pos;
        ulong bits = Separators(ref origin, at, delim);
        while (true)
        {
            int start = pos, s = pos, sep;
            int gs = 0, ge = 0, xs = 0, xe = 0, ys = 0, ye = 0, cs = 0, ce = 0, qs = 0, qe = 0;
            bool lineEnd;
            for (int f = 0; ; f++)
            {
                while (bits == 0)
                {
                    at += VectorWindow;
                    if (at > lastWindow) return start;
                    bits = Separators(ref origin, at, delim);
                }
                sep = at + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                int e = sep;
                lineEnd = Unsafe.Add(ref origin, sep) == (byte)'\n';
                if (lineEnd && e > s && Unsafe.Add(ref origin, e - 1) == (byte)'\r') e--;
                switch (roles[f])
                {
                    case RoleGene: gs = s; ge = e; break;
                    case RoleX: xs = s; xe = e; break;
                    case RoleY: ys = s; ye = e; break;
                    case RoleCount: cs = s; ce = e; break;
                    case RoleQuality: qs = s; qe = e; break;
                }
                if (f == max) break;
                if (lineEnd) return start; // blank line or too few fields: FastRows decides
                s = sep + 1;
            }
            while (!lineEnd)
            {
                // The fields after the last one needed: on to the line break.
                while (bits == 0)
                {
                    at += VectorWindow;
                    if (at > lastWindow) return start;
                    bits = Separators(ref origin, at, delim);
                }
                sep = at + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                lineEnd = Unsafe.Add(ref origin, sep) == (byte)'\n';
            }
            _recordLine = _line + 1;
            HandleRow(data[gs..ge], data[xs..xe], data[ys..ye], data[cs..ce], data[qs..qe]);
            _line++;
            pos = sep + 1;
        }
    }

    /// <summary>Bit i set when byte <paramref name="at"/> + i is the delimiter or a line break, for i in 0..63.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Separators(ref byte origin, int at, byte delim)
    {
        ref byte p = ref Unsafe.Add(ref origin, at);
        if (Vector512.IsHardwareAccelerated)
        {
            var v = Vector512.LoadUnsafe(ref p);
            return (Vector512.Equals(v, Vector512.Create(delim)) | Vector512.Equals(v, Vector512.Create((byte)'\n'))).ExtractMostSignificantBits();
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var a = Vector256.LoadUnsafe(ref p);
            var b = Vector256.LoadUnsafe(ref p, 32);
            var d = Vector256.Create(delim);
            var n = Vector256.Create((byte)'\n');
            return (Vector256.Equals(a, d) | Vector256.Equals(a, n)).ExtractMostSignificantBits()
                | ((ulong)(Vector256.Equals(b, d) | Vector256.Equals(b, n)).ExtractMostSignificantBits() << 32);
        }
        {
            var d = Vector128.Create(delim);
            var n = Vector128.Create((byte)'\n');
            ulong m = 0;
            for (int k = 0; k < 4; k++)
            {
                var v = Vector128.LoadUnsafe(ref p, (nuint)(16 * k));
                m |= (ulong)(Vector128.Equals(v, d) | Vector128.Equals(v, n)).ExtractMostSignificantBits() << (16 * k);
            }
            return m;
        }
    }
}
