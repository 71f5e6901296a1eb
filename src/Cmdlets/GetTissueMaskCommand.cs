using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>The tissue mask that Get-RankedPairs and Measure-PatternSimilarity use by default (<see cref="TissueMask.FromSupport"/>), as a raster.</summary>
[Cmdlet(VerbsCommon.Get, "TissueMask")]
[OutputType(typeof(GeneRaster))]
public sealed class GetTissueMaskCommand : SpatialSimCmdlet
{
    private readonly List<GeneRaster> _rasters = new();

    [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
    public GeneRaster[] InputObject { get; set; } = Array.Empty<GeneRaster>();

    /// <summary>Disc radius in pixels of the closing (default: 2 × the median spacing of the support, 1 to 32; 0 = none).</summary>
    [Parameter]
    [ValidateRange(0, 1024)]
    public int? ClosingRadius { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var r in InputObject)
            if (r is not null) _rasters.Add(r);
    }

    protected override void EndProcessing()
    {
        try
        {
            if (_rasters.Count == 0)
                throw new SpatialSimException(ErrorKind.InvalidArgument, "Get-TissueMask needs at least one gene raster.");
            var mask = TissueMask.FromSupport(_rasters, ClosingRadius);
            WriteVerbose($"Tissue mask from {_rasters.Count} gene(s): {TissueMask.Fraction(mask):P1} of the {mask.Width}×{mask.Height} canvas.");
            WriteObject(mask);
        }
        catch (Exception e) { ThrowFailure(e, null, "TissueMaskFailed"); }
    }
}
