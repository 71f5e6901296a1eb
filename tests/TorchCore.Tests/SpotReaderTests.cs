using System.Globalization;
using System.Security.Cryptography;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.IO.Formats;
using SpatialSim.TorchCore.IO.Hdf5;
using SpatialSim.TorchCore.IO.Spots;
using Xunit;
using Xunit.Abstractions;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// The spot × gene readers (wide tables, AnnData, 10x .h5 and folders) against the long tables of the same counts, all
/// written by tests/reference/make_spot_fixtures.py (anndata, h5py, Python's csv): each reader must give exactly the
/// rasters the long table gives, at every bin size.
/// </summary>
public sealed class SpotReaderTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spatialsim-spots-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string Spots(params string[] parts) => Fixtures.PathOf(new[] { "spots" }.Concat(parts).ToArray());

    internal static ImportRequest Raw(int binSize = 1, string? spotTable = null, string? layer = null, string? geneColumn = null,
        (int, int, int, int)? region = null) => new()
    {
        Table = new TableReadOptions { BinSize = binSize, Region = region },
        Spots = new SpotReadOptions { Normalize = SpotNormalization.None, SpotTable = spotTable, Layer = layer, GeneColumn = geneColumn },
    };

    internal static List<GeneRaster> Import(string path, ImportRequest request, List<string>? warnings = null, List<string>? verbose = null)
    {
        using var probe = new InputProbe(path) { ExpectSpotMatrix = request.Spots.SpotTable is not null };
        var format = InputFormatRegistry.Detect(probe);
        return format.Read(probe, request, new ImportContext(verbose: v => verbose?.Add(v), warning: w => warnings?.Add(w))).ToList();
    }

    /// <summary>Asserts the rasters equal those of the long table <paramref name="expected"/>: same genes, canvas and pixels.</summary>
    private static void AssertSameAsLongTable(string expected, IReadOnlyList<GeneRaster> rasters, int binSize = 1, (int, int, int, int)? region = null)
    {
        var table = CountTableReader.Read(expected, new TableReadOptions { BinSize = binSize, Region = region });
        Assert.Equal(table.Genes.OrderBy(g => g, StringComparer.Ordinal), rasters.Select(r => r.Gene).OrderBy(g => g, StringComparer.Ordinal));
        foreach (var raster in rasters)
        {
            var plane = table.ToPlane(raster.Gene);
            Assert.Equal((plane.Width, plane.Height), (raster.Width, raster.Height));
            Assert.Equal(plane.Pixels, raster.ToArray());
            Assert.Equal(table.Total(raster.Gene), raster.RawTotal);
            Assert.Equal(binSize, raster.BinSize);
        }
    }

    public static TheoryData<string, string, string?, string?, string?> Readers => new()
    {
        // file, expected long table, spot table, layer, gene column
        { "st_counts.csv", "st_expected.tsv", null, null, null },
        { "st_counts_barcodes.tsv.gz", "st_expected.tsv", "st_spots.csv", null, null },
        { "st_counts_xy.csv", "st_expected.tsv", null, null, null },
        { "visium_csr_gzip.h5ad", "visium_expected.tsv", null, null, null },
        { "visium_dense.h5ad", "visium_expected.tsv", null, null, "gene_symbols" },
        { "visium_outs", "visium_expected.tsv", null, null, null },
        { "visium_outs/filtered_feature_bc_matrix.h5", "visium_expected.tsv", null, null, null },
        { "hd_outs", "hd_expected.tsv", null, null, null },
        { "hd_outs/binned_outputs/square_008um", "hd_expected.tsv", null, null, null },
    };

    [Theory]
    [MemberData(nameof(Readers))]
    public void EachReader_GivesTheRastersOfTheLongTable(string file, string expected, string? spotTable, string? layer, string? geneColumn)
    {
        foreach (int bin in new[] { 1, 2, 3 })
        {
            var rasters = Import(Spots(file), Raw(bin, spotTable is null ? null : Spots(spotTable), layer, geneColumn));
            AssertSameAsLongTable(Spots(expected), rasters, bin);
        }
    }

    [Fact]
    public void LzfCompressedAnnData_LayerCounts_GivesTheRastersOfTheLongTable()
    {
        // X holds log-normalised values; the raw counts are in layers/counts, and positions only in obsm/spatial (image
        // pixels, rotated 1.5°): the hexagonal lattice is inferred and drawn as Visium's array indices would be.
        var verbose = new List<string>();
        var rasters = Import(Spots("visium_csc_lzf.h5ad"), Raw(layer: "counts"), verbose: verbose);
        AssertSameAsLongTable(Spots("visium_expected.tsv"), rasters);
        Assert.Contains(verbose, v => v.Contains("Hexagonal lattice inferred") && v.Contains("rotated 1.5°"));
        Assert.InRange(rasters[0].PixelSize, 137.4 * 0.995, 137.4 * 1.005);
    }

    [Fact]
    public void NormalisedX_IsReadWithAWarningToUseTheCountsLayer()
    {
        var warnings = new List<string>();
        Import(Spots("visium_csc_lzf.h5ad"), Raw(), warnings);
        Assert.Contains(warnings, w => w.Contains("fractional") && w.Contains("-Layer counts"));
    }

    [Fact]
    public void RegionAndBinning_MatchTheLongTable()
    {
        var region = (9, 10, 15, 16);
        var rasters = Import(Spots("st_counts.csv"), Raw(2, region: region));
        AssertSameAsLongTable(Spots("st_expected.tsv"), rasters, 2, region);
    }

    [Fact]
    public void HdPositionsFromParquet_WrittenByParquetSharp_MatchTheCsv()
    {
        string folder = Path.Combine(_dir, "square_008um");
        CopyFolder(Spots("hd_outs", "binned_outputs", "square_008um"), folder);
        string csv = Path.Combine(folder, "spatial", "tissue_positions.csv");
        var (names, columns) = SpotTableReader.ReadColumns(csv, default);
        WriteParquet(Path.Combine(folder, "spatial", "tissue_positions.parquet"), names, columns);
        File.Delete(csv);
        var rasters = Import(folder, Raw());
        AssertSameAsLongTable(Spots("hd_expected.tsv"), rasters);
        Assert.All(rasters, r => Assert.Equal(8, r.PixelSize));
        Assert.All(Import(folder, Raw(4)), r => Assert.Equal(32, r.PixelSize));
    }

    [Fact]
    public void TenX_PixelSizeIsTheSpotPitchOrTheBinSize_AndOnlyGeneExpressionIsRead()
    {
        var visium = Import(Spots("visium_outs"), Raw());
        Assert.All(visium, r => Assert.Equal(100, r.PixelSize));
        Assert.DoesNotContain(visium, r => r.Gene == "CD3_TotalSeqB");
        var ids = Import(Spots("visium_outs"), Raw(geneColumn: "id"));
        Assert.Contains(ids, r => r.Gene == "ENSMUSG00000000003");
    }

    [Fact]
    public void Formats_AreRecognisedByContent_NotOnlyByName()
    {
        string Detect(string path) { using var p = new InputProbe(path); return InputFormatRegistry.Detect(p).GetType().Name; }
        Assert.Equal(nameof(AnnDataInputFormat), Detect(Spots("visium_csr_gzip.h5ad")));
        Assert.Equal(nameof(TenXH5InputFormat), Detect(Spots("visium_outs", "filtered_feature_bc_matrix.h5")));
        Assert.Equal(nameof(TenXFolderInputFormat), Detect(Spots("hd_outs")));
        Assert.Equal(nameof(WideMatrixInputFormat), Detect(Spots("st_counts.csv")));
        Assert.Equal(nameof(WideMatrixInputFormat), Detect(Spots("st_counts_barcodes.tsv.gz")));
        Assert.Equal(nameof(LongTableInputFormat), Detect(Spots("st_expected.tsv")));
        // Renamed: an AnnData file called .csv, a 10x matrix without an extension.
        string renamed = Path.Combine(_dir, "actually_anndata.csv");
        File.Copy(Spots("visium_csr_gzip.h5ad"), renamed);
        Assert.Equal(nameof(AnnDataInputFormat), Detect(renamed));
        string bare = Path.Combine(_dir, "matrix");
        File.Copy(Spots("visium_outs", "filtered_feature_bc_matrix.h5"), bare);
        Assert.Equal(nameof(TenXH5InputFormat), Detect(bare));
        // A folder that is not a Space Ranger folder is refused, naming it.
        var e = Assert.Throws<SpatialSimException>(() => Detect(_dir));
        Assert.Contains("directory", e.Message);
    }

    [Fact]
    public void Normalisation_MatchesScanpysRule_AfterTheDefaultSpotQc()
    {
        var expected = File.ReadLines(Spots("st_normalised.csv")).Skip(1).Select(l => l.Split(','))
            .Select(f => (Gene: f[0], X: int.Parse(f[1]), Y: int.Parse(f[2]), Count: double.Parse(f[3], CultureInfo.InvariantCulture),
                Total: double.Parse(f[4], CultureInfo.InvariantCulture), Log: double.Parse(f[5], CultureInfo.InvariantCulture))).ToList();
        var table = CountTableReader.Read(Spots("st_expected.tsv"), new TableReadOptions());
        foreach (var mode in new[] { SpotNormalization.Total, SpotNormalization.LogTotal })
        {
            var warnings = new List<string>();
            var request = Raw() with { Spots = new SpotReadOptions { Normalize = mode } };
            var rasters = Import(Spots("st_counts.csv"), request, warnings);
            // The 3-UMI spot is under a tenth of the median total: dropped by default, and the warning names it.
            var dropped = Assert.Single(warnings);
            Assert.Contains("'15.893x8.898'", dropped);
            Assert.Contains("-MinSpotTotal", dropped);
            foreach (var raster in rasters)
            {
                var pixels = raster.ToArray();
                var mine = expected.Where(e => e.Gene == raster.Gene).ToList();
                Assert.Equal(mine.Count, pixels.Count(v => v != 0));
                foreach (var e in mine)
                {
                    double want = mode == SpotNormalization.Total ? e.Total : e.Log;
                    Assert.Equal(want, pixels[(e.Y - table.OriginY) * raster.Width + e.X - table.OriginX], want * 1e-6);
                }
                Assert.Equal(mine.Sum(e => e.Count), raster.RawTotal);
                Assert.Contains(mode == SpotNormalization.Total ? "counts per 10000" : "ln(1 + counts per 10000", raster.Processing);
            }
        }
    }

    [Fact]
    public void SpotQc_KeepsEverySpotWhenAskedTo_AndWarnsThatLowSpotsAreAmplified()
    {
        var warnings = new List<string>();
        var request = Raw() with { Spots = new SpotReadOptions { Normalize = SpotNormalization.Total, MinSpotTotal = 0 } };
        var rasters = Import(Spots("st_counts.csv"), request, warnings);
        var warning = Assert.Single(warnings);
        Assert.Contains("1 kept spot(s)", warning);
        Assert.Contains("Raise -MinSpotTotal", warning);
        // Gene00 has 1 UMI in the 3-UMI spot: normalised, that one count weighs 10,000 / 3.
        var gene = rasters.Single(r => r.Gene == "Gene00");
        Assert.Equal(10_000f / 3, gene.ToArray().Max(), 1);
        // Without normalisation no spot is dropped and nothing is said.
        warnings.Clear();
        Import(Spots("st_counts.csv"), Raw(), warnings);
        Assert.Empty(warnings);
    }

    [Fact]
    public void RealMobReplicate_JoinsOnSpotIds_ApoeKeepsAll260Spots()
    {
        string? counts = SharedData("mob_st_stahl2016_rep11", "counts_genes_min100.csv");
        string? spots = SharedData("mob_st_stahl2016_rep11", "spots.csv");
        if (counts is null || spots is null)
        {
            output.WriteLine("Shared MOB data not found; skipped.");
            return;
        }
        string before = Hash(counts);
        var verbose = new List<string>();
        var fromIds = Import(counts, Raw() with { Table = new TableReadOptions { GeneFilter = g => g is "Apoe" or "Penk" } }, verbose: verbose);
        var joined = Import(counts, Raw(spotTable: spots) with { Table = new TableReadOptions { GeneFilter = g => g is "Apoe" or "Penk" } });
        var apoe = fromIds.Single(r => r.Gene == "Apoe");
        Assert.Equal(260, apoe.NonZero); // flooring x,y merged 132 rows and left 211
        Assert.Equal((21, 16), (apoe.Width, apoe.Height));
        Assert.Contains(verbose, v => v.Contains("Square lattice inferred"));
        // The lattice fitted to the jittered x,y is the provenance's array_col, array_row.
        foreach (var (a, b) in fromIds.Zip(joined)) Assert.Equal(a.ToArray(), b.ToArray());
        Assert.Equal(before, Hash(counts));
    }

    [Fact]
    public void PositionsOnNoLattice_AreRefusedInAShortMessage_ThatSaysTheFix()
    {
        var rng = new Random(3);
        string path = Path.Combine(_dir, "cells.csv");
        using (var w = new StreamWriter(path))
        {
            w.WriteLine("cell_id,x_centroid,y_centroid," + string.Join(",", Enumerable.Range(0, 12).Select(g => $"G{g}")));
            for (int i = 0; i < 200; i++)
                w.WriteLine($"c{i},{rng.NextDouble() * 500:F2},{rng.NextDouble() * 500:F2}," + string.Join(",", Enumerable.Range(0, 12).Select(_ => rng.Next(4))));
        }
        var e = Assert.Throws<SpatialSimException>(() => Import(path, Raw()));
        Assert.True(e.Message.Length <= 300, e.Message);
        Assert.Contains("no lattice", e.Message);
        Assert.Contains("-PixelSize", e.Message);
        // With -PixelSize the positions are binned as a long table's rows are.
        var binned = Import(path, Raw() with { PixelSizeGiven = true, Table = new TableReadOptions { PixelSize = 10 } });
        Assert.All(binned, r => Assert.True(r.Width <= 50 && r.Height <= 50));
    }

    [Fact]
    public void RotatedSquareLattice_IsFitted()
    {
        // A 30 × 20 lattice of pitch 55.5, rotated by 4°, with jitter of 0.1 pitch, spots missing at random.
        var rng = new Random(8);
        var x = new List<double>();
        var y = new List<double>();
        var sites = new List<(int, int)>();
        double t = 4 * Math.PI / 180;
        for (int r = 0; r < 20; r++)
            for (int c = 0; c < 30; c++)
            {
                if (rng.NextDouble() < 0.2) continue;
                double u = 300 + 55.5 * c + 5.5 * (rng.NextDouble() - 0.5), v = 100 + 55.5 * r + 5.5 * (rng.NextDouble() - 0.5);
                x.Add(u * Math.Cos(t) - v * Math.Sin(t));
                y.Add(u * Math.Sin(t) + v * Math.Cos(t));
                sites.Add((c, r));
            }
        var ids = Enumerable.Range(0, x.Count).Select(i => $"s{i}").ToArray();
        var placement = SpotLattice.Place(new SpotPositions(x.ToArray(), y.ToArray(), "x", "y", false, "test"), ids, "test", false, 1);
        int c0 = sites.Min(s => s.Item1), r0 = sites.Min(s => s.Item2);
        int px0 = placement.X.Min(), py0 = placement.Y.Min();
        for (int i = 0; i < x.Count; i++)
            Assert.Equal((sites[i].Item1 - c0, sites[i].Item2 - r0), (placement.X[i] - px0, placement.Y[i] - py0));
        Assert.InRange(placement.PixelSize, 55.0, 56.0);
        Assert.StartsWith("square", placement.Label);
    }

    [Fact]
    public void VisiumArrayIndices_AreDrawnInOffsetRows()
    {
        // Doubled columns: row 0 has columns 0, 2, 4; row 1 has 1, 3, 5. Offset rows: x = ⌊col / 2⌋.
        double[] col = [0, 2, 4, 1, 3, 5], row = [0, 0, 0, 1, 1, 1];
        var placement = SpotLattice.Place(new SpotPositions(col, row, "array_col", "array_row", true, "test"),
            Enumerable.Range(0, 6).Select(i => $"s{i}").ToArray(), "test", false, 1);
        Assert.Equal([0, 1, 2, 0, 1, 2], placement.X);
        Assert.Equal([0, 0, 0, 1, 1, 1], placement.Y);
        Assert.StartsWith("hexagonal", placement.Label);
    }

    private static string? SharedData(params string[] parts)
    {
        var roots = new List<string> { "/work/shared/data" };
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent) roots.Add(Path.Combine(d.FullName, "shared", "data"));
        return roots.Select(r => Path.Combine(new[] { r }.Concat(parts).ToArray())).FirstOrDefault(File.Exists);
    }

    internal static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    internal static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from)) CopyFolder(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    /// <summary>Writes a spot table as Parquet with ParquetSharp (the reader under test is Parquet.Net): barcode as string, in_tissue and array indices as int, pixels as double.</summary>
    internal static void WriteParquet(string path, IReadOnlyList<string> names, IReadOnlyList<string[]> columns)
    {
        var schema = names.Select(n => n switch
        {
            "barcode" => (ParquetSharp.Column)new ParquetSharp.Column<string>(n),
            "in_tissue" or "array_row" or "array_col" => new ParquetSharp.Column<int>(n),
            _ => new ParquetSharp.Column<double>(n),
        }).ToArray();
        using var writer = new ParquetSharp.ParquetFileWriter(path, schema);
        using var group = writer.AppendRowGroup();
        for (int c = 0; c < names.Count; c++)
        {
            using var column = group.NextColumn();
            switch (schema[c])
            {
                case ParquetSharp.Column<string>:
                    using (var w = column.LogicalWriter<string>()) w.WriteBatch(columns[c]);
                    break;
                case ParquetSharp.Column<int>:
                    using (var w = column.LogicalWriter<int>()) w.WriteBatch(columns[c].Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray());
                    break;
                default:
                    using (var w = column.LogicalWriter<double>()) w.WriteBatch(columns[c].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());
                    break;
            }
        }
        writer.Close();
    }
}

