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

    private static readonly double[] PowersOf10 =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    /// <summary>
    /// Parses a plain decimal such as <c>-4395.842</c> (sign, digits, '.', digits; at most 15 significant digits) exactly
    /// as <see cref="double.Parse(string)"/> would: the digits and the power of ten are exact doubles, so one division
    /// rounds correctly. False for anything else (exponents, more digits), which <see cref="TryParseDouble"/> handles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParseSimpleDecimal(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        int i = 0;
        bool negative = false;
        if (s.IsEmpty) return false;
        if (s[0] == (byte)'-') { negative = true; i = 1; }
        else if (s[0] == (byte)'+') i = 1;
        long mantissa = 0;
        int digits = 0, fraction = 0;
        bool point = false, anyDigit = false;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - (byte)'0');
            if (d <= 9)
            {
                anyDigit = true;
                if (mantissa != 0 || d != 0) digits++;
                mantissa = mantissa * 10 + d;
                if (point) fraction++;
            }
            else if (s[i] == (byte)'.' && !point) point = true;
            else return false;
            if (digits > 15 || fraction > 22) return false;
        }
        if (!anyDigit) return false;
        double v = mantissa / PowersOf10[fraction];
        value = negative ? -v : v;
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
