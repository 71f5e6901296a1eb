using System.Runtime.CompilerServices;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// The grids of a multiscale Sinkhorn solve: level 0 is the full-resolution canvas, each next level pools 2×2 pixels,
/// down to the last level whose shorter side is still at least <see cref="MinimumLevelSide"/> pixels. Masses go
/// coarser by summing blocks (<see cref="Pool"/>), potentials finer by bilinear interpolation
/// (<see cref="Upsample"/>).
/// </summary>
/// <remarks>
/// A pixel of level L is 2^L full-resolution pixels wide, so its area is <see cref="Scale"/>(L) = 4^L px², and a
/// full-resolution ε (or potential) is ε / 4^L in that level's own px². A level resolves the entropic blur √ε when its
/// pixel is no wider than it, 2^L ≤ √ε; <see cref="LevelFor"/> gives the coarsest such level. Memory: a pyramid of masses
/// is 4/3 of the full-resolution array; each grid keeps one buffer of its size (<see cref="SinkhornGrid"/>).
/// Reference: J. Feydy (2020) "Geometric data analysis, beyond convolutions", PhD thesis, École Normale Supérieure
/// Paris-Saclay (multiscale Sinkhorn on images, as in his GeomLoss library).
/// </remarks>
internal sealed class SinkhornPyramid
{
    /// <summary>The pyramid stops before a level's shorter side would fall under this many pixels.</summary>
    internal const int MinimumLevelSide = 16;

    private readonly SinkhornGrid[] _levels; // [0] = full resolution

    public SinkhornPyramid(int height, int width, bool precise)
    {
        var levels = new List<SinkhornGrid> { new(height, width, precise) };
        while (Math.Min(levels[^1].Height, levels[^1].Width) / 2 >= MinimumLevelSide)
            levels.Add(new SinkhornGrid((levels[^1].Height + 1) / 2, (levels[^1].Width + 1) / 2, precise));
        _levels = levels.ToArray();
    }

    /// <summary>How many levels, full resolution included.</summary>
    public int Count => _levels.Length;

    /// <summary>The grid of <paramref name="level"/> (0 = full resolution).</summary>
    public SinkhornGrid this[int level] => _levels[level];

    /// <summary>The area of one pixel of <paramref name="level"/> in full-resolution px² (4^L).</summary>
    public static double Scale(int level) => Math.Pow(4, level);

    /// <summary>The coarsest level whose pixel (2^L full-resolution pixels wide) is no wider than the blur √ε.</summary>
    public int LevelFor(double epsilon)
    {
        int level = 0;
        while (level + 1 < _levels.Length && epsilon >= Scale(level + 1)) level++;
        return level;
    }

    /// <summary>The masses on every level, <paramref name="mass"/> itself at level 0.</summary>
    public double[][] Masses(double[] mass)
    {
        var pyramid = new double[_levels.Length][];
        pyramid[0] = mass;
        for (int level = 1; level < _levels.Length; level++)
            pyramid[level] = Pool(pyramid[level - 1], _levels[level - 1], _levels[level]);
        return pyramid;
    }

    /// <summary>log w, −∞ where the mass is 0 (the soft c-transform's log-weights).</summary>
    public static double[] LogOf(double[] mass)
    {
        var log = new double[mass.Length];
        for (int i = 0; i < mass.Length; i++) log[i] = mass[i] > 0 ? Math.Log(mass[i]) : double.NegativeInfinity;
        return log;
    }

    /// <summary>Sums of 2×2 blocks (the last row or column alone when the side is odd): masses stay normalised.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double[] Pool(double[] fine, SinkhornGrid from, SinkhornGrid to)
    {
        var coarse = new double[to.Length];
        for (int y = 0; y < from.Height; y++)
        {
            int row = (y >> 1) * to.Width;
            for (int x = 0; x < from.Width; x++) coarse[row + (x >> 1)] += fine[y * from.Width + x];
        }
        return coarse;
    }

    /// <summary>
    /// A potential carried one level finer: bilinear between coarse pixel centres (fine coordinate 2I + ½), clamped at
    /// the edges, times 4 (a coarse px² is 4 fine px²).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double[] Upsample(double[] coarse, SinkhornGrid from, SinkhornGrid to)
    {
        var fine = new double[to.Length];
        int ch = from.Height, cw = from.Width;
        for (int y = 0; y < to.Height; y++)
        {
            double cy = Math.Clamp((y - 0.5) / 2, 0, ch - 1);
            int y0 = (int)cy, y1 = Math.Min(y0 + 1, ch - 1);
            double fy = cy - y0;
            for (int x = 0; x < to.Width; x++)
            {
                double cx = Math.Clamp((x - 0.5) / 2, 0, cw - 1);
                int x0 = (int)cx, x1 = Math.Min(x0 + 1, cw - 1);
                double fx = cx - x0;
                double top = (1 - fx) * coarse[y0 * cw + x0] + fx * coarse[y0 * cw + x1];
                double bottom = (1 - fx) * coarse[y1 * cw + x0] + fx * coarse[y1 * cw + x1];
                fine[y * to.Width + x] = 4 * ((1 - fy) * top + fy * bottom);
            }
        }
        return fine;
    }
}
