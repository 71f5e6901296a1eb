namespace SpatialSim.TorchCore.Statistics;

/// <summary>
/// A separable 2-D convolution with a symmetric kernel and zero padding (scipy.ndimage 'constant' mode, cval 0) in float64:
/// out(y, x) = Σ_{dy, dx} k[dy] k[dx] in(y + dy, x + dx) over the pixels on the canvas. Used for the weight sums of
/// Moran's I (<see cref="SpatialAutocorrelation"/>), where the weights must be symmetric, which reflection at the
/// border would break. Direct: (2r + 1) multiply-adds per pixel and pass.
/// </summary>
public static class SeparableConvolution
{
    /// <param name="kernel">2r + 1 symmetric taps, centre at r.</param>
    public static double[] Apply(ReadOnlySpan<double> input, int width, int height, ReadOnlySpan<double> kernel)
    {
        if (input.Length != (long)width * height) throw new ArgumentException("The input is not width × height.", nameof(input));
        int r = kernel.Length / 2;
        var k = kernel.ToArray();
        var source = input.ToArray();
        var along = new double[source.Length];
        Parallel.For(0, height, y =>
        {
            int row = y * width;
            for (int x = 0; x < width; x++)
            {
                double sum = 0;
                int lo = Math.Max(-r, -x), hi = Math.Min(r, width - 1 - x);
                for (int d = lo; d <= hi; d++) sum += k[d + r] * source[row + x + d];
                along[row + x] = sum;
            }
        });
        var output = new double[source.Length];
        Parallel.For(0, height, y =>
        {
            int lo = Math.Max(-r, -y), hi = Math.Min(r, height - 1 - y);
            var o = output.AsSpan(y * width, width);
            for (int d = lo; d <= hi; d++)
            {
                double kd = k[d + r];
                var s = along.AsSpan((y + d) * width, width);
                for (int x = 0; x < width; x++) o[x] += kd * s[x];
            }
        });
        return output;
    }
}
