using System.Globalization;
using System.IO.Compression;
using System.Text;
using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// #13 items 3 and 5: long transcript tables of Xenium (transcripts.csv(.gz): qv filter), MERSCOPE (detected_transcripts.csv)
/// and CosMx (*_tx_file.csv), with control codewords excluded by default. Each fixture (real column layouts, see
/// tests/reference/fixtures/transcripts/LAYOUTS.md) must give exactly the rasters that the same molecules give as a
/// Stereo-seq GEM table: the GEM is written here by a separate CSV split, keeping the rows the filters keep, with the
/// pixel (floor(coordinate / PixelSize)) as its integer x and y.
/// </summary>
public sealed class TranscriptTableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spatialsim-tx-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>A plain CSV split (the fixtures quote whole fields only, with no delimiter inside).</summary>
    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        string[] Split(string line) => line.Split(',').Select(f => f.Trim('"')).ToArray();
        var header = Split(lines[0]);
        return lines.Skip(1).Select(l => header.Zip(Split(l)).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    private static bool IsControl(string gene) =>
        new[] { "NegControl", "BLANK", "Unassigned", "DeprecatedCodeword", "NegPrb", "FalseCode" }
            .Any(p => gene.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    private string Gem(string name, IEnumerable<(string Gene, long X, long Y)> rows)
    {
        var text = new StringBuilder("#FileFormat=GEMv0.1\ngeneID\tx\ty\tMIDCount\n");
        foreach (var (gene, x, y) in rows) text.Append($"{gene}\t{x}\t{y}\t1\n");
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static void AssertSameRasters(CountTable expected, CountTable actual)
    {
        Assert.Equal(expected.Genes.Order(), actual.Genes.Order());
        Assert.Equal((expected.Width, expected.Height, expected.OriginX, expected.OriginY), (actual.Width, actual.Height, actual.OriginX, actual.OriginY));
        foreach (var gene in expected.Genes)
            Assert.Equal(expected.ToPlane(gene).Pixels, actual.ToPlane(gene).Pixels);
    }

    [Theory]
    [InlineData("xenium_transcripts.csv", "feature_name", "x_location", "y_location", 0.5, 20.0, false)]
    [InlineData("xenium_transcripts.csv", "feature_name", "x_location", "y_location", 0.5, 0.0, true)]
    [InlineData("xenium_transcripts.csv", "feature_name", "x_location", "y_location", 2.0, 35.0, false)]
    [InlineData("merscope_detected_transcripts.csv", "gene", "global_x", "global_y", 0.5, 20.0, false)]
    [InlineData("merscope_detected_transcripts.csv", "gene", "global_x", "global_y", 1.0, 20.0, true)]
    [InlineData("cosmx_tx_file.csv", "target", "x_global_px", "y_global_px", 4.0, 20.0, false)]
    [InlineData("cosmx_tx_file.csv", "target", "x_global_px", "y_global_px", 8.0, 20.0, true)]
    public void PlatformTable_GivesTheRastersOfTheSameMoleculesAsGem(string file, string geneColumn, string xColumn, string yColumn,
        double pixelSize, double minQuality, bool includeControls)
    {
        string path = Fixtures.PathOf("transcripts", file);
        var rows = ReadCsv(path);
        bool hasQv = rows[0].ContainsKey("qv");
        var kept = rows.Where(r => (!hasQv || double.Parse(r["qv"], CultureInfo.InvariantCulture) >= minQuality) &&
                                   (includeControls || !IsControl(r[geneColumn])))
            .Select(r => (r[geneColumn],
                (long)Math.Floor(double.Parse(r[xColumn], CultureInfo.InvariantCulture) / pixelSize),
                (long)Math.Floor(double.Parse(r[yColumn], CultureInfo.InvariantCulture) / pixelSize)))
            .ToList();
        var gem = CountTableReader.Read(Gem("same.gem", kept), new TableReadOptions { IncludeControls = true }); // the GEM holds just the kept rows

        var options = new TableReadOptions { PixelSize = pixelSize, MinQuality = minQuality, IncludeControls = includeControls };
        var table = CountTableReader.Read(path, options);
        AssertSameRasters(gem, table);
        Assert.Equal(rows.Count, table.RowsRead);
        long lowQuality = hasQv ? rows.Count(r => double.Parse(r["qv"], CultureInfo.InvariantCulture) < minQuality) : 0;
        Assert.Equal(lowQuality, table.RowsBelowQuality);
        Assert.Equal(rows.Count - lowQuality - kept.Count, table.RowsOfControls);
        if (!includeControls)
        {
            var controls = rows.Where(r => (!hasQv || double.Parse(r["qv"], CultureInfo.InvariantCulture) >= minQuality) && IsControl(r[geneColumn]))
                .Select(r => r[geneColumn]).Distinct().Order(StringComparer.Ordinal).ToList();
            Assert.NotEmpty(controls);
            Assert.Equal(controls, table.ControlCodewords);
            Assert.DoesNotContain(table.Genes, IsControl);
        }
        else Assert.Contains(table.Genes, IsControl);

        // The gzip-compressed file (as Xenium writes transcripts.csv.gz) reads the same.
        string gz = Path.Combine(_dir, file + ".gz");
        using (var o = File.Create(gz))
        using (var z = new GZipStream(o, CompressionLevel.Optimal))
            z.Write(File.ReadAllBytes(path));
        AssertSameRasters(table, CountTableReader.Read(gz, options));
    }

    [Fact]
    public void DefaultsAreXeniumsQv20AndNoControls()
    {
        var options = new TableReadOptions();
        Assert.Equal(ControlProbes.DefaultMinQuality, options.MinQuality);
        Assert.Equal(20, options.MinQuality);
        Assert.False(options.IncludeControls);
        var table = CountTableReader.Read(Fixtures.PathOf("transcripts", "xenium_transcripts.csv"), options with { PixelSize = 0.5 });
        Assert.True(table.RowsBelowQuality > 0);
        Assert.True(table.RowsOfControls > 0);
    }

    [Fact]
    public void EveryRowDropped_IsAClearError()
    {
        string path = Path.Combine(_dir, "controls.csv");
        File.WriteAllText(path, "feature_name,x_location,y_location,qv\nBLANK_0001,1.5,2.5,40\nGad1,3,4,10\n");
        var e = Assert.Throws<SpatialSimException>(() => CountTableReader.Read(path, new TableReadOptions()));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("-IncludeControls", e.Message);
        Assert.Contains("1 below quality 20", e.Message);
        Assert.Equal(2, CountTableReader.Read(path, new TableReadOptions { MinQuality = 0, IncludeControls = true }).Genes.Count);
    }
}
