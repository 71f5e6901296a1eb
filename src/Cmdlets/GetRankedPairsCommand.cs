using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>Ranks all pairs of the input rasters by similarity (or a consensus of several measures), most similar first.</summary>
[Cmdlet(VerbsCommon.Get, "RankedPairs")]
[OutputType(typeof(RankedPair))]
public sealed partial class GetRankedPairsCommand : SimilarityCmdlet
{
    private readonly List<GeneRaster> _rasters = new();

    /// <summary>Genes with fewer counts than this (but some) get a warning: their patterns are mostly sampling noise.</summary>
    private const double FewCounts = 20;

    /// <summary>The gene rasters; also bound from the Raster property of Measure-SpatialAutocorrelation's output.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, Position = 0)]
    [Alias("Raster")]
    public GeneRaster[] InputObject { get; set; } = Array.Empty<GeneRaster>();

    /// <summary>Only the first N pairs.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; }

    /// <summary>Only the pairs that contain this gene (its best partners first).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(GeneNameCompleter))]
    public string? Gene { get; set; }

    /// <summary>Rank rasters with repeated gene names, suffixing the repeats (#2, #3…) instead of failing.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

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
            if (!Force) RasterChecks.RequireUniqueNames(_rasters);
            var (genes, renamed) = RasterChecks.SuffixDuplicateNames(_rasters);
            if (renamed.Count > 0) WriteWarning($"Repeated gene names were suffixed (-Force): {string.Join(", ", renamed)}.");
            RasterChecks.RequireSameSize(_rasters);
            // Judged on the raw counts: normalised spot data (Import-GeneRaster -Normalize) carry them in RawTotal.
            var sparse = _rasters.Where(r => r.Total > 0 && r.RawTotal < FewCounts).Select(r => $"'{r.Gene}' ({r.RawTotal:g4})").ToList();
            if (sparse.Count > 0)
                WriteWarning($"{sparse.Count} gene(s) have fewer than {FewCounts} counts, so their patterns are mostly sampling noise and their scores " +
                             $"are unreliable: {string.Join(", ", sparse.Take(10))}{(sparse.Count > 10 ? ", …" : "")}. Consider Import-GeneRaster -MinTotal or a larger -BinSize.");
            var options = OptionsOnWorkingGrid(_rasters, FullResolution, out var working);
            if (!ReferenceEquals(working, _rasters)) { _rasters.Clear(); _rasters.AddRange(working); }  // ranked on the working grid (SimilarityCmdlet.DataDefaults)
            foreach (var pair in Rank(options, genes)) WriteObject(pair.PValue is null ? pair : WithSignificanceView(pair));
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e) { ThrowFailure(e, Gene, "RankingFailed"); }
    }
}
