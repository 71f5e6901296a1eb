using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>Ranks all pairs of the input rasters by similarity (or a consensus of several measures), most similar first.</summary>
[Cmdlet(VerbsCommon.Get, "RankedPairs")]
[OutputType(typeof(RankedPair))]
public sealed partial class GetRankedPairsCommand : SimilarityCmdlet
{
    private readonly List<GeneRaster> _rasters = new();

    [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
    public GeneRaster[] InputObject { get; set; } = Array.Empty<GeneRaster>();

    /// <summary>Only the first N pairs.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; }

    /// <summary>Only the pairs that contain this gene (its best partners first).</summary>
    [Parameter]
    public string? Gene { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var r in InputObject)
            if (r is not null) _rasters.Add(r);
    }

    protected override void EndProcessing()
    {
        try
        {
            if (_rasters.Count < 2)
                throw new SpatialSimException(ErrorKind.InvalidArgument,
                    $"Get-RankedPairs needs at least two gene rasters to form a pair; it received {_rasters.Count}" +
                    (_rasters.Count == 1 ? $" ('{_rasters[0].Gene}')." : "."));
            RasterChecks.RequireUniqueNames(_rasters);
            RasterChecks.RequireSameSize(_rasters);
            foreach (var pair in Rank(Options)) WriteObject(pair);
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e) { ThrowFailure(e, Gene, "RankingFailed"); }
    }
}
