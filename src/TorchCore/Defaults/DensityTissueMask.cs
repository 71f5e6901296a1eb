using System.Runtime.CompilerServices;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;
using SpatialSim.TorchCore.Smoothing;

namespace SpatialSim.TorchCore.Defaults;

/// <summary>
/// The tissue estimated at the analysis scale, the default mask of the smoothed comparisons:
/// <list type="number">
/// <item>the total counts of all genes, summed over the blocks of the working grid (<see cref="WorkingGrid"/>) and smoothed
/// with the analysis σ — the density of molecules at the scale the genes are compared at;</item>
/// <item>pixels below <see cref="EmptyFraction"/> × the peak of a single smoothed count (less than a twentieth of a
/// molecule within about σ) are background; the threshold between tissue and background is Otsu's (1979, IEEE SMC
/// 9(1):62–66, doi:10.1109/TSMC.1979.4310076) on the logarithm of the other pixels' density, so a sparse region of
/// tissue (CA1's strata around the dense pyramidal band) and a dense one fall on the same side; when the pixels below the
/// split still hold counts where their density is (sparse tissue, not the tails smoothing spills off the tissue), Otsu
/// splits again among them (<see cref="Threshold"/>);</item>
/// <item>connected regions (8-neighbours) holding less than <see cref="MinRegionShare"/> of the counts are dropped (stray
/// molecules off the section), the largest is always kept; holes are filled.</item>
/// </list>
/// Cost: one block sum of every gene's non-zero pixels and one blur on the grid — a small fraction of a ranking
/// (the support mask it replaces dilated and eroded the full-resolution canvas).
/// </summary>
public static class DensityTissueMask
{
    public const string Name = "tissue";
    /// <summary>Density below this fraction of one smoothed count's peak is background, whatever Otsu says.</summary>
    public const double EmptyFraction = 0.05;
    /// <summary>Pixels below a split are tissue when their counts are at least this fraction of their smoothed density.</summary>
    public const double TailRatio = 0.5;
    /// <summary>Most Otsu splits tried, each among the pixels below the last.</summary>
    public const int MaxLevels = 4;
    /// <summary>Regions holding less than this share of all counts are dropped.</summary>
    public const double MinRegionShare = 0.01;
    private const int Bins = 256;

    /// <summary>Grids of at most this many pixels keep their last tissue for the same rasters (1 byte a pixel).</summary>
    public const long MaxRememberedPixels = 1L << 24;

    /// <summary>The last tissue made, for the same rasters (the same objects, in order) on the same grid.</summary>
    private sealed record Remembered(WeakReference<GeneRaster>[] Rasters, WorkingGrid Grid, bool[] Tissue, double CountsInside)
    {
        public bool Serves(IReadOnlyList<GeneRaster> rasters, WorkingGrid grid)
        {
            if (Grid != grid || Rasters.Length != rasters.Count) return false;
            for (int i = 0; i < Rasters.Length; i++)
                if (!Rasters[i].TryGetTarget(out var r) || !ReferenceEquals(r, rasters[i])) return false;
            return true;
        }
    }

    private static Remembered? _last;

    /// <summary>Tissues made (not remembered) so far in this process (lets tests see when the remembered one served).</summary>
    internal static int Made;

