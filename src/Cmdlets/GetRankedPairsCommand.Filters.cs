using System.Management.Automation;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

// Output filters of Get-RankedPairs beyond -Top and -Gene (kept apart from the ranking itself).
public sealed partial class GetRankedPairsCommand
{
    /// <summary>Only the pairs whose Score is at least this value; NaN scores never pass.</summary>
    [Parameter]
    public double? MinScore { get; set; }

    /// <summary>Pairs come most similar first, so -MinScore keeps a prefix of the ranking and Rank stays the pair's position.</summary>
    private bool PassesMinScore(RankedPair pair) => MinScore is not double min || pair.Score >= min;
}
