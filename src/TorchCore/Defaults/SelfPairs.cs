namespace SpatialSim.TorchCore.Defaults;

/// <summary>
/// The pairs of counts that share one pixel, observed and expected. Count splitting assumes Poisson counts: then
/// E[c (c − 1)] = λ² in each pixel, which a smooth intensity λ makes about equal to c_p · c̄_p (c̄_p: the mean count of the
/// pixel's four neighbours). Real tables are not always Poisson at the pixel scale: Stereo-seq bin 1 reports 2–4 counts of
/// one gene in one 0.5 µm DNB far more often than any smooth intensity allows (duplicates: observed/expected ≈ 15 on the
/// bundled patch), so the two halves of a pixel agree by construction and the held-out error would call for no smoothing at
/// every bin. The criterion therefore caps Σ c (c − 1) at <see cref="MaxExcess"/> × its smooth-intensity value
/// <see cref="Expected"/> = Σ_p c_p c̄_p. On Poisson data the two agree up to the pattern's own variation between
/// neighbouring pixels (observed/expected ≈ 1.2 on the mouse olfactory bulb ST grid, whose layers are one or two spots
/// wide; 1–3 for most genes of the CA1 ISS table binned by 4 to 20, where molecules of one cell share a pixel), which the cap
/// leaves alone.
/// </summary>
/// <param name="Observed">Σ_p c_p (c_p − 1): ordered pairs of distinct counts in one pixel (terms of c &lt; 1 count 0).</param>
/// <param name="Expected">Σ_p c_p c̄_p, their value under a smooth Poisson intensity.</param>
public readonly record struct SelfPairs(double Observed, double Expected)
{
    /// <summary>Most credible ratio of observed to smooth-intensity same-pixel pairs; beyond it the excess is duplication.</summary>
    public const double MaxExcess = 1.5;

    /// <summary>The value the pairs enter the criterion with: <see cref="Observed"/>, at most <see cref="MaxExcess"/> × <see cref="Expected"/>.</summary>
    public double Credible => Math.Min(Observed, MaxExcess * Expected);

    /// <summary>The sums over the pixels <paramref name="index"/> (ascending, unique flat indices) with counts <paramref name="counts"/>.</summary>
    public static SelfPairs Of(int[] index, float[] counts, int width, int height)
    {
        double observed = 0, expected = 0;
        int n = index.Length;
        for (int k = 0; k < n; k++)
        {
            double c = counts[k];
            if (c <= 0) continue;
            observed += Math.Max(0, c * (c - 1));
            int i = index[k], y = i / width, x = i - y * width;
            double neighbours = 0;
            int count = 0;
            if (x > 0) { count++; neighbours += CountAt(index, counts, k - 1, i - 1); }
            if (x < width - 1) { count++; neighbours += CountAt(index, counts, k + 1, i + 1); }
            if (y > 0) { count++; neighbours += Find(index, counts, i - width, 0, k); }
            if (y < height - 1) { count++; neighbours += Find(index, counts, i + width, k + 1, n); }
            if (count > 0) expected += c * neighbours / count;
        }
        return new SelfPairs(observed, expected);
    }

    private static double CountAt(int[] index, float[] counts, int k, int pixel) =>
        k >= 0 && k < index.Length && index[k] == pixel ? counts[k] : 0;

    private static double Find(int[] index, float[] counts, int pixel, int lo, int hi)
    {
        int k = Array.BinarySearch(index, lo, hi - lo, pixel);
        return k >= 0 ? counts[k] : 0;
    }
}
