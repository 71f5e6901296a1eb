namespace SpatialSim.TorchCore.IO.Formats;

/// <summary>
/// Parquet transcript tables (Xenium <c>transcripts.parquet</c>: feature_name, x_location, y_location, qv), recognised by
/// the Parquet magic bytes whatever the name; read by <see cref="TranscriptParquetReader"/> with the rules of text tables.
/// </summary>
public sealed class TranscriptParquetInputFormat : IInputFormat
{
    public string Name => "Parquet transcript table";
    public string Supported => "Parquet transcript tables (Xenium transcripts.parquet)";

    public bool Matches(InputProbe probe) => !probe.IsDirectory && probe.StartsWith("PAR1"u8);

    public IEnumerable<GeneRaster> Read(InputProbe probe, ImportRequest request, ImportContext context)
    {
        var table = TranscriptParquetReader.Read(probe.Path, request.Table, CountTableRasters.Progress(context), context.CancellationToken);
        context.Progress(1, "done");
        return CountTableRasters.Emit(table, probe.Path, "", request, context);
    }
}
