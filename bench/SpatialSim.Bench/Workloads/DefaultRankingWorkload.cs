using System.Text.Json.Nodes;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Defaults;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.IO.Formats;
using SpatialSim.TorchCore.IO.Spots;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Bench.Workloads;

/// <summary>
/// default_ranking: what `Import-GeneRaster X | Get-RankedPairs` does with no options, on a real table: σ from the data
/// (<see cref="CountSplitScale"/>), the working grid, the tissue mask at the analysis scale, the streamed Gram matrix, the
/// ranked list. The table is read before the clock starts. Parameters: file (relative to the repository root; a row whose
/// file is absent, e.g. without ../shared/data, is skipped) or the input genes (a generated file), bin (default 1), minTotal, and for a wide spot × gene CSV (the MOB ST
/// matrix) spots = its spot table (-SpotTable). The file is read as Import-GeneRaster reads it with its defaults.
/// Summary: σ, the grid, the mask's share of the canvas, the best pair.
/// </summary>
internal sealed class DefaultRankingWorkload : Workload<(IReadOnlyList<RankedPair> Ranked, AnalysisDefaults Defaults)>
{
    private readonly List<GeneRaster> _rasters;

    public DefaultRankingWorkload(WorkloadRequest request)
    {
        // A real file named by the row (skipped when absent), or a generated input (the cmdlet rows' 200 × 1024² genes).
        string file = request.Inputs.ContainsKey("genes") ? request.Input("genes") : Resolve((string)request.Parameters["file"]!);
        int bin = request.Parameters["bin"] is null ? 1 : request.Integer("bin");
        double minTotal = request.Parameters["minTotal"] is { } m ? (double)m : 0;
        if (!File.Exists(file)) throw new WorkloadSkippedException($"{file} is absent (real data in ../shared/data)");
        // Generated planes are named gene0, gene1, … as the cmdlet row's Import-GeneRaster -Gene names them.
        string[]? names = request.Parameters["genes"] is { } g ? Enumerable.Range(0, (int)g).Select(i => $"gene{i}").ToArray() : null;
        _rasters = Read(file, request.Parameters["spots"] is { } spots ? Resolve((string)spots!) : null, bin, minTotal, names);
    }

    protected override (IReadOnlyList<RankedPair>, AnalysisDefaults) Execute()
    {
        var defaults = AnalysisDefaults.Choose(_rasters, new AnalysisRequest { NeedsSigma = true, NeedsMask = true, AllowGrid = true });
        double sigma = defaults.OnGrid(defaults.Sigma!.Value);
        var scores = CorrelationGram.Compute(defaults.Rasters, sigma, mask: defaults.Mask);
        var ranked = PairRanking.Rank(_rasters.Select(r => r.Gene).ToList(), scores, "SmoothedPearson", $"σ={defaults.Sigma:g4}");
        return (ranked, defaults);
    }

    protected override JsonObject Summarize((IReadOnlyList<RankedPair> Ranked, AnalysisDefaults Defaults) output)
    {
        var (ranked, defaults) = output;
        var summary = new JsonObject
        {
            ["genes"] = _rasters.Count,
            ["canvas"] = $"{_rasters[0].Width}×{_rasters[0].Height}",
            ["sigma"] = defaults.Sigma,
            ["grid"] = defaults.Grid?.Stride ?? 1,
            ["mask"] = double.IsNaN(defaults.MaskFraction) ? null : Math.Round(defaults.MaskFraction, 4),
            ["best"] = ranked.Count == 0 ? null : $"{ranked[0].GeneA}–{ranked[0].GeneB} {ranked[0].Score:F3}",
        };
        defaults.Dispose();
        return summary;
    }

    public override void Dispose()
    {
        foreach (var r in _rasters) r.Dispose();
    }

    /// <summary>A path relative to the repository root (the folder holding build.ps1 above this program).</summary>
    private static string Resolve(string path)
    {
        if (Path.IsPathRooted(path)) return path;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "build.ps1"))) dir = dir.Parent;
        return Path.GetFullPath(Path.Combine(dir?.FullName ?? Directory.GetCurrentDirectory(), path));
    }

    /// <summary>The rasters Import-GeneRaster gives for the file with its defaults (the format registry; spot data normalised per spot).</summary>
    internal static List<GeneRaster> Read(string file, string? spotTable, int bin, double minTotal, string[]? names)
    {
        using var probe = new InputProbe(file);
        var format = InputFormatRegistry.Detect(probe);
        var request = new ImportRequest
        {
            Table = new TableReadOptions { BinSize = bin, MinTotal = minTotal },
            Spots = new SpotReadOptions { SpotTable = spotTable },
        };
        return format.Read(probe, request, new ImportContext(names)).ToList();
    }
}
