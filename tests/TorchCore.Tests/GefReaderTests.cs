using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// Stereo-seq GEF files written by h5py (tests/reference/make_gef_fixtures.py) from the bundled GEM patch: each must give
/// exactly the rasters its GEM gives, at bin 1, at a bin size binned from bin1, and at a stored bin level.
/// </summary>
public sealed class GefReaderTests : IDisposable
{
    private static readonly TableReadOptions Bin1 = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("spatialsim-gef-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Gef(string name) => name == "patch.gef" ? TableAssert.SampleGef : Fixtures.PathOf("gef", name);

    [Fact]
    public void WholePatch_Bin1_EqualsTheGem()
    {
        var gem = CountTableReader.Read(TableAssert.SampleGem, Bin1);
        var gef = GefReader.Read(Gef("patch.gef"), Bin1);
        TableAssert.SameRasters(gem, gef);
        Assert.Equal(77_634, gef.RowsRead);
        Assert.Equal(10_631, gef.Genes.Count);
        Assert.Equal(131_002, gef.Genes.Sum(gef.Total));
        Assert.Equal("/geneExp/bin1/expression", gef.Columns.All[0]);
        Assert.Equal("gene", gef.Columns.Gene);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(100)]
    public void WholePatch_StoredLevel_EqualsTheGemBinned(int bin)
    {
        var options = new TableReadOptions { BinSize = bin };
        var gef = GefReader.Read(Gef("patch.gef"), options);
        Assert.Equal($"/geneExp/bin{bin}/expression", gef.Columns.All[0]); // the stored level was read, not bin1
        Assert.True(gef.RowsRead < 77_634 * 2 / 3, $"{gef.RowsRead} records at bin {bin}");
        TableAssert.SameRasters(CountTableReader.Read(TableAssert.SampleGem, options), gef, storedLevel: true);
    }

    [Fact]
    public void BinSizeWithoutAStoredLevel_BinsBin1()
    {
        var options = new TableReadOptions { BinSize = 20 };
        var gef = GefReader.Read(Gef("patch.gef"), options);
        Assert.Equal("/geneExp/bin1/expression", gef.Columns.All[0]);
        TableAssert.SameRasters(CountTableReader.Read(TableAssert.SampleGem, options), gef);
    }

    [Fact]
    public void Version4File_TakesGeneIdAndReadsUint16CountsAndItsStoredLevel()
    {
        string gem = Gef("corner.gem.gz"), gef = Gef("corner.gef");
        var bin1 = GefReader.Read(gef, Bin1);
        Assert.Equal("geneID", bin1.Columns.Gene);
        Assert.DoesNotContain(bin1.Genes, g => g.StartsWith("name:"));
        TableAssert.SameRasters(CountTableReader.Read(gem, Bin1), bin1);

        var at20 = new TableReadOptions { BinSize = 20 };
        var stored = GefReader.Read(gef, at20);
        Assert.Equal("/geneExp/bin20/expression", stored.Columns.All[0]);
        TableAssert.SameRasters(CountTableReader.Read(gem, at20), stored, storedLevel: true);
        Assert.Equal(new[] { 1, 20 }, StoredLevels(gef));
    }

    [Fact]
    public void StoredLevel_OfDataNotStartingOnTheBinGrid_IsNotUsed_Bin1GivesTheGemsBins()
    {
        // shifted.gef's smallest x and y (9607, 12603) are not multiples of 20: its stored bin20 level bins on the chip's grid
        // (from 9600, 12600), the GEM from 9607, 12603. So bin1 is read and binned, giving exactly the GEM's rasters.
        string gem = Gef("shifted.gem.gz"), gef = Gef("shifted.gef");
        TableAssert.SameRasters(CountTableReader.Read(gem, Bin1), GefReader.Read(gef, Bin1));
        var at20 = new TableReadOptions { BinSize = 20 };
        var read = GefReader.Read(gef, at20);
        Assert.Equal("/geneExp/bin1/expression", read.Columns.All[0]);
        TableAssert.SameRasters(CountTableReader.Read(gem, at20), read);

        // With a region on the grid the canvas is the region's, and the stored level's bins are the GEM's.
        var region = at20 with { Region = (9600, 12600, 9600 + 20 * 8, 12600 + 20 * 8) };
        var stored = GefReader.Read(gef, region);
        Assert.Equal("/geneExp/bin20/expression", stored.Columns.All[0]);
        TableAssert.SameRasters(CountTableReader.Read(gem, region), stored, storedLevel: true);
    }

    [Fact]
    public void Region_OnTheBinGrid_UsesTheStoredLevel_OffIt_Bin1()
    {
        var onGrid = new TableReadOptions { BinSize = 50, Region = (9650, 12600, 9850, 12800) };
        var stored = GefReader.Read(Gef("patch.gef"), onGrid);
        Assert.Equal("/geneExp/bin50/expression", stored.Columns.All[0]);
        TableAssert.SameRasters(CountTableReader.Read(TableAssert.SampleGem, onGrid), stored, storedLevel: true);

        var offGrid = onGrid with { Region = (9655, 12600, 9850, 12800) };
        var bin1 = GefReader.Read(Gef("patch.gef"), offGrid);
        Assert.Equal("/geneExp/bin1/expression", bin1.Columns.All[0]);
        TableAssert.SameRasters(CountTableReader.Read(TableAssert.SampleGem, offGrid), bin1);
    }

    [Fact]
    public void GeneFilterMinTotalAndPixelSize_AsForTheGem()
    {
        var options = new TableReadOptions { GeneFilter = g => g.StartsWith('A') || g.StartsWith("Gm"), MinTotal = 5, PixelSize = 3, BinSize = 50 };
        var gef = GefReader.Read(Gef("patch.gef"), options);
        Assert.Equal("/geneExp/bin1/expression", gef.Columns.All[0]); // PixelSize 3: the stored level does not apply
        TableAssert.SameRasters(CountTableReader.Read(TableAssert.SampleGem, options), gef);
        Assert.All(gef.Genes, g => Assert.True(gef.Total(g) >= 5));
    }

    [Fact]
    public void StoredBinSizes_ListsTheLevels() => Assert.Equal(new[] { 1, 50, 100 }, StoredLevels(Gef("patch.gef")));

    private static int[] StoredLevels(string path) => GefReader.StoredBinSizes(path).ToArray();

    [Theory]
    [InlineData("bad_no_gene.gef", "/geneExp/bin1/gene")]
    [InlineData("bad_no_bin1.gef", "-BinSize 50")]
    [InlineData("bad_lengths.gef", "row 1 (gene 'Malat1') claims expression rows 2 to 7, but /geneExp/bin1/expression has 3 rows")]
    [InlineData("bad_uncovered.gef", "its genes' counts add up to 2 expression rows, but /geneExp/bin1/expression has 3")]
    [InlineData("bad_float_xy.gef", "member 'x' is float32")]
    [InlineData("bad_not_compound.gef", "/geneExp/bin1/expression is a 2-dimensional array of int32")]
    [InlineData("bad_offsets.gef", "row 1 (gene 'Malat1') claims expression rows 7 to 7")]
    public void DamagedGef_NamesTheFileAndTheDataset(string name, string expected)
    {
        string path = Gef(name);
        var before = File.ReadAllBytes(path);
        var e = Assert.Throws<SpatialSimException>(() => GefReader.Read(path, Bin1));
        Assert.Contains(expected, e.Message);
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.FilePath);
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Equal(before, File.ReadAllBytes(path)); // never modified
    }

