using System.Text.Json;
using SpatialSim.TorchCore.Smoothing;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

public class CpuGaussianBlurTests
{
    private static readonly string FixtureDir = Path.Combine(AppContext.BaseDirectory, "fixtures", "gaussian");
    private static readonly GaussianMethod[] Methods = [GaussianMethod.Auto, GaussianMethod.Direct, GaussianMethod.Fft];

    /// <summary>Agreement required with scipy and between methods, relative to max |input|.</summary>
    private const double Tolerance = 1e-5;

    public static IEnumerable<object[]> FixtureCases()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDir, "manifest.json")));
        foreach (var c in manifest.RootElement.GetProperty("cases").EnumerateArray())
            foreach (var o in c.GetProperty("outputs").EnumerateArray())
                foreach (var method in Methods)
                    yield return [c.GetProperty("name").GetString()!, c.GetProperty("width").GetInt32(), c.GetProperty("height").GetInt32(),
                        c.GetProperty("input").GetString()!, o.GetProperty("sigma").GetDouble(), o.GetProperty("truncate").GetDouble(),
                        o.GetProperty("file").GetString()!, method];
    }

    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void MatchesScipy(string name, int width, int height, string inputFile, double sigma, double truncate, string expectedFile, GaussianMethod method)
    {
        float[] input = ReadFloats(inputFile, width * height);
        float[] expected = ReadFloats(expectedFile, width * height);
        var actual = new float[input.Length];
        CpuGaussianBlur.Blur(input, actual, width, height, sigma, method, truncate);
        AssertClose(expected, actual, MaxAbs(input), $"{name} σ={sigma} truncate={truncate} {method}");
    }

    [Theory]
    [InlineData(1, 1, 3.0)]
    [InlineData(1, 40, 2.0)]
    [InlineData(33, 1, 5.0)]
    [InlineData(70, 45, 0.7)]
    [InlineData(70, 45, 9.0)]
    [InlineData(3, 5, 50.0)]
    [InlineData(97, 61, 25.0)]
    [InlineData(200, 190, 6.0)]
    public void MatchesFloat64Reference(int width, int height, double sigma)
    {
        float[] input = RandomImage(width, height, seed: width * 1000 + height);
        float[] expected = ReferenceBlur(input, width, height, sigma);
        foreach (var method in Methods)
        {
            var actual = new float[input.Length];
            CpuGaussianBlur.Blur(input, actual, width, height, sigma, method);
            AssertClose(expected, actual, MaxAbs(input), $"{width}×{height} σ={sigma} {method}");
        }
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(8.0)]
    [InlineData(30.0)]
    public void DirectAndFftAgree(double sigma)
    {
        float[] input = RandomImage(300, 257, seed: 7);
        var direct = new float[input.Length];
        var fft = new float[input.Length];
        CpuGaussianBlur.Blur(input, direct, 300, 257, sigma, GaussianMethod.Direct);
        CpuGaussianBlur.Blur(input, fft, 300, 257, sigma, GaussianMethod.Fft);
        AssertClose(direct, fft, MaxAbs(input), $"σ={sigma}");
    }

    [Theory]
    [InlineData(GaussianMethod.Auto, 3.0)]
    [InlineData(GaussianMethod.Direct, 3.0)]
    [InlineData(GaussianMethod.Fft, 3.0)]
    [InlineData(GaussianMethod.Direct, 20.0)]
    [InlineData(GaussianMethod.Fft, 20.0)]
    public void InPlaceEqualsOutOfPlace(GaussianMethod method, double sigma)
    {
        float[] input = RandomImage(300, 257, seed: 11);
        var outOfPlace = new float[input.Length];
        CpuGaussianBlur.Blur(input, outOfPlace, 300, 257, sigma, method);
        float[] inPlace = (float[])input.Clone();
        CpuGaussianBlur.Blur(inPlace, inPlace, 300, 257, sigma, method);
        Assert.Equal(outOfPlace, inPlace);
    }

    [Theory]
    [InlineData(GaussianMethod.Direct)]
    [InlineData(GaussianMethod.Fft)]
    public void ThreadCountDoesNotChangeTheResult(GaussianMethod method)
    {
        float[] input = RandomImage(300, 257, seed: 3);
        var single = new float[input.Length];
        var many = new float[input.Length];
        CpuGaussianBlur.Blur(input, single, 300, 257, 5.0, method, maxDegreeOfParallelism: 1);
        CpuGaussianBlur.Blur(input, many, 300, 257, 5.0, method, maxDegreeOfParallelism: 4);
        Assert.Equal(single, many);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1e-16)]
    [InlineData(0.1)] // radius int(0.4 + 0.5) = 0
    public void ZeroSigmaOrRadiusCopies(double sigma)
    {
        float[] input = RandomImage(13, 7, seed: 5);
        foreach (var method in Methods)
        {
            var output = new float[input.Length];
            CpuGaussianBlur.Blur(input, output, 13, 7, sigma, method);
            Assert.Equal(input, output);
        }
    }

    [Theory]
    [InlineData(0.5, 4.0, 2)]
    [InlineData(1.0, 4.0, 4)]
    [InlineData(1.1, 4.0, 4)]
    [InlineData(2.5, 4.0, 10)]
    [InlineData(4.0, 4.0, 16)]
    [InlineData(4.0, 2.5, 10)]
    [InlineData(12.0, 4.0, 48)]
    [InlineData(0.0, 4.0, 0)]
    public void KernelHasScipyRadiusAndSumsToOne(double sigma, double truncate, int radius)
    {
        double[] k = CpuGaussianBlur.Kernel1D(sigma, truncate);
        Assert.Equal(2 * radius + 1, k.Length);
        Assert.Equal(1.0, k.Sum(), 12);
        for (int j = 0; j <= radius; j++)
        {
            Assert.Equal(k[radius + j], k[radius - j]);
            if (radius > 0)
                Assert.Equal(Math.Exp(-j * j / (2 * sigma * sigma)), k[radius + j] / k[radius], 12);
        }
    }

    [Theory]
    [InlineData(64, 48, 4.0)]
    [InlineData(3, 5, 12.0)]
    [InlineData(300, 257, 40.0)]
    public void ConstantImageStaysConstant(int width, int height, double sigma)
    {
        var input = new float[width * height];
        Array.Fill(input, 7.25f);
        foreach (var method in Methods)
        {
            var output = new float[input.Length];
            CpuGaussianBlur.Blur(input, output, width, height, sigma, method);
            Assert.All(output, v => Assert.Equal(7.25, v, 7.25 * 1e-6));
        }
    }

    [Fact]
    public void RejectsBadArguments()
    {
        var image = new float[12];
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuGaussianBlur.Blur(image, image, 4, 3, -1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuGaussianBlur.Blur(image, image, 4, 3, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuGaussianBlur.Blur(image, image, 4, 3, double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuGaussianBlur.Blur(image, image, 4, 3, 1.0, truncate: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuGaussianBlur.Blur(image, image, 4, 3, 1.0, (GaussianMethod)42));
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuGaussianBlur.Blur(image, image, 0, 3, 1.0));
        Assert.Throws<ArgumentException>(() => CpuGaussianBlur.Blur(image, new float[11], 4, 3, 1.0));
        Assert.Throws<ArgumentException>(() => CpuGaussianBlur.Blur(image, image, 5, 3, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuGaussianBlur.Kernel1D(-0.5));
    }

    private static float[] ReadFloats(string file, int count)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(FixtureDir, file));
        Assert.Equal(count * sizeof(float), bytes.Length);
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = BitConverter.ToSingle(bytes, i * sizeof(float)); // fixtures are little-endian
        Assert.True(BitConverter.IsLittleEndian);
        return values;
    }

    private static float[] RandomImage(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var image = new float[width * height];
        for (int i = 0; i < image.Length; i++)
            image[i] = (float)(rng.NextDouble() * 10 - 2);
        return image;
    }

    private static double MaxAbs(float[] values) => values.Max(v => Math.Abs((double)v));

    private static void AssertClose(float[] expected, float[] actual, double scale, string what)
    {
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs((double)expected[i] - actual[i]);
            if (diff > worst) (worst, at) = (diff, i);
        }
        Assert.True(worst <= Tolerance * scale,
            $"{what}: max |diff| {worst:G3} at index {at} exceeds {Tolerance} × {scale:G3}");
    }

    /// <summary>Straightforward float64 implementation of scipy's algorithm: reflected index per tap, y pass then x pass.</summary>
    private static float[] ReferenceBlur(float[] input, int width, int height, double sigma)
    {
        double[] k = CpuGaussianBlur.Kernel1D(sigma);
        int r = k.Length / 2;
        var tmp = new float[input.Length];
        var output = new float[input.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double sum = 0;
                for (int j = -r; j <= r; j++) sum += k[j + r] * input[ReflectIndex(y + j, height) * width + x];
                tmp[y * width + x] = (float)sum;
            }
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double sum = 0;
                for (int j = -r; j <= r; j++) sum += k[j + r] * tmp[y * width + ReflectIndex(x + j, width)];
                output[y * width + x] = (float)sum;
            }
        return output;
    }

    /// <summary>Half-sample symmetric reflection, by walking back and forth (independent of the library's formula).</summary>
    private static int ReflectIndex(int i, int length)
    {
        while (i < 0 || i >= length)
            i = i < 0 ? -i - 1 : 2 * length - i - 1;
        return i;
    }

    [Fact]
    public void ADifferentSigmaPerAxisIsOneAxisAfterTheOther()
    {
        const int W = 37, H = 23;
        var rng = new Random(3);
        var image = Enumerable.Range(0, W * H).Select(_ => (float)rng.NextDouble()).ToArray();
        var both = new float[W * H];
        CpuGaussianBlur.Blur(image, both, W, H, 2.5, 0.8);
        // along x, then along y as x of the transposed image
        var alongX = new float[W * H];
        CpuGaussianBlur.BlurAlongX(image, alongX, W, H, 2.5);
        var transposed = new float[W * H];
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) transposed[x * H + y] = alongX[y * W + x];
        CpuGaussianBlur.BlurAlongX(transposed, transposed, H, W, 0.8);
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) Assert.Equal(transposed[x * H + y], both[y * W + x], 1e-5);

        var onlyX = new float[W * H];
        CpuGaussianBlur.Blur(image, onlyX, W, H, 2.5, 0.0);
        for (int i = 0; i < onlyX.Length; i++) Assert.Equal(alongX[i], onlyX[i], 1e-6);
        var same = new float[W * H];
        var isotropic = new float[W * H];
        CpuGaussianBlur.Blur(image, same, W, H, 1.7, 1.7);
        CpuGaussianBlur.Blur(image, isotropic, W, H, 1.7);
        Assert.Equal(isotropic, same);
    }
}
