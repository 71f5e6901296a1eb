using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Turns a gene name (untrusted: it comes from an input file) into one file-name component that cannot leave the folder
/// it is put in, cannot name a drive or a device, and is the same on Linux, macOS and Windows.
/// </summary>
/// <remarks>
/// <para>The mapping is percent-encoding (as in URLs: each byte of the character's UTF-8 form as <c>%XX</c>, upper-case hex):</para>
/// <list type="bullet">
/// <item>always: <c>/ \ : * ? " &lt; &gt; |</c>, <c>%</c> itself, control characters (U+0000–U+001F, U+007F);</item>
/// <item>at the start: <c>.</c> (so <c>..</c>, <c>.</c> and hidden files cannot arise), <c>~</c> (home-folder shorthand) and a space;</item>
/// <item>at the end: <c>.</c> and a space (Windows drops them);</item>
/// <item>the first character of a Windows device name (CON, PRN, AUX, NUL, COM0–9, LPT0–9, with or without an extension);</item>
/// <item>a lone UTF-16 surrogate as <c>%uXXXX</c>.</item>
/// </list>
/// <para>Every other character is kept, so ordinary names (<c>Apoe</c>, <c>gene[1]</c>, <c>HLA-DRB1</c>) are unchanged. The empty
/// name becomes <c>%</c>. The mapping is one-to-one: a <c>%</c> in the result always starts an escape, so two different gene
/// names never give the same file name. Names whose encoding is longer than <see cref="MaxBytes"/> UTF-8 bytes (file systems allow
/// 255) are cut and end in <c>%~</c> and 16 hex digits of the SHA-256 of the full name, which keeps them distinct.</para>
/// </remarks>
public static class GeneFileName
{
    /// <summary>Longest result in UTF-8 bytes, leaving room for an extension and a temporary-file suffix within 255 bytes.</summary>
    public const int MaxBytes = 200;

    /// <summary>Length of the kept part of a name cut to <see cref="MaxBytes"/>: room for "%~" and 16 hex digits.</summary>
    private const int CutBytes = MaxBytes - 18;

    private static readonly HashSet<string> DeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
    };

    /// <summary>The file-name component for <paramref name="gene"/> (see the remarks for the rules).</summary>
    public static string Of(string gene)
    {
        ArgumentNullException.ThrowIfNull(gene);
        if (gene.Length == 0) return "%";
        int stem = gene.IndexOf('.');
        bool device = DeviceNames.Contains(stem < 0 ? gene : gene[..stem]);
        var sb = new StringBuilder(gene.Length + 8);
        for (int i = 0; i < gene.Length; i++)
        {
            char c = gene[i];
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < gene.Length && char.IsLowSurrogate(gene[i + 1]))
                {
                    sb.Append(c).Append(gene[++i]);
                    continue;
                }
                sb.Append("%u").Append(((int)c).ToString("X4"));
                continue;
            }
            bool first = i == 0, last = i == gene.Length - 1;
            if (MustEncode(c) || (first && (c is '.' or '~' or ' ' || device)) || (last && c is '.' or ' '))
                AppendEscaped(sb, c);
            else
                sb.Append(c);
        }
        string name = sb.ToString();
        return Encoding.UTF8.GetByteCount(name) <= MaxBytes ? name : Cut(name, gene);
    }

    private static bool MustEncode(char c) =>
        c < 0x20 || c == 0x7F || c is '/' or '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|' or '%';

    private static void AppendEscaped(StringBuilder sb, char c)
    {
        Span<byte> utf8 = stackalloc byte[4];
        int n = Encoding.UTF8.GetBytes(stackalloc char[] { c }, utf8);
        for (int k = 0; k < n; k++) sb.Append('%').Append(utf8[k].ToString("X2"));
    }

    /// <summary>The first <see cref="CutBytes"/> bytes of <paramref name="name"/> (never inside an escape or a character), then "%~" and a hash of the gene.</summary>
    private static string Cut(string name, string gene)
    {
        int end = 0, bytes = 0;
        while (end < name.Length)
        {
            int take = name[end] == '%' ? (name[end + 1] == 'u' ? 6 : 3) : char.IsHighSurrogate(name[end]) ? 2 : 1;
            int size = Encoding.UTF8.GetByteCount(name.AsSpan(end, take));
            if (bytes + size > CutBytes) break;
            bytes += size;
            end += take;
        }
        // A cut that ends in '.' or ' ' is fine: the hash follows it.
        byte[] hash = SHA256.HashData(MemoryMarshal.AsBytes(gene.AsSpan())); // UTF-16: exact even for lone surrogates
        return name[..end] + "%~" + Convert.ToHexString(hash, 0, 8);
    }
}
