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
        var table = CountTableReader.Read(probe.Path, request.Table, CountTableRasters.Progress(context), context.CancellationToken);
        context.Progress(1, "done");
        return CountTableRasters.Emit(table, probe.Path, "", request, context);
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
