using System.Text.Json;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Smoothing;
using SpatialSim.TorchCore.Statistics;
using Xunit;
using Xunit.Abstractions;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// The analytic significance of correlations (modified t-test): its special functions against scipy, and its calibration
/// on independent smooth random fields — uniform p-values (Kolmogorov–Smirnov), where the naive t-test's are not.
/// </summary>
public class ModifiedTTestTests(ITestOutputHelper output)
{
    [Fact]
    public void SpecialFunctionsMatchScipy()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf("distributions", "values.json")));
        var root = doc.RootElement;
        static double[] Row(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        static void Close(double expected, double actual, string what)
        {
            double tolerance = 1e-12 + 1e-9 * Math.Abs(expected);
            Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: {actual:R} vs scipy {expected:R}");
        }
        foreach (var r in root.GetProperty("student_t").EnumerateArray().Select(Row))
            Close(r[2], SpecialFunctions.StudentTUpperTail(r[0], r[1]), $"t.sf({r[0]}, {r[1]})");
        foreach (var r in root.GetProperty("normal").EnumerateArray().Select(Row))
            Close(r[1], SpecialFunctions.NormalUpperTail(r[0]), $"norm.sf({r[0]})");
        foreach (var r in root.GetProperty("beta").EnumerateArray().Select(Row))
            Close(r[3], SpecialFunctions.RegularizedBeta(r[0], r[1], r[2]), $"betainc({r[1]}, {r[2]}, {r[0]})");
        foreach (var r in root.GetProperty("gammaq").EnumerateArray().Select(Row))
            Close(r[2], SpecialFunctions.RegularizedGammaQ(r[0], r[1]), $"gammaincc({r[0]}, {r[1]})");
        foreach (var r in root.GetProperty("loggamma").EnumerateArray().Select(Row))
            Close(r[1], SpecialFunctions.LogGamma(r[0]), $"gammaln({r[0]})");
    }

    /// <summary>Independent stationary smooth fields: white noise blurred with σ_field, offset to be non-negative.</summary>
    internal static List<GeneRaster> SmoothFields(int count, int size, double fieldSigma, int seed)
    {
        var random = new Random(seed);
        var genes = new List<GeneRaster>();
        var noise = new float[size * size];
        var field = new float[size * size];
        for (int g = 0; g < count; g++)
        {
            for (int p = 0; p < noise.Length; p++)
            {
                // Box–Muller
                double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
                noise[p] = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            }
            CpuGaussianBlur.Blur(noise, field, size, size, fieldSigma, GaussianMethod.Direct);
            float min = field.Min();
            genes.Add(Fixtures.Raster($"f{g}", size, size, field.Select(v => v - min + 1).ToArray()));
        }
        return genes;
    }

    /// <summary>The Kolmogorov–Smirnov distance of a sample from the uniform distribution on [0, 1].</summary>
    private static double KsUniform(IEnumerable<double> sample)
    {
        var sorted = sample.OrderBy(v => v).ToArray();
        int m = sorted.Length;
        double d = 0;
        for (int k = 0; k < m; k++) d = Math.Max(d, Math.Max((k + 1.0) / m - sorted[k], sorted[k] - (double)k / m));
        return d;
    }

    [Theory]
    [InlineData(96, 4.0, 0.0)]
    [InlineData(96, 6.0, 2.0)]
    [InlineData(128, 3.0, 1.0)]
    public void PValuesAreUniformOnIndependentSmoothFieldsAndNaiveOnesAreNot(int size, double fieldSigma, double sigma)
    {
        const int genes = 60;
        var fields = SmoothFields(genes, size, fieldSigma, seed: size + (int)(10 * fieldSigma));
        var r = CorrelationGram.Compute(fields, sigma);
        var test = ModifiedTTest.Prepare(fields, sigma);
        var analytic = new List<double>();
        var naive = new List<double>();
        var neff = new List<double>();
        for (int i = 0; i < genes; i++)
            for (int j = i + 1; j < genes; j++)
            {
                analytic.Add(test.PValue(i, j, r[i, j]));
                naive.Add(ModifiedTTest.PValue(r[i, j], size * size));
                neff.Add(ModifiedTTest.EffectiveSampleSize(test.Variance(i, j), size * size));
            }
        int m = analytic.Count;
        double critical = 1.63 / Math.Sqrt(m);   // KS at α = 0.01
        double dAnalytic = KsUniform(analytic), dNaive = KsUniform(naive);
        output.WriteLine($"{size}², field σ {fieldSigma}, smoothing σ {sigma}: {m} pairs, median n_eff {neff.OrderBy(v => v).ElementAt(m / 2):F0} of {size * size} pixels; " +
                         $"KS D analytic {dAnalytic:F4}, naive {dNaive:F4} (critical {critical:F4}); " +
                         $"P(p ≤ 0.05): analytic {analytic.Count(p => p <= 0.05) / (double)m:F3}, naive {naive.Count(p => p <= 0.05) / (double)m:F3}");
        Assert.True(dAnalytic < critical, $"analytic p-values are not uniform: KS D = {dAnalytic:F4} ≥ {critical:F4}");
        Assert.True(dNaive > 3 * critical, $"naive p-values look uniform (KS D = {dNaive:F4}): the fields are not smooth enough for this test to mean anything");
        Assert.InRange(analytic.Count(p => p <= 0.05) / (double)m, 0.02, 0.08);
    }

    [Fact]
    public void PValuesFollowTheCorrelation()
    {
        Assert.Equal(0.5, ModifiedTTest.PValue(0, 50), 12);
        Assert.True(ModifiedTTest.PValue(0.5, 50) < ModifiedTTest.PValue(0.5, 20));   // more independent pixels: stronger evidence
        Assert.True(ModifiedTTest.PValue(0.6, 30) < ModifiedTTest.PValue(0.3, 30));
        Assert.Equal(0, ModifiedTTest.PValue(1, 30));
        Assert.True(double.IsNaN(ModifiedTTest.PValue(double.NaN, 30)));
        Assert.Equal(3, ModifiedTTest.EffectiveSampleSize(10, 1000));                  // clamped below
        Assert.Equal(1000, ModifiedTTest.EffectiveSampleSize(1e-9, 1000));             // and above
    }
}
