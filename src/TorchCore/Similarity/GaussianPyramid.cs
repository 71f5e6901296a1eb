using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// Gaussian pyramid (Burt &amp; Adelson 1983, "The Laplacian pyramid as a compact image code"): level 0 is the
/// raster; each further level blurs the previous one with σ = 2/3 pixel (scikit-image's pyramid_reduce default
/// for a factor of 2: σ = 2·factor/6) and keeps every second row and column. Used by <c>-Pyramid</c>: a measure
/// is computed on each level and the levels' scores are averaged, so both fine and coarse structure count.
/// </summary>
public static class GaussianPyramid
{
    public const double ReduceSigma = 2.0 / 3.0;

    /// <summary>The levels 0..count-1; level 0 is the input itself (not a copy). Dispose the others.</summary>
    public static IReadOnlyList<GeneRaster> Levels(GeneRaster raster, int count)
    {
        if (count < 1) throw new SpatialSimException(ErrorKind.InvalidArgument, $"-Pyramid needs 1 level or more, got {count}.");
        var levels = new List<GeneRaster> { raster };
        for (int l = 1; l < count; l++)
        {
            var previous = levels[^1];
            if (previous.Width < 2 || previous.Height < 2)
                throw new SpatialSimException(ErrorKind.InvalidArgument,
                    $"Gene '{raster.Gene}' ({raster.Width}×{raster.Height}) is too small for {count} pyramid levels; level {l} would be empty. Use fewer levels.") { Gene = raster.Gene };
            using var scope = torch.NewDisposeScope();
            var blurred = GaussianSmoothing.Blur(previous.Values, previous.Device, ReduceSigma);
            using (blurred)
            {
                var reduced = blurred.slice(0, 0, previous.Height, 2).slice(1, 0, previous.Width, 2).contiguous();
                levels.Add(previous.WithReduced(reduced.MoveToOuterDisposeScope(), $"pyramid level {l}"));
            }
        }
        return levels;
    }
}
