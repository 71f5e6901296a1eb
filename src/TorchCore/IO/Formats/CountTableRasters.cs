namespace SpatialSim.TorchCore.IO.Formats;

/// <summary>
/// The rasters of a <see cref="CountTable"/> read by any long-table reader (text, Parquet, GEF), with what the user is
/// told about the read: rows, canvas and filters in -Verbose, a warning when no gene passed.
/// </summary>
internal static class CountTableRasters
{
    /// <summary>Verbose notes about <paramref name="table"/>, then one sparse-backed raster per gene as the caller enumerates.</summary>
    /// <param name="what">Said before the row count, e.g. "GEF level /geneExp/bin50/expression, "; empty for text tables.</param>
    public static IEnumerable<GeneRaster> Emit(CountTable table, string file, string what, ImportRequest request, ImportContext context)
    {
        var options = request.Table;
        context.Verbose($"'{file}': {what}{table.RowsRead} rows, {table.Genes.Count} genes kept, canvas {table.Width}×{table.Height} pixels at bin {table.BinSize} " +
                        $"(origin {table.OriginX},{table.OriginY}); {table.RowsOutsideRegion} rows outside -Region dropped; {table.DuplicateRowsSummed} duplicate rows summed.");
        if (table.Columns.All.Contains("qv", StringComparer.OrdinalIgnoreCase) || table.RowsOfControls > 0 || table.RowsBelowQuality > 0)
        {
            var codewords = table.ControlCodewords;
            string which = codewords.Count > 0 ? $" ({string.Join(", ", codewords.Take(5))}{(codewords.Count > 5 ? ", …" : "")})" : "";
            context.Verbose($"'{file}': {table.RowsBelowQuality} rows below quality (qv) {options.MinQuality:g} dropped (-MinQuality); {table.RowsOfControls} rows of " +
                            $"{codewords.Count} control codewords dropped{which} (-IncludeControls keeps them).");
        }
        if (table.Genes.Count == 0)
            context.Warning($"No gene of '{file}' passed the filters (-Gene, -MinTotal {options.MinTotal}).");
        foreach (var gene in table.Genes)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            // The reader bins coordinates itself; the pixels are already at BinSize. Kept sparse: the dense
            // tensor is made only when a measure needs it (see GeneRaster, README "Memory").
            yield return GeneRaster.FromSparse(gene, table.ToSparse(gene), table.BinSize, table.Source, table.PixelSize, request.Device);
        }
    }

    /// <summary>Progress of a table read as the cmdlet shows it: the fraction of the bytes and "n of m MB".</summary>
    public static IProgress<TableReadProgress> Progress(ImportContext context) =>
        new Ranking.InlineProgress<TableReadProgress>(p => context.Progress(p.TotalBytes > 0 ? (double)p.BytesRead / p.TotalBytes : 0,
            $"{p.BytesRead / 1048576.0:F0} of {p.TotalBytes / 1048576.0:F0} MB"));
}
