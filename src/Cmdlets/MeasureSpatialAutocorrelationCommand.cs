using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Defaults;
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
        AnalysisDefaults? defaults = null;
        try
        {
            if (_rasters.Count == 0) return;
            RasterChecks.RequireUniqueNames(_rasters);
            RasterChecks.RequireSameSize(_rasters);
            bool sigmaGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Sigma));
            // σ and the tissue as Get-RankedPairs chooses them (count splitting, density mask at the analysis scale), on
            // the canvas itself: Moran's I is computed at full resolution.
            defaults = AnalysisDefaults.Choose(_rasters, new AnalysisRequest
            {
                Sigma = sigmaGiven ? new[] { Sigma } : null,
                NeedsSigma = !sigmaGiven,
                NeedsMask = Mask is null && !NoTissueMask,
                AllowGrid = false,
            }, StopToken);
            double sigma = defaults.Sigma ?? Sigma;
            if (!sigmaGiven && defaults.Scale is not null)
                WriteVerbose($"Automatic scale: σ = {sigma:g4} px by Poisson count splitting (as Get-RankedPairs; Get-RankedPairs -Verbose shows the candidates); give -Sigma to override.");
            var mask = Mask ?? defaults.Mask;
            if (defaults.Mask is not null)
                WriteVerbose($"Tissue mask: the smoothed density of all genes covers {defaults.MaskFraction:P1} of the canvas; only those pixels are sites. -NoTissueMask uses the whole canvas.");
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
        finally { defaults?.Dispose(); }
    }
}
