using System.IO.Compression;
using System.Text;
using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// Issue #15 item 2, the gzip bomb: rows of repeated pixels are summed while the file streams, so what a read holds is
/// bounded by the distinct gene pixels (README: "only each gene's non-zero pixels are kept"), and input that expands
/// past the stated bounds is refused with LimitExceeded naming the file and the limit. The merge threshold is lowered
/// (<c>CompactRows</c>) so that small files merge many times; results must equal the read that merges only at the end.
/// </summary>
[Collection(nameof(CountTableParallelReadTests))] // the parallel case changes the static size thresholds
public sealed class CountTableStreamingMergeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "spatialsim-ctm-" + Guid.NewGuid().ToString("N"));

    public CountTableStreamingMergeTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string WriteGzip(string name, Action<Stream> write, CompressionLevel level = CompressionLevel.Fastest)
    {
        string path = Path.Combine(_dir, name);
        using var file = File.Create(path);
        using var gz = new GZipStream(file, level);
        write(gz);
        return path;
    }

    /// <summary>Rows cycling over <paramref name="genes"/> genes × <paramref name="pixels"/> pixels each, so most rows repeat a pixel.</summary>
    private static string RepeatingTable(int rows, int genes, int pixels, bool counts, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(counts ? "geneID\tx\ty\tMIDCount\n" : "gene,x,y\n");
        for (int r = 0; r < rows; r++)
        {
            int g = random.Next(genes), p = random.Next(pixels);
            int x = (p * 7919 + g) % 97 - 20, y = (p * 104729 + 3 * g) % 89 - 5; // negative coordinates too
            text.Append(counts ? $"G{g}\t{x}\t{y}\t{random.Next(1, 5)}\n" : $"G{g},{x},{y}\n");
        }
        return text.ToString();
    }

    private static void AssertSame(CountTable expected, CountTable actual)
    {
        Assert.Equal(expected.Genes, actual.Genes);
        Assert.Equal((expected.Width, expected.Height, expected.OriginX, expected.OriginY), (actual.Width, actual.Height, actual.OriginX, actual.OriginY));
        Assert.Equal(expected.RowsRead, actual.RowsRead);
        Assert.Equal(expected.DuplicateRowsSummed, actual.DuplicateRowsSummed);
        foreach (var gene in expected.Genes)
        {
            Assert.Equal(expected.Total(gene), actual.Total(gene));
            Assert.Equal(expected.PixelCount(gene), actual.PixelCount(gene));
            Assert.Equal(expected.ToPlane(gene).Pixels, actual.ToPlane(gene).Pixels);
        }
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 1)]
    [InlineData(true, 3)]
    [InlineData(false, 2)]
    public void MergingWhileStreamingBoundsTheRowsHeldAndGivesTheSameTable(bool counts, int binSize)
    {
        const int rows = 1_000_000, genes = 40, pixels = 150;
        string text = RepeatingTable(rows, genes, pixels, counts, seed: binSize);
        string path = WriteGzip("rep.tsv.gz", s => s.Write(Encoding.UTF8.GetBytes(text)));

        var atEnd = CountTableReader.Read(path, new TableReadOptions { BinSize = binSize });
        var streaming = CountTableReader.Read(path, new TableReadOptions { BinSize = binSize, CompactRows = 5_000 });

        AssertSame(atEnd, streaming);
        Assert.True(atEnd.DuplicateRowsSummed > rows / 2);
        Assert.InRange(atEnd.PeakRowsHeld, rows - genes * 16, rows + genes * (1 << 16)); // merged only at the end: every row held
        // Due at 5,000 new rows, looked at every 65,536 rows: the distinct pixels (≤ 6,000) and the rows since the last merge,
        // in blocks at most twice the rows they hold.
        Assert.InRange(streaming.PeakRowsHeld, 1, 2 * (genes * pixels + 5_000 + 65_536));
        Assert.True(streaming.PeakRowsHeld * 5 < rows, $"held {streaming.PeakRowsHeld:N0} of {rows:N0} rows");
    }

    [Fact]
    public void GeneFilterAndRegionAreKeptWhenMerging()
    {
        string text = RepeatingTable(100_000, 30, 200, counts: true, seed: 7);
        string path = WriteGzip("filter.tsv.gz", s => s.Write(Encoding.UTF8.GetBytes(text)));
        var options = new TableReadOptions { GeneFilter = g => g.EndsWith('1') || g.EndsWith('5'), Region = (-10, 0, 50, 60), MinTotal = 10 };
        AssertSame(CountTableReader.Read(path, options), CountTableReader.Read(path, options with { CompactRows = 2_000 }));
    }

    [Fact]
    public void PartsOfAParallelReadMergeToo()
    {
        long minBytes = CountTableParser.ParallelMinBytes, minPart = CountTableParser.MinPartBytes;
        try
        {
            CountTableParser.ParallelMinBytes = 1;
            CountTableParser.MinPartBytes = 4 << 20;
            string text = RepeatingTable(1_000_000, 25, 100, counts: true, seed: 11);
            string plain = Path.Combine(_dir, "plain.tsv");
            File.WriteAllText(plain, text);
            string gzip = WriteGzip("plain.tsv.gz", s => s.Write(Encoding.UTF8.GetBytes(text)));
            int before = CountTableParser.ParallelReads;
            var parallel = CountTableReader.Read(plain, new TableReadOptions { CompactRows = 16_000 });
            if (Environment.ProcessorCount > 1) Assert.True(CountTableParser.ParallelReads > before, "the plain file was not read in parts");
            AssertSame(CountTableReader.Read(gzip, new TableReadOptions()), parallel);
            Assert.True(parallel.PeakRowsHeld < 1_000_000 / 2, $"held {parallel.PeakRowsHeld:N0} rows");
        }
        finally
        {
            CountTableParser.ParallelMinBytes = minBytes;
            CountTableParser.MinPartBytes = minPart;
        }
    }

    /// <summary>
    /// The bomb of the issue, scaled down: 96 MiB of one repeated row compress to about 100 KB. With the default bounds the
    /// read stops after 64 MiB of text with LimitExceeded naming the file and the limit (before the fix: read to the end,
    /// every row held).
    /// </summary>
    [Fact]
    public void AGzipBombIsRefusedByItsExpansion()
    {
        var row = Encoding.ASCII.GetBytes("Gad1\t123\t456\t1\n");
        var block = new byte[row.Length * 65536];
        for (int i = 0; i < 65536; i++) row.CopyTo(block, i * row.Length);
        string path = WriteGzip("bomb.gem.gz", s =>
        {
            s.Write("geneID\tx\ty\tMIDCount\n"u8);
            for (long written = 0; written < 96L << 20; written += block.Length) s.Write(block);
        }, CompressionLevel.Optimal);
        Assert.True(new FileInfo(path).Length < 1 << 20);

        var e = Assert.Throws<SpatialSimException>(() => CountTableReader.Read(path, new TableReadOptions()));
        Assert.Equal(ErrorKind.LimitExceeded, e.Kind);
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains("100 times its compressed size", e.Message);
        Assert.Contains("gunzip", e.Message);

        // A user who trusts the file may allow more; then it is read, holding about the merge threshold, not its 6M rows.
        var table = CountTableReader.Read(path, new TableReadOptions { MaxGzipExpansion = 10_000, CompactRows = 100_000 });
        Assert.Equal(1, table.PixelCount("Gad1"));
        Assert.Equal(table.RowsRead, table.Total("Gad1"));
        Assert.Equal(table.RowsRead - 1, table.DuplicateRowsSummed);
        Assert.True(table.PeakRowsHeld <= 100_000 + (1 << 16) + 16, $"held {table.PeakRowsHeld:N0} rows");
    }

    [Fact]
    public void TooManyDistinctGenePixelsAreRefused()
    {
        var text = new StringBuilder("gene,x,y\n");
        for (int i = 0; i < 20_000; i++) text.Append($"G{i % 3},{i % 150},{i / 150}\n");
        string path = WriteGzip("many.csv.gz", s => s.Write(Encoding.UTF8.GetBytes(text.ToString())));

        // Found while streaming (a merge pass) and at the end (no merge before it).
        foreach (var options in new[] { new TableReadOptions { MaxEntries = 5_000, CompactRows = 1_000 }, new TableReadOptions { MaxEntries = 5_000 } })
        {
            var e = Assert.Throws<SpatialSimException>(() => CountTableReader.Read(path, options));
            Assert.Equal(ErrorKind.LimitExceeded, e.Kind);
            Assert.Equal(path, e.FilePath);
            Assert.Contains("more than 5,000 distinct gene pixels", e.Message);
        }
        Assert.Equal(3, CountTableReader.Read(path, new TableReadOptions { MaxEntries = 20_000 }).Genes.Count);
    }
}
