using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>Ranks all pairs of the input rasters by similarity, most similar first.</summary>
[Cmdlet(VerbsCommon.Get, "RankedPairs")]
[OutputType(typeof(RankedPair))]
public sealed class GetRankedPairsCommand : SimilarityCmdlet
{
    private readonly List<GeneRaster> _rasters = new();

    [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
    public GeneRaster[] InputObject { get; set; } = Array.Empty<GeneRaster>();

    /// <summary>Only the first N pairs.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; }

    /// <summary>Only the pairs that contain this gene (its best partners first).</summary>
    [Parameter]
    public string? Gene { get; set; }

    /// <summary>Working-memory budget of the Gram path (GB); default a quarter of the physical memory.</summary>
    [Parameter]
    [ValidateRange(1e-6, 1e6)]
    public double MaxMemoryGB { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var r in InputObject)
            if (r is not null) _rasters.Add(r);
    }

    protected override void EndProcessing()
    {
        try
        {
            if (_rasters.Count < 2)
                throw new SpatialSimException(ErrorKind.InvalidArgument,
                    $"Get-RankedPairs needs at least two gene rasters to form a pair; it received {_rasters.Count}" +
                    (_rasters.Count == 1 ? $" ('{_rasters[0].Gene}')." : "."));
            RasterChecks.RequireUniqueNames(_rasters);
            RasterChecks.RequireSameSize(_rasters);
            var options = Options;
            bool gram = AllPairsSimilarity.HasGramPath(Method, options);
            WriteVerbose($"Ranking {_rasters.Count} genes ({_rasters.Count * (_rasters.Count - 1) / 2} pairs) by {Method} {options.Describe(Method)} " +
                         (gram ? $"as one Gram matrix on {_rasters[0].Device}." : $"pair by pair on {_rasters[0].Device}."));
            long? budget = MyInvocation.BoundParameters.ContainsKey(nameof(MaxMemoryGB)) ? (long)(MaxMemoryGB * 1e9) : null;
            if (gram) WriteVerbose("Gram path: " + CorrelationGram.Plan(_rasters, Method == SimilarityMethod.SmoothedPearson ? options.Sigmas[0] : 0, budget).Describe());
            var progress = new ProgressReporter(this, 1, $"Ranking gene pairs by {Method}");
            var scores = AllPairsSimilarity.Compute(_rasters, Method, options,
                new InlineProgress<(int Done, int Total, string Step)>(p =>
                    progress.Report(p.Total == 0 ? 1 : (double)p.Done / p.Total, p.Step.Length > 0 ? $"{p.Done + 1}/{p.Total}: {p.Step}" : "finishing")),
                StopToken, budget);
            progress.Complete();
            var genes = _rasters.Select(r => r.Gene).ToList();
            for (int i = 0; i < genes.Count; i++)
                if (double.IsNaN(scores[i, i]))
                    WriteWarning($"Gene '{genes[i]}' is constant over the raster (e.g. all zero): its pairs have Score NaN and are ranked last.");
            var ranked = PairRanking.Rank(genes, scores, Method.ToString(), options.Describe(Method), Top > 0 ? Top : null, Gene);
            foreach (var pair in ranked) WriteObject(pair);
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e) { ThrowFailure(e, Gene, "RankingFailed"); }
    }
}
