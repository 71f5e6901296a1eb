using System.IO.Compression;
using System.Runtime.Intrinsics;
using System.Text;
using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// The SIMD row splitter of the count-table reader (<c>CountTableParser.VectorRows</c>, 64-byte windows of delimiter and
/// line-break bits) must give exactly what the byte-by-byte loop gives, results and errors alike, whatever the rows hold:
/// CRLF, blank lines, extra columns, columns in another order, quotes here and there, non-ASCII gene names, lines longer
/// than a window or than the read buffer, rows cut by the read buffer's end. Each file is read with the splitter on and
/// off (a static switch, hence the shared collection), plain (sequential and in parallel parts) and gzip.
/// </summary>
[Collection(nameof(CountTableParallelReadTests))]
public sealed class CountTableVectorRowsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "spatialsim-ctv-" + Guid.NewGuid().ToString("N"));
    private readonly bool _vector = CountTableParser.VectorRowsEnabled;
    private readonly long _minBytes = CountTableParser.ParallelMinBytes;
    private readonly long _minPart = CountTableParser.MinPartBytes;

    public CountTableVectorRowsTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        CountTableParser.VectorRowsEnabled = _vector;
        CountTableParser.ParallelMinBytes = _minBytes;
        CountTableParser.MinPartBytes = _minPart;
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private string WriteGzip(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(Encoding.UTF8.GetBytes(text));
        return path;
    }

    /// <summary>The table, or the error's kind, line, gene and message (with the path made neutral).</summary>
    private static object Outcome(string path, bool vector, bool parallel, TableReadOptions? options = null)
    {
        CountTableParser.VectorRowsEnabled = vector;
        CountTableParser.ParallelMinBytes = parallel ? 1 : long.MaxValue;
        CountTableParser.MinPartBytes = 4 << 10;
        try
        {
            return CountTableReader.Read(path, options ?? new TableReadOptions());
        }
        catch (SpatialSimException e)
        {
            return (e.Kind, e.LineNumber, e.Gene, e.Message.Replace(path, "<file>"));
        }
    }

    private static void AssertSame(object expected, object actual)
    {
        if (expected is not CountTable a)
        {
            Assert.Equal(expected, actual);
            return;
        }
        var b = Assert.IsType<CountTable>(actual);
        Assert.Equal(a.Genes, b.Genes);
        Assert.Equal((a.Width, a.Height, a.OriginX, a.OriginY), (b.Width, b.Height, b.OriginX, b.OriginY));
        Assert.Equal((a.RowsRead, a.RowsOutsideRegion, a.DuplicateRowsSummed, a.GenesSeen), (b.RowsRead, b.RowsOutsideRegion, b.DuplicateRowsSummed, b.GenesSeen));
        foreach (var gene in a.Genes)
        {
            Assert.Equal(a.Total(gene), b.Total(gene));
            Assert.Equal(a.ToPlane(gene).Pixels, b.ToPlane(gene).Pixels);
        }
    }

    /// <summary>Reads <paramref name="text"/> every way; the byte loop's sequential read is the reference. Returns it.</summary>
    private object ReadEveryWay(string name, string text, TableReadOptions? options = null)
    {
        string plain = Write(name, text), gzip = WriteGzip(name + ".gz", text);
        var reference = Outcome(plain, vector: false, parallel: false, options);
        AssertSame(reference, Outcome(plain, vector: true, parallel: false, options));
        AssertSame(reference, Outcome(plain, vector: true, parallel: true, options));
        AssertSame(reference, Outcome(plain, vector: false, parallel: true, options));
        AssertSame(reference, Outcome(gzip, vector: true, parallel: false, options));
        return reference;
    }

    private static readonly string[] Names = ["Gapdh", "Actb", "Gène-α", "基因7", "Mt-Co1", "X", "ENSMUSG00000000001.4-very-long-gene-identifier-beyond-one-window-of-sixty-four-bytes"];

    /// <summary>
    /// A random table: tab, comma or semicolon; optionally two extra columns (one sometimes 300 bytes long, sometimes quoted);
    /// optionally the gene last (where a CR left on it would show: numbers parse with a trailing CR, gene names do not);
    /// <paramref name="odd"/> in 0..1 is the share of odd lines (blank, quoted, spaced, fractional).
    /// </summary>
    private static string RandomTable(int seed, int rows, char delim, bool extraColumns, bool reorder, double odd, Func<Random, string?>? bad = null)
    {
        var random = new Random(seed);
        var text = new StringBuilder("#FileFormat=GEMv0.1\n");
        string d = delim.ToString();
        text.Append(reorder ? $"y{d}x{d}MIDCount{d}geneID" : $"geneID{d}x{d}y{d}MIDCount").Append(extraColumns ? $"{d}ExonCount{d}note\n" : "\n");
        for (int r = 0; r < rows; r++)
        {
            string gene = Names[random.Next(Names.Length)];
            string x = random.Next(-5, 200).ToString(), y = random.Next(0, 150).ToString();
            string count = random.Next(10) switch { 0 => "2.5", 1 => "0", _ => random.Next(1, 5).ToString() };
            string nl = random.NextDouble() < 0.3 ? "\r\n" : "\n";
            if (random.NextDouble() < odd)
            {
                switch (random.Next(7))
                {
                    case 0: text.Append(nl); continue;                       // blank line
                    case 1: text.Append("\r\n"); continue;                   // blank CRLF line
                    case 2: gene = $"\"{gene}\""; break;                     // quoted gene
                    case 3: gene = $"\"{gene}{d}with delimiter\""; break;    // quoted delimiter
                    case 4: x = $" {x}"; count = $"{count} "; break;         // spaces around numbers
                    case 5: gene = $" {gene} "; break;                       // spaces around the gene
                    case 6: y = $"{y}.75"; break;                            // a fraction
                }
            }
            string extra = extraColumns ? $"{d}{random.Next(3)}{d}{new string('n', random.Next(0, random.Next(4) == 0 ? 300 : 8))}" : "";
            if (extraColumns && random.NextDouble() < odd / 4) extra += $"{d}\"quoted \"\"extra\"\"\"";
            string line = reorder ? $"{y}{d}{x}{d}{count}{d}{gene}{extra}" : $"{gene}{d}{x}{d}{y}{d}{count}{extra}";
            if (bad?.Invoke(random) is { } replacement) line = replacement;
            text.Append(line).Append(nl);
        }
        return text.ToString();
    }

    [Theory]
    [InlineData(1, '\t', false, false, 0.0)]
    [InlineData(2, '\t', true, false, 0.05)]
    [InlineData(3, ',', false, true, 0.2)]
    [InlineData(4, ';', true, true, 0.02)]
    [InlineData(5, ',', true, false, 0.6)]
    public void RandomTablesGiveWhatTheByteLoopGives(int seed, char delim, bool extraColumns, bool reorder, double odd)
    {
        Assert.True(Vector128.IsHardwareAccelerated, "no SIMD here: the splitter under test is never used");
        var text = RandomTable(seed, 20_000, delim, extraColumns, reorder, odd);
        Assert.IsType<CountTable>(ReadEveryWay($"t{seed}.csv", text));
        // The same without a line break at the end: the last row is left to the byte loop.
        AssertSame(ReadEveryWay($"u{seed}.csv", text.TrimEnd('\n', '\r')), ReadEveryWay($"v{seed}.csv", text));
    }

    [Theory]
    [InlineData("G1\t5\t7")]            // too few fields
    [InlineData("G1\t5")]               // fewer still
    [InlineData("G1\tfive\t7\t1")]      // not a number
    [InlineData("G1\t5\t7\t-1")]        // negative count
    [InlineData("\t5\t7\t1")]           // empty gene
    [InlineData("   \t5\t7\t1")]        // blank gene
    [InlineData(" ")]                   // a line of a space
    [InlineData("G1,5,7,1")]            // another delimiter
    public void ABadRowIsReportedAtTheSameLineWhereverItFalls(string badRow)
    {
        for (int seed = 10; seed < 13; seed++)
        {
            int at = 0;
            var text = RandomTable(seed, 6_000, '\t', extraColumns: seed == 11, reorder: false, odd: 0.01,
                bad: random => ++at == 1_000 + 1_700 * (seed - 10) ? badRow : null);
            var outcome = ReadEveryWay($"b{seed}.gem", text);
            var (kind, line, _, message) = Assert.IsType<(ErrorKind, long?, string?, string)>(outcome);
            Assert.Equal(ErrorKind.InvalidData, kind);
            Assert.True(line > 1_000, $"line {line}: {message}");
            Assert.Contains($"Line {line:N0} of '<file>'", message);
        }
    }

    [Fact]
    public void KnownRowsAroundWindowAndBufferEdgesLandOnTheirPixels()
    {
        Assert.True(Vector128.IsHardwareAccelerated, "no SIMD here: the splitter under test is never used");
        // Rows of every length from 8 to 200 bytes (padding in an extra column), so that every field end meets every
        // position in a 64-byte window; CRLF on every third; more than 2 MiB, so rows are also cut by the 1 MiB buffer.
        var text = new StringBuilder("geneID\tx\ty\tMIDCount\tpad\n");
        var expected = new Dictionary<(string, int, int), double>();
        int rows = 0;
        for (long bytes = 0; bytes < (2L << 20) + 12345; rows++)
        {
            string gene = (rows % 3) switch { 0 => "Ré", 1 => "基因", _ => "g" + (rows % 11) };
            int x = rows % 97, y = rows % 89, count = 1 + rows % 4;
            string pad = new('p', rows % 193);
            string line = $"{gene}\t{x}\t{y}\t{count}\t{pad}" + (rows % 3 == 0 ? "\r\n" : "\n");
            text.Append(line);
            bytes += Encoding.UTF8.GetByteCount(line);
            expected[(gene, x, y)] = expected.GetValueOrDefault((gene, x, y)) + count;
        }
        var table = Assert.IsType<CountTable>(ReadEveryWay("edges.tsv", text.ToString()));
        Assert.Equal(rows, table.RowsRead);
        Assert.Equal((97, 89, 0, 0), (table.Width, table.Height, table.OriginX, table.OriginY));
        foreach (var gene in table.Genes)
        {
            var plane = table.ToPlane(gene);
            for (int y = 0; y < plane.Height; y++)
                for (int x = 0; x < plane.Width; x++)
                    Assert.Equal(expected.GetValueOrDefault((gene, x, y)), plane.Pixels[y * plane.Width + x]);
        }
        Assert.Equal(expected.Keys.Select(k => k.Item1).Distinct().Order(StringComparer.Ordinal), table.Genes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ALineLongerThanTheReadBufferIsSplitLikeTheByteLoopDoes()
    {
        var text = new StringBuilder("geneID\tx\ty\tMIDCount\tnote\n");
        for (int r = 0; r < 3_000; r++)
        {
            text.Append($"G{r % 5}\t{r % 40}\t{r % 30}\t1\tshort\n");
            if (r == 1_500) text.Append($"Long\t3\t4\t2\t{new string('z', 3 << 20)}\r\n"); // 3 MiB: the buffer grows
        }
        var table = Assert.IsType<CountTable>(ReadEveryWay("long.tsv", text.ToString()));
        Assert.Equal(3_001, table.RowsRead);
        Assert.Equal(2, table.Total("Long"));
    }

    [Fact]
    public void OptionsApplyAlikeOnBothPaths()
    {
        var text = RandomTable(21, 20_000, '\t', extraColumns: true, reorder: false, odd: 0.05);
        var options = new TableReadOptions { Region = (10, 5, 150, 120), BinSize = 3, PixelSize = 2, GeneFilter = g => g != "Actb", MinTotal = 3 };
        Assert.IsType<CountTable>(ReadEveryWay("o.gem", text, options));
    }
}
