namespace SpatialSim.TorchCore.Ranking;

/// <summary>
/// Rank aggregation of several measures (Get-RankedPairs -Method A,B,…): each method ranks all pairs on its own
/// and the pairs are ordered by their mean rank over the methods (Borda's count with mean ranks).
/// <list type="bullet">
/// <item>Per method, rank 1 = highest score; tied scores share the mean of the ranks they span (fractional
/// ranking, so a tie favours no pair); a pair whose score by that method is NaN gets that method's worst rank, P
/// (the number of pairs ranked), so one undefined measure pushes a pair down without dropping it.</item>
/// <item>Mean rank R̄ = the mean over the methods of the pair's ranks.</item>
/// <item>Consensus score S = 1 − (R̄ − 1)/(P − 1) ∈ [0, 1] (higher = more similar): 1 when every method ranks
/// the pair first, 0 when every method ranks it last; S = 1 when P = 1. A pair that is NaN by every method has
/// consensus NaN (ranked last), as for a single method.</item>
/// </list>
/// Ranks are taken over all the pairs given, so a consensus needs every pair: shards of a consensus ranking are
/// merged (Merge-RankedPairs) before their consensus means anything.
/// </summary>
public static class ConsensusRanking
{
    /// <summary>Fractional ranks, 1 = highest score, ties share their mean rank, NaN → worst rank (the count).</summary>
    public static double[] Ranks(IReadOnlyList<double> scores)
    {
        int p = scores.Count;
        var ranks = new double[p];
        var order = Enumerable.Range(0, p).Where(k => !double.IsNaN(scores[k])).ToArray();
        Array.Sort(order, (x, y) => scores[y].CompareTo(scores[x]));
        for (int a = 0; a < order.Length;)
        {
            int b = a;
            while (b + 1 < order.Length && scores[order[b + 1]] == scores[order[a]]) b++;
            double rank = (a + b) / 2.0 + 1;   // positions a..b hold ranks a+1..b+1
            for (int t = a; t <= b; t++) ranks[order[t]] = rank;
            a = b + 1;
        }
        for (int k = 0; k < p; k++) if (double.IsNaN(scores[k])) ranks[k] = p;
        return ranks;
    }

    /// <summary>Mean rank over the methods and the consensus score of every pair.</summary>
    /// <param name="scoresByMethod">One list per method, the pairs in the same order in each.</param>
    public static (double[] MeanRank, double[] Score) Aggregate(IReadOnlyList<IReadOnlyList<double>> scoresByMethod)
    {
        if (scoresByMethod.Count == 0) throw new ArgumentException("A consensus needs at least one method.", nameof(scoresByMethod));
        int p = scoresByMethod[0].Count;
        if (scoresByMethod.Any(s => s.Count != p)) throw new ArgumentException("Every method must score the same pairs.", nameof(scoresByMethod));
        var meanRank = new double[p];
        var allNaN = Enumerable.Repeat(true, p).ToArray();
        foreach (var scores in scoresByMethod)
        {
            var ranks = Ranks(scores);
            for (int k = 0; k < p; k++)
            {
                meanRank[k] += ranks[k];   // sums of half-integers are exact: equal sums stay equal means
                if (!double.IsNaN(scores[k])) allNaN[k] = false;
            }
        }
        var score = new double[p];
        for (int k = 0; k < p; k++)
        {
            meanRank[k] /= scoresByMethod.Count;
            score[k] = allNaN[k] ? double.NaN : p == 1 ? 1.0 : 1.0 - (meanRank[k] - 1) / (p - 1);
        }
        return (meanRank, score);
    }
}
