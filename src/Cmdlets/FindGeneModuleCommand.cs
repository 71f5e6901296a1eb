using System.Globalization;
using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Clustering;
using SpatialSim.TorchCore.Output;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>
/// Groups genes into modules of alike patterns: average-linkage (UPGMA) hierarchical clustering of the ranked pairs,
/// distance from the score by -Distance, the tree cut at -Height or into -Count modules.
/// </summary>
[Cmdlet(VerbsCommon.Find, "GeneModule", DefaultParameterSetName = CountSet)]
[OutputType(typeof(GeneModule))]
public sealed class FindGeneModuleCommand : SpatialSimCmdlet
{
    private const string CountSet = "Count";
    private const string HeightSet = "Height";
    private readonly List<RankedPair> _pairs = new();

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public RankedPair[] InputObject { get; set; } = Array.Empty<RankedPair>();

    /// <summary>Cut the tree into at most this many modules.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CountSet, Position = 0)]
    [ValidateRange(1, int.MaxValue)]
    public int Count { get; set; }

    /// <summary>Cut the tree at this distance: genes joined at a height ≤ it share a module.</summary>
    [Parameter(Mandatory = true, ParameterSetName = HeightSet)]
    [ValidateRange(0.0, double.MaxValue)]
    public double Height { get; set; }

    [Parameter]
    public DistanceRule Distance { get; set; } = DistanceRule.Auto;

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
                throw new SpatialSimException(ErrorKind.InvalidArgument,
                    $"Clustering needs the score of every pair, but {matrix.MissingPairs.Count} of the {matrix.Count * (matrix.Count - 1) / 2} pairs of these " +
                    $"{matrix.Count} genes were not given ({matrix.DescribeMissing()}). Pass all pairs: Get-RankedPairs without -Top or -Gene.");
            var rule = GeneModules.Resolve(Distance, matrix.Method);
            var distances = GeneModules.Distances(matrix, rule, out int undefined);
            if (undefined > 0)
                WriteWarning($"{undefined} pairs have no score (NaN, e.g. a constant gene); they are placed at the largest distance, so those genes join last.");
            var tree = AverageLinkage.Build(distances, StopToken);
            string how = GeneModules.Describe(rule);
            int[] labels;
            string cut;
            if (ParameterSetName == HeightSet)
            {
                labels = tree.CutAtHeight(Height);
                cut = $"height ≤ {Height.ToString("g4", CultureInfo.InvariantCulture)} ({how})";
            }
            else
            {
                labels = tree.CutIntoCount(Count);
                cut = $"count {Count} ({how})";
                int got = labels.Length == 0 ? 0 : labels.Max() + 1;
                if (got < Math.Min(Count, matrix.Count))
                    WriteWarning($"{got} modules instead of {Count}: several merges tie at the cut height, and tied merges are made together.");
            }
            WriteVerbose($"{matrix.Count} genes clustered by average linkage on {how} ({matrix.Method}); merge heights " +
                         $"{(tree.Merges.Count > 0 ? $"{tree.Merges[0].Height:g4} … {tree.Merges[^1].Height:g4}" : "none")}.");
            foreach (var module in GeneModules.FromLabels(matrix, tree, labels, cut))
                WriteObject(module);
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e) { ThrowFailure(e, null, "ClusteringFailed"); }
    }
}
