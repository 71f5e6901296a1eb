using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Defaults;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>
/// The tissue mask that Get-RankedPairs and Measure-PatternSimilarity use by default, as a 0/1 raster on the genes' canvas:
/// the density of all counts at the analysis scale, thresholded (<see cref="DensityTissueMask"/>). With -ClosingRadius, the
/// genes' joint support closed and hole-filled instead (<see cref="TissueMask.FromSupport"/>, the earlier default).
/// </summary>
[Cmdlet(VerbsCommon.Get, "TissueMask")]
[OutputType(typeof(GeneRaster))]
public sealed class GetTissueMaskCommand : SpatialSimCmdlet
{
    private readonly List<GeneRaster> _rasters = new();

    [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
    public GeneRaster[] InputObject { get; set; } = Array.Empty<GeneRaster>();

    /// <summary>The analysis scale in pixels (default: chosen from the data by count splitting, as Get-RankedPairs does).</summary>
    [Parameter]
    [ValidateRange(0.0, 10000.0)]
    public double? Sigma { get; set; }

    /// <summary>Use the joint support of the genes, closed with a disc of this radius in pixels (0 = no closing), instead of the density.</summary>
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
            GeneRaster mask;
            if (ClosingRadius is int radius)
            {
                mask = TissueMask.FromSupport(_rasters, radius);
                WriteVerbose($"Tissue mask from the support of {_rasters.Count} gene(s), closed with a disc of {radius} px: {TissueMask.Fraction(mask):P1} of the {mask.Width}×{mask.Height} canvas.");
            }
            else
            {
                double sigma;
                if (Sigma is double given) sigma = given;
                else
                {
                    var scale = CountSplitScale.Choose(_rasters, StopToken);
                    WriteVerbose(scale.Summary());
                    sigma = scale.Sigma;
                }
                var grid = WorkingGrid.For(sigma, _rasters[0].Width, _rasters[0].Height);
                mask = DensityTissueMask.Raster(_rasters, grid, onGrid: false, out double counts);
                WriteVerbose($"Tissue mask from {_rasters.Count} gene(s): the density of all counts smoothed at σ = {sigma:g4} px" +
                             (grid.IsCoarser ? $" on {grid.Stride}×{grid.Stride}-pixel blocks" : "") +
                             $", thresholded (Otsu on its logarithm), holes filled: {TissueMask.Fraction(mask):P1} of the {mask.Width}×{mask.Height} canvas, {counts:P1} of the counts.");
            }
            WriteObject(mask);
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e) { ThrowFailure(e, null, "TissueMaskFailed"); }
    }
}
