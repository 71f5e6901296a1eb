using System.Text;
using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// The parallel read of large plain tables (parts cut at line breaks, joined in file order) must give exactly what the
/// sequential read gives, and hand over to the sequential read where a part cannot be parsed on its own. The size
/// thresholds are lowered so that small files take the parallel path; the sequential reference is a gzip copy of the
/// same text (gzip is always read sequentially).
/// </summary>
[Collection(nameof(CountTableParallelReadTests))]
public sealed class CountTableParallelReadTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "spatialsim-ctp-" + Guid.NewGuid().ToString("N"));
    private readonly long _minBytes = CountTableParser.ParallelMinBytes;
    private readonly long _minPart = CountTableParser.MinPartBytes;

    public CountTableParallelReadTests()
    {
        Directory.CreateDirectory(_dir);
        CountTableParser.ParallelMinBytes = 1;
        CountTableParser.MinPartBytes = 16 << 10;
    }

    public void Dispose()
    {
        CountTableParser.ParallelMinBytes = _minBytes;
        CountTableParser.MinPartBytes = _minPart;
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>A GEM-like table of random rows: genes interleaved, repeated pixels, CRLF on some lines, a quoted gene name.</summary>
    private static string Table(int rows, int seed, Func<int, string?>? replaceLine = null)
    {
        var random = new Random(seed);
        var text = new StringBuilder("#FileFormat=GEMv0.1\n#OffsetX=0\ngeneID\tx\ty\tMIDCount\n");
        for (int r = 0; r < rows; r++)
        {
            if (replaceLine?.Invoke(r) is { } line) { text.Append(line); continue; }
            int gene = (int)(Math.Pow(random.NextDouble(), 2) * 300);
            string name = gene == 7 ? "\"Gene 7\"" : $"G{gene:D3}";
            text.Append($"{name}\t{random.Next(5, 400)}\t{random.Next(3, 300)}\t{random.Next(1, 4)}");
            text.Append(r % 17 == 0 ? "\r\n" : "\n");
        }
        return text.ToString();
    }

    private (string Plain, string Gzip) Write(string name, string text)
    {
        string plain = Path.Combine(_dir, name), gzip = plain + ".gz";
        File.WriteAllText(plain, text, new UTF8Encoding(false));
        using (var file = File.Create(gzip))
        using (var gz = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest))
            gz.Write(Encoding.UTF8.GetBytes(text));
        return (plain, gzip);
    }

    private static void AssertSame(CountTable expected, CountTable actual)
    {
        Assert.Equal(expected.Genes, actual.Genes);
        Assert.Equal((expected.Width, expected.Height, expected.OriginX, expected.OriginY), (actual.Width, actual.Height, actual.OriginX, actual.OriginY));
        Assert.Equal((expected.RowsRead, expected.RowsOutsideRegion, expected.DuplicateRowsSummed, expected.GenesSeen),
            (actual.RowsRead, actual.RowsOutsideRegion, actual.DuplicateRowsSummed, actual.GenesSeen));
        foreach (var gene in expected.Genes)
        {
            Assert.Equal(expected.Total(gene), actual.Total(gene));
            Assert.Equal(expected.ToPlane(gene).Pixels, actual.ToPlane(gene).Pixels);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PartsGiveTheSequentialResult(bool withOptions)
    {
        var (plain, gzip) = Write("t.gem", Table(60_000, 1));
        var options = withOptions
            ? new TableReadOptions { Region = (20, 10, 300, 200), BinSize = 3, GeneFilter = g => !g.EndsWith('5'), MinTotal = 5 }
            : new TableReadOptions();
        var sequential = CountTableReader.Read(gzip, options);
        int before = CountTableParser.ParallelReads;
        var reports = new List<TableReadProgress>();
        var parallel = CountTableReader.Read(plain, options, new SyncProgress(reports.Add));
        Assert.True(CountTableParser.ParallelReads > before, "the plain file was not read in parts");
        var last = reports.Last(r => r.Phase == TableReadPhase.Reading);
        Assert.Equal((new FileInfo(plain).Length, parallel.RowsRead), (last.BytesRead, last.RowsRead));
        Assert.Equal(TableReadPhase.Building, reports[^1].Phase);
        Assert.Contains("Gene 7", parallel.Genes);
        AssertSame(sequential, parallel);
    }

    private sealed class SyncProgress(Action<TableReadProgress> report) : IProgress<TableReadProgress>
    {
        public void Report(TableReadProgress value) => report(value);
    }

    [Fact]
    public void AQuotedFieldOverLineBreaksIsReadSequentially()
    {
        // A quoted gene name holding a line break, in the middle of the file: a part boundary may fall inside it.
        var (plain, gzip) = Write("q.gem", Table(60_000, 2, r => r == 30_000 ? "\"Two\nlines\"\t9\t9\t2\n" : null));
        var sequential = CountTableReader.Read(gzip, new TableReadOptions());
        var parallel = CountTableReader.Read(plain, new TableReadOptions());
        Assert.Contains("Two\nlines", parallel.Genes);
        AssertSame(sequential, parallel);
    }

    [Fact]
    public void AnErrorNamesTheSameLineAsTheSequentialRead()
    {
        var (plain, gzip) = Write("e.gem", Table(60_000, 3, r => r == 45_678 ? "G001\tnot-a-number\t9\t1\n" : null));
        var sequential = Assert.Throws<SpatialSimException>(() => CountTableReader.Read(gzip, new TableReadOptions()));
        var parallel = Assert.Throws<SpatialSimException>(() => CountTableReader.Read(plain, new TableReadOptions()));
        Assert.Equal(3 + 45_678 + 1, parallel.LineNumber);
        Assert.Equal(sequential.LineNumber, parallel.LineNumber);
        Assert.Equal(sequential.Message.Replace(gzip, plain), parallel.Message);
    }
}
