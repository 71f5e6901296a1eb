namespace SpatialSim.TorchCore.Ranking;

/// <summary>One pair as a shard wrote it (a RankedPair, or its Export-Clixml / Export-Csv form read back).</summary>
public sealed record ShardPair
{
    public required string GeneA { get; init; }
    public required string GeneB { get; init; }
    public required int IndexA { get; init; }
    public required int IndexB { get; init; }
    public required int GeneCount { get; init; }
    public required string Method { get; init; }
    public string Parameters { get; init; } = "";
    public required double Score { get; init; }
    public IReadOnlyDictionary<string, double>? Scores { get; init; }
    /// <summary>"i/n"; null for the output of a whole ranking (taken as 1/1).</summary>
    public string? Shard { get; init; }
    public string? Filter { get; init; }
    /// <summary>Where the pair came from (file name, pipeline item), for messages.</summary>
    public string Source { get; init; } = "";
}

/// <summary>The pairs of several shards put back together (<see cref="ShardMerge.Merge"/>).</summary>
public sealed class MergedPairs
{
    public required IReadOnlyList<string?> Genes { get; init; }
    public required IReadOnlyList<string> Methods { get; init; }
    public required string Parameters { get; init; }
    public required IReadOnlyList<ScoredPair> Pairs { get; init; }
    /// <summary>Things a person should know that do not stop the merge (e.g. shards filtered at the source that gave no pair).</summary>
    public required IReadOnlyList<string> Warnings { get; init; }
}

/// <summary>
/// Puts shard outputs of Get-RankedPairs -Shard i/n back together for one ranking (Merge-RankedPairs), checking that
/// they belong together (same method, parameters, genes in the same order, shard count), that no pair comes twice,
/// and that no pair is missing: a shard that output every pair must hold exactly its block of
/// <see cref="PairShard"/>; a shard filtered at the source (-Top, -MinScore, -Gene; recorded in Filter) may lack
/// pairs, and a shard that gave no pair at all is an error unless some shard was filtered (then a warning).
/// </summary>
public static class ShardMerge
{
    private const int Listed = 10;

    public static MergedPairs Merge(IReadOnlyList<ShardPair> rows)
    {
        if (rows.Count == 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                "No ranked pairs to merge. Pipe the shards' pairs in (Import-Clixml shard*.xml | Merge-RankedPairs) or name their files with -Path.");
        var first = rows[0];
        RequireSame(rows, r => r.Method, "method");
        RequireSame(rows, r => r.Parameters, "parameters");
        RequireSame(rows, r => r.GeneCount.ToString(), "gene count");
        int n = first.GeneCount;
        var shards = rows.Select(r => (Row: r, Shard: r.Shard is null ? PairShard.All : ParseShard(r))).ToList();
        RequireSame(shards.Select(s => s.Row with { Shard = s.Shard.Count.ToString() }).ToList(), r => r.Shard!, "shard count (n of i/n)");
        int shardCount = shards[0].Shard.Count;
        var methods = RankingRequest.MethodsOf(first.Method);

        // Gene names by input position, and positions by name, must agree between shards.
        var genes = new string?[n];
        var genesFrom = new string?[n];
        foreach (var r in rows)
            foreach (var (index, name) in new[] { (r.IndexA, r.GeneA), (r.IndexB, r.GeneB) })
            {
                if (index < 0 || index >= n)
                    throw new SpatialSimException(ErrorKind.InvalidData,
                        $"Pair {r.GeneA}–{r.GeneB} from {r.Source} names gene position {index}, outside 0…{n - 1} for its GeneCount {n}.");
                if (genes[index] is null) { genes[index] = name; genesFrom[index] = r.Source; }
                else if (!string.Equals(genes[index], name, StringComparison.Ordinal))
                    throw new SpatialSimException(ErrorKind.Mismatch,
                        $"Gene position {index} is '{genes[index]}' in {genesFrom[index]} but '{name}' in {r.Source}: the shards were computed from " +
                        "different genes or a different gene order. Run every shard on the same rasters in the same order (same import, same filters, same sorting).");
            }
        var duplicateNames = genes.Select((g, i) => (g, i)).Where(x => x.g is not null).GroupBy(x => x.g).Where(g => g.Count() > 1).ToList();
        if (duplicateNames.Count > 0)
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"Gene '{duplicateNames[0].Key}' sits at positions {string.Join(" and ", duplicateNames[0].Select(x => x.i))} in different shards: " +
                "the shards were computed from different gene orders. Run every shard on the same rasters in the same order.");

