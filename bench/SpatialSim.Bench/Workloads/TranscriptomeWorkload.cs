using System.Diagnostics;
using System.Text.Json.Nodes;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Clustering;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.Output;
using SpatialSim.TorchCore.Ranking;

namespace SpatialSim.Bench.Workloads;

/// <summary>
/// transcriptome_ranking: a whole-transcriptome run as Get-RankedPairs -TopPerGene k -MatrixPath m.npy followed by
/// Find-GeneModule -Path m.npy does it — every pair of G sparse genes scored by smoothed Pearson, streamed in bands, each
/// gene's k best partners kept, the G × G matrix written to a temporary .npy as it streams, then modules by average linkage
/// from that file. With <c>shards</c> = n &gt; 1 the run is split into n shards computed one after the other (as a job array
/// on one machine would), their kept pairs merged and each gene's k best re-selected (Merge-RankedPairs -TopPerGene); no
/// matrix or modules then; with <c>modules</c> = 0 only the ranking is timed (the growth rows). Genes are generated in-process and kept sparse (<see cref="SyntheticData.FillCounts"/>), before
/// the clock starts. Summary: pairs kept, bands, the best pair, module sizes, and the time per G²·pixels (the product's
/// cost unit); for shards also whether the merge equals a single run on the first <c>checkGenes</c> genes (checked after the
/// timed run).
/// </summary>
internal sealed class TranscriptomeWorkload : Workload<TranscriptomeWorkload.Outcome>
{
    internal sealed record Outcome(int Kept, int Bands, string Best, int[] ModuleSizes, double Seconds);

    private readonly List<GeneRaster> _rasters = new();
    private readonly double _sigma;
    private readonly int _topPerGene, _modules, _shards, _checkGenes;
    private readonly long _budget;
    private readonly int _size;

    public TranscriptomeWorkload(WorkloadRequest request)
    {
        _sigma = request.Number("sigma");
        int genes = request.Integer("genes");
        _size = request.Integer("size");
        double density = request.Number("density");
        ulong seed = (ulong)request.Integer("seed");
        _topPerGene = request.Integer("topPerGene");
        _modules = request.Integer("modules");
        _shards = request.Parameters["shards"] is null ? 1 : request.Integer("shards");
        _checkGenes = request.Parameters["checkGenes"] is null ? 0 : request.Integer("checkGenes");
        _budget = (long)(request.Number("maxMemoryGB") * 1e9);
        var plane = new float[(long)_size * _size];
        for (int g = 0; g < genes; g++)
        {
            SyntheticData.FillCounts(plane, _size, g, density, seed);
            _rasters.Add(GeneRaster.FromSparse($"gene{g}", SparsePixels.FromDense(_size, _size, plane), 1, "synthetic", 1.0, ComputeDevice.Cpu));
        }
    }

