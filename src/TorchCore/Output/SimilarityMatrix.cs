using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.TorchCore.Output;

/// <summary>
/// The symmetric gene × gene score matrix rebuilt from ranked pairs (the output of Get-RankedPairs).
/// <para>Genes are in the order they first appear in the pairs. A pair that was not given (e.g. after -Top or -Gene)
/// is NaN and listed in <see cref="MissingPairs"/>. The diagonal is the self-score where the measure defines it:
/// 1 for the measures whose score is 1 for identical maps (Pearson, SmoothedPearson, Spearman, RoiPearson, Lbp, Ssim,
/// MsSsim, JensenShannon, DenseSift, Keypoints), NaN otherwise (LeeL, MoranBV and other measures whose self-score
/// depends on the gene), and NaN for a gene none of whose given pairs has a score (a constant gene).</para>
/// </summary>
public sealed partial class SimilarityMatrix
{
    /// <summary>The measures whose score of a map with itself is exactly 1 (and 1 is their largest score): <see cref="MeasureFacts.UnitSelfScore"/>.</summary>
    public static readonly IReadOnlySet<string> UnitSelfScoreMethods = new HashSet<string>(
        SimilarityMeasures.All.Where(m => m.Facts.UnitSelfScore).Select(m => m.Name), StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<string> Genes { get; }
    /// <summary>Scores [i, j] = [j, i]; NaN where undefined or not given.</summary>
    public double[,] Scores { get; }
    public string Method { get; }
    public string Parameters { get; }
    /// <summary>The gene pairs (i &lt; j in gene order) that were not among the input.</summary>
    public IReadOnlyList<(string GeneA, string GeneB)> MissingPairs { get; }
    public int Count => Genes.Count;

    private SimilarityMatrix(IReadOnlyList<string> genes, double[,] scores, string method, string parameters, IReadOnlyList<(string, string)> missing)
    {
        Genes = genes;
        Scores = scores;
        Method = method;
        Parameters = parameters;
        MissingPairs = missing;
    }

    /// <summary>
    /// Builds the matrix. Pairs of different measures or parameters, a gene paired with itself, or one pair given twice
    /// with different scores are refused (they cannot be one matrix).
    /// </summary>
    public static SimilarityMatrix FromPairs(IEnumerable<RankedPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var genes = new List<string>();
        var given = new Dictionary<(int, int), double>();
        RankedPair? first = null;
        int Index(string g)
        {
            if (!index.TryGetValue(g, out int i)) { i = genes.Count; index[g] = i; genes.Add(g); }
            return i;
        }
        foreach (var p in pairs)
        {
            if (p is null) continue;
            first ??= p;
            if (!string.Equals(p.Method, first.Method, StringComparison.Ordinal) || !string.Equals(p.Parameters, first.Parameters, StringComparison.Ordinal))
                throw new SpatialSimException(ErrorKind.Mismatch,
                    $"The pairs come from different measures: {Describe(first)} and {Describe(p)} (pair {p.GeneA}–{p.GeneB}). " +
                    "One matrix holds one measure; pass the output of a single Get-RankedPairs run.") { Gene = p.GeneA };
            if (string.Equals(p.GeneA, p.GeneB, StringComparison.Ordinal))
                throw new SpatialSimException(ErrorKind.InvalidData, $"The pair {p.GeneA}–{p.GeneB} pairs a gene with itself; a ranked pair names two genes.") { Gene = p.GeneA };
            int a = Index(p.GeneA), b = Index(p.GeneB);
            var key = a < b ? (a, b) : (b, a);
            if (given.TryGetValue(key, out double old))
            {
                if (!(old.Equals(p.Score)))
                    throw new SpatialSimException(ErrorKind.Mismatch,
                        $"The pair {p.GeneA}–{p.GeneB} is given twice with different scores ({old:g6} and {p.Score:g6}). Pass each pair once.") { Gene = p.GeneA };
                continue;
            }
            given[key] = p.Score;
        }
        if (first is null)
            throw new SpatialSimException(ErrorKind.InvalidArgument, "No ranked pairs were given. Pipe the output of Get-RankedPairs.");

        int n = genes.Count;
        var m = new double[n, n];
        var missing = new List<(string, string)>();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double s = given.TryGetValue((i, j), out double v) ? v : double.NaN;
                if (!given.ContainsKey((i, j))) missing.Add((genes[i], genes[j]));
                m[i, j] = m[j, i] = s;
            }
        bool unit = UnitSelfScoreMethods.Contains(first.Method);
        for (int i = 0; i < n; i++)
        {
            bool anyScore = false;
            for (int j = 0; j < n && !anyScore; j++)
                if (j != i && !double.IsNaN(m[i, j])) anyScore = true;
            m[i, i] = unit && anyScore ? 1.0 : double.NaN;
        }
        return new SimilarityMatrix(genes, m, first.Method, first.Parameters, missing);
    }

