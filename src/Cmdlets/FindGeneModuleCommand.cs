using System.Globalization;
using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Clustering;
using SpatialSim.TorchCore.Output;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>
/// Groups genes into modules of alike patterns: average-linkage (UPGMA) hierarchical clustering, distance from the score by
/// -Distance, the tree cut at -Height or into -Count modules. The scores come from ranked pairs in the pipeline, from a
/// matrix file (-Path, as Get-RankedPairs -MatrixPath writes it), or straight from gene rasters in the pipeline (Pearson or
/// SmoothedPearson streamed in bands, never as pair objects).
/// </summary>
[Cmdlet(VerbsCommon.Find, "GeneModule", DefaultParameterSetName = CountSet)]
[OutputType(typeof(GeneModule))]
public sealed class FindGeneModuleCommand : SimilarityCmdlet
{
    private const string CountSet = "Count";
    private const string HeightSet = "Height";
    private readonly List<RankedPair> _pairs = new();
    private readonly List<GeneRaster> _rasters = new();
    private readonly List<string> _files = new();

    /// <summary>RankedPair objects (all pairs of the genes) or GeneRaster objects, usually from the pipeline.</summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject[] InputObject { get; set; } = Array.Empty<PSObject>();

    /// <summary>A .npy score matrix (with its .genes.txt list) to cluster; wildcards allowed (one file must match).</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>A .npy score matrix to cluster, taken literally (no wildcards).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

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

