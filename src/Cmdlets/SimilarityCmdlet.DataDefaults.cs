using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Defaults;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>
/// Defaults chosen from the data at hand (<see cref="AnalysisDefaults"/>): the smoothing scale (<see cref="CountSplitScale"/>),
/// the working grid (<see cref="WorkingGrid"/>) and the tissue mask at the analysis scale (<see cref="DensityTissueMask"/>).
/// -Sigma, -Mask and -NoTissueMask always win.
/// </summary>
public abstract partial class SimilarityCmdlet : IDisposable
{
    /// <summary>Compare over the whole canvas instead of the tissue estimated from the genes (the default for Pearson and SmoothedPearson without -Mask).</summary>
    [Parameter]
    public SwitchParameter NoTissueMask { get; set; }

    private AnalysisDefaults? _defaults;

    /// <summary>Whether <paramref name="method"/> takes a mask, and so gets the automatic tissue mask.</summary>
    public static bool TakesMask(SimilarityMethod method) => SimilarityMeasures.For(method).Facts.TakesMask;

    /// <summary>Whether <paramref name="method"/> smooths with a σ that the data choose when -Sigma is not given.</summary>
    public static bool HasAdaptiveSigma(SimilarityMethod method) => SimilarityMeasures.For(method).Facts.AutomaticSigma;

    /// <summary>The options for comparing <paramref name="rasters"/> on their own canvas (Measure-PatternSimilarity); see <see cref="Defaults"/>.</summary>
    protected SimilarityOptions OptionsFor(IReadOnlyList<GeneRaster> rasters, bool verbose = true) =>
        Defaults(rasters, allowGrid: false, verbose, out _);

    /// <summary>
    /// The options for ranking <paramref name="rasters"/> and the rasters to rank: on a working grid coarser than the canvas when
    /// every method smooths with one σ of several pixels (<see cref="WorkingGrid"/>), unless <paramref name="fullResolution"/>.
    /// </summary>
    protected SimilarityOptions OptionsOnWorkingGrid(IReadOnlyList<GeneRaster> rasters, bool fullResolution, out IReadOnlyList<GeneRaster> working)
    {
        var options = Defaults(rasters, allowGrid: !fullResolution && Pyramid <= 1 && Methods.All(m => m == SimilarityMethod.SmoothedPearson), true, out working);
        AnnounceLongRun(working, options, fullResolution);
        return options;
    }

    /// <summary>The Gram path's memory budget (-MaxMemoryGB where the cmdlet has it); null for the default.</summary>
    protected virtual long? MemoryBudgetBytes => null;

    /// <summary>
    /// Before a ranking whose plan is estimated at more than a minute (<see cref="GramCost"/>), says so on the host (also into
    /// redirected logs) and what would make it faster.
    /// </summary>
    private void AnnounceLongRun(IReadOnlyList<GeneRaster> rasters, SimilarityOptions options, bool fullResolution)
    {
        if (rasters.Count < 2) return;
        var total = TimeSpan.Zero;
        GramPlan? plan = null;
        foreach (var method in Methods)
        {
            var o = ForMethod(options, method);
            if (!AllPairsSimilarity.HasGramPath(method, o)) return;  // no plan to estimate from; the progress log reports the ETA
            double sigma = method == SimilarityMethod.SmoothedPearson ? o.Sigmas[0] : 0;
            try { plan = CorrelationGram.Plan(rasters, sigma, MemoryBudgetBytes); }
            catch (SpatialSimException) { return; }  // the ranking itself reports a budget that is too small
            total += GramCost.Estimate(plan, sigma, o.Mask is not null, rasters);
        }
        if (total < GramCost.Announce || plan is null) return;
        var faster = new List<string>();
        if (fullResolution && options.Sigmas[0] >= 2 * WorkingGrid.SigmaPerStride)
            faster.Add("without -FullResolution (the working grid of σ/3-pixel blocks)");
        faster.Add("importing with a larger -BinSize (each doubling quarters the pixels)");
        if (Sigma is not null) faster.Add("a larger -Sigma, or none (σ from the data)");
        if (plan.Strips > 1 && plan.StripRows < CorrelationGram.HaloMultiple * plan.Halo) faster.Add("a larger -MaxMemoryGB (taller strips)");
        WriteInformation(new HostInformationMessage
        {
            Message = $"[SpatialSim] This ranking will take about {ProgressLog.Duration(total.TotalSeconds)} ({rasters.Count} genes, " +
                      $"{rasters[0].Width}×{rasters[0].Height} pixels, {plan.Strips} strip(s)). Faster: {string.Join("; ", faster)}.",
        }, new[] { "PSHOST", "SpatialSim.Estimate" });
    }

