using System.Globalization;
using Parquet;
using PureHDF;
using SpatialSim.TorchCore.Output;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// The exports for Python: the AnnData matrix (.h5ad) and the Parquet edge list. tests/reference/make_roundtrip_fixtures.ps1
/// wrote the committed files with these writers and had them read by anndata (Python) and hyparquet (JavaScript); here
/// the writers must still write what was verified, the edge list is read by a second Parquet implementation
/// (Parquet.Net), and the .h5ad layout is compared with the file anndata itself wrote for the same data.
/// </summary>
public sealed class PythonRoundTripTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spatialsim-roundtrip-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(string name) => Fixtures.PathOf("roundtrip", name);

    /// <summary>The pairs of pairs.csv (Export-Csv of Get-RankedPairs -Permutations) as RankedPair objects.</summary>
    private static List<RankedPair> Pairs()
    {
        var lines = File.ReadAllLines(Fixture("pairs.csv"));
        var pairs = new List<RankedPair>();
        foreach (var line in lines.Skip(1))
        {
            // Rank,GeneA,GeneB,Score,PValue,QValue,Method,Parameters (the last may be quoted; it has no commas here)
            var f = line.Split(',');
            double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
            pairs.Add(new RankedPair
            {
                Rank = int.Parse(f[0], CultureInfo.InvariantCulture), GeneA = f[1], GeneB = f[2], Score = D(f[3]),
                PValue = D(f[4]), QValue = D(f[5]), Method = f[6], Parameters = f[7].Trim('"'),
            });
        }
        return pairs;
    }

    /// <summary>Every column of a Parquet file as read by Parquet.Net (one row group or several, concatenated).</summary>
    private static Dictionary<string, List<object?>> ReadWithParquetNet(string path, out Dictionary<string, string> metadata)
    {
        var columns = new Dictionary<string, List<object?>>();
        Dictionary<string, string> kv = [];
        Task.Run(async () =>
        {
            await using var reader = await ParquetReader.CreateAsync(path);
            kv = reader.CustomMetadata.ToDictionary();
            var fields = reader.Schema.GetDataFields();
            foreach (var f in fields) columns[f.Name] = [];
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var rg = reader.OpenRowGroupReader(g);
                int n = (int)rg.RowCount;
                foreach (var f in fields)
                {
                    var target = columns[f.Name];
                    if (f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>)) { var v = new string?[n]; await rg.ReadAsync(f, v.AsMemory()); target.AddRange(v); }
                    else if (f.ClrType == typeof(int)) { var v = new int[n]; await rg.ReadAsync<int>(f, v.AsMemory()); target.AddRange(v.Cast<object?>()); }
                    else if (f.ClrType == typeof(double) && f.IsNullable) { var v = new double?[n]; await rg.ReadAsync<double>(f, v.AsMemory()); target.AddRange(v.Cast<object?>()); }
                    else if (f.ClrType == typeof(double)) { var v = new double[n]; await rg.ReadAsync<double>(f, v.AsMemory()); target.AddRange(v.Cast<object?>()); }
                    else throw new InvalidOperationException($"column {f.Name}: {f.ClrType}");
                }
            }
        }).GetAwaiter().GetResult();
        metadata = kv;
        return columns;
    }

    [Fact]
    public void CommittedEdgeList_ReadByParquetNet_HoldsThePairs()
    {
        var pairs = Pairs();
        var c = ReadWithParquetNet(Fixture("pairs.parquet"), out var kv);
        Assert.Equal(["Rank", "GeneA", "GeneB", "Score", "PValue", "QValue", "Method", "Parameters"], c.Keys.ToArray());
        Assert.Equal(pairs.Select(p => (object?)p.Rank), c["Rank"]);
        Assert.Equal(pairs.Select(p => p.GeneA), c["GeneA"].Cast<string>());
        Assert.Equal(pairs.Select(p => p.GeneB), c["GeneB"].Cast<string>());
        Assert.Equal(pairs.Select(p => p.Score), c["Score"].Cast<double>());
        Assert.Equal(pairs.Select(p => p.PValue), c["PValue"].Cast<double?>());
        Assert.Equal(pairs.Select(p => p.QValue), c["QValue"].Cast<double?>());
        Assert.All(c["Method"], m => Assert.Equal("SmoothedPearson", m));
        Assert.Equal("SmoothedPearson", kv["spatialsim.method"]);
        Assert.Equal(pairs[0].Parameters, kv["spatialsim.parameters"]);
    }

    [Fact]
    public void EdgeListWriter_StillWritesWhatWasVerified()
    {
        var table = new RankedPairTable();
        foreach (var p in Pairs()) table.Add(p);
        string path = Path.Combine(_dir, "pairs.parquet");
        table.WriteParquet(path, overwrite: false);
        var ours = ReadWithParquetNet(path, out var kv);
        var verified = ReadWithParquetNet(Fixture("pairs.parquet"), out var kvVerified);
        Assert.Equal(verified.Keys, ours.Keys);
        foreach (var (name, values) in verified) Assert.Equal(values, ours[name]);
        Assert.Equal(kvVerified, kv);
        var e = Assert.Throws<SpatialSimException>(() => table.WriteParquet(path, overwrite: false));
        Assert.Equal(ErrorKind.WriteConflict, e.Kind);
    }

    [Fact]
    public void ConsensusPairs_HaveAScoreColumnPerMeasure_AndNullPValues_AcrossRowGroups()
    {
        var table = new RankedPairTable();
        int n = (1 << 20) + 5; // two row groups
        for (int i = 0; i < n; i++)
            table.Add(new RankedPair
            {
                Rank = i + 1, GeneA = $"g{i % 1000}", GeneB = $"h{i % 777}", Score = i == 3 ? double.NaN : 1.0 / (i + 1),
                Method = "SmoothedPearson+Spearman", Parameters = "σ=2",
                Scores = new Dictionary<string, double> { ["SmoothedPearson"] = i, ["Spearman"] = -i },
            });
        string path = Path.Combine(_dir, "consensus.parquet");
        table.WriteParquet(path, overwrite: false);
        var c = ReadWithParquetNet(path, out _);
        Assert.Equal(["Rank", "GeneA", "GeneB", "Score", "PValue", "QValue", "Score_SmoothedPearson", "Score_Spearman", "Method", "Parameters"], c.Keys.ToArray());
        Assert.Equal(n, c["Rank"].Count);
        Assert.All(c["PValue"], v => Assert.Null(v));
        Assert.Equal((double)(n - 1), c["Score_SmoothedPearson"][^1]);
        Assert.Equal(-(double)(n - 1), c["Score_Spearman"][^1]);
        Assert.Equal("g776", c["GeneA"][1_000_776]);
        Assert.True(double.IsNaN((double)c["Score"][3]!));
    }

    [Fact]
    public void EdgeList_RefusesPairsOfDifferentRankings()
    {
        var table = new RankedPairTable();
        table.Add(new RankedPair { GeneA = "a", GeneB = "b", Method = "Pearson" });
        var e = Assert.Throws<SpatialSimException>(() => table.Add(new RankedPair { GeneA = "a", GeneB = "c", Method = "Ssim" }));
        Assert.Contains("different rankings", e.Message);
    }

    private static double[] ReadMatrix(IH5Group file, string name) => file.Dataset(name).Read<double[]>();

    private static string Attr(IH5Object o, string name) => o.Attribute(name).Read<string>();

    [Fact]
    public void H5adWriter_StillWritesWhatAnndataVerified()
    {
        var pairs = Pairs();
        var matrix = SimilarityMatrix.FromPairs(pairs);
        string path = Path.Combine(_dir, "matrix.h5ad");
        matrix.WriteH5ad(path, overwrite: false, pairs);
        using var ours = H5File.OpenRead(path);
        using var verified = H5File.OpenRead(Fixture("matrix.h5ad"));
        foreach (var name in new[] { "X", "layers/pvalue", "layers/qvalue" })
            Assert.Equal(ReadMatrix(verified, name), ReadMatrix(ours, name));
        Assert.Equal(verified.Dataset("obs/_index").Read<string[]>(), ours.Dataset("obs/_index").Read<string[]>());
        Assert.Equal(verified.Dataset("var/_index").Read<string[]>(), ours.Dataset("var/_index").Read<string[]>());
        Assert.Equal(matrix.Genes, ours.Dataset("var/_index").Read<string[]>());
        Assert.Equal("SmoothedPearson", ours.Dataset("uns/method").Read<string>());
        Assert.Equal(new ulong[] { 12, 12 }, ours.Dataset("X").Space.Dimensions);
    }

    [Fact]
    public void H5adLayout_IsTheOneAnndataWrites()
    {
        // anndata_reference.h5ad: the same object written by anndata 0.8 itself.
        using var ours = H5File.OpenRead(Fixture("matrix.h5ad"));
        using var reference = H5File.OpenRead(Fixture("anndata_reference.h5ad"));
        foreach (var path in new[] { "/", "/obs", "/var", "/obs/_index", "/var/_index", "/uns", "/uns/method", "/uns/parameters", "/layers", "/obsm", "/varm", "/obsp", "/varp" })
        {
            IH5Object a = path == "/" ? reference : reference.Get(path), b = path == "/" ? ours : ours.Get(path);
            Assert.Equal((path, Attr(a, "encoding-type"), Attr(a, "encoding-version")), (path, Attr(b, "encoding-type"), Attr(b, "encoding-version")));
        }
        Assert.Equal(Attr(reference.Group("obs"), "_index"), Attr(ours.Group("obs"), "_index"));
        Assert.Equal(ReadMatrix(reference, "X"), ReadMatrix(ours, "X"));
        Assert.Equal(ReadMatrix(reference, "layers/pvalue"), ReadMatrix(ours, "layers/pvalue"));
        Assert.Equal(reference.Dataset("obs/_index").Read<string[]>(), ours.Dataset("obs/_index").Read<string[]>());
    }

    [Fact]
    public void H5adWriter_AsksForTheMatrixInRowBlocks_AndWritesEveryValue()
    {
        const int n = 1500; // rows of 12 KB: 87-row chunks, blocks of 696 rows
        var genes = Enumerable.Range(0, n).Select(i => i == 7 ? "Gène-α" : $"G{i}").ToArray();
        var asked = new List<(int First, int Rows)>();
        AnnDataMatrixWriter.RowBlock x = (first, rows, destination) =>
        {
            asked.Add((first, rows));
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < n; c++) destination[r * n + c] = (first + r) * 10_000.0 + c;
        };
        string path = Path.Combine(_dir, "big.h5ad");
        AnnDataMatrixWriter.Write(path, genes, x, null, new Dictionary<string, string> { ["note"] = "streamed" }, overwrite: false);
        Assert.True(asked.Count >= 3, $"{asked.Count} blocks");
        Assert.Equal(Enumerable.Range(0, n), asked.SelectMany(b => Enumerable.Range(b.First, b.Rows)));
        Assert.True(asked.Max(b => b.Rows) * (long)n * 8 <= 8 << 20);
        using var file = H5File.OpenRead(path);
        var values = ReadMatrix(file, "X");
        Assert.Equal((long)n * n, values.LongLength);
        for (int i = 0; i < values.Length; i += 9973) Assert.Equal(i / n * 10_000.0 + i % n, values[i]);
        Assert.Equal("Gène-α", file.Dataset("obs/_index").Read<string[]>()[7]);
        Assert.Equal("streamed", file.Dataset("uns/note").Read<string>());
    }

    [Fact]
    public void H5adWriter_RefusesRepeatedGenes_AndNeverOverwritesWithoutForce()
    {
        AnnDataMatrixWriter.RowBlock x = (_, _, d) => d.Clear();
        string path = Path.Combine(_dir, "m.h5ad");
        var dup = Assert.Throws<SpatialSimException>(() => AnnDataMatrixWriter.Write(path, ["a", "b", "a"], x, null, new Dictionary<string, string>(), false));
        Assert.Contains("named twice", dup.Message);
        Assert.False(File.Exists(path));
        AnnDataMatrixWriter.Write(path, ["a", "b"], x, null, new Dictionary<string, string>(), false);
        var exists = Assert.Throws<SpatialSimException>(() => AnnDataMatrixWriter.Write(path, ["a", "b"], x, null, new Dictionary<string, string>(), false));
        Assert.Equal(ErrorKind.WriteConflict, exists.Kind);
        Assert.Single(Directory.GetFiles(_dir)); // no temporary file left behind
    }
}
