using System.Globalization;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>One scored pair of a ranking: genes by input position (I &lt; J) and the score by each method.</summary>
public readonly record struct ScoredPair(int I, int J, double[] Scores);

/// <summary>How <see cref="PairListRanking.Rank"/> labels and filters a ranking.</summary>
public sealed record RankingRequest
{
    /// <summary>Gene names by input position (0 … GeneCount − 1).</summary>
    public required IReadOnlyList<string?> Genes { get; init; }
    /// <summary>The methods whose scores <see cref="ScoredPair.Scores"/> holds, in that order; several = consensus.</summary>
    public required IReadOnlyList<string> Methods { get; init; }
    public string Parameters { get; init; } = "";
    public int? Top { get; init; }
    /// <summary>Keep only the pairs among the k best of either of their genes (applied first, before -Gene, -MinScore and -Top).</summary>
    public int? TopPerGene { get; init; }
    public string? Gene { get; init; }
    public double? MinScore { get; init; }
    /// <summary>"i/n" on the output of a shard; null for a whole ranking.</summary>
    public string? Shard { get; init; }
    /// <summary>A shard's output filters, recorded on its pairs so that a merge knows pairs may be absent.</summary>
    public string? Filter { get; init; }
    /// <summary>Toroidal-shift p- and q-values by input positions [I, J] (Get-RankedPairs -Permutations); null when not tested.</summary>
    public SignificanceResult? Significance { get; init; }
    /// <summary>P- and q-values by input positions (I, J) when they are not held as matrices (Get-RankedPairs -Significance Analytic); null when not tested.</summary>
    public Func<int, int, (double PValue, double QValue)>? PairSignificance { get; init; }

    /// <summary>"A" for one method, "Consensus(A,B)" for several.</summary>
    public string MethodLabel => Methods.Count == 1 ? Methods[0] : ConsensusLabel(Methods);

    public static string ConsensusLabel(IEnumerable<string> methods) => $"Consensus({string.Join(",", methods)})";

    /// <summary>The methods of a label written by <see cref="MethodLabel"/>.</summary>
    public static IReadOnlyList<string> MethodsOf(string label)
    {
        var t = label.Trim();
        if (t.StartsWith("Consensus(", StringComparison.Ordinal) && t.EndsWith(')'))
            return t["Consensus(".Length..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return new[] { t };
    }
}

/// <summary>
/// Ranks a list of scored pairs, most similar first — the one ranking used by Get-RankedPairs (whole or one shard)
/// and Merge-RankedPairs, so that merged shards order pairs exactly as a single run does.
/// Order: Score descending, NaN last, ties by input positions (I, then J). With several methods the Score is the
/// consensus of <see cref="ConsensusRanking"/> over all the pairs given, computed before any filter.
/// Filters, in this order: -TopPerGene (pairs among the k best of either gene, <see cref="PairSelection"/>), -Gene (only its
/// pairs, that gene named first), -MinScore (Score ≥ x; NaN never passes), -Top.
/// </summary>
public static class PairListRanking
{
    public static IEnumerable<RankedPair> Rank(IReadOnlyList<ScoredPair> pairs, RankingRequest request)
    {
        int methods = request.Methods.Count;
        var score = new double[pairs.Count];
        if (methods == 1)
            for (int k = 0; k < pairs.Count; k++) score[k] = pairs[k].Scores[0];
        else
        {
            var byMethod = Enumerable.Range(0, methods).Select(m => (IReadOnlyList<double>)pairs.Select(p => p.Scores[m]).ToArray()).ToList();
            score = ConsensusRanking.Aggregate(byMethod).Score;
        }

        int focus = -1;
        if (request.Gene is not null)
        {
            focus = Enumerable.Range(0, request.Genes.Count).FirstOrDefault(g => string.Equals(request.Genes[g], request.Gene, StringComparison.Ordinal), -1);
            if (focus < 0)
            {
                var known = request.Genes.Where(g => g is not null).ToList();
                throw new SpatialSimException(ErrorKind.NotFound,
                    $"Gene '{request.Gene}' is not among the {known.Count} genes ranked ({string.Join(", ", known.Take(10))}{(known.Count > 10 ? ", …" : "")}).") { Gene = request.Gene };
            }
        }

        HashSet<(int, int)>? best = null;
        if (request.TopPerGene is int perGene)
        {
            var selection = new PairSelection(request.Genes.Count, new PairSelectionRequest { TopPerGene = perGene });
            for (int k = 0; k < pairs.Count; k++) selection.Add(pairs[k].I, pairs[k].J, score[k]);
            best = selection.Result().Select(p => (p.I, p.J)).ToHashSet();
        }
        var order = Enumerable.Range(0, pairs.Count)
            .Where(k => (focus < 0 || pairs[k].I == focus || pairs[k].J == focus) && (best is null || best.Contains((pairs[k].I, pairs[k].J)))).ToArray();
        Array.Sort(order, (x, y) => Compare(score[x], pairs[x], score[y], pairs[y]));
        int rank = 0;
        foreach (int k in order)
        {
            if (request.MinScore is double min && !(score[k] >= min)) yield break;   // sorted: the rest fail too
            if (request.Top is int top && rank >= top) yield break;
            var (i, j) = (pairs[k].I, pairs[k].J);
            if (focus >= 0 && j == focus) (i, j) = (j, i);
            MethodScores? byMethod = null;
            if (methods > 1)
            {
                byMethod = new MethodScores();
                for (int m = 0; m < methods; m++) byMethod[request.Methods[m]] = pairs[k].Scores[m];
            }
            var tested = request.PairSignificance?.Invoke(pairs[k].I, pairs[k].J);
            yield return new RankedPair
            {
                Rank = ++rank, GeneA = request.Genes[i] ?? $"#{i}", GeneB = request.Genes[j] ?? $"#{j}", Score = score[k],
                Method = request.MethodLabel, Parameters = request.Parameters,
                Scores = byMethod, IndexA = i, IndexB = j, GeneCount = request.Genes.Count, Shard = request.Shard, Filter = request.Filter,
                PValue = request.Significance?.PValues[pairs[k].I, pairs[k].J] ?? tested?.PValue,
                QValue = request.Significance?.QValues[pairs[k].I, pairs[k].J] ?? tested?.QValue,
            };
        }
    }

    /// <summary>Most similar first; NaN last; ties by (I, J).</summary>
    public static int Compare(double sx, ScoredPair x, double sy, ScoredPair y)
    {
        bool nx = double.IsNaN(sx), ny = double.IsNaN(sy);
        if (nx != ny) return nx ? 1 : -1;
        int c = nx ? 0 : sy.CompareTo(sx);
        if (c != 0) return c;
        c = x.I.CompareTo(y.I);
        return c != 0 ? c : x.J.CompareTo(y.J);
    }
}

/// <summary>
/// Each method's score of a pair, in -Method order. Its text form "A=0.93;B=0.81" (round-trip precision) is what
/// Export-Csv writes, and <see cref="Parse"/> reads it back.
/// </summary>
public sealed class MethodScores : Dictionary<string, double>
{
    public MethodScores() : base(StringComparer.Ordinal) { }

    public override string ToString() =>
        string.Join(";", this.Select(kv => kv.Key + "=" + kv.Value.ToString("R", CultureInfo.InvariantCulture)));

    public static MethodScores Parse(string text)
    {
        var scores = new MethodScores();
        foreach (var part in text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0 || !double.TryParse(part[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                throw new SpatialSimException(ErrorKind.InvalidData, $"'{part}' in Scores '{text}' is not of the form Method=score.");
            scores[part[..eq]] = v;
        }
        return scores;
    }
}
