using System.Text.Json.Nodes;
using SpatialSim.TorchCore.IO;

namespace SpatialSim.Bench.Workloads;

/// <summary>
/// xenium_parquet_import: reads a Xenium transcripts.parquet with the Parquet transcript reader at its defaults
/// (qv ≥ 20, control codewords left out, 1 µm pixels, bin 1). Summary: the file size, rows, rows dropped, genes and canvas.
/// </summary>
internal sealed class XeniumImportWorkload : Workload<CountTable>
{
    private readonly string _path;

    public XeniumImportWorkload(WorkloadRequest request) => _path = request.Input("table");

    protected override CountTable Execute() => TranscriptParquetReader.Read(_path, new TableReadOptions());

    protected override JsonObject Summarize(CountTable table) => new()
    {
        ["bytes"] = new FileInfo(_path).Length,
        ["rows"] = table.RowsRead,
        ["rowsBelowQuality"] = table.RowsBelowQuality,
        ["controlRows"] = table.RowsOfControls,
        ["genes"] = table.Genes.Count,
        ["canvas"] = $"{table.Width}×{table.Height}",
    };
}
