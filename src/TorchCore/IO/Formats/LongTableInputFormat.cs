namespace SpatialSim.TorchCore.IO.Formats;

/// <summary>
/// Long count tables, one row per gene and position (Stereo-seq GEM, Xenium / MERSCOPE / CosMx transcript tables,
/// any CSV/TSV with gene, x and y columns), plain or gzip; read by <see cref="CountTableReader"/>. Recognised by a table
/// extension (.csv .tsv .txt .gem .tab, optionally .gz) or by a header naming gene, x and y columns.
/// </summary>
public sealed class LongTableInputFormat : IInputFormat
{
    private static readonly string[] TableExtensions = [".csv", ".tsv", ".txt", ".gem", ".tab"];

    public string Name => "long count table";
    public string Supported => "tables .csv .tsv .txt .gem .tab (optionally .gz), long (gene, x, y, count) or wide (spots × genes, -SpotTable)";

    public bool Matches(InputProbe probe)
    {
        if (probe.IsDirectory || probe.IsHdf5) return false;
        if (TableExtensions.Contains(probe.Extension)) return true;
        return probe.IsText && probe.Lines.First is { } header && TableLayout.IsLongHeader(header);
    }

    public IEnumerable<GeneRaster> Read(InputProbe probe, ImportRequest request, ImportContext context)
    {
        string file = probe.Path;
        var table = CountTableReader.Read(file, request.Table,
            new Ranking.InlineProgress<TableReadProgress>(p => context.Progress(p.TotalBytes > 0 ? (double)p.BytesRead / p.TotalBytes : 0,
                $"{p.BytesRead / 1048576.0:F0} of {p.TotalBytes / 1048576.0:F0} MB")), context.CancellationToken);
        context.Progress(1, "done");
        context.Verbose($"'{file}': {table.RowsRead} rows, {table.Genes.Count} genes kept, canvas {table.Width}×{table.Height} pixels at bin {table.BinSize} " +
                        $"(origin {table.OriginX},{table.OriginY}); {table.RowsOutsideRegion} rows outside -Region dropped; {table.DuplicateRowsSummed} duplicate rows summed.");
        if (table.Genes.Count == 0)
            context.Warning($"No gene of '{file}' passed the filters (-Gene, -MinTotal {request.Table.MinTotal}).");
        foreach (var gene in table.Genes)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            // The reader bins coordinates itself; the pixels are already at BinSize. Kept sparse: the dense
            // tensor is made only when a measure needs it (see GeneRaster, README "Memory").
            yield return GeneRaster.FromSparse(gene, table.ToSparse(gene), table.BinSize, table.Source, table.PixelSize, request.Device);
        }
    }

    public IEnumerable<string> GeneNames(InputProbe probe, CancellationToken cancellationToken)
    {
        var seen = new List<string>();
        try
        {
            CountTableReader.Read(probe.Path, new TableReadOptions
            {
                GeneFilter = name => { lock (seen) seen.Add(name); return false; },
                MaxPixels = long.MaxValue,
            }, cancellationToken: cancellationToken);
        }
        catch (OperationCanceledException) { }
        catch (SpatialSimException) { }
        lock (seen) return seen.ToList();
    }
}
