using System.Text;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// The header line of a count table: its delimiter (tab, comma or semicolon, whichever occurs most outside quotes)
/// and which columns hold gene, x, y and (optionally) count. Names are matched case-insensitively; when several
/// names of one kind are present the earlier name in the candidate list wins (so MERSCOPE's <c>global_x</c>
/// beats its per-tile <c>x</c>).
/// </summary>
internal sealed class CountTableHeader
{
    public static readonly string[] GeneNames = ["geneID", "gene", "feature_name", "gene_name", "geneName", "target"];
    // Global / whole-slide coordinates first: MERSCOPE has global_x and per-tile x, CosMx x_global_px and x_local_px.
    // x_centroid last: it names a centroid (Xenium cells.csv), acceptable when a table has nothing better.
    public static readonly string[] XNames = ["global_x", "x_global_px", "x_location", "x", "x_centroid"];
    public static readonly string[] YNames = ["global_y", "y_global_px", "y_location", "y", "y_centroid"];
    public static readonly string[] CountNames = ["MIDCount", "MIDCounts", "UMICount", "UMICounts", "count", "counts"];
    /// <summary>Decoding quality (Xenium's Phred-scaled <c>qv</c>); rows below <see cref="TableReadOptions.MinQuality"/> are dropped.</summary>
    public static readonly string[] QualityNames = ["qv"];

    public byte Delimiter { get; }
    public IReadOnlyList<string> Columns { get; }
    public int GeneColumn { get; }
    public int XColumn { get; }
    public int YColumn { get; }
    /// <summary>-1 when there is no count column: every row then counts 1.</summary>
    public int CountColumn { get; }
    /// <summary>-1 when there is no quality column.</summary>
    public int QualityColumn { get; }

    private CountTableHeader(byte delimiter, IReadOnlyList<string> columns, int gene, int x, int y, int count, int quality)
    {
        QualityColumn = quality;
        Delimiter = delimiter;
        Columns = columns;
        GeneColumn = gene;
        XColumn = x;
        YColumn = y;
        CountColumn = count;
    }

    public static string DelimiterName(byte d) => d switch { (byte)'\t' => "tab", (byte)',' => "comma", (byte)';' => "semicolon", _ => $"'{(char)d}'" };

    /// <summary>Parses the header line; throws <see cref="SpatialSimException"/> (InvalidData) naming the columns found when gene, x or y is missing.</summary>
    public static CountTableHeader Parse(ReadOnlySpan<byte> line, string path, long lineNumber)
    {
        byte delimiter = DetectDelimiter(line);
        var columns = SplitHeader(line, delimiter);
        int gene = Find(columns, GeneNames), x = Find(columns, XNames), y = Find(columns, YNames), count = Find(columns, CountNames), quality = Find(columns, QualityNames);

        var missing = new List<string>();
        if (gene < 0) missing.Add($"a gene column ({string.Join(", ", GeneNames)})");
        if (x < 0) missing.Add($"an x column ({string.Join(", ", XNames)})");
        if (y < 0) missing.Add($"a y column ({string.Join(", ", YNames)})");
        if (missing.Count > 0)
        {
            string found = columns.Count == 0 ? "none" : string.Join(", ", columns.Select(c => $"'{c}'"));
            string delim = line.IndexOfAny("\t,;"u8) < 0
                ? "No tab, comma or semicolon was found in it, so it was read as a single column."
                : $"Columns were split at each {DelimiterName(delimiter)}.";
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"Line {lineNumber} of '{path}' should be the header naming the table's columns, but it lacks {JoinAnd(missing)}. " +
                $"Columns found: {found}. {delim} Rename the columns (letter case does not matter); a count column " +
                $"({string.Join(", ", CountNames)}) is optional, without one every row counts 1.")
            { FilePath = path, LineNumber = lineNumber };
        }
        foreach (var (index, role) in new[] { (gene, "gene"), (x, "x"), (y, "y"), (count, "count"), (quality, "quality") })
        {
            if (index < 0) continue;
            int twice = columns.FindIndex(index + 1, c => string.Equals(c, columns[index], StringComparison.OrdinalIgnoreCase));
            if (twice >= 0)
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"Line {lineNumber} of '{path}', the header, names column '{columns[index]}' twice (columns {index + 1} and {twice + 1}), " +
                    $"so which one holds the {role} {(role is "x" or "y" ? "coordinate" : "values")} is unclear. Rename or remove one of them.")
                { FilePath = path, LineNumber = lineNumber };
        }
        return new CountTableHeader(delimiter, columns, gene, x, y, count, quality);
    }

    private static string JoinAnd(List<string> items) =>
        items.Count == 1 ? items[0] : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1];

    private static int Find(IReadOnlyList<string> columns, string[] names)
    {
        foreach (var name in names)
            for (int i = 0; i < columns.Count; i++)
                if (string.Equals(columns[i], name, StringComparison.OrdinalIgnoreCase))
                    return i;
        return -1;
    }

    private static byte DetectDelimiter(ReadOnlySpan<byte> line)
    {
        int tabs = 0, commas = 0, semis = 0;
        bool quoted = false;
        foreach (byte b in line)
        {
            if (b == (byte)'"') quoted = !quoted;
            else if (!quoted)
            {
                if (b == (byte)'\t') tabs++;
                else if (b == (byte)',') commas++;
                else if (b == (byte)';') semis++;
            }
        }
        if (tabs >= commas && tabs >= semis && tabs > 0) return (byte)'\t';
        if (semis > commas) return (byte)';';
        return (byte)',';
    }

    private static List<string> SplitHeader(ReadOnlySpan<byte> line, byte delimiter)
    {
        var result = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        var text = Encoding.UTF8.GetString(line);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else quoted = false;
                }
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == (char)delimiter) { result.Add(field.ToString().Trim()); field.Clear(); }
            else field.Append(c);
        }
        result.Add(field.ToString().Trim());
        if (result.Count == 1 && result[0].Length == 0) result.Clear();
        return result;
    }
}
