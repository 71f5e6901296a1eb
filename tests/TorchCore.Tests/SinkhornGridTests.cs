using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>The Sinkhorn solver's soft c-transform against brute-force sums, in both precisions.</summary>
public class SinkhornGridTests
{
    /// <summary>log Σ_j exp(h_j − (i − j)²/ε) summed term by term in float64 around the exact maximum.</summary>
    private static double BruteLogSumExp(double[] h, int n, int i, double eps)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < n; j++) max = Math.Max(max, h[j] - (double)(i - j) * (i - j) / eps);
        if (max == double.NegativeInfinity) return max;
        double sum = 0;
        for (int j = 0; j < n; j++) sum += Math.Exp(h[j] - (double)(i - j) * (i - j) / eps - max);
        return max + Math.Log(sum);
    }

    /// <summary>Lines with zero masses (−∞), steep slopes (a potential far from the optimum) and large offsets.</summary>
    private static double[] Line(Random random, int n, string kind) => Enumerable.Range(0, n).Select(j => kind switch
    {
        "flat" => random.NextDouble(),
        "sparse" => random.NextDouble() < 0.8 ? double.NegativeInfinity : 3 * random.NextDouble(),
        "steep" => 60.0 * j + 5 * random.NextDouble(),
        "offset" => 1e5 - 0.01 * j * j + random.NextDouble(),
        "bimodal" => -0.5 * Math.Min((j - n / 4.0) * (j - n / 4.0), (j - 3 * n / 4.0) * (j - 3 * n / 4.0)),
        _ => throw new ArgumentException(kind),
    }).ToArray();

    public static IEnumerable<object[]> Cases() =>
        from n in new[] { 1, 2, 7, 8, 9, 33, 100 }
        from eps in new[] { 0.05, 1.0, 16.0, 1e4 }
        from kind in new[] { "flat", "sparse", "steep", "offset", "bimodal" }
        select new object[] { n, eps, kind };

    [Theory]
    [MemberData(nameof(Cases))]
    public void LineLogSumExpMatchesBruteForce(int n, double eps, string kind)
    {
        var random = new Random(n * 7919 + (int)eps * 31 + kind.Length);
        var h = Line(random, n, kind);
        foreach (bool precise in new[] { true, false })
        {
            var grid = new SinkhornGrid(1, n, precise);
            var scratch = new SinkhornLineScratch(n);
            Array.Copy(h, scratch.H, n);
            var result = new double[n];
            grid.LogSumExpLine(scratch, n, eps, result, 0, 1, 1.0);
            // Nats: the float32 kernel sums to a relative 3e-7, terms under e^-20 skipped; float64 to rounding, which is
            // relative to the magnitude of the terms' parts (h_j and (i − j)²/ε reach 1e5 here).
            double magnitude = h.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max() + (double)n * n / eps;
            double tolerance = (precise ? 1e-12 : 1e-6) + 1e-15 * magnitude;
            for (int i = 0; i < n; i++)
            {
                double expected = BruteLogSumExp(h, n, i, eps);
                if (double.IsNegativeInfinity(expected)) Assert.True(double.IsNegativeInfinity(result[i]), $"i={i}: {result[i]}");
                else Assert.True(Math.Abs(result[i] - expected) <= tolerance,
                    $"{kind} n={n} ε={eps} precise={precise} i={i}: {result[i]:r} vs {expected:r}");
            }
        }
    }

    [Fact]
    public void AllZeroLineGivesMinusInfinity()
    {
        var grid = new SinkhornGrid(1, 12, precise: false);
        var scratch = new SinkhornLineScratch(12);
        var result = new double[12];
        grid.LogSumExpLine(scratch, 12, 1.0, result, 0, 1, -1.0);
        Assert.All(result, v => Assert.Equal(double.PositiveInfinity, v));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GridSoftminIsTheTwoDimensionalSum(bool precise)
    {
        // T_w(p)_i = −ε log Σ_j w_j exp((p_j − |x_i − x_j|²)/ε) on a 13 × 10 grid, against the double sum over all pixels.
        const int h = 13, w = 10;
        const double eps = 2.5;
        var random = new Random(5);
        var logW = Enumerable.Range(0, h * w).Select(_ => random.NextDouble() < 0.3 ? double.NegativeInfinity : Math.Log(random.NextDouble())).ToArray();
        var potential = Enumerable.Range(0, h * w).Select(i => 3.0 * (i % w) + 10 * random.NextDouble()).ToArray();
        var result = new double[h * w];
        new SinkhornGrid(h, w, precise).Softmin(eps, logW, potential, result);
        for (int yi = 0; yi < h; yi++)
            for (int xi = 0; xi < w; xi++)
            {
                var terms = new List<double>();
                for (int yj = 0; yj < h; yj++)
                    for (int xj = 0; xj < w; xj++)
                    {
                        int j = yj * w + xj;
                        terms.Add(logW[j] + (potential[j] - ((yi - yj) * (yi - yj) + (xi - xj) * (xi - xj))) / eps);
                    }
                double max = terms.Max();
                double expected = -eps * (max + Math.Log(terms.Sum(t => Math.Exp(t - max))));
                Assert.Equal(expected, result[yi * w + xi], precise ? 1e-9 : 1e-5);
            }
    }
}
