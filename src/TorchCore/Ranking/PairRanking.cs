using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>Turns a symmetric score matrix into ranked gene pairs, most similar first; undefined (NaN) scores last.</summary>
public static class PairRanking
{
    /// <param name="onlyGene">Keep only the pairs that contain this gene (its partners, best first).</param>
    /// <param name="significance">P- and q-values to attach (<see cref="ToroidalShiftTest"/>), or null.</param>
    /// <param name="top">Keep the first <paramref name="top"/> pairs.</param>
    public static IReadOnlyList<RankedPair> Rank(IReadOnlyList<string> genes, double[,] scores, string method, string parameters,
        int? top = null, string? onlyGene = null, SignificanceResult? significance = null)
    {
        int n = genes.Count;
        int focus = -1;
        if (onlyGene is not null)
        {
            focus = genes.ToList().FindIndex(g => string.Equals(g, onlyGene, StringComparison.Ordinal));
            if (focus < 0)
                throw new SpatialSimException(ErrorKind.NotFound,
                    $"Gene '{onlyGene}' is not among the {n} rasters given ({string.Join(", ", genes.Take(10))}{(n > 10 ? ", …" : "")}).") { Gene = onlyGene };
        }
        var pairs = new List<(int I, int J, double S)>();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (focus < 0 || i == focus || j == focus)
                    pairs.Add((i, j, scores[i, j]));
        pairs.Sort((x, y) =>
        {
            bool nx = double.IsNaN(x.S), ny = double.IsNaN(y.S);
            if (nx != ny) return nx ? 1 : -1;
            int c = nx ? 0 : y.S.CompareTo(x.S);
            if (c != 0) return c;
            c = x.I.CompareTo(y.I);
            return c != 0 ? c : x.J.CompareTo(y.J);
        });
        int count = top is int t ? Math.Min(t, pairs.Count) : pairs.Count;
        var ranked = new RankedPair[count];
        for (int k = 0; k < count; k++)
        {
            var (i, j, s) = pairs[k];
            // With -Gene, name the focus gene first.
            if (focus >= 0 && j == focus) (i, j) = (j, i);
            ranked[k] = new RankedPair { Rank = k + 1, GeneA = genes[i], GeneB = genes[j], Score = s, Method = method, Parameters = parameters,
                PValue = significance?.PValues[i, j], QValue = significance?.QValues[i, j] };
        }
        return ranked;
    }
}
