using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>Defaults chosen from the data at hand: the smoothing scale (<see cref="AdaptiveScale"/>).</summary>
public abstract partial class SimilarityCmdlet
{
    /// <summary>Whether <paramref name="method"/> smooths with a σ that the data choose when -Sigma is not given.</summary>
    public static bool HasAdaptiveSigma(SimilarityMethod method) =>
        method is SimilarityMethod.SmoothedPearson or SimilarityMethod.RoiPearson;

    /// <summary>
    /// The options for comparing <paramref name="rasters"/>: without -Sigma, SmoothedPearson gets σ from
    /// <see cref="AdaptiveScale.ChooseSigma(IReadOnlyList{GeneRaster})"/> and RoiPearson half of it (the ratio of their fixed
    /// defaults, 4 and 2); an explicit -Sigma always wins.
    /// </summary>
    protected SimilarityOptions OptionsFor(IReadOnlyList<GeneRaster> rasters, bool verbose = true)
    {
        var options = Options;
        if (Sigma is null && HasAdaptiveSigma(Method) && rasters.Count > 0)
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
                      $"{(Method == SimilarityMethod.RoiPearson ? $" (RoiPearson smooths with σ/2 = {sigma / 2:g4})" : "")}; give -Sigma to override.");
        }
        return options;
    }
}
