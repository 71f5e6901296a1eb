using System.Globalization;
using System.Text.Json.Nodes;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Defaults;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Bench.Workloads;

/// <summary>
/// default_ranking: what `Import-GeneRaster X | Get-RankedPairs` does with no options, on a real table: σ from the data
/// (<see cref="CountSplitScale"/>), the working grid, the tissue mask at the analysis scale, the streamed Gram matrix, the
/// ranked list. The table is read before the clock starts. Parameters: file (relative to the repository root; a row whose
/// file is absent, e.g. without ../shared/data, is skipped), bin, minTotal, and for a wide spot × gene CSV (the MOB ST
/// matrix, which Import-GeneRaster does not read yet) spots = the spot table with array_col / array_row.
/// Summary: σ, the grid, the mask's share of the canvas, the best pair.
/// </summary>
internal sealed class DefaultRankingWorkload : Workload<(IReadOnlyList<RankedPair> Ranked, AnalysisDefaults Defaults)>
{
    private readonly List<GeneRaster> _rasters;

    public DefaultRankingWorkload(WorkloadRequest request)
    {
        string file = Resolve((string)request.Parameters["file"]!);
        int bin = request.Integer("bin");
        double minTotal = request.Parameters["minTotal"] is { } m ? (double)m : 0;
        if (!File.Exists(file)) throw new WorkloadSkippedException($"{file} is absent (real data in ../shared/data)");
        _rasters = request.Parameters["spots"] is { } spots
            ? ReadWide(file, Resolve((string)spots!), bin, minTotal)
            : ReadLong(file, bin, minTotal);
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

    private static List<GeneRaster> ReadLong(string file, int bin, double minTotal)
    {
        var table = CountTableReader.Read(file, new TableReadOptions { BinSize = bin, MinTotal = minTotal });
        return table.Genes.Select(g => GeneRaster.FromSparse(g, table.ToSparse(g), bin, table.Source, table.PixelSize, ComputeDevice.Cpu)).ToList();
    }

    /// <summary>A wide spots × genes CSV (first column the spot) placed by the spot table's array_col / array_row.</summary>
    private static List<GeneRaster> ReadWide(string file, string spotsFile, int bin, double minTotal)
    {
        var where = new Dictionary<string, (int X, int Y)>();
        using (var spots = new StreamReader(spotsFile))
        {
            var head = spots.ReadLine()!.Split(',');
            int s = Array.IndexOf(head, "spot"), c = Array.IndexOf(head, "array_col"), r = Array.IndexOf(head, "array_row");
            for (string? line; (line = spots.ReadLine()) is not null;)
            {
                var f = line.Split(',');
                where[f[s]] = (int.Parse(f[c], CultureInfo.InvariantCulture), int.Parse(f[r], CultureInfo.InvariantCulture));
            }
        }
        int x0 = where.Values.Min(p => p.X), y0 = where.Values.Min(p => p.Y);
        int w = (where.Values.Max(p => p.X) - x0) / bin + 1, h = (where.Values.Max(p => p.Y) - y0) / bin + 1;
        using var reader = new StreamReader(file);
        var genes = reader.ReadLine()!.Split(',')[1..];
        var index = genes.Select(_ => new List<int>()).ToArray();
        var values = genes.Select(_ => new List<float>()).ToArray();
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            var f = line.Split(',');
            var (x, y) = where[f[0]];
            int pixel = (y - y0) / bin * w + (x - x0) / bin;
            for (int g = 0; g < genes.Length; g++)
            {
                float v = float.Parse(f[g + 1], CultureInfo.InvariantCulture);
                if (v != 0) { index[g].Add(pixel); values[g].Add(v); }
            }
        }
        var rasters = new List<GeneRaster>();
        for (int g = 0; g < genes.Length; g++)
        {
            if (values[g].Sum() < minTotal || values[g].Count == 0) continue;
            var sparse = SparsePixels.FromEntries(w, h, index[g].ToArray(), values[g].ToArray());
            rasters.Add(GeneRaster.FromSparse(genes[g], sparse, bin, file, 1.0, ComputeDevice.Cpu));
        }
        return rasters;
    }
}