    private static string Describe(RankedPair p) => string.IsNullOrEmpty(p.Parameters) ? p.Method : $"{p.Method} ({p.Parameters})";

    /// <summary>A short list of the missing pairs for messages: the first few and how many in all.</summary>
    public string DescribeMissing(int show = 5)
    {
        var shown = MissingPairs.Take(show).Select(p => $"{p.GeneA}–{p.GeneB}");
        return string.Join(", ", shown) + (MissingPairs.Count > show ? $" and {MissingPairs.Count - show} more" : "");
    }

    /// <summary>Writes CSV (',', fields quoted when needed) or TSV: a header row "Gene", gene names; then one row per gene: its name and its scores (invariant culture, round-trip precision, NaN as "NaN").</summary>
    public void WriteText(string path, char separator, bool overwrite, CancellationToken cancel = default)
    {
        if (separator == '\t')
            foreach (var g in Genes)
                if (g.IndexOfAny(new[] { '\t', '\n', '\r' }) >= 0)
                    throw new SpatialSimException(ErrorKind.InvalidData,
                        $"Gene name '{g.ReplaceLineEndings(" ")}' contains a tab or line break, which a TSV file cannot hold; write .csv instead.") { Gene = g, FilePath = path };
        RasterFileIo.WriteAtomically(path, overwrite, fs =>
        {
            using var w = new StreamWriter(fs, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            string Field(string s) => separator == ',' && s.IndexOfAny(new[] { ',', '"', '\n', '\r' }) >= 0 || separator == ',' && s != s.Trim()
                ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
            w.Write("Gene");
            foreach (var g in Genes) { w.Write(separator); w.Write(Field(g)); }
            w.WriteLine();
            for (int i = 0; i < Count; i++)
            {
                cancel.ThrowIfCancellationRequested();
                w.Write(Field(Genes[i]));
                for (int j = 0; j < Count; j++)
                {
                    w.Write(separator);
                    w.Write(Scores[i, j].ToString("R", CultureInfo.InvariantCulture));
                }
                w.WriteLine();
            }
            w.Flush();
        });
    }

    /// <summary>
    /// Writes a NumPy .npy file: version 1.0, little-endian float64 ('&lt;f8'), C order, shape (genes, genes), header
    /// padded to 64 bytes as NumPy does. The gene names go to <see cref="GenesFileOf"/> (one per line, UTF-8, matrix order).
    /// The two files are written as a pair: both are replaced, or neither is (an earlier pair survives a failure).
    /// </summary>
    public void WriteNpy(string path, bool overwrite, CancellationToken cancel = default)
    {
        string genesPath = GenesFileOf(path);
        RasterFileIo.CheckTarget(path, overwrite);
        RasterFileIo.CheckTarget(genesPath, overwrite);
        foreach (var g in Genes)
            if (g.IndexOfAny(new[] { '\n', '\r' }) >= 0)
                throw new SpatialSimException(ErrorKind.InvalidData, $"Gene name '{g.ReplaceLineEndings(" ")}' contains a line break, which the gene list file cannot hold.") { Gene = g, FilePath = path };
        // Both files land or neither does: a matrix whose gene list is missing or stale would be misread.
        AtomicFileSet.Write(new (string, Action<FileStream>)[]
        {
            (path, fs =>
            {
                fs.Write(NpyHeader("<f8", Count, Count));
                var row = new byte[8 * Count];
                for (int i = 0; i < Count; i++)
                {
                    cancel.ThrowIfCancellationRequested();
                    for (int j = 0; j < Count; j++)
                        BinaryPrimitives.WriteDoubleLittleEndian(row.AsSpan(8 * j), Scores[i, j]);
                    fs.Write(row);
                }
            }),
            (genesPath, fs => fs.Write(new UTF8Encoding(false).GetBytes(string.Join("\n", Genes) + "\n"))),
        }, overwrite, cancel);
    }

    /// <summary>The gene list written next to a .npy matrix: "x.npy" → "x.genes.txt".</summary>
    public static string GenesFileOf(string npyPath) => Path.ChangeExtension(npyPath, null) + ".genes.txt";

    /// <summary>A NumPy format 1.0 header for a C-order 2-D array, padded with spaces to a multiple of 64 bytes and ending in '\n'.</summary>
    internal static byte[] NpyHeader(string descr, long rows, long cols)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({rows}, {cols}), }}";
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        string header = dict + new string(' ', padded - total) + "\n";
        var bytes = new byte[10 + header.Length];
        bytes[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY", bytes.AsSpan(1));
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(10));
        return bytes;
    }
}
