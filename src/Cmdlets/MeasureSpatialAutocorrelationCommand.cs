using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;
using SpatialSim.TorchCore.Statistics;

namespace SpatialSim.Cmdlets;

/// <summary>
/// Scores each gene's spatial autocorrelation (Moran's I with Gaussian weights at the ranking's σ, z-score, p- and q-value),
/// most spatially structured first; the output pipes into Get-RankedPairs (spatially variable genes first).
/// </summary>
[Cmdlet(VerbsDiagnostic.Measure, "SpatialAutocorrelation")]
[OutputType(typeof(GeneAutocorrelation))]
public sealed class MeasureSpatialAutocorrelationCommand : SpatialSimCmdlet
{
    private readonly List<GeneRaster> _rasters = new();

    [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
    public GeneRaster[] InputObject { get; set; } = Array.Empty<GeneRaster>();

    /// <summary>The Gaussian σ of the weights in pixels; by default the σ Get-RankedPairs would choose (AdaptiveScale).</summary>
    [Parameter]
    [ValidateRange(0.01, 10000.0)]
    public double Sigma { get; set; }

    /// <summary>Tissue mask: only pixels &gt; 0 are sites. Default: the genes' joint support (as Get-RankedPairs).</summary>
    [Parameter]
    public GeneRaster? Mask { get; set; }

    /// <summary>Use the whole canvas instead of the estimated tissue.</summary>
    [Parameter]
    public SwitchParameter NoTissueMask { get; set; }

    /// <summary>Output only the N most spatially structured genes (highest z-score).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; }

    /// <summary>Output only the genes with a q-value at most this.</summary>
    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double? MaxQValue { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var r in InputObject)
            if (r is not null) _rasters.Add(r);
    }

    protected override void EndProcessing()
    {
        GeneRaster? automatic = null;
        try
        {
            if (_rasters.Count == 0) return;
            RasterChecks.RequireUniqueNames(_rasters);
            RasterChecks.RequireSameSize(_rasters);
            double sigma = Sigma;
            if (!MyInvocation.BoundParameters.ContainsKey(nameof(Sigma)))
            {
                sigma = AdaptiveScale.ChooseSigma(_rasters, out double spacing);
                WriteVerbose(double.IsNaN(spacing)
                    ? $"Automatic scale: no gene has 2 non-zero pixels; σ = {sigma:g4} px (the fixed default)."
                    : $"Automatic scale: median nearest-neighbour spacing of non-zero pixels {spacing:g3} px → σ = {sigma:g4} px (as Get-RankedPairs); give -Sigma to override.");
            }
            var mask = Mask;
            if (mask is null && !NoTissueMask)
            {
                automatic = TissueMask.FromSupport(_rasters);
                double fraction = TissueMask.Fraction(automatic);
                if (fraction < 1.0)
                {
                    mask = automatic;
                    WriteVerbose($"Tissue mask: the genes' joint support covers {fraction:P1} of the canvas; only those pixels are sites. -NoTissueMask uses the whole canvas.");
                }
            }
            int r = (int)(4 * sigma + 0.5);
            WriteVerbose($"Moran's I of {_rasters.Count} genes with Gaussian weights (σ = {sigma:g4} px, {2 * r + 1} × {2 * r + 1} window, self excluded, zero-padded border); " +
                         "variance under randomisation (Cliff & Ord), one-sided normal p-values, q-values by Benjamini–Hochberg over the genes.");
            var progress = new ProgressReporter(this, 1, "Spatial autocorrelation of each gene");
            var results = SpatialAutocorrelation.Compute(_rasters, sigma, mask,
                new InlineProgress<(int Done, int Total, string Gene)>(p => progress.Report(p.Total == 0 ? 1 : (double)p.Done / p.Total, p.Gene.Length > 0 ? $"gene {p.Gene}" : "finishing")),
                StopToken);
            progress.Complete();
            int written = 0;
            foreach (var result in results)
            {
                if (Top > 0 && written >= Top) break;
                if (MaxQValue is double q && !(result.QValue <= q)) continue;
                WriteObject(result);
                written++;
            }
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e) { ThrowFailure(e, null, "AutocorrelationFailed"); }
        finally { automatic?.Dispose(); }
    }
}
