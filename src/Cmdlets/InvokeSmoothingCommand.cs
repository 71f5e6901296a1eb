using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Smoothing;

namespace SpatialSim.Cmdlets;

/// <summary>Gaussian blur of gene rasters (scipy.ndimage.gaussian_filter conventions). Inputs are never modified.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "Smoothing")]
[OutputType(typeof(GeneRaster))]
public sealed class InvokeSmoothingCommand : SpatialSimCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public GeneRaster[] InputObject { get; set; } = Array.Empty<GeneRaster>();

    /// <summary>Standard deviation of the Gaussian, in pixels.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateRange(0.0, 10000.0)]
    public double Sigma { get; set; }

    [Parameter]
    public GaussianMethod Method { get; set; } = GaussianMethod.Auto;

    private ProgressReporter? _progress;
    private int _done;

    protected override void ProcessRecord()
    {
        _progress ??= new ProgressReporter(this, 1, $"Smoothing with σ = {Sigma} px");
        foreach (var raster in InputObject)
        {
            if (raster is null) continue;
            try
            {
                StopToken.ThrowIfCancellationRequested();
                _progress.ReportItem(_done++, $"smoothing '{raster.Gene}'");
                WriteVerbose($"Smoothing '{raster.Gene}' ({raster.Width}×{raster.Height}) with σ={Sigma} px, method {Method}, on {raster.Device}.");
                WriteObject(GaussianSmoothing.Smooth(raster, Sigma, Method));
            }
            catch (OperationCanceledException) { throw new PipelineStoppedException(); }
            catch (Exception e) { WriteFailure(e, raster, "SmoothingFailed"); }
        }
    }

    protected override void EndProcessing() => _progress?.Complete();
}
