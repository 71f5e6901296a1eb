using System.Text.Json.Nodes;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Bench.Workloads;

/// <summary>
/// ssim: SsimSimilarity.Compare between maps 0 and 1 of a [2, H, W] stack with Wang et al. (2004)'s parameters
/// (Gaussian window σ = 1.5 truncated at 3.5σ, K1 = 0.01, K2 = 0.03, population covariance, 5-pixel crop), on the CPU.
/// Our SSIM divides each map by its maximum (data range 1), inside the timed call; the peer divides them while
/// preparing and runs skimage with data_range = 1, so both compute the same number. Summary: {"ssim": mean SSIM}.
/// </summary>
internal sealed class SsimWorkload : Workload<SimilarityScore>
{
    private readonly GeneRaster _a;
    private readonly GeneRaster _b;
    private readonly SsimOptions _options = new();

    public SsimWorkload(WorkloadRequest request)
    {
        string path = request.Input("maps");
        using var reader = NpyFloat32.Open(path);
        if (reader.Planes != 2) throw new ArgumentException($"ssim needs a stack of 2 maps, '{path}' has {reader.Planes}.");
        var rasters = new GeneRaster[2];
        for (int p = 0; p < 2; p++)
        {
            var plane = new float[(long)reader.Width * reader.Height];
            reader.ReadPlane(plane);
            rasters[p] = GeneRaster.FromPlane(new RasterPlane($"map{p}", reader.Width, reader.Height, plane, path), 1, ComputeDevice.Cpu);
        }
        (_a, _b) = (rasters[0], rasters[1]);
    }

    protected override SimilarityScore Execute() => SsimSimilarity.Compare(_a, _b, _options);

    protected override JsonObject Summarize(SimilarityScore output) => new() { ["ssim"] = output.Score };

    public override void Dispose()
    {
        _a?.Dispose();
        _b?.Dispose();
    }
}
