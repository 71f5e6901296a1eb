namespace SpatialSim.TorchCore.Clustering;

/// <summary>
/// The upper triangle of a symmetric n × n distance matrix, row by row (SciPy's condensed form: d(i, j), i &lt; j, at
/// n·i − i(i + 1)/2 + j − i − 1): half the memory of the square matrix, and what <see cref="AverageLinkage"/> clusters in
/// place. It may first hold scores (<see cref="ScoresToDistances"/> turns them into distances).
/// </summary>
public sealed class CondensedDistances
{
    public CondensedDistances(int count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "The number of items cannot be negative.");
        long length = Length(count);
        if (length > Array.MaxLength)
            throw new SpatialSimException(ErrorKind.LimitExceeded,
                $"Clustering {count:N0} genes needs {length:N0} pair distances, more than one array holds ({Array.MaxLength:N0}, about 65,000 genes). " +
                "Cluster fewer genes (e.g. the spatially variable ones first: Measure-SpatialAutocorrelation -Top).");
        Count = count;
        Values = new double[length];
    }

    public int Count { get; }

    /// <summary>d(i, j) for i &lt; j at <see cref="Index"/>.</summary>
    public double[] Values { get; }

    public static long Length(int count) => count < 2 ? 0 : (long)count * (count - 1) / 2;

    /// <summary>Bytes held for <paramref name="count"/> items.</summary>
    public static long Bytes(int count) => 8 * Length(count);

    /// <summary>Position of the pair (i, j), i ≠ j, in <see cref="Values"/>.</summary>
    public static long Index(int n, int i, int j)
    {
        if (i > j) (i, j) = (j, i);
        return (long)n * i - (long)i * (i + 1) / 2 + (j - i - 1);
    }

    public double this[int i, int j]
    {
        get => Values[Index(Count, i, j)];
        set => Values[Index(Count, i, j)] = value;
    }

    /// <summary>
    /// Turns the scores held into distances by <paramref name="rule"/> (resolved: OneMinusScore or MaxMinusScore, see
    /// <see cref="GeneModules.Distances"/>): pairs with no score (NaN) get the largest distance among the scored pairs, so
    /// such genes join last. Returns the number of NaN pairs and the highest score (the "max" of MaxMinusScore).
    /// </summary>
    /// <param name="describe">Names the pair (i, j) for the error when a score exceeds 1 under OneMinusScore.</param>
    public (long UndefinedPairs, double MaxScore) ScoresToDistances(DistanceRule rule, string method, Func<int, int, (string, string)> describe)
    {
        var v = Values;
        double max = double.NegativeInfinity;
        long argMax = -1;
        for (long k = 0; k < v.LongLength; k++)
            if (v[k] > max) { max = v[k]; argMax = k; }
        if (rule == DistanceRule.OneMinusScore && max > 1)
        {
            var (i, j) = PairAt(argMax);
            var (a, b) = describe(i, j);
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"The distance 1 − score needs scores ≤ 1, but {method} gives {max:g6} for {a}–{b}. Use -Distance MaxMinusScore (or Auto).") { Gene = a };
        }
        long undefined = 0;
        double top = 0;
        for (long k = 0; k < v.LongLength; k++)
        {
            double d = double.IsNaN(v[k]) ? double.NaN : rule == DistanceRule.OneMinusScore ? 1 - v[k] : max - v[k];
            if (double.IsInfinity(d)) d = double.NaN;
            if (double.IsNaN(d)) undefined++;
            else top = Math.Max(top, d);
            v[k] = d;
        }
        if (undefined > 0)
            for (long k = 0; k < v.LongLength; k++)
                if (double.IsNaN(v[k])) v[k] = top;
        return (undefined, max);
    }

    /// <summary>The pair (i, j) at position <paramref name="k"/>.</summary>
    public (int I, int J) PairAt(long k)
    {
        int n = Count;
        double b = 2.0 * n - 1;
        int i = (int)Math.Clamp(Math.Floor((b - Math.Sqrt(Math.Max(0, b * b - 8.0 * k))) / 2), 0, Math.Max(0, n - 2));
        while (i > 0 && Index(n, i, i + 1) > k) i--;
        while (i < n - 2 && Index(n, i + 1, i + 2) <= k) i++;
        return (i, (int)(k - Index(n, i, i + 1)) + i + 1);
    }
}
