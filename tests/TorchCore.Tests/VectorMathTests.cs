using System.Numerics;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>The SIMD exponentials against Math.Exp over their documented ranges and accuracies.</summary>
public class VectorMathTests
{
    private static IEnumerable<double> Arguments(double low, double high)
    {
        var random = new Random(3);
        for (int i = 0; i < 4000; i++) yield return low + (high - low) * random.NextDouble();
        for (double x = Math.Ceiling(low); x <= high; x += 0.5) yield return x; // the reduction's boundaries k ln 2 ± ln2/2 included
    }

    [Theory]
    [InlineData(true, 5e-16)]
    [InlineData(false, 4e-10)]
    public void DoubleExpIsWithinItsRelativeError(bool precise, double relative)
    {
        foreach (double x in Arguments(-707, 709))
        {
            double got = VectorMath.Exp(new Vector<double>(x), precise)[0], expected = Math.Exp(x);
            Assert.True(Math.Abs(got - expected) <= relative * expected, $"exp({x:r}) = {got:r}, expected {expected:r} (precise {precise})");
        }
    }

    [Fact]
    public void DoubleExpUnderflowsToZeroBelowItsRange()
    {
        Assert.Equal(0.0, VectorMath.Exp(new Vector<double>(-708.5))[0]);
        Assert.Equal(0.0, VectorMath.Exp(new Vector<double>(double.NegativeInfinity), precise: false)[0]);
    }

    [Fact]
    public void FloatExpIsWithinItsRelativeErrorAndClampsBelowMinus87()
    {
        foreach (double x in Arguments(-86, 0))
        {
            float got = VectorMath.Exp(new Vector<float>((float)x))[0];
            double expected = Math.Exp((float)x);
            Assert.True(Math.Abs(got - expected) <= 2.5e-7 * expected, $"exp({(float)x:r}) = {got:r}, expected {expected:r}");
        }
        Assert.True(VectorMath.Exp(new Vector<float>(-200f))[0] <= 2e-38f);
    }
}
