using System.Runtime.CompilerServices;
using SpatialSim.TorchCore.Ranking;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// The tissue of a section estimated from the genes themselves, the default -Mask of Get-RankedPairs and
/// Measure-PatternSimilarity for the measures that take a mask (Pearson, SmoothedPearson). Rule:
/// <list type="number">
/// <item>support S = the pixels where ANY of the genes is non-zero;</item>
/// <item>morphological closing of S with a disc of radius r (dilation, then erosion, on the canvas padded with r
/// pixels of background, so every support pixel stays tissue, also at the canvas edge): bridges the gaps between
/// detections inside the tissue;</item>
/// <item>holes filled: background pixels not 4-connected to the canvas border become tissue
/// (as scipy.ndimage.binary_fill_holes).</item>
/// </list>
/// Default r = clamp(⌈2 × median nearest-neighbour spacing of S⌉, 1, 32) pixels (<see cref="DefaultClosingRadius"/>):
/// twice the typical gap between detected pixels closes gaps inside the tissue but not the empty space around it.
/// Why: outside the tissue every gene is zero, so a canvas with much empty background makes any two genes look
/// correlated (both are "high inside, zero outside"), and smoothing bleeds signal across the tissue border. With the
/// mask only tissue pixels count, and smoothing is normalised by the mask, blur(x·m)/blur(m)
/// (<see cref="SmoothedPearsonSimilarity"/>).
/// </summary>
public static class TissueMask
{
    public const string Name = "tissue";
    public const int MaxClosingRadius = 32;

