using PureHDF;
using PureHDF.Selections;
using SpatialSim.TorchCore.IO;

namespace SpatialSim.TorchCore.Output;

/// <summary>
/// Writes a square gene × gene matrix as an AnnData file (<c>.h5ad</c>) that <c>anndata.read_h5ad</c> (and so scanpy,
/// squidpy) opens without help: genes × genes in <c>X</c> (float64, NaN where a score is undefined or was not given),
/// the gene names as <c>obs_names</c> and <c>var_names</c>, further matrices of the same shape in <c>layers</c> and
/// strings in <c>uns</c>.
/// </summary>
/// <remarks>
/// <para>Layout (AnnData's on-disk format, anndata.readthedocs.io "On-disk format"): root attributes
/// <c>encoding-type = "anndata"</c>, <c>encoding-version = "0.1.0"</c>; <c>/X</c> a 2-D float64 dataset;
/// <c>/obs</c> and <c>/var</c> dataframes (<c>encoding-type "dataframe"</c>, version 0.2.0, <c>_index</c> naming the
/// <c>_index</c> string array, empty <c>column-order</c>); <c>/uns</c> a dict of <c>string</c> scalars; <c>/layers</c>
/// a dict of 2-D datasets; empty <c>obsm</c>, <c>varm</c>, <c>obsp</c>, <c>varp</c> dicts. Strings are UTF-8,
/// variable-length. Checked against anndata 0.8 (tests/reference/make_roundtrip_fixtures.ps1).</para>
/// <para>Streaming: each matrix is asked for in blocks of rows (<see cref="RowBlock"/>) and written chunk by chunk, so a
/// caller holding the matrix on disk, or computing it by strips, never needs it whole in memory: the writer holds one
/// block of about 8 MB. Written through a temporary file renamed into place (no half-written file on failure or
/// Ctrl+C).</para>
/// </remarks>
public static class AnnDataMatrixWriter
{
    /// <summary>Fills <paramref name="destination"/> with rows [<paramref name="firstRow"/>, firstRow + <paramref name="rows"/>) of an n × n matrix, row-major.</summary>
    public delegate void RowBlock(int firstRow, int rows, Span<double> destination);

    /// <summary>Target bytes of one HDF5 chunk (a whole number of rows).</summary>
    private const int ChunkBytes = 1 << 20;
    /// <summary>Target bytes of one block asked of a <see cref="RowBlock"/> (a whole number of chunks).</summary>
    private const int BlockBytes = 8 << 20;

    /// <summary>
    /// Writes <paramref name="path"/>. <paramref name="genes"/> name the rows and the columns (unique, in matrix order);
    /// <paramref name="x"/> gives X; <paramref name="layers"/> (optional) more matrices by name; <paramref name="uns"/> strings.
    /// </summary>
    public static void Write(string path, IReadOnlyList<string> genes, RowBlock x, IReadOnlyDictionary<string, RowBlock>? layers,
        IReadOnlyDictionary<string, string> uns, bool overwrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(genes);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(uns);
        int n = genes.Count;
        if (n == 0) throw new SpatialSimException(ErrorKind.InvalidArgument, "A matrix of no genes cannot be written.") { FilePath = path };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in genes)
            if (!seen.Add(g))
                throw new SpatialSimException(ErrorKind.InvalidData, $"Gene '{g}' is named twice; AnnData's obs_names and var_names must be unique.") { Gene = g, FilePath = path };
        foreach (var name in (layers?.Keys ?? []).Concat(uns.Keys))
            if (name.Length == 0 || name.Contains('/') || name == ".")
                throw new SpatialSimException(ErrorKind.InvalidArgument, $"'{name}' cannot name an AnnData layer or uns entry (empty, '.' or containing '/').") { FilePath = path };
        RasterFileIo.CheckTarget(path, overwrite);

        int chunkRows = Math.Clamp(ChunkBytes / (8 * n), 1, n);
        int blockRows = Math.Min(n, chunkRows * Math.Max(1, BlockBytes / (8 * n * chunkRows)));
        H5Dataset<double[]> Matrix() => new(fileDims: [(ulong)n, (ulong)n], chunks: [(uint)chunkRows, (uint)n]);

        var names = genes.ToArray();
        var xSet = Matrix();
        var layerSets = (layers ?? new Dictionary<string, RowBlock>()).Select(l => (l.Key, Source: l.Value, Set: Matrix())).ToList();
        var layerGroup = Dict();
        foreach (var (name, _, set) in layerSets) layerGroup[name] = set;
        var unsGroup = Dict();
        foreach (var (key, value) in uns)
            unsGroup[key] = new H5Dataset(value) { Attributes = Encoding("string", "0.2.0") };

        var file = new H5File
        {
            ["X"] = xSet,
            ["obs"] = Frame(names),
            ["var"] = Frame(names),
            ["uns"] = unsGroup,
            ["layers"] = layerGroup,
            ["obsm"] = Dict(),
            ["varm"] = Dict(),
            ["obsp"] = Dict(),
            ["varp"] = Dict(),
            Attributes = Encoding("anndata", "0.1.0"),
        };

        RasterFileIo.WriteAtomically(path, overwrite, fs =>
        {
            using var writer = file.BeginWrite(fs);
            var block = new double[(long)blockRows * n];
            foreach (var (set, source) in layerSets.Select(l => (l.Set, l.Source)).Prepend((xSet, x)))
                for (int first = 0; first < n; first += blockRows)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int rows = Math.Min(blockRows, n - first);
                    var data = rows == blockRows ? block : new double[(long)rows * n];
                    source(first, rows, data);
                    writer.Write(set, data, fileSelection: new HyperslabSelection(rank: 2, starts: [(ulong)first, 0], blocks: [(ulong)rows, (ulong)n]));
                }
        }, cancellationToken, readable: true);
    }

    private static Dictionary<string, object> Encoding(string type, string version) =>
        new() { ["encoding-type"] = type, ["encoding-version"] = version };

    private static H5Group Dict() => new() { Attributes = Encoding("dict", "0.1.0") };

    private static H5Group Frame(string[] names)
    {
        var attributes = Encoding("dataframe", "0.2.0");
        attributes["_index"] = "_index";
        attributes["column-order"] = Array.Empty<string>();
        return new H5Group
        {
            ["_index"] = new H5Dataset(names) { Attributes = Encoding("string-array", "0.2.0") },
            Attributes = attributes,
        };
    }
}
