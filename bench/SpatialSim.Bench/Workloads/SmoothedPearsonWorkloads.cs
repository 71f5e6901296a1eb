using System.Text.Json.Nodes;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Bench.Workloads;

/// <summary>
/// smoothed_pearson_all_pairs: the smoothed-Pearson matrix of every pair of genes of a [genes, H, W] stack, through
/// the Gram path (each gene blurred once, one matrix product). The rasters are read as Import-GeneRaster reads the stack
/// (planes of counts that are mostly zero kept sparse) before the clock starts. Summary: the upper triangle, row by row (r01, r02, …, r12, …).
/// </summary>
internal sealed class AllPairsPearsonWorkload : Workload<double[,]>
{
    private readonly List<GeneRaster> _rasters;
    private readonly double _sigma;

    public AllPairsPearsonWorkload(WorkloadRequest request)
    {
        _sigma = request.Number("sigma");
        // The rasters Import-GeneRaster gives for the generated .npy stack (the cmdlet row's Setup), named gene0, gene1, …
        string path = request.Input("genes");
        using var reader = NpyFloat32.Open(path);
        _rasters = DefaultRankingWorkload.Read(path, null, 1, 0, Enumerable.Range(0, reader.Planes).Select(i => $"gene{i}").ToArray());
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
/// too large to share as files, and only our side runs it). The genes are kept sparse as Import-GeneRaster keeps
/// count-table genes (<see cref="GeneRaster.FromSparse"/>: 8 bytes per non-zero pixel), and the Gram path streams
/// the canvas in strips within its default memory budget (a quarter of the physical memory), so the peak RSS is the
/// sparse genes plus that budget. Summary: the number of pairs and the best one.
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
        var plane = new float[(long)size * size];
        for (int g = 0; g < genes; g++)
        {
            SyntheticData.FillCounts(plane, size, g, density, seed);
            var sparse = SparsePixels.FromDense(size, size, plane);
            _rasters.Add(GeneRaster.FromSparse($"gene{g}", sparse, 1, "synthetic", 1.0, ComputeDevice.Cpu));
        }
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