    /// <summary>
    /// Without -Sigma, SmoothedPearson gets σ from <see cref="CountSplitScale"/> and RoiPearson half of it (the ratio of their fixed
    /// defaults, 4 and 2). Without -Mask and -NoTissueMask, Pearson and SmoothedPearson are computed inside the tissue at the
    /// analysis scale (<see cref="DensityTissueMask"/>; not used when it covers the whole canvas).
    /// </summary>
    private SimilarityOptions Defaults(IReadOnlyList<GeneRaster> rasters, bool allowGrid, bool verbose, out IReadOnlyList<GeneRaster> working)
    {
        var options = Options;
        _defaults?.Dispose();
        _defaults = null;
        working = rasters;
        if (rasters.Count == 0) return options;
        var request = new AnalysisRequest
        {
            Sigma = Sigma,
            NeedsSigma = Sigma is null && Methods.Any(HasAdaptiveSigma),
            NeedsMask = Mask is null && !NoTissueMask && Methods.Any(TakesMask),
            Mask = Mask,
            AllowGrid = allowGrid,
        };
        var defaults = _defaults = AnalysisDefaults.Choose(rasters, request, StopToken);
        working = defaults.Rasters;
        if (defaults.Scale is { } scale && request.NeedsSigma)
        {
            double sigma = scale.Sigma;
            options = options with { Sigmas = new[] { sigma }, RoiPearson = options.RoiPearson with { Sigma = sigma / 2 } };
            if (verbose)
            {
                WriteVerbose(scale.Summary() + (Methods.Contains(SimilarityMethod.RoiPearson) ? $" RoiPearson smooths with σ/2 = {sigma / 2:g4} px." : ""));
                foreach (var line in scale.Table()) WriteVerbose(line);
            }
        }
        if (defaults.Grid is { } grid)
        {
            options = options with { Sigmas = options.Sigmas.Select(defaults.OnGrid).ToArray(), Grid = grid with { Sigma = options.Sigmas[0] } };
            if (verbose)
                WriteVerbose($"Working grid: σ = {options.Grid!.Sigma:g4} px leaves no detail finer than about σ/3, so the genes are summed over {grid.Stride}×{grid.Stride}-pixel " +
                             $"blocks ({grid.CanvasWidth}×{grid.CanvasHeight} → {grid.Width}×{grid.Height} pixels) and smoothed there with σ = {options.Sigmas[0]:g4} " +
                             "(Parameters 'grid='); -FullResolution computes on every pixel.");
        }
        if (defaults.UserMask is { } userMask) options = options with { Mask = userMask };
        if (request.NeedsMask)
        {
            if (defaults.Mask is { } mask)
            {
                options = options with { Mask = mask };
                if (verbose)
                    WriteVerbose($"Tissue mask: the density of all genes' counts smoothed at σ = {defaults.Sigma:g4} px, thresholded (Otsu on its logarithm), " +
                                 $"holes filled: {defaults.MaskFraction:P1} of the canvas, {defaults.MaskCounts:P1} of the counts, {defaults.MaskSeconds:0.00} s; only those " +
                                 "pixels count (Parameters 'mask=tissue'). -NoTissueMask uses the whole canvas, -Mask gives your own.");
            }
            else if (verbose) WriteVerbose("Tissue mask: the tissue estimated from the genes covers the whole canvas; no mask needed.");
        }
        return options;
    }

    /// <summary>
    /// The options for one of several methods: the automatic tissue mask applies only to the methods that take a mask
    /// (a consensus with Spearman, say, computes Spearman on the whole canvas); a mask given with -Mask is kept as it is.
    /// </summary>
    protected SimilarityOptions ForMethod(SimilarityOptions options, SimilarityMethod method) =>
        options.Mask is not null && _defaults?.Mask is { } automatic && ReferenceEquals(options.Mask, automatic) && !TakesMask(method) ? options with { Mask = null } : options;

    public void Dispose()
    {
        _defaults?.Dispose();
        _defaults = null;
        GC.SuppressFinalize(this);
    }
}
