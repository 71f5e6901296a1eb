using System.Numerics;
using System.Runtime.CompilerServices;

namespace SpatialSim.TorchCore;

/// <summary>
/// The exponential on SIMD vectors (System.Numerics), for kernels that take one per term (the Sinkhorn soft c-transform).
/// </summary>
/// <remarks>
/// Both functions reduce the argument as x = k ln 2 + r with k = ⌊x / ln 2 + ½⌋ and |r| ≤ ln 2 / 2, the constant ln 2 split
/// in two parts so that k ln 2 is exact (Cody &amp; Waite 1980), take exp(r) by its Taylor polynomial in Horner form, and
/// multiply by 2^k built directly in the exponent bits. They clamp instead of returning infinities: callers pass x ≤ 0
/// (float32) or x ≤ 709 (float64).
/// <list type="bullet">
/// <item><see cref="Exp(Vector{float})"/>: float32, degree 7, to a relative 2e−7; 0 below −87.</item>
/// <item><see cref="Exp(Vector{double}, bool)"/>: float64, degree 13 by default, to about 2 ulp (truncation
/// (ln2/2)¹⁴/14! below 1e−17); degree 8 with <c>precise</c> false, a relative 3e−10 ((ln2/2)⁹/9! = 2e−10) for half the
/// work; 0 below −708.</item>
/// </list>
/// Reference: W. J. Cody, W. Waite (1980) "Software Manual for the Elementary Functions", Prentice-Hall (ISBN
/// 0-13-822064-6), ch. 6 (argument reduction for exp).
/// </remarks>
internal static class VectorMath
{
    /// <summary>exp(x) for x ≤ 0 in float32 to a relative 2e−7 (0 below −87): x = k ln2 + r, |r| ≤ ln2/2, degree-7 Taylor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> x)
    {
        x = Vector.Max(x, new Vector<float>(-87f));
        var k = Vector.Floor(x * new Vector<float>(1.44269504f) + new Vector<float>(0.5f));
        var r = x - k * new Vector<float>(0.693359375f) - k * new Vector<float>(-2.12194440e-4f);
        var p = new Vector<float>(1f / 5040f);
        p = p * r + new Vector<float>(1f / 720f);
        p = p * r + new Vector<float>(1f / 120f);
        p = p * r + new Vector<float>(1f / 24f);
        p = p * r + new Vector<float>(1f / 6f);
        p = p * r + new Vector<float>(0.5f);
        p = p * r + Vector<float>.One;
        p = p * r + Vector<float>.One;
        var bits = Vector.ShiftLeft(Vector.ConvertToInt32(k) + new Vector<int>(127), 23);
        return p * Vector.AsVectorSingle(bits);
    }

    /// <summary>
    /// exp(x) for x ≤ 709 in float64 (0 below −708): x = k ln 2 + r, |r| ≤ ln2/2 (Cody–Waite), exp(r) by its Taylor
    /// polynomial, times 2^k built in the exponent bits. Degree 13 by default, to about 2 ulp (truncation below 1e−17);
    /// <paramref name="precise"/> false cuts it at degree 8, a relative 3e−10 ((ln2/2)⁹/9! = 2e−10) for half the work.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Exp(Vector<double> x, bool precise = true)
    {
        var underflow = Vector.LessThan(x, new Vector<double>(-708.0));
        x = Vector.Max(x, new Vector<double>(-708.0));
        var k = Vector.Floor(x * new Vector<double>(1.4426950408889634) + new Vector<double>(0.5));
        var r = x - k * new Vector<double>(0.693145751953125) - k * new Vector<double>(1.42860682030941723212e-6);
        var p = new Vector<double>(1.0 / 40320.0);
        if (precise)
        {
            var high = new Vector<double>(1.0 / 6227020800.0);
            high = high * r + new Vector<double>(1.0 / 479001600.0);
            high = high * r + new Vector<double>(1.0 / 39916800.0);
            high = high * r + new Vector<double>(1.0 / 3628800.0);
            high = high * r + new Vector<double>(1.0 / 362880.0);
            p = high * r + p;
        }
        p = p * r + new Vector<double>(1.0 / 5040.0);
        p = p * r + new Vector<double>(1.0 / 720.0);
        p = p * r + new Vector<double>(1.0 / 120.0);
        p = p * r + new Vector<double>(1.0 / 24.0);
        p = p * r + new Vector<double>(1.0 / 6.0);
        p = p * r + new Vector<double>(0.5);
        p = p * r + Vector<double>.One;
        p = p * r + Vector<double>.One;
        var bits = Vector.ShiftLeft(Vector.ConvertToInt64(k) + new Vector<long>(1023), 52);
        return Vector.ConditionalSelect(underflow, Vector<double>.Zero, p * Vector.AsVectorDouble(bits));
    }
}
