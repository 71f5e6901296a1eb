using System.Runtime.CompilerServices;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// The default smoothing scale chosen from the data: <see cref="ChooseSigma(IReadOnlyList{GeneRaster})"/> is
/// <see cref="Defaults.CountSplitScale"/> (Poisson count splitting, the cross-validated bandwidth). The median
/// nearest-neighbour spacing of a raster's non-zero pixels, the earlier rule (σ = 1.5 × spacing), is kept for the
/// support mask's closing radius (<see cref="TissueMask.DefaultClosingRadius"/>): it was not the same physical scale
/// across binnings (57, 87 and 90 raw pixels at bins 1, 4 and 10 of the CA1 ISS table) and smoothed a dense ST grid
/// by 1.5 spots, across its layers.
/// Cost bound of the spacing: at most <see cref="MaxPointsPerGene"/> query pixels (evenly spaced); neighbours are
/// searched ring by ring on the pixel grid up to <see cref="MaxSearch"/> pixels.
/// </summary>
public static class AdaptiveScale
{
    public const int MaxPointsPerGene = 2000;
    public const int MaxSearch = 256;

    /// <summary>The automatic σ in pixels for these rasters (<see cref="Defaults.CountSplitScale.Choose"/>).</summary>
    public static double ChooseSigma(IReadOnlyList<GeneRaster> rasters) => Defaults.CountSplitScale.Choose(rasters).Sigma;

    /// <summary>Median Euclidean distance (pixels) from a non-zero pixel to the nearest other non-zero pixel; NaN with fewer than 2.</summary>
    public static double MedianNearestNeighbourDistance(GeneRaster raster) =>
        // Rasters are immutable, so a raster's spacing is computed once (Measure-PatternSimilarity asks for the reference's per input).
        Spacings.GetValue(raster, r => new StrongBox<double>(ComputeMedianNearestNeighbourDistance(r))).Value;

    private static readonly ConditionalWeakTable<GeneRaster, StrongBox<double>> Spacings = new();

    private static double ComputeMedianNearestNeighbourDistance(GeneRaster raster)
    {
        var pixels = raster.ToArray();
        int w = raster.Width, h = raster.Height;
        var occupied = new bool[pixels.Length];
        int count = 0;
        for (int i = 0; i < pixels.Length; i++)
            if (pixels[i] != 0) { occupied[i] = true; count++; }
        if (count < 2) return double.NaN;
        int stride = Math.Max(1, (int)Math.Ceiling(count / (double)MaxPointsPerGene));
        var distances = new List<double>(Math.Min(count, MaxPointsPerGene) + 1);
        int seen = 0;
        for (int i = 0; i < pixels.Length; i++)
        {
            if (!occupied[i]) continue;
            if (seen++ % stride != 0) continue;
            distances.Add(Nearest(occupied, w, h, i % w, i / w));
        }
        return Median(distances);
    }

    /// <summary>Distance to the nearest other occupied pixel: rings of growing Chebyshev radius until the best Euclidean distance is certain.</summary>
    private static double Nearest(bool[] occupied, int w, int h, int x0, int y0)
    {
        double best2 = double.PositiveInfinity;
        for (int r = 1; r <= MaxSearch; r++)
        {
            if ((double)r * r >= best2) break;  // every pixel of this ring and beyond is at least r away
            int yLo = y0 - r, yHi = y0 + r, xLo = x0 - r, xHi = x0 + r;
            if (yLo < 0 && yHi >= h && xLo < 0 && xHi >= w) break;
            for (int x = Math.Max(0, xLo); x <= Math.Min(w - 1, xHi); x++)
            {
                if (yLo >= 0 && occupied[yLo * w + x]) best2 = Math.Min(best2, Dist2(x - x0, r));
                if (yHi < h && occupied[yHi * w + x]) best2 = Math.Min(best2, Dist2(x - x0, r));
            }
            for (int y = Math.Max(0, yLo + 1); y <= Math.Min(h - 1, yHi - 1); y++)
            {
                if (xLo >= 0 && occupied[y * w + xLo]) best2 = Math.Min(best2, Dist2(r, y - y0));
                if (xHi < w && occupied[y * w + xHi]) best2 = Math.Min(best2, Dist2(r, y - y0));
            }
        }
        return double.IsPositiveInfinity(best2) ? MaxSearch : Math.Sqrt(best2);
    }

    private static double Dist2(int dx, int dy) => (double)dx * dx + (double)dy * dy;

    private static double Median(List<double> values)
    {
        values.Sort();
        int n = values.Count;
        return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
    }
}
