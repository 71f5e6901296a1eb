using PureHDF;
using SpatialSim.TorchCore.IO.Formats;
using SpatialSim.TorchCore.IO.Hdf5;

namespace SpatialSim.TorchCore.IO.Spots;

/// <summary>
/// Reads spatial AnnData (.h5ad, anndata ≥ 0.7 on-disk format): counts from X or a layer (dense, csr_matrix or csc_matrix;
/// uncompressed, gzip or lzf), spot ids from the obs index, gene names from the var index or a var column (string array or
/// categorical), positions from obs array_col/array_row (lattice indices, as scanpy's read_visium stores them), else
/// obsm/spatial (column 0 = x, column 1 = y, image pixels), else obs coordinate columns. Spots with obs in_tissue 0 are
/// left out.
/// </summary>
/// <remarks>Format: anndata's "on-disk format" documentation (encoding-type attributes: dataframe, csr_matrix,
/// csc_matrix, array, string-array, categorical).</remarks>
internal static class AnnDataReader
{
    public static (SpotCounts Counts, SpotPositions Positions) Read(string path, ImportRequest request, ImportContext context)
    {
        using var h5 = Hdf5Reader.Open(path);
        var options = request.Spots;
        int spotCount = IndexLength(h5, "obs");
        var genes = options.GeneColumn is { } column ? Column(h5, "var", column) : Index(h5, "var");
        string matrix = options.Layer is { } layer ? $"layers/{layer}" : "X";
        string role = options.Layer is { } l ? $"layer '{l}'" : "X";
        if (options.Layer is { } name && !h5.Exists(matrix))
        {
            var layers = h5.Exists("layers") ? h5.Group("layers", "layers").Children().Select(c => c.Name).ToList() : [];
            throw new SpatialSimException(ErrorKind.NotFound, SpotLattice.Short(
                $"'{h5.FileName}' has no layer '{name}'. Layers: {(layers.Count == 0 ? "none" : string.Join(", ", layers.Take(10)))}; without -Layer, X is read."))
            { FilePath = path };
        }
        var positions = Positions(h5, spotCount);

        var filter = request.Table.GeneFilter;
        var keep = genes.Select(g => filter is null || filter(g)).ToArray();
        // The obs index (one string per spot, slow to read) is read only if a message needs spot names.
        var counts = new SpotCounts(path, spotCount, () => { using var again = Hdf5Reader.Open(path); return Index(again, "obs"); }) { GenesSeen = genes.Length };
        var obj = h5.Get(matrix, role);
        if (obj is IH5Dataset)
            SparseMatrixSource.ReadDense(h5, matrix, counts, genes, keep, context, role);
        else
        {
            var group = (IH5Group)obj;
            string? encoding = h5.StringAttribute(group, "encoding-type", matrix) ?? h5.StringAttribute(group, "h5sparse_format", matrix) switch
            {
                "csr" => "csr_matrix",
                "csc" => "csc_matrix",
                _ => null,
            };
            if (encoding is not ("csr_matrix" or "csc_matrix"))
                throw new SpatialSimException(ErrorKind.NotSupported, SpotLattice.Short(
                    $"'{matrix}' in '{h5.FileName}' is a group encoded as '{encoding ?? "nothing known"}'; SpatialSim reads dense, csr_matrix and csc_matrix."))
                { FilePath = path };
            var shape = h5.IntegerAttribute(group, "shape", matrix)
                ?? throw new SpatialSimException(ErrorKind.InvalidData, $"'{matrix}' in '{h5.FileName}' has no 'shape' attribute.") { FilePath = path };
            if (shape.Length != 2 || shape[0] != spotCount || shape[1] != genes.Length)
                throw new SpatialSimException(ErrorKind.InvalidData, SpotLattice.Short(
                    $"'{matrix}' in '{h5.FileName}' has shape {string.Join(" × ", shape)} but obs has {spotCount:N0} spots and var {genes.Length:N0} genes."))
                { FilePath = path };
            SparseMatrixSource.ReadSparse(h5, new SparseMatrixSource.Sparse(matrix, encoding == "csr_matrix"), counts, genes, keep, context, role);
        }
        context.Verbose($"'{path}': {role}, {spotCount:N0} spots × {genes.Length:N0} genes; positions from {positions.From}.");
        return (counts, positions);
    }

    /// <summary>The number of rows of a dataframe group: the length of its index.</summary>
    private static int IndexLength(Hdf5Reader h5, string frame)
    {
        var group = h5.Group(frame, $"{frame} table");
        string name = h5.StringAttribute(group, "_index", frame) ?? "_index";
        if (!h5.Exists($"{frame}/{name}")) Index(h5, frame); // says what is wrong
        string path = $"{frame}/{name}";
        return checked((int)h5.Length(h5.Dataset(path, $"{frame} index"), path));
    }

    /// <summary>The index of a dataframe group (obs or var): the dataset its '_index' attribute names.</summary>
    private static string[] Index(Hdf5Reader h5, string frame)
    {
        var group = h5.Group(frame, $"{frame} table");
        string? encoding = h5.StringAttribute(group, "encoding-type", frame);
        if (encoding is not null && encoding != "dataframe")
            throw new SpatialSimException(ErrorKind.NotSupported, $"'{frame}' in '{h5.FileName}' is encoded as '{encoding}', not a dataframe.") { FilePath = h5.Path };
        string name = h5.StringAttribute(group, "_index", frame) ?? "_index";
        if (encoding is null && !h5.Exists($"{frame}/{name}"))
            throw new SpatialSimException(ErrorKind.NotSupported, SpotLattice.Short(
                $"'{h5.FileName}' was written by an anndata older than 0.7 ('{frame}' has no encoding). Re-save it with a recent anndata (adata.write_h5ad)."))
            { FilePath = h5.Path };
        return Column(h5, frame, name, index: true);
    }

