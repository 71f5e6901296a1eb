using System.Globalization;
using System.Runtime.CompilerServices;

namespace SpatialSim.TorchCore.IO;

/// <summary>Number parsing on UTF-8 fields: a fast path for plain integers, invariant-culture double parsing otherwise.</summary>
internal static class Utf8Numbers
{
    /// <summary>Parses an optional sign and 1–18 ASCII digits, nothing else; false for anything else (use <see cref="TryParseDouble"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParseInteger(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        int i = 0;
        bool negative = false;
        if ((uint)s.Length - 1 >= 18) return false; // empty or too long (a sign makes it at most 17 digits, fine)
        if (s[0] == (byte)'-') { negative = true; i = 1; }
        else if (s[0] == (byte)'+') i = 1;
        if (i == s.Length) return false;
        long r = 0;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - (byte)'0');
            if (d > 9) return false;
            r = r * 10 + d;
        }
        value = negative ? -r : r;
        return true;
    }

    /// <summary>
    /// Parses a decimal or exponent number (surrounding spaces allowed). NaN and infinities parse (the caller rejects them).
    /// With <paramref name="decimalComma"/> a lone ',' is taken as the decimal separator (semicolon-separated European CSV).
    /// </summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> s, bool decimalComma, out double value)
    {
        if (decimalComma && s.Length <= 64 && s.IndexOf((byte)',') >= 0 && s.IndexOf((byte)'.') < 0)
        {
            Span<byte> copy = stackalloc byte[s.Length];
            s.CopyTo(copy);
            copy.Replace((byte)',', (byte)'.');
            return double.TryParse(copy, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
