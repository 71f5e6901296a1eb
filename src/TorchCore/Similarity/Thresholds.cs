using System.Numerics;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// Threshold rules on a set of values, exactly as the Python references compute them: Otsu's method as scikit-image's
/// <c>threshold_otsu</c> (N. Otsu 1979, "A threshold selection method from gray-level histograms", IEEE Trans. Syst. Man
/// Cybern. 9(1):62–66, doi:10.1109/TSMC.1979.4310076) and numpy's default 'linear' quantile. Used by
/// <see cref="RoiPearsonSimilarity"/> to cut each gene's peak region.
/// </summary>
public static class Thresholds
{
    /// <summary>Histogram bins of Otsu's method (scikit-image's default).</summary>
    public const int OtsuBins = 256;

    /// <summary>scikit-image 0.19 threshold_otsu(values, nbins=256) on float64 values (numpy histogram binning, bin-centre threshold).</summary>
    public static double Otsu(ReadOnlySpan<double> values)
    {
        if (values.Length == 0) throw new ArgumentException("Otsu's method needs at least one value.", nameof(values));
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in values)
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }
        if (min == max) return values[0];
        var edges = OtsuEdges(min, max, out double norm);
        var counts = new long[OtsuBins];
        foreach (double v in values) counts[OtsuBin(v, min, norm, edges)]++;
        return OtsuFromHistogram(counts, edges);
    }

    /// <summary>Otsu's threshold of the pixels of <paramref name="values"/> whose bit is set in <paramref name="support"/> (64 a word);
    /// +∞ for an empty support (nothing lies above it).</summary>
    internal static double Otsu(ReadOnlySpan<float> values, ulong[] support)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity, first = double.NaN;
        for (int w = 0; w < support.Length; w++)
            for (ulong word = support[w]; word != 0; word &= word - 1)
            {
                double v = values[w * 64 + BitOperations.TrailingZeroCount(word)];
                if (double.IsNaN(first)) first = v;
                if (v < min) min = v;
                if (v > max) max = v;
            }
        if (double.IsNaN(first)) return double.PositiveInfinity; // no support: empty peak region
        if (min == max) return first; // scikit-image returns the single value; nothing lies above it
        var edges = OtsuEdges(min, max, out double norm);
        var counts = new long[OtsuBins];
        for (int w = 0; w < support.Length; w++)
            for (ulong word = support[w]; word != 0; word &= word - 1)
                counts[OtsuBin(values[w * 64 + BitOperations.TrailingZeroCount(word)], min, norm, edges)]++;
        return OtsuFromHistogram(counts, edges);
    }

    /// <summary>np.linspace(min, max, 257) in float64 and numpy's histogram scale factor 256 / (max − min).</summary>
    private static double[] OtsuEdges(double min, double max, out double norm)
    {
        var edges = new double[OtsuBins + 1];
        double delta = max - min;
        double step = delta / OtsuBins;
        for (int i = 0; i <= OtsuBins; i++)
            edges[i] = (step == 0 ? i / (double)OtsuBins * delta : i * step) + min;
        edges[OtsuBins] = max;
        norm = OtsuBins / (max - min);
        return edges;
    }

    /// <summary>numpy.histogram's bin of v: truncated (v − min)·norm, then corrected against the edges (last bin closed).</summary>
    private static int OtsuBin(double v, double min, double norm, double[] edges)
    {
        int index = (int)((v - min) * norm);
        if (index == OtsuBins) index--;
        if (v < edges[index]) index--;
        if (index != OtsuBins - 1 && v >= edges[index + 1]) index++;
        return index;
    }

    private static double OtsuFromHistogram(long[] counts, double[] edges)
    {
        int n = counts.Length;
        var centres = new double[n];
        for (int i = 0; i < n; i++) centres[i] = (edges[i] + edges[i + 1]) / 2.0;
        var weight1 = new long[n];
        var mean1 = new double[n];
        long w = 0;
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            w += counts[i];
            s += counts[i] * centres[i];
            weight1[i] = w;
            mean1[i] = s / w;
        }
        var weight2 = new long[n];
        var mean2 = new double[n];
        w = 0;
        s = 0;
        for (int i = n - 1; i >= 0; i--)
        {
            w += counts[i];
            s += counts[i] * centres[i];
            weight2[i] = w;
            mean2[i] = s / w;
        }
        int best = 0;
        double bestVariance = double.NegativeInfinity;
        for (int i = 0; i < n - 1; i++)
        {
            double d = mean1[i] - mean2[i + 1];
            double variance = (double)(weight1[i] * weight2[i + 1]) * (d * d);
            if (variance > bestVariance || (double.IsNaN(variance) && !double.IsNaN(bestVariance)))
            {
                bestVariance = variance;
                best = i;
                if (double.IsNaN(variance)) break; // np.argmax stops at the first NaN
            }
        }
        return centres[best];
    }

    /// <summary>numpy.quantile(values, q) with the default 'linear' method.</summary>
    public static double Quantile(Span<double> values, double q)
    {
        if (values.Length == 0) throw new ArgumentException("A quantile needs at least one value.", nameof(values));
        int n = values.Length;
        double virtualIndex = (n - 1) * q;
        int previous, next;
        if (virtualIndex >= n - 1) previous = next = n - 1;
        else if (virtualIndex < 0) previous = next = 0;
        else
        {
            previous = (int)Math.Floor(virtualIndex);
            next = previous + 1;
        }
        double gamma = virtualIndex - Math.Floor(virtualIndex); // only used when previous ≠ next
        double a = Select(values, previous);
        double b = next == previous ? a : MinFrom(values, previous + 1);
        // numpy's _lerp: a + (b − a)·γ, and b − (b − a)·(1 − γ) where γ ≥ 0.5.
        double diff = b - a;
        return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
    }

    /// <summary>numpy.quantile of the pixels in <paramref name="support"/>; +∞ for an empty support.</summary>
    internal static double Quantile(ReadOnlySpan<float> values, ulong[] support, double q)
    {
        long count = 0;
        foreach (ulong word in support) count += BitOperations.PopCount(word);
        if (count == 0) return double.PositiveInfinity;
        var selected = new double[count];
        int k = 0;
        for (int w = 0; w < support.Length; w++)
        {
            ulong word = support[w];
            while (word != 0)
            {
                selected[k++] = values[w * 64 + BitOperations.TrailingZeroCount(word)];
                word &= word - 1;
            }
        }
        return Quantile(selected, q);
    }

    /// <summary>The k-th smallest value (0-based); reorders <paramref name="values"/> so that values[k] is it, smaller before, larger after.</summary>
    private static double Select(Span<double> values, int k)
    {
        int lo = 0, hi = values.Length - 1;
        while (hi > lo)
        {
            // Median of three as pivot, Hoare partition.
            int mid = lo + (hi - lo) / 2;
            if (values[mid] < values[lo]) Swap(values, mid, lo);
            if (values[hi] < values[lo]) Swap(values, hi, lo);
            if (values[hi] < values[mid]) Swap(values, hi, mid);
            double pivot = values[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j)
                {
                    Swap(values, i, j);
                    i++;
                    j--;
                }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else break;
        }
        return values[k];

        static void Swap(Span<double> v, int x, int y) => (v[x], v[y]) = (v[y], v[x]);
    }

    private static double MinFrom(Span<double> values, int start)
    {
        double m = double.PositiveInfinity;
        for (int i = start; i < values.Length; i++) if (values[i] < m) m = values[i];
        return m;
    }
}