    /// <summary>
    /// The tissue on <paramref name="grid"/>, as a flat grid-sized array (true = tissue). The last one made is remembered
    /// (weakly, for grids up to <see cref="MaxRememberedPixels"/>): the same rasters ranked again with other options, or
    /// Get-TissueMask and then Get-RankedPairs, do not sum every gene again (200 genes of 1024²: 0.13 s).
    /// </summary>
    public static bool[] OnGrid(IReadOnlyList<GeneRaster> rasters, WorkingGrid grid, out double countsInside)
    {
        if (rasters.Count == 0) throw new SpatialSimException(ErrorKind.InvalidArgument, "A tissue mask needs at least one gene raster.");
        RasterChecks.RequireSameSize(rasters);
        if (Volatile.Read(ref _last) is { } last && last.Serves(rasters, grid))
        {
            countsInside = last.CountsInside;
            return (bool[])last.Tissue.Clone();
        }
        var made = Make(rasters, grid, out countsInside);
        if (made.LongLength <= MaxRememberedPixels)
            Volatile.Write(ref _last, new Remembered(rasters.Select(r => new WeakReference<GeneRaster>(r)).ToArray(), grid, (bool[])made.Clone(), countsInside));
        return made;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool[] Make(IReadOnlyList<GeneRaster> rasters, WorkingGrid grid, out double countsInside)
    {
        Interlocked.Increment(ref Made);
        int w = grid.Width, h = grid.Height;
        var total = new float[(long)w * h];
        BlockSums.AddAll(rasters, grid.Stride, total);
        double sigma = grid.WorkingSigma;
        var density = new float[total.Length];
        CpuGaussianBlur.Blur(total, density, w, h, sigma, GaussianMethod.Auto, GaussianSmoothing.DefaultTruncate, Environment.ProcessorCount);
        var kernel = CpuGaussianBlur.Kernel1D(sigma, GaussianSmoothing.DefaultTruncate);
        double peak = kernel[kernel.Length / 2] * kernel[kernel.Length / 2];
        double empty = EmptyFraction * peak;
        double threshold = Threshold(density, total, empty);
        var tissue = new bool[density.Length];
        for (int i = 0; i < tissue.Length; i++) tissue[i] = density[i] >= threshold && density[i] > empty;
        tissue = KeepMajorRegions(tissue, total, w, h);
        tissue = TissueMask.FillHoles(tissue, w, h);
        double all = 0, inside = 0;
        for (int i = 0; i < total.Length; i++) { all += total[i]; if (tissue[i]) inside += total[i]; }
        countsInside = all > 0 ? inside / all : 0;
        return tissue;
    }

    /// <summary>The tissue as a 0/1 raster named "tissue" on the rasters' canvas (or, with <paramref name="onGrid"/>, on the grid).</summary>
    public static GeneRaster Raster(IReadOnlyList<GeneRaster> rasters, WorkingGrid grid, bool onGrid, out double countsInside)
    {
        var tissue = OnGrid(rasters, grid, out countsInside);
        var first = rasters[0];
        if (!onGrid || grid.Stride == 1) return grid.Upsample(tissue, Name, first);
        var pixels = new float[tissue.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = tissue[i] ? 1f : 0f;
        return GeneRaster.FromPlane(new IO.RasterPlane(Name, grid.Width, grid.Height, pixels, first.Source) { PixelSize = first.PixelSize * grid.Stride },
            first.BinSize * grid.Stride, first.Device);
    }

    /// <summary>
    /// The tissue threshold: Otsu's on ln(density) over the non-empty pixels; when the pixels below it still hold tissue
    /// (their counts are at least <see cref="TailRatio"/> of their smoothed density: sparse tissue, whose counts are where its
    /// density is, rather than the tails that smoothing spills off the tissue, which hold no counts of their own), Otsu
    /// again among those pixels, up to <see cref="MaxLevels"/> times; when every split separates tissue from tissue (a patch
    /// cut from inside a section), only the empty pixels are background.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Threshold(float[] density, float[] counts, double empty)
    {
        // ln(density) once per pixel above the empty level (each level's Otsu reads it twice): a third of the logarithms.
        var logs = new double[density.Length];
        for (int i = 0; i < density.Length; i++) logs[i] = density[i] > empty ? Math.Log(density[i]) : double.NaN;
        double upper = double.PositiveInfinity;
        for (int level = 0; level < MaxLevels; level++)
        {
            double t = Math.Exp(OtsuOfLogs(density, logs, empty, upper));
            if (!(t > empty)) return empty;
            double inCounts = 0, inDensity = 0;
            for (int i = 0; i < density.Length; i++)
                if (density[i] > empty && density[i] < t) { inCounts += counts[i]; inDensity += density[i]; }
            if (inDensity <= 0 || inCounts < TailRatio * inDensity) return t;
            upper = t;
        }
        return empty;
    }

    /// <summary>
    /// Otsu's threshold on ln(density) (256 bins) over the pixels above <paramref name="empty"/> and below
    /// <paramref name="upper"/>, with <paramref name="logs"/> their ln(density); ln(empty) when none or all equal.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double OtsuOfLogs(float[] density, double[] logs, double empty, double upper)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (int i = 0; i < density.Length; i++)
            if (density[i] > empty && density[i] < upper) { double l = logs[i]; lo = Math.Min(lo, l); hi = Math.Max(hi, l); }
        if (!(hi > lo)) return Math.Log(Math.Max(empty, double.Epsilon));
        var histogram = new long[Bins];
        double width = (hi - lo) / Bins;
        for (int i = 0; i < density.Length; i++)
            if (density[i] > empty && density[i] < upper) histogram[Math.Min(Bins - 1, (int)((logs[i] - lo) / width))]++;
        long n = histogram.Sum();
        double sumAll = 0;
        for (int b = 0; b < Bins; b++) sumAll += histogram[b] * (lo + (b + 0.5) * width);
        double best = -1, threshold = lo;
        long below = 0;
        double sumBelow = 0;
        for (int b = 0; b < Bins - 1; b++)
        {
            below += histogram[b];
            sumBelow += histogram[b] * (lo + (b + 0.5) * width);
            long above = n - below;
            if (below == 0 || above == 0) continue;
            double m0 = sumBelow / below, m1 = (sumAll - sumBelow) / above;
            double between = (double)below * above * (m0 - m1) * (m0 - m1);
            if (between > best) { best = between; threshold = lo + (b + 1) * width; }
        }
        return threshold;
    }

    /// <summary>Keeps the 8-connected regions holding at least <see cref="MinRegionShare"/> of the counts (and always the largest).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool[] KeepMajorRegions(bool[] set, float[] counts, int w, int h)
    {
        var label = new int[set.Length];
        var shares = new List<double> { 0 };
        double all = 0;
        foreach (float c in counts) all += c;
        var queue = new Queue<int>();
        for (int start = 0; start < set.Length; start++)
        {
            if (!set[start] || label[start] != 0) continue;
            int id = shares.Count;
            double sum = 0;
            label[start] = id;
            queue.Enqueue(start);
            while (queue.Count > 0)
            {
                int i = queue.Dequeue(), x = i % w, y = i / w;
                sum += counts[i];
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int xx = x + dx, yy = y + dy;
                        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
                        int j = yy * w + xx;
                        if (set[j] && label[j] == 0) { label[j] = id; queue.Enqueue(j); }
                    }
            }
            shares.Add(all > 0 ? sum / all : 0);
        }
        int largest = shares.Count > 1 ? Enumerable.Range(1, shares.Count - 1).MaxBy(k => shares[k]) : 0;
        var kept = new bool[set.Length];
        for (int i = 0; i < set.Length; i++)
            kept[i] = label[i] != 0 && (label[i] == largest || shares[label[i]] >= MinRegionShare);
        return kept;
    }

    /// <summary>Number of 8-connected regions of <paramref name="set"/> (for reports and tests).</summary>
    public static int Regions(bool[] set, int w, int h)
    {
        var seen = new bool[set.Length];
        int regions = 0;
        var queue = new Queue<int>();
        for (int start = 0; start < set.Length; start++)
        {
            if (!set[start] || seen[start]) continue;
            regions++;
            seen[start] = true;
            queue.Enqueue(start);
            while (queue.Count > 0)
            {
                int i = queue.Dequeue(), x = i % w, y = i / w;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int xx = x + dx, yy = y + dy;
                        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
                        int j = yy * w + xx;
                        if (set[j] && !seen[j]) { seen[j] = true; queue.Enqueue(j); }
                    }
            }
        }
        return regions;
    }
}
