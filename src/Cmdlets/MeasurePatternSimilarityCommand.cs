using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>Compares each input raster with a reference raster, by each -Method in turn; higher Score = more similar.</summary>
/// <remarks>
/// When a default comes from the data (the automatic σ without -Sigma, the tissue mask without -Mask/-NoTissueMask),
/// the inputs are collected and compared at the end, with σ and tissue estimated from the reference and ALL inputs
/// (as Get-RankedPairs does for its genes), so a score does not depend on which other gene it was paired with.
/// Otherwise each input is compared as it arrives.
/// </remarks>
[Cmdlet(VerbsDiagnostic.Measure, "PatternSimilarity")]
[OutputType(typeof(PatternSimilarity))]
public sealed class MeasurePatternSimilarityCommand : SimilarityCmdlet
{
    private readonly List<GeneRaster> _pending = new();
    private ProgressReporter? _progress;
    private int _done;

    [Parameter(Mandatory = true, Position = 0)]
    public GeneRaster Reference { get; set; } = null!;

    [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 1)]
    public GeneRaster[] InputObject { get; set; } = Array.Empty<GeneRaster>();

    private bool DefaultsFromData =>
        (Sigma is null && Methods.Any(HasAdaptiveSigma)) || (Mask is null && !NoTissueMask && Methods.Any(TakesMask));

    protected override void ProcessRecord()
    {
        if (DefaultsFromData)
        {
            foreach (var raster in InputObject)
            {
                if (raster is null) continue;
                try
                {
                    RasterChecks.RequireSameCanvas(Reference, raster);
                    _pending.Add(raster);
                }
                catch (Exception e) { WriteFailure(e, raster, "SimilarityFailed"); }
            }
            return;
        }
        Compare(InputObject, Options);
    }

    protected override void EndProcessing()
    {
        if (_pending.Count > 0)
        {
            SimilarityOptions options;
            try
            {
                var all = new List<GeneRaster> { Reference };
                all.AddRange(_pending.Where(r => !ReferenceEquals(r, Reference)));
                options = OptionsFor(all);
            }
            catch (OperationCanceledException) { throw new PipelineStoppedException(); }
            catch (Exception e) { ThrowFailure(e, Reference, "SimilarityFailed"); return; }
            Compare(_pending, options);
        }
        _progress?.Complete();
    }

    private void Compare(IEnumerable<GeneRaster> rasters, SimilarityOptions options)
    {
        _progress ??= new ProgressReporter(this, 1, $"Comparing with '{Reference.Gene}' by {string.Join(", ", Methods)}");
        foreach (var raster in rasters)
        {
            if (raster is null) continue;
            try
            {
                _progress.ReportItem(_done++, $"'{raster.Gene}'");
                foreach (var method in Methods)
                {
                    StopToken.ThrowIfCancellationRequested();
                    var result = SimilarityMeasures.Measure(method, Reference, raster, ForMethod(options, method));
                    if (double.IsNaN(result.Score))
                        WriteWarning($"{method} of '{Reference.Gene}' and '{raster.Gene}' is undefined (Score NaN): {result.Note}.");
                    WriteObject(result);
                }
            }
            catch (OperationCanceledException) { throw new PipelineStoppedException(); }
            catch (Exception e) { WriteFailure(e, raster, "SimilarityFailed"); }
        }
    }
}