/// <summary>Bad spot input: every problem is a short error naming the file and the part of it, and no input is modified.</summary>
public sealed class SpotReaderErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spatialsim-spot-errors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SpatialSimException Fails(string path, ImportRequest? request = null)
    {
        string before = SpotReaderTests.Hash(path);
        var e = Assert.Throws<SpatialSimException>(() => SpotReaderTests.Import(path, request ?? SpotReaderTests.Raw()));
        Assert.Equal(before, SpotReaderTests.Hash(path));
        Assert.Contains(Path.GetFileName(path), e.Message);
        return e;
    }

    [Theory]
    [InlineData("bad_missing_indices.h5ad", "X/indices")]
    [InlineData("bad_lengths.h5ad", "X/indices")]
    [InlineData("bad_dtype.h5ad", "X/data")]
    [InlineData("bad_spatial.h5ad", "obsm/spatial")]
    [InlineData("bad_index.h5ad", "X/indices")]
    public void DamagedAnnData_NamesTheFileAndThePart(string file, string part)
    {
        var e = Fails(SpotReaderTests.Spots(file));
        Assert.Contains(part, e.Message);
        Assert.True(e.Message.Length <= 300, e.Message);
    }

    [Fact]
    public void TruncatedHdf5_IsACleanError_OrReadsTheSameCounts()
    {
        foreach (var source in new[] { SpotReaderTests.Spots("visium_csr_gzip.h5ad"), SpotReaderTests.Spots("visium_outs", "filtered_feature_bc_matrix.h5") })
        {
            var request = SpotReaderTests.Raw(spotTable: source.EndsWith(".h5") ? SpotReaderTests.Spots("visium_outs", "spatial", "tissue_positions.csv") : null);
            var whole = SpotReaderTests.Import(source, request);
            int errors = 0;
            foreach (double keep in new[] { 0.05, 0.3, 0.5, 0.7, 0.9, 0.99 })
            {
                var bytes = File.ReadAllBytes(source);
                string path = Path.Combine(_dir, $"cut{keep}_{Path.GetFileName(source)}");
                File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keep)]);
                try
                {
                    // When every byte the reader needs is still there (the cut fell in parts it does not read), the counts are the same.
                    var rasters = SpotReaderTests.Import(path, request);
                    Assert.Equal(whole.Select(r => (r.Gene, r.Total)), rasters.Select(r => (r.Gene, r.Total)));
                }
                catch (SpatialSimException e)
                {
                    errors++;
                    Assert.Contains(Path.GetFileName(path), e.Message);
                    // Cut before the data: cannot be opened or read (InvalidData); cut so that a link's target is gone: not found.
                    Assert.True(e.Kind == ErrorKind.InvalidData || (e.Kind == ErrorKind.NotFound && e.Message.Contains("complete")), e.Message);
                }
            }
            Assert.True(errors >= 3, $"{errors} of 6 cuts of {Path.GetFileName(source)} failed");
        }
    }

    [Fact]
    public void MissingLayerOrVarColumn_ListsWhatThereIs()
    {
        var e = Fails(SpotReaderTests.Spots("visium_csr_gzip.h5ad"), SpotReaderTests.Raw(layer: "raw"));
        Assert.Contains("no layer 'raw'", e.Message);
        e = Fails(SpotReaderTests.Spots("visium_csr_gzip.h5ad"), SpotReaderTests.Raw(geneColumn: "symbol"));
        Assert.Contains("gene_ids", e.Message);
    }

    [Fact]
    public void WideMatrixWithoutCoordinates_SaysTheLayoutAndTheFix_In300Characters()
    {
        // 7,405 gene columns, as the MOB matrix has: the old error listed them all (71 KB).
        string path = Path.Combine(_dir, "matrix.csv");
        var genes = Enumerable.Range(0, 7405).Select(g => $"Gene{g}").ToArray();
        File.WriteAllLines(path, new[] { "barcode," + string.Join(",", genes) }
            .Concat(Enumerable.Range(0, 30).Select(s => $"AAAC{s}-1," + string.Join(",", genes.Select((_, g) => (s + g) % 3)))));
        var e = Fails(path);
        Assert.True(e.Message.Length <= 300, e.Message);
        Assert.Contains("spot × gene matrix", e.Message);
        Assert.Contains("30 spots × 7,405 genes", e.Message);
        Assert.Contains("-SpotTable", e.Message);
    }

    [Fact]
    public void BadCellsAndRows_NameLineAndColumn()
    {
        string path = Path.Combine(_dir, "bad.csv");
        File.WriteAllLines(path, ["spot,x,y,A,B,C", "s1,1,1,0,2,3", "s2,2,1,1,abc,3"]);
        var e = Fails(path);
        Assert.Contains("Line 3", e.Message);
        Assert.Contains("'B'", e.Message);
        File.WriteAllLines(path, ["spot,x,y,A,B,C", "s1,1,1,0,2,3", "s2,2,1,1,3"]);
        e = Fails(path);
        Assert.Contains("Line 3", e.Message);
        Assert.Contains("5 fields", e.Message);
    }

    [Fact]
    public void SpotTableThatSharesNoId_IsAShortError()
    {
        string spots = Path.Combine(_dir, "spots.csv");
        File.WriteAllLines(spots, ["id,x,y", "nope1,1,1", "nope2,2,2"]);
        var e = Fails(SpotReaderTests.Spots("st_counts_barcodes.tsv.gz"), SpotReaderTests.Raw(spotTable: spots));
        Assert.Contains("No spot id", e.Message);
        Assert.True(e.Message.Length <= 300, e.Message);
    }

    [Fact]
    public void TenXMatrixWithoutSpatialFolder_SaysWhatToGive()
    {
        string h5 = Path.Combine(_dir, "filtered_feature_bc_matrix.h5");
        File.Copy(SpotReaderTests.Spots("visium_outs", "filtered_feature_bc_matrix.h5"), h5);
        var e = Fails(h5);
        Assert.Contains("-SpotTable", e.Message);
        // With the positions given, it reads.
        var rasters = SpotReaderTests.Import(h5, SpotReaderTests.Raw(spotTable: SpotReaderTests.Spots("visium_outs", "spatial", "tissue_positions.csv")));
        Assert.Equal(15, rasters.Count);
    }
}

