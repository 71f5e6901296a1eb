using System.Text.Json.Nodes;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Bench.Workloads;

/// <summary>
/// smoothed_pearson_all_pairs: the smoothed-Pearson matrix of every pair of genes of a [genes, H, W] stack, through
/// the Gram path (each gene blurred once, one matrix product). The rasters are made (copied into tensors) before
/// the clock starts. Summary: the upper triangle, row by row (r01, r02, …, r12, …).
/// </summary>
internal sealed class AllPairsPearsonWorkload : Workload<double[,]>
{
    private readonly List<GeneRaster> _rasters = new();
    private readonly double _sigma;

    public AllPairsPearsonWorkload(WorkloadRequest request)
    {
        _sigma = request.Number("sigma");
        string path = request.Input("genes");
        using var reader = NpyFloat32.Open(path);
        var buffer = new float[(long)reader.Width * reader.Height];
        for (int g = 0; g < reader.Planes; g++)
        {
            reader.ReadPlane(buffer);
            _rasters.Add(GeneRaster.FromPlane(new RasterPlane($"gene{g}", reader.Width, reader.Height, buffer, path), 1, ComputeDevice.Cpu));
        }
    }

    protected override double[,] Execute() => CorrelationGram.Compute(_rasters, _sigma);

    protected override JsonObject Summarize(double[,] r)
    {
        var upper = new JsonArray();
        for (int i = 0; i < r.GetLength(0); i++)
            for (int j = i + 1; j < r.GetLength(1); j++)
                upper.Add(r[i, j]);
        return new JsonObject { ["upper"] = upper };
    }

    public override void Dispose()
    {
        foreach (var raster in _rasters) raster.Dispose();
    }
}

/// <summary>
/// smoothed_pearson_ranking: all gene pairs ranked by smoothed Pearson, at chip scale (genes generated in-process:
/// too large to share as files, and only our side runs it). Refused before any allocation when the engine would
/// not fit in the memory available. Summary: the number of pairs and the best one.
/// </summary>
internal sealed class RankingWorkload : Workload<IReadOnlyList<RankedPair>>
{
    private readonly List<GeneRaster> _rasters = new();
    private readonly double _sigma;

    public RankingWorkload(WorkloadRequest request)
    {
        _sigma = request.Number("sigma");
        int genes = request.Integer("genes"), size = request.Integer("size");
        double density = request.Number("density");
        ulong seed = (ulong)request.Integer("seed");
        RequireMemory(genes, (long)size * size);
        for (int g = 0; g < genes; g++)
        {
            var plane = new float[(long)size * size];
            SyntheticData.FillCounts(plane, size, g, density, seed);
            _rasters.Add(GeneRaster.FromPlane(new RasterPlane($"gene{g}", size, size, plane, "synthetic"), 1, ComputeDevice.Cpu));
        }
    }

    /// <summary>
    /// The in-memory engine holds every raster and the [genes, pixels] matrix of the Gram path, plus a few
    /// image-sized temporaries, all float32.
    /// </summary>
    private static void RequireMemory(int genes, long pixels)
    {
        double needed = (2.0 * genes + 3) * pixels * sizeof(float);
        long? available = ProcessMemory.AvailableBytes();
        if (available is long bytes && needed > bytes)
            throw new WorkloadSkippedException(
                $"needs the out-of-core engine (issue 4): the in-memory engine would hold about {needed / 1e9:F0} GB, " +
                $"this machine has {bytes / 1e9:F0} GB available");
    }

    protected override IReadOnlyList<RankedPair> Execute()
    {
        var scores = CorrelationGram.Compute(_rasters, _sigma);
        return PairRanking.Rank(_rasters.Select(r => r.Gene).ToList(), scores, "SmoothedPearson", $"σ={_sigma:g4}");
    }

    protected override JsonObject Summarize(IReadOnlyList<RankedPair> ranked) => new()
    {
        ["pairs"] = ranked.Count,
        ["best"] = ranked.Count == 0 ? null : $"{ranked[0].GeneA}–{ranked[0].GeneB} {ranked[0].Score:F4}",
    };

    public override void Dispose()
    {
        foreach (var raster in _rasters) raster.Dispose();
    }
}
