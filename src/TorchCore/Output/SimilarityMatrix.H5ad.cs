using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.TorchCore.Output;

public sealed partial class SimilarityMatrix
{
    /// <summary>
    /// Writes the matrix as AnnData (<c>.h5ad</c>, see <see cref="AnnDataMatrixWriter"/>): the scores in <c>X</c> (genes ×
    /// genes, float64, NaN where undefined or not given), gene names as <c>obs_names</c> and <c>var_names</c>, the measure
    /// and its parameters in <c>uns["method"]</c> and <c>uns["parameters"]</c>. When the <paramref name="pairs"/> it was
    /// built from carry permutation p-values (Get-RankedPairs -Permutations), they and their q-values go to
    /// <c>layers["pvalue"]</c> and <c>layers["qvalue"]</c> (NaN on the diagonal and where not computed).
    /// </summary>
    public void WriteH5ad(string path, bool overwrite, IEnumerable<RankedPair>? pairs = null, CancellationToken cancel = default)
    {
        int n = Count;
        var layers = new Dictionary<string, AnnDataMatrixWriter.RowBlock>();
        if (pairs is not null)
        {
            var index = new Dictionary<string, int>(n, StringComparer.Ordinal);
            for (int i = 0; i < n; i++) index[Genes[i]] = i;
            double[,]? p = null, q = null;
            foreach (var pair in pairs)
            {
                if (pair?.PValue is not double pv || !index.TryGetValue(pair.GeneA, out int a) || !index.TryGetValue(pair.GeneB, out int b)) continue;
                p ??= Filled(n, double.NaN);
                q ??= Filled(n, double.NaN);
                p[a, b] = p[b, a] = pv;
                q[a, b] = q[b, a] = pair.QValue ?? double.NaN;
            }
            if (p is not null) layers["pvalue"] = Rows(p);
            if (q is not null) layers["qvalue"] = Rows(q);
        }
        var uns = new Dictionary<string, string> { ["method"] = Method, ["parameters"] = Parameters };
        AnnDataMatrixWriter.Write(path, Genes, Rows(Scores), layers, uns, overwrite, cancel);
    }

    private static double[,] Filled(int n, double value)
    {
        var m = new double[n, n];
        System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref m[0, 0], n * n).Fill(value);
        return m;
    }

    private static AnnDataMatrixWriter.RowBlock Rows(double[,] m) => (first, rows, destination) =>
    {
        int n = m.GetLength(1);
        System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref m[first, 0], rows * n).CopyTo(destination);
    };
}
