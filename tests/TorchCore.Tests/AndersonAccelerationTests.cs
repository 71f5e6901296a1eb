using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>The Anderson acceleration of the solver's full-resolution level on a fixed-point problem with a known answer.</summary>
public class AndersonAccelerationTests
{
    /// <summary>
    /// x = M x + c with M's eigenvalues up to 0.995: plain iteration needs thousands of steps to 1e-10; Anderson with
    /// memory 5 is GMRES on the 4 unknowns and solves it in a handful.
    /// </summary>
    [Fact]
    public void SolvesASlowLinearFixedPointInAFewSteps()
    {
        double[,] m = { { 0.995, 0.001, 0, 0 }, { 0, 0.9, 0.05, 0 }, { 0.01, 0, 0.5, 0.1 }, { 0, 0.02, 0, -0.7 } };
        double[] c = { 1, -2, 0.5, 3 };
        var exact = SolveFixedPoint(m, c);
        var history = new AndersonAcceleration(4, 5);
        var x = new double[4];
        int steps = 0;
        for (; steps < 50 && Distance(x, exact) > 1e-10; steps++)
        {
            var next = Apply(m, c, x);
            history.Step(x, next);
        }
        Assert.True(steps <= 8, $"{steps} steps, still {Distance(x, exact):g3} from the fixed point");
        // Plain iteration from the same start is far off after as many steps.
        var plain = new double[4];
        for (int i = 0; i < steps; i++) plain = Apply(m, c, plain);
        Assert.True(Distance(plain, exact) > 1e-2);
    }

    [Fact]
    public void ClearRestartsFromThePlainStep()
    {
        var history = new AndersonAcceleration(2, 5);
        var x = new double[] { 0, 0 };
        history.Step(x, new[] { 1.0, 2.0 });
        Assert.Equal(new[] { 1.0, 2.0 }, x); // no history yet: the plain step
        history.Clear();
        history.Step(x, new[] { 5.0, 7.0 });
        Assert.Equal(new[] { 5.0, 7.0 }, x);
    }

    private static double[] Apply(double[,] m, double[] c, double[] x) =>
        Enumerable.Range(0, c.Length).Select(i => c[i] + Enumerable.Range(0, c.Length).Sum(j => m[i, j] * x[j])).ToArray();

    private static double Distance(double[] x, double[] y) => Math.Sqrt(x.Zip(y, (p, q) => (p - q) * (p - q)).Sum());

    /// <summary>(I − M) x = c by Gaussian elimination.</summary>
    private static double[] SolveFixedPoint(double[,] m, double[] c)
    {
        int n = c.Length;
        var a = new double[n, n + 1];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) a[i, j] = (i == j ? 1 : 0) - m[i, j];
            a[i, n] = c[i];
        }
        for (int col = 0; col < n; col++)
            for (int row = col + 1; row < n; row++)
            {
                double f = a[row, col] / a[col, col];
                for (int j = col; j <= n; j++) a[row, j] -= f * a[col, j];
            }
        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double s = a[i, n];
            for (int j = i + 1; j < n; j++) s -= a[i, j] * x[j];
            x[i] = s / a[i, i];
        }
        return x;
    }
}
