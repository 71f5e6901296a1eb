using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Smoothing;

namespace SpatialSim.TorchCore.Statistics;

/// <summary>One gene's spatial autocorrelation (<see cref="SpatialAutocorrelation"/>), ranked most spatially structured first.</summary>
public sealed class GeneAutocorrelation
{
    /// <summary>1 = the most spatially structured gene (highest z-score).</summary>
    public int Rank { get; init; }
    public string Gene { get; init; } = "";
    /// <summary>Moran's I with Gaussian weights of width σ (self excluded).</summary>
    public double MoranI { get; init; }
    /// <summary>E[I] = −1/(N − 1) under spatial randomness.</summary>
    public double Expected { get; init; }
    /// <summary>Var[I] under randomisation (Cliff &amp; Ord).</summary>
    public double Variance { get; init; }
    public double ZScore { get; init; }
    /// <summary>One-sided P(Z ≥ z): positive autocorrelation.</summary>
    public double PValue { get; init; }
    /// <summary>Benjamini–Hochberg over the genes tested.</summary>
    public double QValue { get; init; }
    /// <summary>The gene's total count (inside the tissue).</summary>
    public double Total { get; init; }
    public double Sigma { get; init; }
    /// <summary>The gene raster, so that the output pipes into Get-RankedPairs.</summary>
    public GeneRaster? Raster { get; init; }
}

/// <summary>
/// Each gene's spatial autocorrelation as Moran's I (Moran 1950, Biometrika 37:17–23, doi:10.2307/2332142) with Gaussian
/// weights at the smoothing scale σ of the ranking — the clustering of a gene's counts with its own smoothed map, which is
/// how Hotspot (DeTomaso &amp; Yosef 2021, doi:10.1016/j.cels.2021.04.005) and SDAS pick spatially variable genes:
/// <code>
/// w_ij = g(y_i − y_j) g(x_i − x_j)  for i ≠ j inside the tissue, |Δy|, |Δx| ≤ r = int(4σ + 0.5), g the blur's 1-D kernel
/// I = (N / S₀) · Σ_ij w_ij z_i z_j / Σ_i z_i²,   z = x − x̄ over the N pixels inside
/// </code>
/// with its mean E[I] = −1/(N − 1) and variance under randomisation (Cliff &amp; Ord 1981, Spatial Processes; spdep's
/// moran.test(randomisation = TRUE)):
/// <code>
/// E[I²] = [N((N² − 3N + 3)S₁ − N S₂ + 3S₀²) − b₂((N² − N)S₁ − 2N S₂ + 6S₀²)] / ((N − 1)(N − 2)(N − 3)S₀²)
/// S₀ = Σ w_ij, S₁ = ½ Σ (w_ij + w_ji)², S₂ = Σ_i (w_i· + w_·i)², b₂ = N Σ z⁴ / (Σ z²)²
/// </code>
/// z-score (I − E[I])/√Var and the one-sided normal p-value; q-values by Benjamini–Hochberg over the genes. The border is
/// zero-padded (no reflection), so W is symmetric; tested against spdep (tests/reference/make_moran_fixtures.py).
/// Cost: the weight sums once (three separable convolutions of the mask); per gene, sums over its non-zero pixels and
/// their non-zero neighbours within r (a dense gene: one separable convolution).
/// </summary>
public static class SpatialAutocorrelation
{
    /// <summary>Below this fraction of non-zero pixels per kernel row a gene's neighbour sums are taken pixel by pixel.</summary>
    private const double SparseNeighbours = 2.0;

    public static IReadOnlyList<GeneAutocorrelation> Compute(IReadOnlyList<GeneRaster> rasters, double sigma, GeneRaster? mask = null,
        IProgress<(int Done, int Total, string Gene)>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!(sigma > 0)) throw new SpatialSimException(ErrorKind.InvalidArgument, $"Moran's I with Gaussian weights needs σ > 0 pixels; got {sigma}.");
        int n = rasters.Count;
        if (n == 0) return Array.Empty<GeneAutocorrelation>();
        RasterChecks.RequireSameSize(rasters);
        int w = rasters[0].Width, h = rasters[0].Height;
        if (mask is not null) RasterChecks.RequireMaskFits(mask, rasters[0]);
        var kernel = CpuGaussianBlur.Kernel1D(sigma, GaussianSmoothing.DefaultTruncate);
        int r = kernel.Length / 2;
        double k0 = kernel[r] * kernel[r];
        var inside = new double[(long)w * h];
        if (mask is null) Array.Fill(inside, 1.0);
        else
        {
            var m = mask.ToArray();
            for (int p = 0; p < m.Length; p++) inside[p] = m[p] > 0 ? 1 : 0;
        }
        double count = inside.Sum();
        // Weight sums: K m (row sums + k0), K₂ m with the squared kernel (Σ_j w_ij² + k0²).
        var km = SeparableConvolution.Apply(inside, w, h, kernel);
        var k2m = SeparableConvolution.Apply(inside, w, h, kernel.Select(v => v * v).ToArray());
        double s0 = 0, sumSquares = 0, s2 = 0, c = 0;
        for (long p = 0; p < inside.LongLength; p++)
        {
            if (inside[p] == 0) continue;
            double rowSum = km[p] - k0;
            s0 += rowSum;
            s2 += 4 * rowSum * rowSum;
            sumSquares += k2m[p] - k0 * k0;
            c += km[p];
        }
        double s1 = 2 * sumSquares;
        double expected = -1 / (count - 1);

