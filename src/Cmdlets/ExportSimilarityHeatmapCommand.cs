using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Clustering;
using SpatialSim.TorchCore.Output;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>
/// Draws the gene × gene score matrix of ranked pairs as a PNG heat map, rows and columns in average-linkage
/// dendrogram order so modules show as blocks, with a colour bar and gene names (≤ 100 genes).
/// </summary>
[Cmdlet(VerbsData.Export, "SimilarityHeatmap", SupportsShouldProcess = true, DefaultParameterSetName = FileExportCmdlet.PathSet)]
[OutputType(typeof(FileInfo))]
public sealed class ExportSimilarityHeatmapCommand : PictureExportCmdlet
{
    private readonly List<RankedPair> _pairs = new();

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public RankedPair[] InputObject { get; set; } = Array.Empty<RankedPair>();

    [Parameter]
    public DistanceRule Distance { get; set; } = DistanceRule.Auto;

    /// <summary>Largest side of the matrix in pixels.</summary>
    [Parameter]
    [ValidateRange(16, 16384)]
    public int MaxSize { get; set; } = 2048;

    protected override void ProcessRecord()
    {
        foreach (var p in InputObject)
            if (p is not null) _pairs.Add(p);
    }

    protected override void EndProcessing()
    {
        try
        {
            var matrix = SimilarityMatrix.FromPairs(_pairs);
            if (matrix.MissingPairs.Count > 0)
                WriteWarning($"{matrix.MissingPairs.Count} of the {matrix.Count * (matrix.Count - 1) / 2} pairs were not given ({matrix.DescribeMissing()}); " +
                             "they are drawn grey and placed as far apart as the farthest given pair. Pass all pairs for a faithful picture.");
            int[] order = Array.Empty<int>();
            var file = Save($"Draw the {matrix.Count}×{matrix.Count} {matrix.Method} heat map", () =>
            {
                order = SimilarityHeatmap.Order(matrix, Distance, StopToken);
                return SimilarityHeatmap.Render(matrix, order, ColorMap, MaxSize, StopToken);
            });
            if (file is not null && PassThru)
            {
                var output = PSObject.AsPSObject(file);
                output.Properties.Add(new PSNoteProperty("GeneOrder", order.Select(i => matrix.Genes[i]).ToArray()));
                WriteObject(output);
            }
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e) { WriteFailure(e, Target, "HeatmapFailed"); }
    }
}