    /// <summary>Working-memory budget (GB) when clustering from rasters or a file (the condensed distances, and the streamed bands).</summary>
    [Parameter]
    [ValidateRange(1e-6, 1e6)]
    public double MaxMemoryGB { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            foreach (var o in InputObject)
            {
                switch (o?.BaseObject)
                {
                    case null: break;
                    case RankedPair p: _pairs.Add(p); break;
                    case GeneRaster r: _rasters.Add(r); break;
                    default:
                        throw new SpatialSimException(ErrorKind.InvalidArgument,
                            $"Find-GeneModule clusters ranked pairs (Get-RankedPairs) or gene rasters (Import-GeneRaster), not {o.BaseObject.GetType().Name}. " +
                            "To cluster a matrix file, give it with -Path.");
                }
            }
            if (Path is not null)
                foreach (var pattern in Path)
                {
                    var found = GetResolvedProviderPathFromPSPath(pattern, out _);
                    if (found.Count != 1)
                        throw new SpatialSimException(found.Count == 0 ? ErrorKind.NotFound : ErrorKind.InvalidArgument,
                            found.Count == 0 ? $"No file matches '{pattern}'." : $"'{pattern}' matches {found.Count} files; give one matrix file.") { FilePath = pattern };
                    _files.Add(found[0]);
                }
            if (LiteralPath is not null)
                foreach (var p in LiteralPath) _files.Add(GetUnresolvedProviderPathFromPSPath(p));
            Path = null;
            LiteralPath = null;
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e) { ThrowFailure(e, null, "ClusteringInputFailed"); }
    }

    protected override void EndProcessing()
    {
        try
        {
            int sources = (_pairs.Count > 0 ? 1 : 0) + (_rasters.Count > 0 ? 1 : 0) + (_files.Count > 0 ? 1 : 0);
            if (sources != 1 || _files.Count > 1)
                throw new SpatialSimException(ErrorKind.InvalidArgument, sources == 0
                    ? "Nothing to cluster: pipe ranked pairs (Get-RankedPairs) or gene rasters in, or give a matrix file with -Path."
                    : "Give one source to cluster: ranked pairs, gene rasters, or one matrix file (-Path), not several.");
            if (_pairs.Count > 0) ClusterPairs();
            else if (_rasters.Count > 0) ClusterRasters();
            else ClusterFile(_files[0]);
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e) { ThrowFailure(e, null, "ClusteringFailed"); }
    }

    private void ClusterPairs()
    {
        var matrix = SimilarityMatrix.FromPairs(_pairs);
        if (matrix.MissingPairs.Count > 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"Clustering needs the score of every pair, but {matrix.MissingPairs.Count} of the {matrix.Count * (matrix.Count - 1) / 2} pairs of these " +
                $"{matrix.Count} genes were not given ({matrix.DescribeMissing()}). Pass all pairs: Get-RankedPairs without -Top or -Gene, or pipe the rasters in directly.");
        var rule = GeneModules.Resolve(Distance, matrix.Method);
        var distances = GeneModules.Distances(matrix, rule, out int undefined);
        if (undefined > 0)
            WriteWarning($"{undefined} pairs have no score (NaN, e.g. a constant gene); they are placed at the largest distance, so those genes join last.");
        var tree = AverageLinkage.Build(distances, StopToken);
        var (labels, cut) = Cut(tree, matrix.Count, GeneModules.Describe(rule));
        WriteVerbose($"{matrix.Count} genes clustered by average linkage on {GeneModules.Describe(rule)} ({matrix.Method}); merge heights {Heights(tree)}.");
        foreach (var module in GeneModules.FromLabels(matrix, tree, labels, cut)) WriteObject(module);
    }

    private void ClusterRasters()
    {
        RasterChecks.RequireUniqueNames(_rasters);
        RasterChecks.RequireSameSize(_rasters);
        var methods = Methods;
        if (methods.Length != 1 || methods[0] is not (SimilarityMethod.Pearson or SimilarityMethod.SmoothedPearson))
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"From gene rasters Find-GeneModule streams Pearson or SmoothedPearson (one -Method); for {string.Join(", ", methods)} pipe Get-RankedPairs -Method … into it instead.");
        var options = ForMethod(OptionsFor(_rasters), methods[0]);
        if (!AllPairsSimilarity.HasGramPath(methods[0], options))
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                "From gene rasters Find-GeneModule needs one -Sigma and no -Pyramid (the streamed Gram path); pipe Get-RankedPairs into it for the other settings.");
        double sigma = methods[0] == SimilarityMethod.SmoothedPearson ? options.Sigmas[0] : 0;
        int n = _rasters.Count;
        long? budget = MyInvocation.BoundParameters.ContainsKey(nameof(MaxMemoryGB)) ? (long)(MaxMemoryGB * 1e9) : null;
        var plan = CorrelationBands.Plan(_rasters, sigma, 0, n, CondensedDistances.Bytes(n), budget);
        string label = $"{methods[0]} {options.Describe(methods[0])}".Trim();
        WriteVerbose($"Clustering {n} genes by {label}: the condensed distances take {CondensedDistances.Bytes(n) / 1e6:0.#} MB (clustered in place); scores streamed in {plan.Describe()}");
        var progress = new ProgressReporter(this, 1, $"Scoring gene pairs by {methods[0]} for clustering");
        var source = StreamedModules.FromCorrelations(_rasters, sigma, plan, label, options.SmoothingMethod, options.Mask,
            new InlineProgress<(int Done, int Total, string Step)>(p => progress.Report(p.Total == 0 ? 1 : (double)p.Done / p.Total, p.Step.Length > 0 ? p.Step : "finishing")),
            StopToken);
        progress.Complete();
        foreach (var g in Enumerable.Range(0, n).Where(g => source.Undefined[g]))
            WriteWarning($"Gene '{source.Genes[g]}' is constant over the raster (e.g. all zero): its pairs have no score and it joins last.");
        Cluster(source, file: null);
    }

    private void ClusterFile(string path)
    {
        using var file = SimilarityMatrixFile.Open(path);
        int n = file.Count;
        long budget = MyInvocation.BoundParameters.ContainsKey(nameof(MaxMemoryGB)) ? (long)(MaxMemoryGB * 1e9) : CorrelationGram.DefaultMemoryBudget;
        if (CondensedDistances.Bytes(n) > budget)
            throw new SpatialSimException(ErrorKind.LimitExceeded,
                $"Clustering {n:N0} genes holds their {CondensedDistances.Length(n):N0} pair distances ({CondensedDistances.Bytes(n) / 1e9:0.##} GB), more than the budget of " +
                $"{budget / 1e9:0.##} GB. Raise -MaxMemoryGB, or cluster fewer genes (e.g. the most spatially variable ones).") { FilePath = path };
        WriteVerbose($"Clustering the {n} × {n} matrix '{path}': the condensed distances take {CondensedDistances.Bytes(n) / 1e6:0.#} MB (clustered in place); the file is read row by row, twice.");
        var source = StreamedModules.FromFile(file, StopToken);
        Cluster(source, file);
    }

    /// <summary>Distances in place, the nearest-neighbour chain, the cut, and the modules with their mean scores.</summary>
    private void Cluster(ScoreSource source, SimilarityMatrixFile? file)
    {
        int n = source.Genes.Count;
        var rule = Distance != DistanceRule.Auto ? Distance : source.UnitSelfScore ? DistanceRule.OneMinusScore : DistanceRule.MaxMinusScore;
        var (undefinedPairs, maxScore) = source.Matrix.ScoresToDistances(rule, source.Method, (i, j) => (source.Genes[i], source.Genes[j]));
        if (undefinedPairs > 0 && file is not null)
            WriteWarning($"{undefinedPairs} pairs have no score (NaN, e.g. a constant gene); they are placed at the largest distance, so those genes join last.");
        double top = 0;
        foreach (double d in source.Matrix.Values) top = Math.Max(top, d);
        var tree = AverageLinkage.Build(source.Matrix, StopToken);
        string how = GeneModules.Describe(rule);
        var (labels, cut) = Cut(tree, n, how);
        WriteVerbose($"{n} genes clustered by average linkage (nearest-neighbour chain) on {how} ({source.Method}); merge heights {Heights(tree)}.");
        var modules = GeneModules.FromLabels(source.Genes, source.Method, tree, labels, cut,
            groups => file is not null ? StreamedModules.MeanScores(file, groups, StopToken) : StreamedModules.MeanScores(tree, groups, source.Undefined, top, rule, maxScore));
        foreach (var module in modules) WriteObject(module);
    }

    private (int[] Labels, string Cut) Cut(Dendrogram tree, int genes, string how)
    {
        if (ParameterSetName == HeightSet)
            return (tree.CutAtHeight(Height), $"height ≤ {Height.ToString("g4", CultureInfo.InvariantCulture)} ({how})");
        var labels = tree.CutIntoCount(Count);
        int got = labels.Length == 0 ? 0 : labels.Max() + 1;
        if (got < Math.Min(Count, genes))
            WriteWarning($"{got} modules instead of {Count}: several merges tie at the cut height, and tied merges are made together.");
        return (labels, $"count {Count} ({how})");
    }

    private static string Heights(Dendrogram tree) =>
        tree.Merges.Count > 0 ? $"{tree.Merges[0].Height:g4} … {tree.Merges[^1].Height:g4}" : "none";
}