        var results = new (int Index, double I, double Var, double Z, double P, double Total)[n];
        for (int g = 0; g < n; g++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report((g, n, rasters[g].Gene));
            var (a, b, total, sum2, sum4Nonzero, _) = Sums(rasters[g], inside, count, km, kernel, w, h);
            double mean = total / count;
            double zz = sum2 - count * mean * mean;                 // Σ z²
            double z4 = sum4Nonzero + count * Math.Pow(mean, 4);    // Σ z⁴ (zero pixels contribute μ⁴)
            double zKz = a - 2 * mean * b + mean * mean * c;
            double zWz = zKz - k0 * zz;
            if (!(zz > 1e-12 * sum2) || count < 4)
            {
                results[g] = (g, double.NaN, double.NaN, double.NaN, double.NaN, total);
                continue;
            }
            double moran = count / s0 * zWz / zz;
            double b2 = count * z4 / (zz * zz);
            double nn = count;
            double e2 = (nn * ((nn * nn - 3 * nn + 3) * s1 - nn * s2 + 3 * s0 * s0) - b2 * ((nn * nn - nn) * s1 - 2 * nn * s2 + 6 * s0 * s0))
                        / ((nn - 1) * (nn - 2) * (nn - 3) * s0 * s0);
            double variance = e2 - expected * expected;
            double z = (moran - expected) / Math.Sqrt(variance);
            results[g] = (g, moran, variance, z, SpecialFunctions.NormalUpperTail(z), total);
        }
        progress?.Report((n, n, ""));
        var q = MultipleTesting.BenjaminiHochberg(results.Select(x => x.P).ToArray());
        var order = Enumerable.Range(0, n).OrderBy(g => double.IsNaN(results[g].Z) ? 1 : 0).ThenByDescending(g => double.IsNaN(results[g].Z) ? 0 : results[g].Z).ThenBy(g => g).ToArray();
        return order.Select((g, k) => new GeneAutocorrelation
        {
            Rank = k + 1, Gene = rasters[g].Gene, MoranI = results[g].I, Expected = expected, Variance = results[g].Var,
            ZScore = results[g].Z, PValue = results[g].P, QValue = q[g], Total = results[g].Total, Sigma = sigma, Raster = rasters[g],
        }).ToList();
    }

    /// <summary>
    /// For x̃ = x·m: A = x̃ᵀK x̃, B = x̃ᵀK m, Σ x̃, Σ x̃², and Σ over the non-zeros of (x̃ − μ)⁴ − μ⁴ (μ = Σ x̃ / count), from the
    /// non-zero pixels and their non-zero neighbours, or from a dense convolution when the gene is dense.
    /// </summary>
    private static (double A, double B, double Total, double Sum2, double Sum4NonZero, long NonZero) Sums(GeneRaster raster, double[] inside,
        double count, double[] km, double[] kernel, int w, int h)
    {
        int r = kernel.Length / 2;
        // The gene's non-zero pixels inside the tissue, in row-major order.
        var index = new List<int>();
        var value = new List<double>();
        if (raster.Sparse is { } sparse && !raster.HasDenseValues)
        {
            var si = sparse.Index;
            var sv = sparse.Values;
            for (int k = 0; k < si.Length; k++)
                if (sv[k] != 0 && inside[si[k]] > 0) { index.Add(si[k]); value.Add(sv[k]); }
        }
        else
        {
            var pixels = raster.ToArray();
            for (int p = 0; p < pixels.Length; p++)
                if (pixels[p] != 0 && inside[p] > 0) { index.Add(p); value.Add(pixels[p]); }
        }
        double total = 0, sum2 = 0;
        for (int k = 0; k < value.Count; k++) { total += value[k]; sum2 += value[k] * value[k]; }
        double mean = total / count;
        double sum4 = 0, b = 0;
        for (int k = 0; k < value.Count; k++)
        {
            double d = value[k] - mean;
            sum4 += d * d * d * d - mean * mean * mean * mean;
            b += value[k] * km[index[k]];
        }
        double a = 0;
        double density = (double)value.Count / ((double)w * h);
        if (density * (2 * r + 1) < SparseNeighbours)
        {
            // Pixel by pixel: for each non-zero, its non-zero neighbours in the (2r + 1)² window (rows found by binary search).
            var idx = index.ToArray();
            var val = value.ToArray();
            for (int k = 0; k < idx.Length; k++)
            {
                int y = idx[k] / w, x = idx[k] % w;
                double acc = 0;
                for (int dy = Math.Max(-r, -y); dy <= Math.Min(r, h - 1 - y); dy++)
                {
                    int rowStart = (y + dy) * w;
                    int lo = Array.BinarySearch(idx, rowStart + Math.Max(0, x - r));
                    if (lo < 0) lo = ~lo;
                    int end = rowStart + Math.Min(w - 1, x + r);
                    double ky = kernel[dy + r];
                    for (int q = lo; q < idx.Length && idx[q] <= end; q++)
                        acc += ky * kernel[idx[q] - rowStart - x + r] * val[q];
                }
                a += val[k] * acc;
            }
        }
        else
        {
            var dense = new double[(long)w * h];
            for (int k = 0; k < index.Count; k++) dense[index[k]] = value[k];
            var kx = SeparableConvolution.Apply(dense, w, h, kernel);
            for (int k = 0; k < index.Count; k++) a += value[k] * kx[index[k]];
        }
        return (a, b, total, sum2, sum4, value.Count);
    }
}