    [Fact]
    public void TruncatedGef_SaysSo()
    {
        // Cut inside what a bin1 read needs: the root group (100), bin1's expression records (from byte 3,832; 6,000) and its gene
        // table (bytes 72,980 to 113,780; the half). A cut after bin1's datasets loses only data the read does not use.
        var bytes = File.ReadAllBytes(Gef("corner.gef"));
        foreach (int keep in new[] { bytes.Length / 2, 6000, 4000, 100, 6 })
        {
            string path = Path.Combine(_dir, $"cut{keep}.gef");
            File.WriteAllBytes(path, bytes[..keep]);
            var e = Assert.Throws<SpatialSimException>(() => GefReader.Read(path, Bin1));
            Assert.Equal(path, e.FilePath);
            Assert.Contains(path, e.Message);
            Assert.True(e.Message.Contains("truncated") || e.Message.Contains("damaged") || e.Message.Contains("not an HDF5"), e.Message);
        }
    }

    [Fact]
    public void NotHdf5_OrNotAGef_IsRefusedClearly()
    {
        var text = Assert.Throws<SpatialSimException>(() => GefReader.Read(TableAssert.SampleGem, Bin1));
        Assert.Contains("not an HDF5 file", text.Message);
        string other = Path.Combine(_dir, "other.h5");
        new PureHDF.H5File { ["counts"] = new[] { 1, 2, 3 } }.Write(other);
        var notGef = Assert.Throws<SpatialSimException>(() => GefReader.Read(other, Bin1));
        Assert.Contains("without the group /geneExp", notGef.Message);
        var missing = Assert.Throws<SpatialSimException>(() => GefReader.Read(Path.Combine(_dir, "none.gef"), Bin1));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
    }
}