/// <summary>The rasterizer's sort and its independence from the order the spots come in.</summary>
public sealed class SpotRasterizerTests
{
    [Theory]
    [InlineData(10, 100)]
    [InlineData(5000, 100_000)]
    [InlineData(20_000, 5_000_000)]
    public void PixelSort_SortsLikeArraySort_KeepingEachValueWithItsKey(int count, int maxKey)
    {
        var rng = new Random(count);
        var keys = Enumerable.Range(0, count).Select(_ => rng.Next(maxKey + 1)).Distinct().ToArray();
        var values = keys.Select(k => (float)k * 0.5f).ToArray();
        var expected = keys.OrderBy(k => k).ToArray();
        new PixelSort().Sort(keys, values, keys.Length, maxKey);
        Assert.Equal(expected, keys);
        Assert.Equal(expected.Select(k => (float)k * 0.5f), values);
    }

    [Fact]
    public void ShuffledSpots_GiveTheSameRasters()
    {
        // 300 spots on a 20 × 15 lattice, 3 genes with about 200 non-zero spots each, in lattice order and shuffled.
        var rng = new Random(4);
        int n = 300;
        var order = Enumerable.Range(0, n).ToArray();
        var shuffled = order.OrderBy(_ => rng.Next()).ToArray();
        var counts = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, n).Select(_ => rng.Next(3) == 0 ? 0f : rng.Next(1, 9)).ToArray()).ToArray();
        List<float[]> Rasters(int[] spotOrder)
        {
            var data = new SpotCounts("test", spotOrder.Select(s => $"s{s}").ToArray()) { GenesSeen = 3 };
            for (int i = 0; i < n; i++) data.SpotTotals[i] = counts.Sum(g => g[spotOrder[i]]);
            for (int g = 0; g < 3; g++)
            {
                var spots = Enumerable.Range(0, n).Where(i => counts[g][spotOrder[i]] != 0).ToArray();
                data.Add($"G{g}", spots, spots.Select(i => counts[g][spotOrder[i]]).ToArray());
            }
            var positions = new SpotPositions(spotOrder.Select(s => (double)(s % 20)).ToArray(), spotOrder.Select(s => (double)(s / 20)).ToArray(),
                "array_col", "array_row", true, "test");
            var placement = SpotLattice.Place(positions, data.SpotIds, "test", false, 1);
            var request = new ImportRequest { Spots = new SpotReadOptions { Normalize = SpotNormalization.LogTotal } };
            return SpotRasterizer.Rasterize(data, placement, request, new ImportContext()).Select(r => r.ToArray()).ToList();
        }
        var a = Rasters(order);
        var b = Rasters(shuffled);
        Assert.Equal(3, a.Count);
        for (int g = 0; g < 3; g++) Assert.Equal(a[g], b[g]);
    }
}
