using SpatialSim.TorchCore.Output;

namespace SpatialSim.TorchCore.Clustering;

/// <summary>How pair scores become the distances the clustering works on (higher score = more similar = closer).</summary>
public enum DistanceRule
{
    /// <summary>OneMinusScore for the measures whose score is 1 for identical maps (correlations, SSIM, JS, LBP, SIFT, keypoints); MaxMinusScore for the others (LeeL, MoranBV, distance-based scores such as Sinkhorn's −distance).</summary>
    Auto,
    /// <summary>d = 1 − score: 0 for identical maps, 1 for uncorrelated, 2 for anti-correlated (Pearson). Needs every score ≤ 1.</summary>
    OneMinusScore,
    /// <summary>d = max − score, max = the highest pair score given: the most similar pair is at distance 0. For scores with no fixed top, e.g. Score = −distance.</summary>
    MaxMinusScore,
}

/// <summary>A group of genes with alike spatial patterns: one flat cluster of the average-linkage dendrogram.</summary>
public sealed class GeneModule
{
    /// <summary>1 = the largest module; ties in size keep dendrogram order.</summary>
    public int Module { get; init; }
    public int Size { get; init; }
    /// <summary>Mean score of the pairs inside the module (pairs with a NaN score left out); NaN for a single gene.</summary>
    public double MeanScore { get; init; }
    /// <summary>The genes, in dendrogram leaf order.</summary>
    public string[] Genes { get; init; } = Array.Empty<string>();
    public string Method { get; init; } = "";
    /// <summary>How the tree was cut, e.g. "height ≤ 0.5 (1 − score)".</summary>
    public string Cut { get; init; } = "";
}

/// <summary>Score matrix → distances → average-linkage dendrogram → modules.</summary>
public static class GeneModules
{
    /// <summary>The rule <see cref="DistanceRule.Auto"/> picks for <paramref name="method"/>.</summary>
    public static DistanceRule Resolve(DistanceRule rule, string method) =>
        rule != DistanceRule.Auto ? rule
        : SimilarityMatrix.UnitSelfScoreMethods.Contains(method) ? DistanceRule.OneMinusScore : DistanceRule.MaxMinusScore;

    public static string Describe(DistanceRule rule) => rule switch
    {
        DistanceRule.OneMinusScore => "1 − score",
        DistanceRule.MaxMinusScore => "max score − score",
        _ => rule.ToString(),
    };

    /// <summary>
    /// Distances from the scores of <paramref name="matrix"/> by <paramref name="rule"/> (already resolved). Pairs with
    /// no score (NaN: a constant gene, or a pair not given) get the largest distance among the scored pairs, so such genes
    /// join last; <paramref name="undefinedPairs"/> counts them. Diagonal 0.
    /// </summary>
    public static double[,] Distances(SimilarityMatrix matrix, DistanceRule rule, out int undefinedPairs)
    {
        int n = matrix.Count;
        var s = matrix.Scores;
        double max = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (!double.IsNaN(s[i, j])) max = Math.Max(max, s[i, j]);
        if (rule == DistanceRule.OneMinusScore && max > 1)
        {
            var (a, b) = ArgMax(matrix);
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"The distance 1 − score needs scores ≤ 1, but {matrix.Method} gives {max:g6} for {a}–{b}. Use -Distance MaxMinusScore (or Auto).") { Gene = a };
        }
        var d = new double[n, n];
        undefinedPairs = 0;
        double top = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double v = double.IsNaN(s[i, j]) ? double.NaN : rule == DistanceRule.OneMinusScore ? 1 - s[i, j] : max - s[i, j];
                if (double.IsInfinity(v)) v = double.NaN;
                if (double.IsNaN(v)) undefinedPairs++;
                else top = Math.Max(top, v);
                d[i, j] = d[j, i] = v;
            }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (double.IsNaN(d[i, j])) d[i, j] = i == j ? 0 : top;
        return d;
    }

    private static (string, string) ArgMax(SimilarityMatrix m)
    {
        (int, int) best = (0, 1);
        for (int i = 0; i < m.Count; i++)
            for (int j = i + 1; j < m.Count; j++)
                if (m.Scores[i, j] > m.Scores[best.Item1, best.Item2] || double.IsNaN(m.Scores[best.Item1, best.Item2])) best = (i, j);
        return (m.Genes[best.Item1], m.Genes[best.Item2]);
    }

    /// <summary>
    /// The modules of a flat cut (<paramref name="labels"/>: one cluster number per gene), numbered 1..k by size (largest
    /// first; equal sizes in dendrogram order), genes in leaf order, with the mean within-module score.
    /// </summary>
    public static IReadOnlyList<GeneModule> FromLabels(SimilarityMatrix matrix, Dendrogram tree, int[] labels, string cut) =>
        FromLabels(matrix.Genes, matrix.Method, tree, labels, cut, groups => groups.Select(g =>
        {
            double sum = 0;
            int count = 0;
            for (int a = 0; a < g.Length; a++)
                for (int b = a + 1; b < g.Length; b++)
                {
                    double v = matrix.Scores[g[a], g[b]];
                    if (!double.IsNaN(v)) { sum += v; count++; }
                }
            return count > 0 ? sum / count : double.NaN;
        }).ToArray());

    /// <summary>The modules of a flat cut with their mean within-module scores from <paramref name="meanScores"/> (one per module, in module order).</summary>
    public static IReadOnlyList<GeneModule> FromLabels(IReadOnlyList<string> genes, string method, Dendrogram tree, int[] labels, string cut,
        Func<IReadOnlyList<int[]>, double[]> meanScores)
    {
        var ordered = Groups(tree, labels);
        var means = meanScores(ordered);
        var modules = new List<GeneModule>(ordered.Count);
        for (int k = 0; k < ordered.Count; k++)
        {
            var g = ordered[k];
            modules.Add(new GeneModule
            {
                Module = k + 1,
                Size = g.Length,
                MeanScore = means[k],
                Genes = g.Select(i => genes[i]).ToArray(),
                Method = method,
                Cut = cut,
            });
        }
        return modules;
    }

    /// <summary>The genes of each flat cluster in leaf order, largest cluster first (equal sizes in dendrogram order).</summary>
    public static IReadOnlyList<int[]> Groups(Dendrogram tree, int[] labels)
    {
        var groups = new List<List<int>>();
        var byLabel = new Dictionary<int, List<int>>();
        foreach (int leaf in tree.LeafOrder())
        {
            if (!byLabel.TryGetValue(labels[leaf], out var g)) { g = new List<int>(); byLabel[labels[leaf]] = g; groups.Add(g); }
            g.Add(leaf);
        }
        return groups.Select((g, i) => (g, i)).OrderByDescending(x => x.g.Count).ThenBy(x => x.i).Select(x => x.g.ToArray()).ToList();
    }
}