    protected override Outcome Execute()
    {
        var clock = Stopwatch.StartNew();
        var names = _rasters.Select(r => r.Gene).ToList();
        var selection = new PairSelectionRequest { TopPerGene = _topPerGene };
        if (_shards > 1)
        {
            var (kept, bands) = RunShards(_rasters, names, _shards);
            var best = kept.OrderBy(p => p, Comparer<ScoredPair>.Create((x, y) => PairListRanking.Compare(x.Scores[0], x, y.Scores[0], y))).First();
            return new Outcome(kept.Count, bands, $"{names[best.I]}–{names[best.J]} {best.Scores[0]:F4}", Array.Empty<int>(), clock.Elapsed.TotalSeconds);
        }
        if (_modules == 0)
        {
            // Ranking only: each gene's k best partners, no matrix file.
            var options = new StreamedRankingOptions { Sigma = _sigma, Selection = selection, MaxMemoryBytes = _budget };
            var ranked = StreamedRanking.Run(_rasters, names, "SmoothedPearson", "", options, StreamedRanking.Plan(_rasters, options));
            var top = ranked.Pairs.OrderBy(p => p, Comparer<ScoredPair>.Create((x, y) => PairListRanking.Compare(x.Scores[0], x, y.Scores[0], y))).First();
            return new Outcome(ranked.Pairs.Count, ranked.Plan.Bands.Count, $"{names[top.I]}–{names[top.J]} {top.Scores[0]:F4}", Array.Empty<int>(), clock.Elapsed.TotalSeconds);
        }
        string path = Path.Combine(Path.GetTempPath(), $"spatialsim-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.npy");
        try
        {
            StreamedRankingResult result;
            using (var sink = SimilarityMatrixSinks.Create(path, overwrite: false))
            {
                var options = new StreamedRankingOptions { Sigma = _sigma, Selection = selection, Matrix = sink, MaxMemoryBytes = _budget };
                result = StreamedRanking.Run(_rasters, names, "SmoothedPearson", $"σ={_sigma}", options, StreamedRanking.Plan(_rasters, options));
            }
            using var file = SimilarityMatrixFile.Open(path);
            var source = StreamedModules.FromFile(file);
            source.Matrix.ScoresToDistances(DistanceRule.OneMinusScore, "SmoothedPearson", (i, j) => (names[i], names[j]));
            var tree = AverageLinkage.Build(source.Matrix);
            var groups = GeneModules.Groups(tree, tree.CutIntoCount(_modules));
            var best = result.Pairs.OrderBy(p => p, Comparer<ScoredPair>.Create((x, y) => PairListRanking.Compare(x.Scores[0], x, y.Scores[0], y))).First();
            return new Outcome(result.Pairs.Count, result.Plan.Bands.Count, $"{names[best.I]}–{names[best.J]} {best.Scores[0]:F4}",
                groups.Select(g => g.Length).ToArray(), clock.Elapsed.TotalSeconds);
        }
        finally
        {
            File.Delete(path);
            File.Delete(SimilarityMatrix.GenesFileOf(path));
        }
    }

    /// <summary>The shards one after the other, their kept pairs merged and each gene's k best re-selected.</summary>
    private (List<ScoredPair> Kept, int Bands) RunShards(IReadOnlyList<GeneRaster> rasters, IReadOnlyList<string> names, int shards)
    {
        var union = new List<ScoredPair>();
        int bands = 0;
        for (int s = 1; s <= shards; s++)
        {
            var options = new StreamedRankingOptions
            {
                Sigma = _sigma, Shard = new PairShard(s, shards), Selection = new PairSelectionRequest { TopPerGene = _topPerGene }, MaxMemoryBytes = _budget,
            };
            var result = StreamedRanking.Run(rasters, names, "SmoothedPearson", "", options, StreamedRanking.Plan(rasters, options));
            union.AddRange(result.Pairs);
            bands += result.Plan.Bands.Count;
        }
        var merged = new PairSelection(rasters.Count, new PairSelectionRequest { TopPerGene = _topPerGene });
        foreach (var p in union) merged.Add(p.I, p.J, p.Scores[0]);
        return (merged.Result(), bands);
    }

    protected override JsonObject Summarize(Outcome o)
    {
        int g = _rasters.Count;
        double unit = (double)g * g * _size * _size;
        var summary = new JsonObject
        {
            ["pairs_kept"] = o.Kept,
            ["bands"] = o.Bands,
            ["best"] = o.Best,
            ["ns_per_G2_pixel"] = Math.Round(o.Seconds * 1e9 / unit, 6),
        };
        if (o.ModuleSizes.Length > 0) summary["modules"] = string.Join(",", o.ModuleSizes);
        if (_shards > 1 && _checkGenes > 1)
        {
            // Untimed: the merge of n shards equals a single run, on a subset of the genes.
            var subset = _rasters.Take(Math.Min(_checkGenes, g)).ToList();
            var names = subset.Select(r => r.Gene).ToList();
            var single = new StreamedRankingOptions { Sigma = _sigma, Selection = new PairSelectionRequest { TopPerGene = _topPerGene }, MaxMemoryBytes = _budget };
            var one = StreamedRanking.Run(subset, names, "SmoothedPearson", "", single, StreamedRanking.Plan(subset, single)).Pairs;
            var (merged, _) = RunShards(subset, names, _shards);
            static string Key(IEnumerable<ScoredPair> pairs) => string.Join(";", pairs.OrderBy(p => p.I).ThenBy(p => p.J).Select(p => $"{p.I}-{p.J}:{p.Scores[0]:R}"));
            summary["merge_equals_single_run"] = $"{Key(merged) == Key(one)} ({subset.Count} genes, {_shards} shards)";
        }
        return summary;
    }

    public override void Dispose()
    {
        foreach (var raster in _rasters) raster.Dispose();
    }
}