    /// <summary>The tissue mask (0/1 float32 raster named "tissue") of the genes' joint support; see the class remarks.</summary>
    /// <param name="closingRadius">Disc radius in pixels for the closing; null = <see cref="DefaultClosingRadius"/>; 0 = no closing.</param>
    public static GeneRaster FromSupport(IReadOnlyList<GeneRaster> rasters, int? closingRadius = null)
    {
        if (rasters.Count == 0) throw new SpatialSimException(ErrorKind.InvalidArgument, "A tissue mask needs at least one gene raster.");
        RasterChecks.RequireSameSize(rasters);
        var first = rasters[0];
        int w = first.Width, h = first.Height;
        // Sparse-backed genes are read from their pixel lists, so no dense raster is made (or kept) for them.
        var support = new bool[(long)w * h];
        foreach (var r in rasters)
        {
            if (r.Sparse is { } sparse && !r.HasDenseValues)
            {
                var index = sparse.Index;
                var values = sparse.Values;
                for (int k = 0; k < index.Length; k++)
                    if (values[k] > 0) support[index[k]] = true;
                continue;
            }
            using var scope = torch.NewDisposeScope();
            var positive = (r.Values > 0).cpu().contiguous().data<bool>().ToArray();
            for (int i = 0; i < positive.Length; i++) support[i] |= positive[i];
        }
        int radius = closingRadius ?? DefaultClosingRadius(support, w, h);
        if (radius < 0) throw new SpatialSimException(ErrorKind.InvalidArgument, $"The closing radius must be ≥ 0 pixels; got {radius}.");
        var tissue = radius > 0 ? Close(support, w, h, radius) : support;
        tissue = FillHoles(tissue, w, h);
        var pixels = new float[tissue.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = tissue[i] ? 1f : 0f;
        return GeneRaster.FromPlane(new IO.RasterPlane(Name, w, h, pixels, first.Source) { PixelSize = first.PixelSize }, first.BinSize, first.Device);
    }

    /// <summary>clamp(⌈2 × median nearest-neighbour spacing of the support⌉, 1, 32) pixels.</summary>
    public static int DefaultClosingRadius(bool[] support, int width, int height)
    {
        var pixels = new float[support.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = support[i] ? 1f : 0f;
        using var raster = GeneRaster.FromPlane(new IO.RasterPlane("support", width, height, pixels, "support"), 1, Devices.ComputeDevice.Cpu);
        double spacing = AdaptiveScale.MedianNearestNeighbourDistance(raster);
        return double.IsNaN(spacing) ? 1 : (int)Math.Clamp(Math.Ceiling(2 * spacing), 1, MaxClosingRadius);
    }

    /// <summary>Fraction of the canvas inside the mask.</summary>
    public static double Fraction(GeneRaster mask)
    {
        using var scope = torch.NewDisposeScope();
        return (mask.Values > 0).sum(ScalarType.Float64).item<double>() / ((double)mask.Width * mask.Height);
    }

    /// <summary>
    /// Closing with a disc of <paramref name="radius"/> on the canvas padded by <paramref name="radius"/> pixels of
    /// background: dilation, then erosion, then the canvas cut out again. The padding keeps the closing extensive
    /// (every support pixel stays tissue, also at the canvas edge) without letting the edge glue tissue to it.
    /// </summary>
    public static bool[] Close(bool[] set, int width, int height, int radius)
    {
        int pw = width + 2 * radius, ph = height + 2 * radius;
        var padded = new bool[pw * ph];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                padded[(y + radius) * pw + x + radius] = set[y * width + x];
        var dilated = Dilate(padded, pw, ph, radius);
        var complement = new bool[dilated.Length];
        for (int i = 0; i < complement.Length; i++) complement[i] = !dilated[i];
        var grown = Dilate(complement, pw, ph, radius);
        var closed = new bool[set.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                closed[y * width + x] = !grown[(y + radius) * pw + x + radius];
        return closed;
    }

    /// <summary>Binary dilation with a disc (pixels within Euclidean distance ≤ radius), pixels beyond the canvas are not set.</summary>
    public static bool[] Dilate(bool[] set, int width, int height, int radius)
    {
        // Per row offset dy, the disc spans |dx| ≤ half[dy]; a running count per row gives each horizontal run in O(W).
        var half = new int[radius + 1];
        for (int dy = 0; dy <= radius; dy++) half[dy] = (int)Math.Floor(Math.Sqrt((double)radius * radius - (double)dy * dy) + 1e-9);
        var prefix = new int[height, width + 1];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                prefix[y, x + 1] = prefix[y, x] + (set[y * width + x] ? 1 : 0);
        var result = new bool[set.Length];
        Parallel.For(0, height, y =>
        {
            for (int x = 0; x < width; x++)
            {
                bool hit = false;
                for (int dy = -radius; dy <= radius && !hit; dy++)
                {
                    int yy = y + dy;
                    if (yy < 0 || yy >= height) continue;
                    int hw = half[Math.Abs(dy)];
                    int lo = Math.Max(0, x - hw), hi = Math.Min(width - 1, x + hw);
                    if (prefix[yy, hi + 1] - prefix[yy, lo] > 0) hit = true;
                }
                result[y * width + x] = hit;
            }
        });
        return result;
    }

    /// <summary>Background pixels not 4-connected to the canvas border become set (scipy.ndimage.binary_fill_holes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool[] FillHoles(bool[] set, int width, int height)
    {
        var outside = new bool[set.Length];
        var queue = new Queue<int>();
        void Seed(int x, int y)
        {
            int i = y * width + x;
            if (!set[i] && !outside[i]) { outside[i] = true; queue.Enqueue(i); }
        }
        for (int x = 0; x < width; x++) { Seed(x, 0); Seed(x, height - 1); }
        for (int y = 0; y < height; y++) { Seed(0, y); Seed(width - 1, y); }
        while (queue.Count > 0)
        {
            int i = queue.Dequeue(), x = i % width, y = i / width;
            if (x > 0) Seed(x - 1, y);
            if (x < width - 1) Seed(x + 1, y);
            if (y > 0) Seed(x, y - 1);
            if (y < height - 1) Seed(x, y + 1);
        }
        var filled = new bool[set.Length];
        for (int i = 0; i < filled.Length; i++) filled[i] = !outside[i];
        return filled;
    }
}
