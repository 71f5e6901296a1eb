using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>Defaults chosen from the data at hand: the smoothing scale (<see cref="AdaptiveScale"/>) and the tissue mask (<see cref="TissueMask"/>).</summary>
public abstract partial class SimilarityCmdlet : IDisposable
{
    /// <summary>Compare over the whole canvas instead of the tissue estimated from the genes (the default for Pearson and SmoothedPearson without -Mask).</summary>
    [Parameter]
    public SwitchParameter NoTissueMask { get; set; }

    private GeneRaster? _automaticMask;

    /// <summary>Whether <paramref name="method"/> takes a mask, and so gets the automatic tissue mask.</summary>
    public static bool TakesMask(SimilarityMethod method) => SimilarityMeasures.For(method).Facts.TakesMask;

    /// <summary>Whether <paramref name="method"/> smooths with a σ that the data choose when -Sigma is not given.</summary>
    public static bool HasAdaptiveSigma(SimilarityMethod method) => SimilarityMeasures.For(method).Facts.AutomaticSigma;

    /// <summary>
    /// The options for comparing <paramref name="rasters"/>: without -Sigma, SmoothedPearson gets σ from
    /// <see cref="AdaptiveScale.ChooseSigma(IReadOnlyList{GeneRaster})"/> and RoiPearson half of it (the ratio of their fixed
    /// defaults, 4 and 2); an explicit -Sigma always wins.
    /// </summary>
    /// <remarks>
    /// Without -Mask and -NoTissueMask, Pearson and SmoothedPearson are computed inside
    /// <see cref="TissueMask.FromSupport"/> of <paramref name="rasters"/> (not used when it covers the whole canvas).
    /// </remarks>
    protected SimilarityOptions OptionsFor(IReadOnlyList<GeneRaster> rasters, bool verbose = true)
    {
        var options = Options;
        _automaticMask?.Dispose();
        _automaticMask = null;
        if (Mask is null && !NoTissueMask && Methods.Any(TakesMask) && rasters.Count > 0)
        {
            var mask = TissueMask.FromSupport(rasters);
            double fraction = TissueMask.Fraction(mask);
            if (fraction >= 1.0)
            {
                mask.Dispose();
                if (verbose) WriteVerbose("Tissue mask: the genes' support (closed, holes filled) covers the whole canvas; no mask needed.");
            }
            else
            {
                _automaticMask = mask;
                options = options with { Mask = mask };
                if (verbose)
                    WriteVerbose($"Tissue mask: the genes' joint support, closed and hole-filled, covers {fraction:P1} of the canvas; only those pixels count " +
                                 "(Parameters 'mask=tissue'). -NoTissueMask uses the whole canvas, -Mask gives your own.");
            }
        }
        if (Sigma is null && Methods.Any(HasAdaptiveSigma) && rasters.Count > 0)
        {
            double sigma = AdaptiveScale.ChooseSigma(rasters, out double spacing);
            options = options with
            {
                Sigmas = new[] { sigma },
                RoiPearson = options.RoiPearson with { Sigma = sigma / 2 },
            };
            if (verbose)
                WriteVerbose(double.IsNaN(spacing)
                    ? $"Automatic scale: no gene has 2 non-zero pixels; σ = {sigma:g4} px (the fixed default)."
                    : $"Automatic scale: median nearest-neighbour spacing of non-zero pixels {spacing:g3} px → σ = {AdaptiveScale.Factor:g3} × {spacing:g3} = {sigma:g4} px" +
                      $"{(Methods.Contains(SimilarityMethod.RoiPearson) ? $" (RoiPearson smooths with σ/2 = {sigma / 2:g4})" : "")}; give -Sigma to override.");
        }
        return options;
    }

    /// <summary>
    /// The options for one of several methods: the automatic tissue mask applies only to the methods that take a mask
    /// (a consensus with Spearman, say, computes Spearman on the whole canvas); a mask given with -Mask is kept as it is.
    /// </summary>
    protected SimilarityOptions ForMethod(SimilarityOptions options, SimilarityMethod method) =>
        options.Mask is not null && ReferenceEquals(options.Mask, _automaticMask) && !TakesMask(method) ? options with { Mask = null } : options;

    public void Dispose()
    {
        _automaticMask?.Dispose();
        _automaticMask = null;
        GC.SuppressFinalize(this);
    }
}
