using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.IO;
using Xunit;
using Xunit.Abstractions;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Tests of <see cref="CountTableReader"/> on small tables written to a temporary folder.</summary>
[Collection(nameof(CountTableParallelReadTests))] // the parallel-read tests change static size thresholds
public sealed class CountTableReaderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "spatialsim-ct-" + Guid.NewGuid().ToString("N"));
    private readonly ITestOutputHelper _output;

    public CountTableReaderTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_dir);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static readonly TableReadOptions Defaults = new();

    // (gene, x, y, count) rows; x 10..14, y 20..22; Actb repeats pixel (11,20).
    private static readonly (string Gene, int X, int Y, int Count)[] Rows =
    [
        ("Gapdh", 10, 20, 1),
        ("Gapdh", 14, 22, 3),
        ("Actb", 11, 20, 2),
        ("Gapdh", 12, 21, 5),
        ("Actb", 11, 20, 4),
        ("Mt-Co1", 13, 22, 7),
    ];

    private string Write(string name, string text, Encoding? encoding = null)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text, encoding ?? new UTF8Encoding(false));
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

    private static string Table(string header, char delimiter, string newline = "\n") =>
        header + newline + string.Concat(Rows.Select(r => $"{r.Gene}{delimiter}{r.X}{delimiter}{r.Y}{delimiter}{r.Count}{newline}"));

    private static SpatialSimException ReadFails(string path, TableReadOptions? options = null) =>
        Assert.Throws<SpatialSimException>(() => CountTableReader.Read(path, options ?? Defaults));

    private static float At(RasterPlane p, int x, int y) => p.Pixels[y * p.Width + x];

    // ------------------------------------------------------------------ formats

    [Fact]
    public void CsvTsvGzAndGemWithTheSameRowsGiveIdenticalPlanes()
    {
        var paths = new[]
        {
            Write("a.csv", Table("gene,x,y,count", ',', "\r\n"), new UTF8Encoding(true)), // CRLF + BOM
            Write("a.tsv", Table("geneID\tx\ty\tMIDCounts", '\t')),
            WriteGzip("a.tsv.gz", Table("geneID\tx\ty\tMIDCounts", '\t')),
            Write("a.gem", "#FileFormat=GEMv0.1\n#SortedBy=None\n#BinSize=1\n#OffsetX=0\n" + Table("geneID\tx\ty\tMIDCount", '\t')),
            WriteGzip("a.gem.data", "#FileFormat=GEMv0.1\n" + Table("geneID\tx\ty\tMIDCount", '\t')), // gzip found by magic bytes
            Write("a.semicolon.csv", Table("Gene;X;Y;UMICount", ';')),
        };
        var tables = paths.Select(p => CountTableReader.Read(p, Defaults)).ToArray();

        var first = tables[0];
        Assert.Equal(["Gapdh", "Actb", "Mt-Co1"], first.Genes);
        Assert.Equal(["geneID", "x", "y", "MIDCount"], tables[3].Columns.All);
        Assert.Equal(('\t', ';'), (tables[3].Columns.Delimiter, tables[5].Columns.Delimiter));
        Assert.Equal("count", first.Columns.Count);
        Assert.Equal((5, 3, 10, 20), (first.Width, first.Height, first.OriginX, first.OriginY));
        Assert.Equal(6, first.RowsRead);
        Assert.Equal(1, first.DuplicateRowsSummed);
        Assert.Equal(9, first.Total("Gapdh"));
        Assert.Equal(6, first.Total("Actb"));

        var gapdh = first.ToPlane("Gapdh");
        Assert.Equal(1, At(gapdh, 0, 0));
        Assert.Equal(3, At(gapdh, 4, 2));
        Assert.Equal(5, At(gapdh, 2, 1));
        Assert.Equal(9, gapdh.Pixels.Sum());
        Assert.Equal(6, At(first.ToPlane("Actb"), 1, 0));
        Assert.Equal(paths[0], gapdh.Source);
        Assert.Equal(1.0, gapdh.PixelSize);

        for (int t = 1; t < tables.Length; t++)
        {
            var table = tables[t];
            Assert.Equal(first.Genes, table.Genes);
            Assert.Equal((first.Width, first.Height, first.OriginX, first.OriginY), (table.Width, table.Height, table.OriginX, table.OriginY));
            Assert.Equal(first.RowsRead, table.RowsRead);
            Assert.Equal(first.DuplicateRowsSummed, table.DuplicateRowsSummed);
            foreach (var (a, b) in first.Planes().Zip(table.Planes()))
            {
                Assert.Equal(a.Gene, b.Gene);
                Assert.Equal(a.Pixels, b.Pixels);
            }
        }
    }

    [Fact]
    public void XeniumQuotedPerTranscriptCsvCountsEachRowOnceAndFloorsScaledCoordinates()
    {
        var text = new StringBuilder();
        text.AppendLine("\"transcript_id\",\"cell_id\",\"overlaps_nucleus\",\"feature_name\",\"x_location\",\"y_location\",\"z_location\",\"qv\"");
        text.AppendLine("281474976710657,\"UNASSIGNED\",0,\"AGR3\",4.395842,1.66653,12.0,18.6");  // px (8, 3)
        text.AppendLine("281474976710658,\"UNASSIGNED\",0,\"AGR3\",4.49,1.99,12.0,18.6");         // px (8, 3) again: duplicate
        text.AppendLine("281474976710659,\"cell \"\"a\"\"\",1,\"NegControl,Probe\",0.0,0.0,1,40");  // comma inside quotes, doubled quotes elsewhere
        text.AppendLine("281474976710660,\"multi\nline cell\",1,\"AGR3\",5.0,0.25,1,40");           // quoted field spanning two lines
        text.AppendLine("281474976710661,\"x\",1,\"Say \"\"hi\"\"\",1.5,1.0,1,40");                 // doubled quotes in the gene name
        var path = Write("transcripts.csv", text.ToString());

        // Every row kept (qv 18.6 and the control codeword too): this test is about quoting; the filters are TranscriptTableTests'.
        var all = new TableReadOptions { PixelSize = 0.5, MinQuality = 0, IncludeControls = true };
        var table = CountTableReader.Read(path, all);

        Assert.Equal(["AGR3", "NegControl,Probe", "Say \"hi\""], table.Genes);
        Assert.Equal(5, table.RowsRead);
        Assert.Equal(1, table.DuplicateRowsSummed);
        Assert.Equal((0, 0, 11, 4), (table.OriginX, table.OriginY, table.Width, table.Height));
        Assert.Equal(0.5, table.PixelSize);
        var agr3 = table.ToPlane("AGR3");
        Assert.Equal(2, At(agr3, 8, 3));   // 4.395842 / 0.5 = 8.79 → 8; 1.66653 / 0.5 = 3.33 → 3
        Assert.Equal(1, At(agr3, 10, 0));  // 5.0 / 0.5 = 10; 0.25 / 0.5 = 0.5 → 0
        Assert.Equal(3, table.Total("AGR3"));
        Assert.Equal(1, At(table.ToPlane("Say \"hi\""), 3, 2));

        // A row after the two-line record has its own line number right.
        var bad = Write("transcripts-bad.csv", text + "281474976710662,\"x\",1,\"AGR3\",oops,1.0,1,40\n");
        var e = ReadFails(bad, all);
        Assert.Equal(8, e.LineNumber);
        Assert.Equal("AGR3", e.Gene);
    }

    [Fact]
    public void WholeSlideCoordinatesWinOverPerTileOnes()
    {
        // MERSCOPE detected_transcripts.csv: an unnamed index column, global_x/global_y and per-tile x/y.
        var path = Write("detected_transcripts.csv",
            ",barcode_id,global_x,global_y,global_z,x,y,fov,gene,transcript_id,cell_id\n" +
            "0,5,100.5,200.25,0.0,1.0,2.0,0,Gad1,ENSMUST1,-1\n" +
            "1,5,101.0,201.9,0.0,3.0,4.0,0,Gad1,ENSMUST1,-1\n");
        var table = CountTableReader.Read(path, Defaults);
        Assert.Equal(["Gad1"], table.Genes);
        Assert.Equal(("gene", "global_x", "global_y", (string?)null, ','), (table.Columns.Gene, table.Columns.X, table.Columns.Y, table.Columns.Count, table.Columns.Delimiter));
        Assert.Equal(11, table.Columns.All.Count);
        Assert.Equal((100, 200, 2, 2), (table.OriginX, table.OriginY, table.Width, table.Height));
        Assert.Equal(2, table.Total("Gad1"));
    }

    [Fact]
    public void NegativeCoordinatesShiftTheCanvas()
    {
        var path = Write("neg.csv", "gene,x,y\nA,-3,-1\nA,2,0\nB,-2,4\n");
        var table = CountTableReader.Read(path, Defaults);
        Assert.Equal((-3, -1, 6, 6), (table.OriginX, table.OriginY, table.Width, table.Height));
        Assert.Equal(1, At(table.ToPlane("A"), 0, 0));
        Assert.Equal(1, At(table.ToPlane("A"), 5, 1));
        Assert.Equal(1, At(table.ToPlane("B"), 1, 5));
    }

    [Fact]
    public void PixelSizeScalesIntegerCoordinatesExactly()
    {
        var path = Write("scaled.tsv", "geneID\tx\ty\tMIDCount\nA\t30\t-1\t1\nA\t29\t0\t1\nA\t3\t9\t2\n");
        var ten = CountTableReader.Read(path, new TableReadOptions { PixelSize = 10 });
        Assert.Equal((0, -1, 4, 2), (ten.OriginX, ten.OriginY, ten.Width, ten.Height)); // floor(-1 / 10) = -1
        var a = ten.ToPlane("A");
        Assert.Equal(1, At(a, 3, 0)); // (30, -1) → pixel (3, -1)
        Assert.Equal(1, At(a, 2, 1)); // (29, 0) → (2, 0)
        Assert.Equal(2, At(a, 0, 1)); // (3, 9) → (0, 0)
        var tenth = CountTableReader.Read(path, new TableReadOptions { PixelSize = 0.1 });
        Assert.Equal((30, -10, 271, 101), (tenth.OriginX, tenth.OriginY, tenth.Width, tenth.Height)); // 3 / 0.1 is pixel 30, not 29
    }

    [Fact]
    public void FractionalCoordinatesLandWhereDoubleParseSaysTheyDo()
    {
        // Many decimal spellings, parsed on the fast path or by double.Parse, against double.Parse and the documented rule.
        var rng = new Random(11);
        const double pixelSize = 0.37;
        var text = new StringBuilder("feature_name,x_location,y_location\n");
        var expected = new Dictionary<(long, long), float>();
        static long PixelOf(double v)
        {
            double q = v / pixelSize, r = Math.Round(q);
            return (long)(Math.Abs(q - r) <= 1e-9 * Math.Max(1.0, Math.Abs(r)) ? r : Math.Floor(q));
        }
        string[] formats = ["F0", "F1", "F3", "F6", "F9", "R", "E3"];
        for (int i = 0; i < 20_000; i++)
        {
            double x = rng.NextDouble() * 100 - 20, y = rng.NextDouble() * 60;
            if (i % 7 == 0) x = Math.Round(x / pixelSize) * pixelSize; // near pixel edges
            string xs = x.ToString(formats[rng.Next(formats.Length)], System.Globalization.CultureInfo.InvariantCulture);
            string ys = y.ToString(formats[rng.Next(formats.Length)], System.Globalization.CultureInfo.InvariantCulture);
            text.Append($"A,{xs},{ys}\n");
            var key = (PixelOf(double.Parse(xs, System.Globalization.CultureInfo.InvariantCulture)),
                       PixelOf(double.Parse(ys, System.Globalization.CultureInfo.InvariantCulture)));
            expected[key] = expected.GetValueOrDefault(key) + 1;
        }
        var table = CountTableReader.Read(Write("fractions.csv", text.ToString()), new TableReadOptions { PixelSize = pixelSize });
        Assert.Equal(expected.Keys.Min(k => k.Item1), table.OriginX);
        Assert.Equal(expected.Keys.Min(k => k.Item2), table.OriginY);
        var plane = table.ToPlane("A");
        foreach (var ((px, py), count) in expected)
            Assert.Equal(count, At(plane, (int)(px - table.OriginX), (int)(py - table.OriginY)));
        Assert.Equal(20_000, plane.Pixels.Sum());
    }

    // ------------------------------------------------------------------ options

    [Fact]
    public void RegionCropsTheCanvasAndCountsDroppedRows()
    {
        var path = Write("a.tsv", Table("geneID\tx\ty\tMIDCount", '\t'));
        var table = CountTableReader.Read(path, new TableReadOptions { Region = (11, 20, 14, 22) });

        Assert.Equal((11, 20, 3, 2), (table.OriginX, table.OriginY, table.Width, table.Height));
        Assert.Equal(6, table.RowsRead);
        Assert.Equal(3, table.RowsOutsideRegion); // (10,20), (14,22), (13,22)
        Assert.Equal(["Actb", "Gapdh"], table.Genes); // Gapdh's first row is outside; Mt-Co1 has none inside
        Assert.Equal(6, At(table.ToPlane("Actb"), 0, 0));
        Assert.Equal(5, At(table.ToPlane("Gapdh"), 1, 1));
        Assert.Equal(5, table.Total("Gapdh"));

        // The region is in pixels after scaling: x -5 at PixelSize 2 is pixel -3.
        var scaled = CountTableReader.Read(Write("neg.csv", "gene,x,y\nA,-5,0\nA,-6.5,1\nA,0,0\n"),
            new TableReadOptions { PixelSize = 2, Region = (-4, 0, -2, 1) });
        Assert.Equal((-4, 0, 2, 1), (scaled.OriginX, scaled.OriginY, scaled.Width, scaled.Height));
        Assert.Equal(1, scaled.RowsOutsideRegion);
        Assert.Equal([1f, 1f], scaled.ToPlane("A").Pixels); // -6.5 → pixel -4, -5 → pixel -3
        Assert.Equal(2.0, scaled.PixelSize);
        Assert.Equal(2.0, scaled.ToPlane("A").PixelSize);

        var none = ReadFails(path, new TableReadOptions { Region = (100, 100, 200, 200) });
        Assert.Equal(ErrorKind.InvalidArgument, none.Kind);
        Assert.Contains("outside the region", none.Message);
        Assert.Contains("x 10..14, y 20..22", none.Message);

        var empty = Assert.Throws<SpatialSimException>(() => CountTableReader.Read(path, new TableReadOptions { Region = (5, 5, 5, 9) }));
        Assert.Equal(ErrorKind.InvalidArgument, empty.Kind);
    }

    [Fact]
    public void GeneFilterAndMinTotalDropGenesButNotTheCanvas()
    {
        var path = Write("a.tsv", Table("geneID\tx\ty\tMIDCount", '\t'));
        var asked = new List<string>();
        var table = CountTableReader.Read(path, new TableReadOptions
        {
            GeneFilter = g => { asked.Add(g); return !g.StartsWith("Mt-"); },
            MinTotal = 7,
        });
        Assert.Equal(["Gapdh", "Actb", "Mt-Co1"], asked); // once per gene
        Assert.Equal(["Gapdh"], table.Genes);             // Actb total 6 < 7, Mt-Co1 filtered
        Assert.Equal(3, table.GenesSeen);
        Assert.Equal((5, 3, 10, 20), (table.Width, table.Height, table.OriginX, table.OriginY));
        Assert.False(table.Contains("Actb"));
        var e = Assert.Throws<SpatialSimException>(() => table.ToPlane("gapdh"));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains("'Gapdh'", e.Message);
    }

    [Theory]
    [InlineData(2, null)]
    [InlineData(3, null)]
    [InlineData(4, "region")]
    public void BinSizeEqualsSumBlocksOfTheBin1Plane(int bin, string? region)
    {
        var rng = new Random(7);
        var text = new StringBuilder("geneID\tx\ty\tMIDCount\n");
        string[] genes = ["A", "B", "C"];
        for (int i = 0; i < 3000; i++)
            text.Append($"{genes[rng.Next(3)]}\t{rng.Next(-20, 37)}\t{rng.Next(100, 123)}\t{rng.Next(0, 4)}\n");
        var path = Write("bins.gem", text.ToString());
        var regionValue = region == null ? ((int, int, int, int)?)null : (-7, 103, 30, 120);

        var one = CountTableReader.Read(path, new TableReadOptions { Region = regionValue });
        var binned = CountTableReader.Read(path, new TableReadOptions { Region = regionValue, BinSize = bin });

        Assert.Equal(one.Genes, binned.Genes);
        Assert.Equal(RasterBinning.BinnedLength(one.Width, bin), binned.Width);
        Assert.Equal(RasterBinning.BinnedLength(one.Height, bin), binned.Height);
        Assert.Equal((one.OriginX, one.OriginY), (binned.OriginX, binned.OriginY));
        Assert.Equal(one.DuplicateRowsSummed, binned.DuplicateRowsSummed);
        Assert.True(one.DuplicateRowsSummed > 0);
        foreach (var gene in one.Genes)
        {
            var expected = RasterBinning.SumBlocks(one.ToPlane(gene), bin);
            var actual = binned.ToPlane(gene);
            Assert.Equal(expected.Pixels, actual.Pixels);
            Assert.Equal(expected.PixelSize, actual.PixelSize);
        }
    }

    [Fact]
    public void DuplicateRowsAreSummedAndCounted()
    {
        var path = Write("dups.tsv", "geneID\tx\ty\tMIDCount\nA\t1\t1\t2\nB\t1\t1\t5\nA\t2\t1\t1\nA\t1\t1\t3\nA\t1\t1\t0\nB\t2\t2\t1\n");
        var table = CountTableReader.Read(path, Defaults);
        Assert.Equal(2, table.DuplicateRowsSummed); // A(1,1) twice more; B(1,1) is another gene
        Assert.Equal(5, At(table.ToPlane("A"), 0, 0));
        Assert.Equal(5, At(table.ToPlane("B"), 0, 0));
        Assert.Equal(2, table.PixelCount("A"));

        var noCounts = Write("dups.csv", "feature_name,x_location,y_location\nA,1.2,1\nA,1.9,1.5\nA,3,3\n");
        var perTranscript = CountTableReader.Read(noCounts, Defaults);
        Assert.Equal(1, perTranscript.DuplicateRowsSummed);
        Assert.Equal(2, At(perTranscript.ToPlane("A"), 0, 0));
        Assert.Equal(1, At(perTranscript.ToPlane("A"), 2, 2));
    }

    [Fact]
    public void MaxPixelsRefusesALargeCanvasAndSuggestsABinSize()
    {
        var path = Write("wide.csv", "gene,x,y,count\nA,0,0,1\nA,999,499,1\n");
        var e = ReadFails(path, new TableReadOptions { MaxPixels = 100_000 });
        Assert.Equal(ErrorKind.LimitExceeded, e.Kind);
        Assert.Equal(path, e.FilePath);
        Assert.Contains("-BinSize 3", e.Message); // 1000×500 → 334×167 = 55,778 fits; bin 2 gives 125,000
        Assert.Contains("-Region", e.Message);
        var binned = CountTableReader.Read(path, new TableReadOptions { MaxPixels = 100_000, BinSize = 3 });
        Assert.Equal((334, 167), (binned.Width, binned.Height));

        var region = Assert.Throws<SpatialSimException>(() =>
            CountTableReader.Read(path, new TableReadOptions { MaxPixels = 10, Region = (0, 0, 5, 5) }));
        Assert.Equal(ErrorKind.LimitExceeded, region.Kind);
    }

    // ------------------------------------------------------------------ errors

    [Theory]
    [InlineData("Gapdh\t1\t2\tabc", "the count 'abc' (column 'MIDCount') is not a number")]
    [InlineData("Gapdh\t1\t2\t-3", "is negative")]
    [InlineData("Gapdh\t1\t2\t-0.5", "is negative")]
    [InlineData("Gapdh\t1\t2\tNaN", "not a finite number")]
    [InlineData("Gapdh\t1\t2\tInfinity", "not a finite number")]
    [InlineData("Gapdh\t1\t2\t", "the count (column 'MIDCount') is empty")]
    [InlineData("Gapdh\tx1\t2\t1", "the x coordinate 'x1' (column 'x') is not a number")]
    [InlineData("Gapdh\t1\t2.5e\t1", "the y coordinate '2.5e' (column 'y') is not a number")]
    [InlineData("Gapdh\t-Infinity\t2\t1", "not a finite number")]
    [InlineData("Gapdh\t1\tNaN\t1", "not a finite number")]
    [InlineData("Gapdh\t1\t2", "the line has 3 fields, but the count column 'MIDCount' is field 4")]
    [InlineData("Gapdh,1,2,1", "the line has 1 field, but the x column 'x' is field 2")]
    [InlineData("\t1\t2\t1", "the gene name (column 'geneID') is empty")]
    [InlineData("Gapdh\t1\t99999999999\t1", "beyond the")]
    public void BadRowsNameFileLineAndGene(string badRow, string expected)
    {
        var text = "#FileFormat=GEMv0.1\n#OffsetX=0\ngeneID\tx\ty\tMIDCount\nActb\t1\t1\t1\n\n" + badRow + "\nActb\t2\t2\t1\n";
        var path = Write("bad.gem", text);
        var e = ReadFails(path);
        _output.WriteLine(e.Message);
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Equal(path, e.FilePath);
        Assert.Equal(6, e.LineNumber);
        Assert.StartsWith($"Line 6 of '{path}': ", e.Message);
        Assert.Contains(expected, e.Message);
        if (badRow.StartsWith("Gapdh\t")) Assert.Equal("Gapdh", e.Gene);
    }

    [Fact]
    public void BadRowInAQuotedCsvAndOnTheLastLineWithoutNewline()
    {
        var path = Write("q.csv", "\"gene\",\"x\",\"y\",\"counts\"\n\"A\",\"1\",\"2\",\"3\"\n\"A\",\"1\",\"2\",\"-3\"");
        var e = ReadFails(path);
        Assert.Equal(3, e.LineNumber);
        Assert.Contains("is negative", e.Message);

        var unclosed = Write("unclosed.csv", "gene,x,y\nA,1,2\n\"B,1,2\nC,3,4\n");
        var u = ReadFails(unclosed);
        Assert.Equal(ErrorKind.InvalidData, u.Kind);
        Assert.Equal(3, u.LineNumber);
        Assert.Contains("not closed", u.Message);

        // A stray quote early in a long file is reported at its line, not after buffering the rest of the file.
        var stray = new StringBuilder("gene,x,y\nA,1,2\n\"B,1,2\n");
        for (int i = 0; i < 500_000; i++) stray.Append("C,3,4\n");
        var s = ReadFails(Write("stray.csv", stray.ToString()));
        Assert.Equal(3, s.LineNumber);
        Assert.Contains("not closed within 1 MiB", s.Message);
    }

    [Fact]
    public void EmptyFileCommentsOnlyAndHeaderOnlyAreErrors()
    {
        var empty = ReadFails(Write("empty.tsv", ""));
        Assert.Equal(ErrorKind.InvalidData, empty.Kind);
        Assert.Equal(1, empty.LineNumber);
        Assert.Contains("is empty", empty.Message);

        var comments = ReadFails(Write("comments.gem", "#FileFormat=GEMv0.1\n#BinSize=1\n"));
        Assert.Contains("no header line", comments.Message);

        var path = Write("header.gem", "#FileFormat=GEMv0.1\ngeneID\tx\ty\tMIDCount\n\n");
        var headerOnly = ReadFails(path);
        Assert.Equal(ErrorKind.InvalidData, headerOnly.Kind);
        Assert.Equal(path, headerOnly.FilePath);
        Assert.Equal(2, headerOnly.LineNumber);
        Assert.Contains("no data rows", headerOnly.Message);

        var gzEmpty = ReadFails(WriteGzip("empty.csv.gz", ""));
        Assert.Contains("is empty", gzEmpty.Message);
    }

    [Fact]
    public void MissingColumnsListWhatWasFoundAndWhatIsExpected()
    {
        var path = Write("cols.csv", "#comment\ncell,x_location,z\nA,1,2\n");
        var e = ReadFails(path);
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Equal(2, e.LineNumber);
        Assert.Contains("lacks a gene column (geneID, gene, feature_name, gene_name, geneName, target) and a y column", e.Message);
        Assert.Contains("Columns found: 'cell', 'x_location', 'z'", e.Message);

        var single = ReadFails(Write("single.txt", "geneID x y MIDCount\nA 1 2 3\n"));
        Assert.Contains("No tab, comma or semicolon", single.Message);
    }

    [Fact]
    public void FilesThatAreNotTextTablesAreRefused()
    {
        var missing = Assert.Throws<SpatialSimException>(() => CountTableReader.Read(Path.Combine(_dir, "nope.gem"), Defaults));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);

        var parquet = Path.Combine(_dir, "transcripts.parquet");
        File.WriteAllBytes(parquet, "PAR1\0\0\0\0"u8.ToArray());
        var e = Assert.Throws<SpatialSimException>(() => CountTableReader.Read(parquet, Defaults));
        Assert.Equal(ErrorKind.NotSupported, e.Kind);
        Assert.Contains("Parquet", e.Message);
    }

    // ------------------------------------------------------------------ gzip

    private static string ManyRows(int n, int seed)
    {
        var rng = new Random(seed);
        var text = new StringBuilder("geneID\tx\ty\tMIDCount\n");
        for (int i = 0; i < n; i++) text.Append($"G{rng.Next(300)}\t{rng.Next(1000)}\t{rng.Next(1000)}\t{rng.Next(1, 5)}\n");
        return text.ToString();
    }

    [Fact]
    public void TruncatedGzipIsReportedWithItsLine()
    {
        var whole = WriteGzip("whole.gem.gz", ManyRows(60_000, 1));
        var bytes = File.ReadAllBytes(whole);
        Assert.Equal(60_000, CountTableReader.Read(whole, Defaults).RowsRead);

        foreach (int cut in new[] { bytes.Length / 2, bytes.Length - 4, bytes.Length - 9 })
        {
            var path = Path.Combine(_dir, $"cut{cut}.gem.gz");
            File.WriteAllBytes(path, bytes[..cut]);
            var e = ReadFails(path);
            _output.WriteLine(e.Message);
            Assert.Equal(ErrorKind.InvalidData, e.Kind);
            Assert.Equal(path, e.FilePath);
            Assert.Contains("the gzip data ends early (truncated download?)", e.Message);
            Assert.True(e.LineNumber > 1, $"line {e.LineNumber}");
            Assert.Contains($"line {e.LineNumber:N0}", e.Message);
        }

        var tiny = Path.Combine(_dir, "tiny.gem.gz");
        File.WriteAllBytes(tiny, bytes[..12]);
        Assert.Contains("ends early", ReadFails(tiny).Message);
    }

    [Fact]
    public void MultiMemberGzipIsNotMistakenForTruncated()
    {
        // Like bgzip or `cat a.gz b.gz`: the file's last 8 bytes describe only the last member.
        var text = ManyRows(20_000, 2);
        int split = text.IndexOf('\n', text.Length / 3) + 1;
        var path = Path.Combine(_dir, "multi.gem.gz");
        using (var file = File.Create(path))
        {
            foreach (var part in new[] { text[..split], text[split..], "" })
            {
                using var gz = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);
                gz.Write(Encoding.UTF8.GetBytes(part));
            }
        }
        var table = CountTableReader.Read(path, Defaults);
        Assert.Equal(20_000, table.RowsRead);

        var damaged = File.ReadAllBytes(path);
        damaged[damaged.Length / 2] ^= 0x55;
        File.WriteAllBytes(path, damaged);
        var e = ReadFails(path);
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        _output.WriteLine(e.Message);
    }

    // ------------------------------------------------------------------ progress, cancellation, real data

    private sealed class SyncProgress(Action<TableReadProgress> report) : IProgress<TableReadProgress>
    {
        public void Report(TableReadProgress value) => report(value);
    }

    [Fact]
    public void CancellationStopsReadingPromptly()
    {
        var path = WriteGzip("big.gem.gz", ManyRows(300_000, 3));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => CountTableReader.Read(path, Defaults, null, cancelled.Token));

        using var cts = new CancellationTokenSource();
        long rowsAtCancel = -1;
        var progress = new SyncProgress(p =>
        {
            if (rowsAtCancel < 0) { rowsAtCancel = p.RowsRead; cts.Cancel(); }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => CountTableReader.Read(path, Defaults, progress, cts.Token));
        Assert.Equal(0, rowsAtCancel);
    }

    [Fact]
    public void ProgressReportsCompressedBytesUpToTheFileLength()
    {
        var path = WriteGzip("p.gem.gz", ManyRows(50_000, 4));
        var reports = new List<TableReadProgress>();
        var table = CountTableReader.Read(path, Defaults, new SyncProgress(reports.Add));
        long length = new FileInfo(path).Length;
        Assert.All(reports, r => Assert.Equal(length, r.TotalBytes));
        var lastRead = reports.Last(r => r.Phase == TableReadPhase.Reading);
        Assert.Equal(length, lastRead.BytesRead);
        Assert.Equal(1.0, lastRead.Fraction);
        Assert.Equal(table.RowsRead, lastRead.RowsRead);
        Assert.Equal(TableReadPhase.Building, reports[^1].Phase);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First.BytesRead <= p.Second.BytesRead));
    }

    [Fact]
    public void RealStereoSeqPatchMatchesItsProvenance()
    {
        // Read in place from the shared data folder when it is there (beside the repository or at /work/shared).
        string name = Path.Combine("stereoseq_mouse_brain_bin1_patch", "SS200000135TL_D1_bin1_small.gem.gz");
        var path = SharedData(name);
        if (path == null)
        {
            _output.WriteLine("Sample GEM not found; skipped.");
            return;
        }
        var table = CountTableReader.Read(path, Defaults);
        Assert.Equal(77_634, table.RowsRead);
        Assert.Equal(10_631, table.Genes.Count);
        Assert.Equal("0610009B22Rik", table.Genes[0]);
        Assert.Equal(131_002, table.Genes.Sum(table.Total));
        Assert.Equal((299, 300, 9600, 12600), (table.Width, table.Height, table.OriginX, table.OriginY));
        Assert.Equal(1, At(table.ToPlane("0610009B22Rik"), 9776 - 9600, 12669 - 12600));
        Assert.Equal(6_827, table.Total("Gm42418"));
    }

    [Fact]
    public void RealIssSpotsTableMatchesItsProvenance()
    {
        var path = SharedData(Path.Combine("ca1_iss_qian2020", "spots.csv"));
        if (path == null)
        {
            _output.WriteLine("Sample spots.csv not found; skipped.");
            return;
        }
        var table = CountTableReader.Read(path, Defaults);
        Assert.Equal(72_336, table.RowsRead);
        Assert.Equal(92, table.Genes.Count);
        Assert.Equal(9_235, table.Total("Neurod6"));
        Assert.Equal(3, table.Total("Crh"));
        Assert.Equal((-1, 10, 7582, 5448), (table.OriginX, table.OriginY, table.Width, table.Height));
    }

    /// <summary>A file of the shared data folder, read in place (beside the repository or at /work/shared); null when absent.</summary>
    private static string? SharedData(string name)
    {
        var roots = new List<string> { "/work/shared/data" };
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent) roots.Add(Path.Combine(d.FullName, "shared", "data"));
        return roots.Select(r => Path.Combine(r, name)).FirstOrDefault(File.Exists);
    }

    [Fact]
    public void ParsesAMillionRowGemAndPrintsItsSpeed()
    {
        var path = Path.Combine(_dir, "million.gem");
        var rng = new Random(5);
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16))
        {
            writer.Write("#FileFormat=GEMv0.1\n#SortedBy=None\ngeneID\tx\ty\tMIDCount\n");
            int rows = 0;
            for (int g = 0; rows < 1_000_000; g++)
            {
                string gene = $"Gene{g:D5}Rik";
                int n = 1 + rng.Next(400);
                for (int i = 0; i < n && rows < 1_000_000; i++, rows++)
                    writer.Write($"{gene}\t{9600 + rng.Next(3000)}\t{12600 + rng.Next(3000)}\t{(rng.Next(10) < 7 ? 1 : rng.Next(2, 9))}\n");
            }
        }
        long bytes = new FileInfo(path).Length;
        CountTable? table = null;
        for (int run = 0; run < 2; run++) // the first run includes JIT compilation
        {
            double buildAt = 0;
            var clock = Stopwatch.StartNew();
            table = CountTableReader.Read(path, Defaults, new SyncProgress(p =>
            {
                if (p.Phase == TableReadPhase.Building) buildAt = clock.Elapsed.TotalSeconds;
            }));
            double total = clock.Elapsed.TotalSeconds;
            _output.WriteLine($"run {run + 1}: {bytes / 1e6:F1} MB, {table.RowsRead:N0} rows: parse {buildAt:F3} s = {bytes / 1e6 / buildAt:F0} MB/s, " +
                $"build {total - buildAt:F3} s, overall {bytes / 1e6 / total:F0} MB/s");
        }
        var debuggable = (DebuggableAttribute?)Attribute.GetCustomAttribute(typeof(CountTableReader).Assembly, typeof(DebuggableAttribute));
        if (debuggable?.IsJITOptimizerDisabled == true)
            _output.WriteLine("(SpatialSim.TorchCore is a Debug build here, JIT optimisation off: run with -c Release for representative speed.)");
        Assert.Equal(1_000_000, table!.RowsRead);
        Assert.Equal(1_000_000, table.Genes.Sum(g => (long)table.PixelCount(g)) + table.DuplicateRowsSummed);
    }
}
