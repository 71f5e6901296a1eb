using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>Compares each input raster with a reference raster, by each -Method in turn; higher Score = more similar.</summary>
[Cmdlet(VerbsDiagnostic.Measure, "PatternSimilarity")]
[OutputType(typeof(PatternSimilarity))]
public sealed class MeasurePatternSimilarityCommand : SimilarityCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    public GeneRaster Reference { get; set; } = null!;

    [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 1)]
    public GeneRaster[] InputObject { get; set; } = Array.Empty<GeneRaster>();

    private ProgressReporter? _progress;
    private int _done;

    protected override void ProcessRecord()
    {
        var options = Options;
        _progress ??= new ProgressReporter(this, 1, $"Comparing with '{Reference.Gene}' by {string.Join(", ", Methods)}");
        foreach (var raster in InputObject)
        {
            if (raster is null) continue;
            try
            {
                _progress.ReportItem(_done++, $"'{raster.Gene}'");
                foreach (var method in Methods)
                {
                    StopToken.ThrowIfCancellationRequested();
                    var result = SimilarityMeasures.Measure(method, Reference, raster, options);
                    if (double.IsNaN(result.Score))
                        WriteWarning($"{method} of '{Reference.Gene}' and '{raster.Gene}' is undefined (Score NaN): {result.Note}.");
                    WriteObject(result);
                }
            }
            catch (OperationCanceledException) { throw new PipelineStoppedException(); }
            catch (Exception e) { WriteFailure(e, raster, "SimilarityFailed"); }
        }
    }

    protected override void EndProcessing() => _progress?.Complete();
}
