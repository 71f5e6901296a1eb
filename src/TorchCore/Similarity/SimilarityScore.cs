namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// The result of comparing two rasters with one measure. Higher Score = more similar, for every measure.
/// Score is NaN when the measure is undefined for the input (e.g. a constant gene has no correlation);
/// <see cref="Note"/> then says why.
/// </summary>
public readonly record struct SimilarityScore(double Score, string? Note = null, IReadOnlyDictionary<string, double>? Details = null)
{
    public static SimilarityScore Undefined(string why) => new(double.NaN, why);
}

/// <summary>One comparison as the cmdlets report it.</summary>
public sealed class PatternSimilarity
{
    public string GeneA { get; init; } = "";
    public string GeneB { get; init; } = "";
    public string Method { get; init; } = "";
    public double Score { get; init; }
    /// <summary>The method's parameters, e.g. "σ=4".</summary>
    public string Parameters { get; init; } = "";
    public string? Note { get; init; }
    /// <summary>Per-scale or per-level scores and other numbers the method reports (e.g. Sinkhorn's Distance).</summary>
    public IReadOnlyDictionary<string, double>? Details { get; init; }
}

/// <summary>One gene pair of a ranking, most similar first (Rank 1).</summary>
public sealed class RankedPair
{
    public int Rank { get; init; }
    public string GeneA { get; init; } = "";
    public string GeneB { get; init; } = "";
    public double Score { get; init; }
    public string Method { get; init; } = "";
    public string Parameters { get; init; } = "";

    // Consensus (-Method A,B) and shards (-Shard i/n, Merge-RankedPairs): see Ranking/PairListRanking.cs.
    /// <summary>With several methods: each method's score of the pair, in -Method order (Score is then their consensus); null for one method.</summary>
    public IReadOnlyDictionary<string, double>? Scores { get; init; }
    /// <summary>Input positions (0-based) of GeneA and GeneB: the tie-break of equal scores, and how Merge-RankedPairs checks pairs.</summary>
    public int IndexA { get; init; }
    public int IndexB { get; init; }
    /// <summary>Number of genes ranked (n; n(n − 1)/2 pairs).</summary>
    public int GeneCount { get; init; }
    /// <summary>"i/n" on the output of Get-RankedPairs -Shard i/n (Rank and a consensus Score are then within the shard); null otherwise.</summary>
    public string? Shard { get; init; }
    /// <summary>A shard's output filters (-Top, -MinScore, -Gene), so that Merge-RankedPairs knows pairs may be absent; null when it output every pair.</summary>
    public string? Filter { get; init; }
    /// <summary>Toroidal-shift permutation p-value (Get-RankedPairs -Permutations); null when not computed, NaN when the score is undefined.</summary>
    public double? PValue { get; init; }
    /// <summary>Benjamini–Hochberg q-value of <see cref="PValue"/> over all pairs tested (before -Top); null when not computed.</summary>
    public double? QValue { get; init; }
}