    /// <summary>A string column of a dataframe: a string array, or a categorical (categories + codes).</summary>
    private static string[] Column(Hdf5Reader h5, string frame, string column, bool index = false)
    {
        string path = $"{frame}/{column}";
        if (!h5.Exists(path))
        {
            var columns = h5.Group(frame, $"{frame} table").Children().Select(c => c.Name).ToList();
            throw new SpatialSimException(ErrorKind.NotFound, SpotLattice.Short(
                $"'{h5.FileName}' has no {frame} column '{column}'. Columns: {SpotTableReader.ListColumns(columns)}."))
            { FilePath = h5.Path };
        }
        var obj = h5.Get(path, index ? $"{frame} index" : $"{frame} column");
        if (obj is IH5Dataset set) return h5.Strings(set, path);
        var group = (IH5Group)obj;
        var categories = h5.Strings(h5.Dataset($"{path}/categories", "categories"), $"{path}/categories");
        var codes = h5.Numbers<long>(h5.Dataset($"{path}/codes", "category codes"), $"{path}/codes");
        return codes.Select((c, i) => c >= 0 && c < categories.Length ? categories[c]
            : c == -1 ? "" : throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}/codes' in '{h5.FileName}' holds code {c} at row {i}; there are {categories.Length} categories.") { FilePath = h5.Path }).ToArray();
    }

    private static double[]? NumericColumn(Hdf5Reader h5, string frame, string column, int length)
    {
        string path = $"{frame}/{column}";
        if (!h5.Exists(path) || h5.Get(path, column) is not IH5Dataset set) return null;
        if (h5.TypeOf(set, path).Kind == '?') return null;
        var values = h5.Numbers<double>(set, path);
        if (values.Length != length)
            throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}' in '{h5.FileName}' has {values.Length:N0} rows but obs has {length:N0} spots.") { FilePath = h5.Path };
        return values;
    }

    private static SpotPositions Positions(Hdf5Reader h5, int spots)
    {
        var obsColumns = h5.Group("obs", "obs table").Children().Select(c => c.Name).ToList();
        SpotPositions? result = null;
        var pair = SpotPositions.FindPair(obsColumns);
        if (pair is { Indices: true } p)
            result = FromObs(h5, obsColumns[p.X], obsColumns[p.Y], true, spots);
        else if (h5.Exists("obsm/spatial"))
        {
            var set = h5.Dataset("obsm/spatial", "spot positions");
            var dims = h5.Dimensions(set, "obsm/spatial");
            if (dims.Length != 2 || (long)dims[0] != spots || dims[1] < 2)
                throw new SpatialSimException(ErrorKind.InvalidData, SpotLattice.Short(
                    $"'obsm/spatial' in '{h5.FileName}' is {string.Join(" × ", dims)}; {spots:N0} spots × 2 (x, y) were expected."))
                { FilePath = h5.Path };
            var xy = h5.Numbers<double>(set, "obsm/spatial");
            int width = (int)dims[1];
            var x = new double[spots];
            var y = new double[spots];
            for (int i = 0; i < spots; i++) { x[i] = xy[i * width]; y[i] = xy[i * width + 1]; }
            result = new SpotPositions(x, y, "spatial[0]", "spatial[1]", false, $"obsm/spatial of '{h5.FileName}'");
        }
        else if (pair is { } q)
            result = FromObs(h5, obsColumns[q.X], obsColumns[q.Y], false, spots);
        if (result is null)
            throw new SpatialSimException(ErrorKind.NotFound, SpotLattice.Short(
                $"'{h5.FileName}' has no spot positions: neither obsm/spatial nor obs columns {SpotPositions.PairNames}."))
            { FilePath = h5.Path };
        // Spots outside the tissue (obs in_tissue 0) get no position.
        var inTissue = obsColumns.Contains("in_tissue") ? NumericColumn(h5, "obs", "in_tissue", spots) : null;
        if (inTissue is not null)
            for (int i = 0; i < spots; i++)
                if (inTissue[i] == 0) { result.X[i] = double.NaN; result.Y[i] = double.NaN; }
        return result;
    }

    private static SpotPositions FromObs(Hdf5Reader h5, string xName, string yName, bool indices, int spots)
    {
        var x = NumericColumn(h5, "obs", xName, spots);
        var y = NumericColumn(h5, "obs", yName, spots);
        if (x is null || y is null)
            throw new SpatialSimException(ErrorKind.InvalidData, $"obs columns '{xName}', '{yName}' of '{h5.FileName}' are not numbers.") { FilePath = h5.Path };
        return new SpotPositions(x, y, xName, yName, indices, $"obs columns {xName},{yName} of '{h5.FileName}'");
    }

    /// <summary>The gene names (var index or column) without reading the matrix, for completion.</summary>
    public static string[] GeneNames(string path, string? column)
    {
        using var h5 = Hdf5Reader.Open(path);
        return column is null ? Index(h5, "var") : Column(h5, "var", column);
    }
}
