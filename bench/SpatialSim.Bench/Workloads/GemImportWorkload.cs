using System.Text.Json.Nodes;
using SpatialSim.TorchCore.IO;

namespace SpatialSim.Bench.Workloads;

/// <summary>
/// gem_import: reads a Stereo-seq GEM table with the count-table reader (defaults: bin 1, whole canvas).
/// Summary: the file size (the orchestrator reports MB/s), rows read, genes and canvas.
/// </summary>
internal sealed class GemImportWorkload : Workload<CountTable>
{
    private readonly string _path;

    public GemImportWorkload(WorkloadRequest request) => _path = request.Input("table");

    protected override CountTable Execute() => CountTableReader.Read(_path, new TableReadOptions());

    protected override JsonObject Summarize(CountTable table) => new()
    {
        ["bytes"] = new FileInfo(_path).Length,
        ["rows"] = table.RowsRead,
        ["genes"] = table.Genes.Count,
        ["canvas"] = $"{table.Width}×{table.Height}",
    };
}
