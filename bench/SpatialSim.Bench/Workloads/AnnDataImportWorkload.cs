using System.Text.Json.Nodes;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.IO.Formats;
using SpatialSim.TorchCore.IO.Spots;

namespace SpatialSim.Bench.Workloads;

/// <summary>
/// h5ad_import: reads a sparse AnnData file through the format registry as Import-GeneRaster does (defaults: normalised per
/// spot, default spot QC, bin 1), holding every gene's raster. Summary: spots, genes, stored pixels and the bytes of the
/// non-zero data (8 per entry: a float32 count and an int32 index, as X stores them), against which the peak is judged.
/// </summary>
internal sealed class AnnDataImportWorkload : Workload<AnnDataImportWorkload.Result>
{
    internal sealed record Result(List<GeneRaster> Rasters) : IDisposable
    {
        public void Dispose()
        {
            foreach (var r in Rasters) r.Dispose();
        }
    }

    private readonly string _path;

    public AnnDataImportWorkload(WorkloadRequest request) => _path = request.Input("matrix");

    protected override Result Execute()
    {
        using var probe = new InputProbe(_path);
        var format = InputFormatRegistry.Detect(probe);
        var rasters = format.Read(probe, new ImportRequest { Table = new() { MaxPixels = long.MaxValue } }, new ImportContext()).ToList();
        return new Result(rasters);
    }

    protected override JsonObject Summarize(Result output)
    {
        long stored = output.Rasters.Sum(r => (long)(r.Sparse?.Count ?? 0));
        return new JsonObject
        {
            ["bytes"] = new FileInfo(_path).Length,
            ["genes"] = output.Rasters.Count,
            ["canvas"] = output.Rasters.Count > 0 ? $"{output.Rasters[0].Width}×{output.Rasters[0].Height}" : "",
            ["storedPixels"] = stored,
            ["nonZeroDataBytes"] = 8 * stored,
            ["normalisation"] = SpotReadOptions.DefaultNormalization.ToString(),
        };
    }
}
