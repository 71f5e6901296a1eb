// TEMPORARY scalar stand-in (not committed): replaced by the vectorised kernel from the gaussian branch.
namespace SpatialSim.TorchCore.Smoothing;
public enum GaussianMethod { Auto, Direct, Fft }
public static class CpuGaussianBlur
{
    public static double[] Kernel1D(double sigma, double truncate = 4.0)
    {
        int r = (int)(truncate * sigma + 0.5);
        var k = new double[2 * r + 1]; double s = 0;
        for (int i = -r; i <= r; i++) { k[i + r] = Math.Exp(-0.5 * i * i / (sigma * sigma)); s += k[i + r]; }
        for (int i = 0; i < k.Length; i++) k[i] /= s;
        return k;
    }
    static int Reflect(int i, int n) { int p = 2 * n; i %= p; if (i < 0) i += p; return i >= n ? p - 1 - i : i; }
    public static void Blur(ReadOnlySpan<float> input, Span<float> output, int width, int height, double sigma, GaussianMethod method = GaussianMethod.Auto, double truncate = 4.0)
    {
        if (sigma == 0) { input.CopyTo(output); return; }
        var k = Kernel1D(sigma, truncate); int r = k.Length / 2;
        var tmp = new float[width * height];
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) { double a = 0; for (int j = -r; j <= r; j++) a += k[j + r] * input[Reflect(y + j, height) * width + x]; tmp[y * width + x] = (float)a; }
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) { double a = 0; for (int j = -r; j <= r; j++) a += k[j + r] * tmp[y * width + Reflect(x + j, width)]; output[y * width + x] = (float)a; }
    }
}
