using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;
using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// Xenium-like transcripts.parquet files written by an independent implementation — the managed Parquet.Net here, the
/// JavaScript hyparquet-writer for the committed fixture (tests/reference/make_parquet_fixtures.mjs) — read by our
/// ParquetSharp-based reader, which must give exactly the rasters the same molecules give as a GEM table.
/// </summary>
public sealed class TranscriptParquetReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spatialsim-parquet-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Genes = ["Slc17a7", "Gad1", "Pvalb", "Sst", "Vip", "Gfap", "Aqp4", "Mbp", "Plp1", "Cux2", "Rorb", "Fezf2"];
    private static readonly string[] Controls = ["NegControlProbe_00042", "BLANK_0006", "UnassignedCodeword_0123", "DeprecatedCodeword_0007", "NegControlCodeword_0501"];

    /// <summary>One molecule of a synthetic Xenium table.</summary>
    private sealed record Molecule(string Gene, float X, float Y, float Qv);

    /// <summary>
    /// Molecules in clusters per gene (so pixels repeat and genes differ), 8% controls, 10% with qv below 20 (some exactly
    /// 20, which is kept), a few far outliers that stretch the canvas.
    /// </summary>
    private static List<Molecule> Molecules(int n, int seed)
    {
        var rng = new Random(seed);
        var all = Genes.Concat(Controls).ToArray();
        var list = new List<Molecule>(n);
        for (int i = 0; i < n; i++)
        {
            string gene = rng.NextDouble() < 0.08 ? Controls[rng.Next(Controls.Length)] : Genes[rng.Next(Genes.Length)];
            int k = Array.IndexOf(all, gene);
            float x = (float)(120 + 25 * (k % 5) + 30 * rng.NextDouble() + (rng.Next(50) == 0 ? 400 * rng.NextDouble() : 0));
            float y = (float)(80 + 20 * (k / 5) + 25 * rng.NextDouble());
            float qv = rng.Next(10) switch { 0 => (float)(19.99 * rng.NextDouble()), 1 => 20f, _ => (float)(20 + 20 * rng.NextDouble()) };
            list.Add(new Molecule(gene, x, y, qv));
        }
        return list;
    }

    /// <summary>The molecules that pass the quality floor as a GEM-like text table, coordinates written exactly (the float's double value).</summary>
    private string TextTable(IEnumerable<Molecule> molecules, double minQuality = 20)
    {
        var sb = new StringBuilder("geneID\tx\ty\n");
        foreach (var m in molecules.Where(m => m.Qv >= minQuality))
            sb.Append(m.Gene).Append('\t').Append(((double)m.X).ToString("R", CultureInfo.InvariantCulture))
              .Append('\t').Append(((double)m.Y).ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        string path = Path.Combine(_dir, $"text{Guid.NewGuid():N}.tsv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    /// <summary>Writes the molecules as Xenium writes transcripts.parquet (its column set), in row groups of <paramref name="groupRows"/>.</summary>
    private string XeniumParquet(List<Molecule> molecules, int groupRows, bool binaryNames = false, string name = "transcripts.parquet")
    {
        string path = Path.Combine(_dir, name);
        var id = new DataField<long>("transcript_id");
        var cell = new DataField<string>("cell_id");
        var nucleus = new DataField<bool>("overlaps_nucleus");
        var feature = binaryNames ? (DataField)new DataField<byte[]>("feature_name") : new DataField<string>("feature_name");
        var x = new DataField<float>("x_location");
        var y = new DataField<float>("y_location");
        var z = new DataField<float>("z_location");
        var qv = new DataField<float>("qv");
        var schema = new ParquetSchema(id, cell, nucleus, feature, x, y, z, qv);
        Task.Run(async () =>
        {
            await using var stream = File.Create(path);
            await using var writer = await ParquetWriter.CreateAsync(schema, stream);
            for (int start = 0; start < molecules.Count; start += groupRows)
            {
                var part = molecules.Skip(start).Take(groupRows).ToList();
                using var rg = writer.CreateRowGroup();
                await rg.WriteAsync<long>(id, part.Select((_, i) => (long)(start + i)).ToArray());
                await rg.WriteAsync(cell, part.Select((_, i) => i % 3 == 0 ? "UNASSIGNED" : $"cell{i % 97}-1").ToArray());
                await rg.WriteAsync<bool>(nucleus, part.Select((_, i) => i % 2 == 0).ToArray());
                if (binaryNames) await rg.WriteAsync(feature, part.Select(m => Encoding.UTF8.GetBytes(m.Gene)).ToArray());
                else await rg.WriteAsync(feature, part.Select(m => m.Gene).ToArray());
                await rg.WriteAsync<float>(x, part.Select(m => m.X).ToArray());
                await rg.WriteAsync<float>(y, part.Select(m => m.Y).ToArray());
                await rg.WriteAsync<float>(z, part.Select(m => 5f).ToArray());
                await rg.WriteAsync<float>(qv, part.Select(m => m.Qv).ToArray());
            }
        }).GetAwaiter().GetResult();
        return path;
    }

    /// <summary>Writes arbitrary columns (one row group) with Parquet.Net.</summary>
    private string Columns(string name, params (DataField Field, Array Values)[] columns)
    {
        string path = Path.Combine(_dir, name);
        Task.Run(async () =>
        {
            await using var stream = File.Create(path);
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(columns.Select(c => (Field)c.Field).ToArray()), stream);
            using var rg = writer.CreateRowGroup();
            foreach (var (field, values) in columns)
                switch (values)
                {
                    case string[] s: await rg.WriteAsync(field, s); break;
                    case float[] f: await rg.WriteAsync<float>(field, f); break;
                    case float?[] f: await rg.WriteAsync<float>(field, f); break;
                    case double[] d: await rg.WriteAsync<double>(field, d); break;
                    case int[] i: await rg.WriteAsync<int>(field, i); break;
                    case long[] l: await rg.WriteAsync<long>(field, l); break;
                    default: throw new ArgumentException(values.GetType().Name);
                }
        }).GetAwaiter().GetResult();
        return path;
    }

    private static readonly TableReadOptions Default = new();
    private static TableReadOptions NoControls(TableReadOptions o) => o with { GeneFilter = g => !ControlProbes.IsControl(g) };

    [Fact]
    public void XeniumTable_EqualsTheSameMoleculesAsAGemTable_AcrossRowGroups()
    {
        var molecules = Molecules(6000, 1);
        string parquet = XeniumParquet(molecules, groupRows: 2500);
        var table = TranscriptParquetReader.Read(parquet, Default);
        var text = CountTableReader.Read(TextTable(molecules), NoControls(Default));
        TableAssert.SameRasters(text, table);

        int low = molecules.Count(m => m.Qv < 20);
        Assert.Equal(6000, table.RowsRead);
        Assert.Equal(low, table.RowsBelowQuality);
        Assert.Equal(Controls.Length, table.ControlCodewords.Count);
        Assert.Equal(molecules.Count(m => m.Qv >= 20 && ControlProbes.IsControl(m.Gene)), table.RowsOfControls);
        Assert.Equal(Genes.Order(), table.Genes.Order());
        Assert.Equal(("feature_name", "x_location", "y_location", (string?)null), (table.Columns.Gene, table.Columns.X, table.Columns.Y, table.Columns.Count));
        Assert.True(table.DuplicateRowsSummed > 0);
    }

    [Fact]
    public void IncludeControlsAndMinQuality_KeepWhatTheySay()
    {
        var molecules = Molecules(3000, 2);
        string parquet = XeniumParquet(molecules, groupRows: 1000);
        var all = TranscriptParquetReader.Read(parquet, Default with { IncludeControls = true, MinQuality = 0 });
        TableAssert.SameRasters(CountTableReader.Read(TextTable(molecules, minQuality: 0), Default with { IncludeControls = true }), all);
        Assert.Equal(Genes.Length + Controls.Length, all.Genes.Count);
        Assert.Equal(0, all.RowsBelowQuality);

        var strict = TranscriptParquetReader.Read(parquet, Default with { MinQuality = 30 });
        TableAssert.SameRasters(CountTableReader.Read(TextTable(molecules, minQuality: 30), NoControls(Default)), strict);
        Assert.Equal(molecules.Count(m => m.Qv < 30), strict.RowsBelowQuality);
    }

    [Theory]
    [InlineData(0.2125, 4, false)] // Xenium's DAPI pixel, binned 4 × 4
    [InlineData(1.0, 10, true)]    // 10 µm bins, names stored as plain binary (XOA 1.x)
    [InlineData(2.0, 1, false)]
    public void PixelSizeBinSizeRegionAndGeneFilter_AsForText(double pixelSize, int binSize, bool binaryNames)
    {
        var molecules = Molecules(4000, 3);
        string parquet = XeniumParquet(molecules, groupRows: 1500, binaryNames);
        string text = TextTable(molecules);
        var options = new TableReadOptions { PixelSize = pixelSize, BinSize = binSize, GeneFilter = g => g != "Mbp" && !ControlProbes.IsControl(g), MinTotal = 3 };
        TableAssert.SameRasters(CountTableReader.Read(text, options), TranscriptParquetReader.Read(parquet, options));
        int x0 = (int)(130 / pixelSize), y0 = (int)(90 / pixelSize);
        var region = options with { Region = (x0, y0, x0 + (int)(60 / pixelSize), y0 + (int)(40 / pixelSize)) };
        var inRegion = TranscriptParquetReader.Read(parquet, region);
        TableAssert.SameRasters(CountTableReader.Read(text, region), inRegion);
        Assert.True(inRegion.RowsOutsideRegion > 0);
    }

    [Fact]
    public void CountColumnAndIntegerOrDoubleCoordinates_AsForText()
    {
        string[] genes = ["A", "B", "A", "C", "B", "A"];
        int[] xs = [10, -3, 10, 7, 8, 11];
        long[] ys = [5, 5, 5, 0, 9, 6];
        int[] counts = [2, 1, 3, 1, 4, 1];
        string parquet = Columns("ints.parquet", (new DataField<string>("geneID"), genes), (new DataField<int>("x"), xs),
            (new DataField<long>("y"), ys), (new DataField<int>("MIDCount"), counts));
        string text = Path.Combine(_dir, "ints.gem");
        File.WriteAllLines(text, new[] { "geneID\tx\ty\tMIDCount" }.Concat(genes.Select((g, i) => $"{g}\t{xs[i]}\t{ys[i]}\t{counts[i]}")));
        foreach (var o in new[] { Default, Default with { PixelSize = 3 }, Default with { PixelSize = 2.5, BinSize = 2 } })
            TableAssert.SameRasters(CountTableReader.Read(text, o), TranscriptParquetReader.Read(parquet, o));
        var t = TranscriptParquetReader.Read(parquet, Default);
        Assert.Equal(6, t.Total("A"));
        Assert.Equal("MIDCount", t.Columns.Count);

        double[] dx = [0.5, 1.25, 2.999999999, -0.5, 3.0];
        string doubles = Columns("doubles.parquet", (new DataField<string>("gene"), new[] { "A", "A", "B", "B", "B" }),
            (new DataField<double>("global_x"), dx), (new DataField<double>("global_y"), new[] { 1.0, 2, 3, 4, 5 }));
        var d = TranscriptParquetReader.Read(doubles, Default);
        Assert.Equal((-1, 1, 5, 5), (d.OriginX, d.OriginY, d.Width, d.Height));
    }

    [Fact]
    public void HyparquetWriterFixture_EqualsItsGemTable()
    {
        // Written by hyparquet-writer (JavaScript) with its own encodings and page layout; see make_parquet_fixtures.mjs.
        string parquet = Fixtures.PathOf("parquet", "xenium_hyparquet.parquet");
        var table = TranscriptParquetReader.Read(parquet, Default);
        TableAssert.SameRasters(CountTableReader.Read(Fixtures.PathOf("parquet", "xenium_hyparquet.gem"), NoControls(Default)), table);
        Assert.True(table.RowsBelowQuality > 0);
        Assert.True(table.ControlCodewords.Count > 0);
    }

    [Fact]
    public void MissingColumns_AreNamedWithWhatWasFound()
    {
        string path = Columns("nocoords.parquet", (new DataField<string>("feature_name"), new[] { "A" }), (new DataField<float>("z_location"), new[] { 1f }));
        var e = Assert.Throws<SpatialSimException>(() => TranscriptParquetReader.Read(path, Default));
        Assert.Contains("lacks an x column", e.Message);
        Assert.Contains("a y column", e.Message);
        Assert.Contains("'feature_name', 'z_location'", e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void WrongColumnTypes_AreNamed()
    {
        string textX = Columns("textx.parquet", (new DataField<string>("feature_name"), new[] { "A" }), (new DataField<string>("x_location"), new[] { "1.5" }),
            (new DataField<float>("y_location"), new[] { 1f }));
        var e = Assert.Throws<SpatialSimException>(() => TranscriptParquetReader.Read(textX, Default));
        Assert.Contains("Column 'x_location'", e.Message);
        Assert.Contains("must be numbers", e.Message);

        string numberGene = Columns("numgene.parquet", (new DataField<int>("gene"), new[] { 3 }), (new DataField<float>("x"), new[] { 1f }), (new DataField<float>("y"), new[] { 1f }));
        var g = Assert.Throws<SpatialSimException>(() => TranscriptParquetReader.Read(numberGene, Default));
        Assert.Contains("Column 'gene'", g.Message);
        Assert.Contains("must be text", g.Message);
    }

    [Fact]
    public void BadValues_NameTheRowRowGroupAndColumn()
    {
        var genes = new DataField<string>("feature_name");
        string nullX = Columns("nullx.parquet", (genes, new[] { "A", "B", "C" }), (new DataField<float?>("x_location"), new float?[] { 1, null, 3 }),
            (new DataField<float>("y_location"), new[] { 1f, 2, 3 }));
        var e = Assert.Throws<SpatialSimException>(() => TranscriptParquetReader.Read(nullX, Default));
        Assert.Contains("Row 1 (row group 0)", e.Message);
        Assert.Contains("column 'x_location' is empty (null)", e.Message);

        string nan = Columns("nan.parquet", (genes, new[] { "A", "B" }), (new DataField<float>("x_location"), new[] { 1f, float.NaN }),
            (new DataField<float>("y_location"), new[] { 1f, 2 }));
        var n = Assert.Throws<SpatialSimException>(() => TranscriptParquetReader.Read(nan, Default));
        Assert.Contains("Row 1 (row group 0)", n.Message);
        Assert.Contains("NaN", n.Message);
        Assert.Equal("B", n.Gene);

        string negative = Columns("neg.parquet", (genes, new[] { "A" }), (new DataField<float>("x_location"), new[] { 1f }),
            (new DataField<float>("y_location"), new[] { 1f }), (new DataField<double>("count"), new[] { -2.0 }));
        Assert.Contains("column 'count' (the count) is -2", Assert.Throws<SpatialSimException>(() => TranscriptParquetReader.Read(negative, Default)).Message);

        string empty = Columns("emptygene.parquet", (genes, new[] { "A", " " }), (new DataField<float>("x_location"), new[] { 1f, 2 }),
            (new DataField<float>("y_location"), new[] { 1f, 2 }));
        Assert.Contains("Row 1 (row group 0)", Assert.Throws<SpatialSimException>(() => TranscriptParquetReader.Read(empty, Default)).Message);
    }

    [Fact]
    public void TruncatedOrNonParquetFiles_AreRefusedClearly_AndNeverModified()
    {
        string parquet = XeniumParquet(Molecules(2000, 4), groupRows: 500);
        var bytes = File.ReadAllBytes(parquet);
        foreach (int keep in new[] { bytes.Length - 1, bytes.Length / 2, 10, 3 })
        {
            string cut = Path.Combine(_dir, $"cut{keep}.parquet");
            File.WriteAllBytes(cut, bytes[..keep]);
            var e = Assert.Throws<SpatialSimException>(() => TranscriptParquetReader.Read(cut, Default));
            Assert.Equal(cut, e.FilePath);
            Assert.Contains(keep < 12 ? "PAR1" : "truncated", e.Message);
        }
        // A damaged page inside a row group: the row group is named.
        var damaged = (byte[])bytes.Clone();
        for (int i = bytes.Length / 3; i < bytes.Length / 3 + 64; i++) damaged[i] ^= 0x5A;
        string bad = Path.Combine(_dir, "damaged.parquet");
        File.WriteAllBytes(bad, damaged);
        var d = Record.Exception(() => TranscriptParquetReader.Read(bad, Default));
        Assert.True(d is null or SpatialSimException, d?.ToString());
        if (d is SpatialSimException s) Assert.Equal(bad, s.FilePath);

        var text = Assert.Throws<SpatialSimException>(() => TranscriptParquetReader.Read(TableAssert.SampleGem, Default));
        Assert.Contains("not a Parquet file", text.Message);
        Assert.Equal(bytes, File.ReadAllBytes(parquet));
    }

    [Fact]
    public void ProgressReportsRowGroupsAndEnds()
    {
        string parquet = XeniumParquet(Molecules(3000, 5), groupRows: 1000);
        var reports = new List<TableReadProgress>();
        var table = TranscriptParquetReader.Read(parquet, Default, new InlineProgress(reports.Add));
        Assert.Equal(TableReadPhase.Building, reports[^1].Phase);
        Assert.True(reports.Count(r => r.Phase == TableReadPhase.Reading) >= 4);
        Assert.Equal(1.0, reports[^1].Fraction);
        Assert.Equal(table.RowsRead, reports[^1].RowsRead);
    }

    private sealed class InlineProgress(Action<TableReadProgress> report) : IProgress<TableReadProgress>
    {
        public void Report(TableReadProgress value) => report(value);
    }
}
