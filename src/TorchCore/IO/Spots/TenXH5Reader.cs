using SpatialSim.TorchCore.IO.Formats;
using SpatialSim.TorchCore.IO.Hdf5;

namespace SpatialSim.TorchCore.IO.Spots;

/// <summary>
/// Reads a 10x Genomics feature-barcode matrix (.h5, Cell Ranger ≥ 3 / Space Ranger layout): /matrix/barcodes,
/// /matrix/data, /matrix/indices (feature index per entry), /matrix/indptr (per barcode), /matrix/shape (features,
/// barcodes), /matrix/features/name and id, feature_type. Only "Gene Expression" features are read (and count in the spot
/// totals); gene names from features/name, or features/id with -GeneColumn id.
/// </summary>
/// <remarks>Format: 10x Genomics, "HDF5 Feature Barcode Matrix Format" (Space Ranger / Cell Ranger documentation).</remarks>
internal static class TenXH5Reader
{
    public static SpotCounts Read(string path, ImportRequest request, ImportContext context)
    {
        using var h5 = Hdf5Reader.Open(path);
        var barcodes = h5.Strings(h5.Dataset("matrix/barcodes", "barcodes"), "matrix/barcodes");
        var genes = GeneNames(h5, request.Spots.GeneColumn);
        var shape = h5.Numbers<long>(h5.Dataset("matrix/shape", "matrix shape"), "matrix/shape");
        if (shape.Length != 2 || shape[0] != genes.Length || shape[1] != barcodes.Length)
            throw new SpatialSimException(ErrorKind.InvalidData, SpotLattice.Short(
                $"'matrix/shape' of '{h5.FileName}' is {string.Join(" × ", shape)} but there are {genes.Length:N0} features and {barcodes.Length:N0} barcodes."))
            { FilePath = path };
        var filter = request.Table.GeneFilter;
        bool[] expression = FeatureTypes(h5, genes.Length);
        var keep = genes.Select((g, i) => expression[i] && (filter is null || filter(g))).ToArray();
        var counts = new SpotCounts(path, barcodes) { GenesSeen = expression.Count(e => e) };
        SparseMatrixSource.ReadSparse(h5, new SparseMatrixSource.Sparse("matrix", BySpot: true), counts, genes, keep, context, "matrix", expression);
        return counts;
    }

    public static string[] GeneNames(string path, string? column)
    {
        using var h5 = Hdf5Reader.Open(path);
        var names = GeneNames(h5, column);
        var expression = FeatureTypes(h5, names.Length);
        return names.Where((_, i) => expression[i]).ToArray();
    }

    private static string[] GeneNames(Hdf5Reader h5, string? column)
    {
        string field = column ?? "name";
        if (field is not ("name" or "id"))
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"-GeneColumn for a 10x .h5 file is 'name' (gene symbols, the default) or 'id' (Ensembl ids), not '{field}'.") { FilePath = h5.Path };
        // Cell Ranger 2 kept gene names in /matrix/gene_names; 3+ in /matrix/features/name.
        string path = h5.Exists($"matrix/features/{field}") ? $"matrix/features/{field}" : field == "name" && h5.Exists("matrix/gene_names") ? "matrix/gene_names" : $"matrix/features/{field}";
        return h5.Strings(h5.Dataset(path, "feature names"), path);
    }

    private static bool[] FeatureTypes(Hdf5Reader h5, int count)
    {
        if (!h5.Exists("matrix/features/feature_type")) return Enumerable.Repeat(true, count).ToArray();
        var types = h5.Strings(h5.Dataset("matrix/features/feature_type", "feature types"), "matrix/features/feature_type");
        if (types.Length != count)
            throw new SpatialSimException(ErrorKind.InvalidData, $"'matrix/features/feature_type' of '{h5.FileName}' has {types.Length:N0} entries for {count:N0} features.") { FilePath = h5.Path };
        return types.Select(t => t == "Gene Expression").ToArray();
    }
}
