using System.Globalization;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/> (1-based) of the pair matrix of a ranking, so that one
/// ranking can be computed by several processes (a Slurm job array, remote sessions) and merged.
/// <para>
/// The pairs (i, j), i &lt; j, of n genes (in input order) are numbered row by row through the upper
/// triangle: k(i, j) = i·(2n − i − 1)/2 + (j − i − 1), k = 0 … P − 1 with P = n(n − 1)/2. Shard s of c
/// holds the contiguous block k ∈ [⌊(s − 1)·P/c⌋, ⌊s·P/c⌋): every pair in exactly one shard, block sizes
/// differing by at most one pair, and the same blocks on every machine for the same n and c.
/// </para>
/// </summary>
public readonly record struct PairShard(int Index, int Count)
{
    /// <summary>The whole pair matrix (1/1).</summary>
    public static PairShard All => new(1, 1);

    public bool IsAll => Count == 1;

    public override string ToString() => $"{Index}/{Count}";

    /// <summary>Parses "i/n" (1 ≤ i ≤ n); the error says what was wrong and shows the form.</summary>
    public static PairShard Parse(string? text)
    {
        var parts = (text ?? "").Trim().Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int count))
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"-Shard '{text}' is not of the form i/n (shard i of n, counting from 1), e.g. -Shard 3/8; " +
                "in a Slurm job array use -Shard \"$env:SLURM_ARRAY_TASK_ID/8\" with sbatch --array=1-8.");
        if (count < 1 || index < 1 || index > count)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"-Shard '{text}': the shard number must be between 1 and the shard count {count} (i/n with 1 ≤ i ≤ n)" +
                (index == 0 ? "; shards count from 1, so a 0-based task id needs +1." : "."));
        return new PairShard(index, count);
    }

    /// <summary>P = n(n − 1)/2 pairs of <paramref name="genes"/> genes.</summary>
    public static long PairCount(int genes) => genes < 2 ? 0 : (long)genes * (genes - 1) / 2;

    /// <summary>Row-major upper-triangle number of the pair (i, j), i &lt; j.</summary>
    public static long PairNumber(int i, int j, int genes)
    {
        if (i > j) (i, j) = (j, i);
        if (i < 0 || i == j || j >= genes) throw new ArgumentOutOfRangeException(nameof(j), $"({i}, {j}) is not a pair of {genes} genes.");
        return RowStart(i, genes) + (j - i - 1);
    }

    /// <summary>The pair with number <paramref name="k"/>.</summary>
    public static (int I, int J) PairAt(long k, int genes)
    {
        long total = PairCount(genes);
        if (k < 0 || k >= total) throw new ArgumentOutOfRangeException(nameof(k), $"Pair number {k} is outside 0…{total - 1}.");
        // Row i is the largest with RowStart(i) ≤ k: estimate from the quadratic, then correct.
        double b = 2.0 * genes - 1;
        int i = (int)Math.Clamp(Math.Floor((b - Math.Sqrt(Math.Max(0, b * b - 8.0 * k))) / 2), 0, genes - 2);
        while (i > 0 && RowStart(i, genes) > k) i--;
        while (i < genes - 2 && RowStart(i + 1, genes) <= k) i++;
        return (i, (int)(k - RowStart(i, genes)) + i + 1);
    }

    /// <summary>Number of the first pair in row i, i.e. of (i, i + 1).</summary>
    private static long RowStart(int i, int genes) => (long)i * (2L * genes - i - 1) / 2;

    /// <summary>This shard's pair numbers [Start, End) for <paramref name="genes"/> genes.</summary>
    public (long Start, long End) Range(int genes)
    {
        long total = PairCount(genes);
        return (Boundary(total, Index - 1), Boundary(total, Index));
    }

    private long Boundary(long total, int s) => (long)((Int128)total * s / Count);

    /// <summary>The shard (of <see cref="Count"/>) that holds pair number <paramref name="k"/>.</summary>
    public static int ShardOf(long k, int genes, int count)
    {
        long total = PairCount(genes);
        // Smallest s with ⌊s·P/c⌋ > k.
        int s = (int)Math.Clamp((long)((Int128)k * count / Math.Max(total, 1)) + 1, 1, count);
        while (s > 1 && (long)((Int128)total * (s - 1) / count) > k) s--;
        while (s < count && (long)((Int128)total * s / count) <= k) s++;
        return s;
    }

    /// <summary>This shard's pairs, in pair-number order.</summary>
    public IEnumerable<(int I, int J)> Pairs(int genes)
    {
        var (start, end) = Range(genes);
        if (start >= end) yield break;
        var (i, j) = PairAt(start, genes);
        for (long k = start; k < end; k++)
        {
            yield return (i, j);
            if (++j == genes) { i++; j = i + 1; }
        }
    }
}
