using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Smoothing;

namespace SpatialSim.TorchCore.Clustering;

/// <summary>The condensed scores of many genes, ready for <see cref="CondensedDistances.ScoresToDistances"/>, and what is known about them.</summary>
public sealed class ScoreSource
{
    public required IReadOnlyList<string> Genes { get; init; }
    /// <summary>The scores (becoming distances in place).</summary>
    public required CondensedDistances Matrix { get; init; }
    /// <summary>Whether the genes' scores with themselves are 1 (correlation-like): what <see cref="DistanceRule.Auto"/> reads.</summary>
    public required bool UnitSelfScore { get; init; }
    /// <summary>Genes whose every score is NaN (constant genes).</summary>
    public required bool[] Undefined { get; init; }
    public required string Method { get; init; }
}

/// <summary>
/// Gene modules at whole-transcriptome scale, without RankedPair objects: the scores come from a matrix file
/// (<see cref="SimilarityMatrixFile"/>) or straight from the streamed correlation bands (<see cref="CorrelationBands"/>) into
/// condensed storage (8·G(G − 1)/2 bytes, 100 MB for 5,000 genes), are turned into distances in place, and clustered in
/// place by the nearest-neighbour chain (<see cref="AverageLinkage.Build(CondensedDistances, CancellationToken)"/>).
/// </summary>
public static class StreamedModules
{
    /// <summary>Reads the upper triangle of a matrix file into condensed scores.</summary>
    public static ScoreSource FromFile(SimilarityMatrixFile file, CancellationToken cancellationToken = default)
    {
        int n = file.Count;
        var matrix = new CondensedDistances(n);
        var row = new double[n];
        bool unit = false;
        var undefined = new bool[n];
        var anyScore = new bool[n];
        for (int i = 0; i < n; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            file.ReadRow(i, row);
            if (row[i] == 1) unit = true;
            long at = CondensedDistances.Index(n, i, Math.Min(i + 1, n - 1));
            for (int j = i + 1; j < n; j++)
            {
                double s = row[j];
                matrix.Values[at + j - i - 1] = s;
                if (!double.IsNaN(s)) anyScore[i] = anyScore[j] = true;
            }
        }
        for (int g = 0; g < n; g++) undefined[g] = !anyScore[g];
        return new ScoreSource { Genes = file.Genes, Matrix = matrix, UnitSelfScore = unit, Undefined = undefined, Method = $"matrix '{Path.GetFileName(file.Path)}'" };
    }

    /// <summary>The (smoothed) Pearson scores of <paramref name="rasters"/>, streamed in bands into condensed storage.</summary>
    public static ScoreSource FromCorrelations(IReadOnlyList<GeneRaster> rasters, double sigma, BandPlan plan, string method,
        GaussianMethod smoothing = GaussianMethod.Auto, GeneRaster? mask = null,
        IProgress<(int Done, int Total, string Step)>? progress = null, CancellationToken cancellationToken = default)
    {
        int n = rasters.Count;
        var matrix = new CondensedDistances(n);
        var undefined = new bool[n];
        CorrelationBands.Stream(rasters, sigma, plan, block =>
        {
            for (int g = block.RowStart; g < n; g++) undefined[g] |= block.Undefined[g];
            for (int i = block.RowStart; i < Math.Min(block.RowEnd, n - 1); i++)
            {
                var scores = block.Row(i);
                long at = CondensedDistances.Index(n, i, i + 1);
                for (int j = i + 1; j < n; j++) matrix.Values[at + j - i - 1] = scores[j - block.RowStart];
            }
        }, smoothing, mask, progress, cancellationToken);
        return new ScoreSource { Genes = rasters.Select(r => r.Gene).ToList(), Matrix = matrix, UnitSelfScore = true, Undefined = undefined, Method = method };
    }

    /// <summary>
    /// The mean score of the pairs inside each module from the dendrogram alone, for when the scores are gone (clustered in
    /// place): with average linkage a merge at height h of clusters A and B adds |A|·|B|·h to the sum of within distances,
    /// W(A ∪ B) = W(A) + W(B) + |A||B|h. Pairs with an undefined gene (placed at <paramref name="top"/>) are taken out, and
    /// the mean distance turned back into a score by the rule. Exact up to rounding when NaN scores come only from
    /// undefined genes (the streamed correlations); NaN for a single gene.
    /// </summary>
    public static double[] MeanScores(Dendrogram tree, IReadOnlyList<int[]> modules, bool[] undefined, double top, DistanceRule rule, double maxScore)
    {
        int n = tree.LeafCount;
        var within = new double[Math.Max(1, 2 * n - 1)];
        var size = new int[Math.Max(1, 2 * n - 1)];
        var parent = Enumerable.Repeat(-1, Math.Max(1, 2 * n - 1)).ToArray();
        for (int i = 0; i < n; i++) size[i] = 1;
        for (int m = 0; m < tree.Merges.Count; m++)
        {
            var merge = tree.Merges[m];
            int id = n + m;
            size[id] = size[merge.Left] + size[merge.Right];
            within[id] = within[merge.Left] + within[merge.Right] + (double)size[merge.Left] * size[merge.Right] * merge.Height;
            parent[merge.Left] = parent[merge.Right] = id;
        }
        var means = new double[modules.Count];
        for (int k = 0; k < modules.Count; k++)
        {
            var members = modules[k];
            int s = members.Length;
            if (s < 2) { means[k] = double.NaN; continue; }
            int node = members[0];
            while (size[node] < s && parent[node] >= 0) node = parent[node];
            long u = members.Count(g => undefined[g]);
            double pairs = (double)s * (s - 1) / 2, nanPairs = u * (s - u) + u * (u - 1) / 2.0;
            double defined = pairs - nanPairs;
            if (defined <= 0) { means[k] = double.NaN; continue; }
            double meanDistance = (within[node] - top * nanPairs) / defined;
            means[k] = rule == DistanceRule.OneMinusScore ? 1 - meanDistance : maxScore - meanDistance;
        }
        return means;
    }

    /// <summary>The mean score of the pairs inside each module, read again from the matrix file (NaN scores left out): one pass, O(G) memory.</summary>
    public static double[] MeanScores(SimilarityMatrixFile file, IReadOnlyList<int[]> modules, CancellationToken cancellationToken = default)
    {
        int n = file.Count;
        var label = new int[n];
        for (int k = 0; k < modules.Count; k++)
            foreach (int g in modules[k]) label[g] = k;
        var sum = new double[modules.Count];
        var count = new long[modules.Count];
        var row = new double[n];
        for (int i = 0; i < n; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (modules[label[i]].Length < 2) continue;
            file.ReadRow(i, row);
            for (int j = i + 1; j < n; j++)
                if (label[j] == label[i] && !double.IsNaN(row[j])) { sum[label[i]] += row[j]; count[label[i]]++; }
        }
        return Enumerable.Range(0, modules.Count).Select(k => count[k] > 0 ? sum[k] / count[k] : double.NaN).ToArray();
    }
}
