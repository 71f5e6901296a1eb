using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>Get-RankedPairs -Permutations: toroidal-shift p-values and Benjamini–Hochberg q-values (<see cref="ToroidalShiftTest"/>).</summary>
public sealed partial class GetRankedPairsCommand
{
    /// <summary>The type name whose format view adds PValue and QValue columns.</summary>
    public const string SignificanceTypeName = "SpatialSim.TorchCore.Similarity.RankedPair#Significance";

    /// <summary>Number of random toroidal shifts per pair for a p-value (0 = no test).</summary>
    [Parameter]
    [ValidateRange(0, 100000)]
    public int Permutations { get; set; }

    /// <summary>Seed of the shift generator (default 1): the same seed gives the same p-values.</summary>
    [Parameter]
    public int Seed { get; set; } = SignificanceOptions.DefaultSeed;

    /// <summary>P- and q-values of the pairs that will be ranked (all pairs, or those of -Gene), or null without -Permutations.</summary>
    private SignificanceResult? TestSignificance(double[,] scores, SimilarityMethod method, SimilarityOptions options)
    {
        int permutations = ShiftCount;
        if (permutations <= 0) return null;
        var genes = _rasters.Select(r => r.Gene).ToList();
        var pairs = new List<(int I, int J)>();
        for (int i = 0; i < genes.Count; i++)
            for (int j = i + 1; j < genes.Count; j++)
                if (Gene is null || genes[i] == Gene || genes[j] == Gene)
                    pairs.Add((i, j));
        if (pairs.Count == 0) return null;  // -Gene not found: PairRanking reports it
        bool fast = ToroidalShiftTest.HasFastPath(method, options);
        if (!fast)
            WriteVerbose($"Significance: {method} has no FFT path, so the measure is recomputed on {permutations} shifted copies for each of the {pairs.Count} pairs " +
                         $"({(long)permutations * pairs.Count} evaluations) — slow; Pearson and SmoothedPearson shift all pairs by FFT.");
        var progress = new ProgressReporter(this, 2, $"Shift test of {pairs.Count} pairs ({permutations} shifts)");
        var result = ToroidalShiftTest.Compute(_rasters, scores, pairs, method, options,
            new SignificanceOptions { Permutations = permutations, Seed = Seed },
            new InlineProgress<(int Done, int Total, string Step)>(p =>
                progress.Report(p.Total == 0 ? 1 : (double)p.Done / p.Total, p.Step.Length > 0 ? p.Step : "finishing")),
            StopToken);
        progress.Complete();
        WriteVerbose($"Significance: {result.Shifts.Count} toroidal shifts (seed {Seed}) of at least {result.MinDisplacement:g3} px" +
                     (options.Mask is null ? "" : $" keeping ≥ {result.MinOverlap:P0} of the tissue overlapping") +
                     $", drawn from {result.Eligible} eligible; {(result.Fast ? "FFT cross-correlation" : "measure recomputed per shift")}; " +
                     $"q-values by Benjamini–Hochberg over the {result.Tested} pairs tested (before -Top).");
        if (result.Shifts.Count < permutations)
            WriteWarning($"Only {result.Shifts.Count} shifts of the canvas qualify (≥ {result.MinDisplacement:g3} px long), fewer than -Permutations {permutations}; " +
                         $"all are used, so the smallest p-value is 1/{result.Shifts.Count + 1}.");
        return result;
    }

    /// <summary>Tags a pair with the type name of the view that shows PValue and QValue.</summary>
    private static PSObject WithSignificanceView(RankedPair pair)
    {
        var o = PSObject.AsPSObject(pair);
        o.TypeNames.Insert(0, SignificanceTypeName);
        return o;
    }
}
