namespace SpatialSim.TorchCore.Ranking;

/// <summary>
/// Benjamini–Hochberg false discovery rate adjustment (Benjamini &amp; Hochberg 1995, J. R. Stat. Soc. B 57:289–300):
/// with the m p-values sorted ascending, p_(1) ≤ … ≤ p_(m),
/// <code>q_(k) = min_{l ≥ k} min(1, m · p_(l) / l)</code>
/// (the step-up adjusted p-value, as scipy.stats.false_discovery_control(method='bh') and R's p.adjust(method='BH')).
/// Rejecting every hypothesis with q ≤ α controls the false discovery rate at α for independent or positively
/// dependent tests. NaN p-values (pairs whose score is undefined) are left out of m and get q = NaN.
/// </summary>
public static class MultipleTesting
{
    public static double[] BenjaminiHochberg(IReadOnlyList<double> pValues)
    {
        var q = new double[pValues.Count];
        var order = new List<int>();
        for (int k = 0; k < pValues.Count; k++)
        {
            double p = pValues[k];
            if (double.IsNaN(p)) { q[k] = double.NaN; continue; }
            if (p < 0 || p > 1)
                throw new SpatialSimException(ErrorKind.InvalidArgument, $"A p-value must lie in [0, 1]; got {p} at position {k}.");
            order.Add(k);
        }
        order.Sort((a, b) => pValues[a].CompareTo(pValues[b]) is var c && c != 0 ? c : a.CompareTo(b));
        int m = order.Count;
        double running = 1.0;
        for (int rank = m; rank >= 1; rank--)
        {
            int k = order[rank - 1];
            running = Math.Min(running, Math.Min(1.0, pValues[k] * ((double)m / rank)));  // m/rank ≥ 1 first, so q ≥ p also in floating point
            q[k] = running;
        }
        return q;
    }
}
