using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>Compares each input raster with a reference raster; higher Score = more similar.</summary>
[Cmdlet(VerbsDiagnostic.Measure, "PatternSimilarity")]
[OutputType(typeof(PatternSimilarity))]
public sealed class MeasurePatternSimilarityCommand : SimilarityCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    public GeneRaster Reference { get; set; } = null!;

    [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 1)]
    public GeneRaster[] InputObject { get; set; } = Array.Empty<GeneRaster>();

    protected override void ProcessRecord()
    {
        foreach (var raster in InputObject)
        {
            if (raster is null) continue;
            try
            {
                StopToken.ThrowIfCancellationRequested();
                var result = SimilarityMeasures.Measure(Method, Reference, raster, OptionsFor(new[] { Reference, raster }, verbose: true));
                if (double.IsNaN(result.Score))
                    WriteWarning($"{Method} of '{Reference.Gene}' and '{raster.Gene}' is undefined (Score NaN): {result.Note}.");
                WriteObject(result);
            }
            catch (OperationCanceledException) { throw new PipelineStoppedException(); }
            catch (Exception e) { WriteFailure(e, raster, "SimilarityFailed"); }
        }
    }
}
