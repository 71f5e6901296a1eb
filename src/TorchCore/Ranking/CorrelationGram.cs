using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>
/// All-pairs (smoothed) Pearson correlation as one Gram matrix: each gene is blurred once, centred and
/// scaled to unit norm, z_i = (x_i − x̄_i) / ‖x_i − x̄_i‖, and R = Z Zᵀ is one matrix product (BLAS).
/// Means and norms are accumulated in float64; the product runs in float32 (|error| ≲ 1e-5).
/// Rows of constant genes are NaN.
/// </summary>
public static class CorrelationGram
{
    /// <param name="sigma">Gaussian σ in pixels; 0 for plain pixel Pearson.</param>
    public static double[,] Compute(IReadOnlyList<GeneRaster> rasters, double sigma, GaussianMethod method = GaussianMethod.Auto,
        IProgress<(int Done, int Total, string Gene)>? progress = null, CancellationToken cancellationToken = default)
    {
        int n = rasters.Count;
        if (n == 0) return new double[0, 0];
        RasterChecks.RequireSameSize(rasters);
        var device = rasters[0].Device;
        long pixels = (long)rasters[0].Width * rasters[0].Height;
        var degenerate = new bool[n];
        using var scope = torch.NewDisposeScope();
        var z = torch.empty(new long[] { n, pixels }, ScalarType.Float32, device.TorchDevice);
        for (int i = 0; i < n; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report((i, n, rasters[i].Gene));
            using var geneScope = torch.NewDisposeScope();
            Tensor map = sigma > 0 ? GaussianSmoothing.Blur(rasters[i].Values, device, sigma, method) : rasters[i].Values.alias();
            using (map)
            {
                var flat = map.reshape(-1);
                double mean = flat.sum(ScalarType.Float64).item<double>() / pixels;
                var row = z[i];
                row.copy_(flat);
                row.sub_(mean);
                double norm = Math.Sqrt(row.square().sum(ScalarType.Float64).item<double>());
                if (norm > 0 && double.IsFinite(norm)) row.div_(norm);
                else { degenerate[i] = true; row.zero_(); }
            }
        }
        progress?.Report((n, n, ""));
        cancellationToken.ThrowIfCancellationRequested();
        var gram = torch.mm(z, z.t()).to(ScalarType.Float64).cpu().contiguous();
        var values = gram.data<double>().ToArray();
        var result = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                result[i, j] = degenerate[i] || degenerate[j] ? double.NaN : i == j ? 1.0 : Math.Clamp(values[i * n + j], -1.0, 1.0);
        return result;
    }
}