        // Every pair once, in the shard that owns it.
        var seen = new Dictionary<long, ShardPair>();
        var duplicates = new List<string>();
        var pairs = new List<ScoredPair>(rows.Count);
        foreach (var (r, shard) in shards)
        {
            int i = Math.Min(r.IndexA, r.IndexB), j = Math.Max(r.IndexA, r.IndexB);
            if (i == j)
                throw new SpatialSimException(ErrorKind.InvalidData, $"Pair {r.GeneA}–{r.GeneB} from {r.Source} pairs gene position {i} with itself.");
            long k = PairShard.PairNumber(i, j, n);
            int owner = PairShard.ShardOf(k, n, shardCount);
            if (owner != shard.Index)
                throw new SpatialSimException(ErrorKind.Mismatch,
                    $"Pair {r.GeneA}–{r.GeneB} from {r.Source} says it is from shard {shard} but belongs to shard {owner}/{shardCount} of {n} genes: " +
                    "the shards were not computed for the same genes or shard count.");
            if (seen.TryGetValue(k, out var earlier))
            {
                if (duplicates.Count < Listed) duplicates.Add($"{genes[i]}–{genes[j]} (shard {shard}: {earlier.Source} and {r.Source})");
                else if (duplicates.Count == Listed) duplicates.Add("…");
                continue;
            }
            seen[k] = r;
            pairs.Add(new ScoredPair(i, j, ScoresOf(r, methods)));
        }
        if (duplicates.Count > 0)
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"{rows.Count - seen.Count} pair(s) come more than once: {string.Join("; ", duplicates)}. " +
                "A shard was probably imported twice; give each shard's output once.");

        // Completeness, shard by shard.
        var warnings = new List<string>();
        var byShard = shards.GroupBy(s => s.Shard.Index).ToDictionary(g => g.Key, g => g.ToList());
        bool anyFiltered = rows.Any(r => !string.IsNullOrEmpty(r.Filter));
        // A shard whose block is empty (more shards than pairs) rightly gives nothing.
        var absent = Enumerable.Range(1, shardCount).Where(s => !byShard.ContainsKey(s) && new PairShard(s, shardCount).Range(n) is var (a, b) && b > a).ToList();
        var incomplete = new List<string>();
        foreach (var (index, members) in byShard.OrderBy(kv => kv.Key))
        {
            if (members.Any(m => !string.IsNullOrEmpty(m.Row.Filter))) continue;
            var shard = new PairShard(index, shardCount);
            var (start, end) = shard.Range(n);
            if (members.Count == end - start) continue;
            var missing = new List<string>();
            for (long k = start; k < end && missing.Count <= Listed; k++)
                if (!seen.ContainsKey(k))
                {
                    var (i, j) = PairShard.PairAt(k, n);
                    missing.Add(missing.Count == Listed ? "…" : $"{genes[i] ?? $"gene #{i}"}–{genes[j] ?? $"gene #{j}"}");
                }
            incomplete.Add($"shard {shard} has {members.Count} of its {end - start} pairs (missing {string.Join(", ", missing)})");
        }
        string absentText = string.Join(", ", absent.Select(s => $"{s}/{shardCount}"));
        if (incomplete.Count > 0 || (absent.Count > 0 && !anyFiltered))
        {
            var parts = new List<string>();
            if (absent.Count > 0) parts.Add($"shard(s) {absentText} gave no pairs");
            parts.AddRange(incomplete);
            throw new SpatialSimException(ErrorKind.NotFound,
                $"The shards do not hold all {PairShard.PairCount(n)} pairs of {n} genes: {string.Join("; ", parts)}. " +
                "Run or re-import the missing shards (Get-RankedPairs -Shard i/" + shardCount + "), each without -Top/-MinScore/-Gene if every pair is wanted.");
        }
        if (absent.Count > 0)
            warnings.Add($"Shard(s) {absentText} gave no pairs. The shards were filtered at the source (e.g. {rows.First(r => !string.IsNullOrEmpty(r.Filter)).Filter}), " +
                         "so a shard may rightly have none; if one was not run or not imported, this merge lacks its pairs.");
        return new MergedPairs { Genes = genes, Methods = methods, Parameters = first.Parameters, Pairs = pairs, Warnings = warnings };
    }

    private static PairShard ParseShard(ShardPair r)
    {
        try { return PairShard.Parse(r.Shard); }
        catch (SpatialSimException e)
        {
            throw new SpatialSimException(ErrorKind.InvalidData, $"Pair {r.GeneA}–{r.GeneB} from {r.Source} has Shard '{r.Shard}': {e.Message}");
        }
    }

    private static double[] ScoresOf(ShardPair r, IReadOnlyList<string> methods)
    {
        if (methods.Count == 1) return new[] { r.Score };
        var scores = new double[methods.Count];
        for (int m = 0; m < methods.Count; m++)
        {
            if (r.Scores is null || !r.Scores.TryGetValue(methods[m], out scores[m]))
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"Pair {r.GeneA}–{r.GeneB} from {r.Source} is ranked by {r.Method} but has no {methods[m]} score in Scores; " +
                    "a consensus is merged from each method's score, so keep the Scores property when saving shards (Export-Clixml keeps it).");
        }
        return scores;
    }

    private static void RequireSame(IReadOnlyList<ShardPair> rows, Func<ShardPair, string> key, string what)
    {
        var groups = rows.GroupBy(key).ToList();
        if (groups.Count > 1)
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"The pairs to merge differ in {what}: " + string.Join(", ", groups.Take(4).Select(g => $"'{g.Key}' ({g.Count()} pairs, e.g. from {g.First().Source})")) +
                ". Merge only the shards of one ranking: the same genes, -Method, parameters and shard count n.");
    }
}
