using SpatialSim.TorchCore.Similarity;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>
/// All-pairs Pearson / SmoothedPearson inside a tissue mask as one Gram matrix: each gene's map is prepared once
/// (normalised convolution blur(x·m)/blur(m) for σ &gt; 0, centred and scaled to unit norm over the tissue:
/// <see cref="CorrelationMaps"/>), only the tissue pixels are kept (rows of length |tissue|), and R = Z Zᵀ.
/// The product is accumulated in float64 over blocks of pixels, so R matches the pair-by-pair masked scores to
/// ≲ 1e-6. Rows of genes constant over the tissue are NaN. On the CPU the same matrix is streamed strip by strip within a
/// memory budget (<see cref="CorrelationGram"/> with a mask); on CUDA the genes × tissue pixels matrix is held on the device.
/// </summary>
public static class MaskedCorrelationGram
{
    /// <summary>A measure on the correlation Gram path (Pearson, or SmoothedPearson with one σ; no pyramid), with a mask.</summary>
    public static bool Applies(SimilarityMethod method, SimilarityOptions options) =>
        options.Mask is not null && AllPairsSimilarity.HasGramPath(method, options);

    private const long BlockElements = 1 << 24;

    /// <param name="maxMemoryBytes">On the CPU the matrix is streamed strip by strip within this budget (<see cref="CorrelationGram"/>
    /// with a mask); null for its default. On CUDA every gene's tissue map is held on the device.</param>
    public static double[,] Compute(IReadOnlyList<GeneRaster> rasters, SimilarityMethod method, SimilarityOptions options,
        IProgress<(int Done, int Total, string Gene)>? progress = null, CancellationToken cancellationToken = default, long? maxMemoryBytes = null)
    {
        if (!Applies(method, options))
            throw new SpatialSimException(ErrorKind.NotSupported, $"The masked Gram path is for Pearson and one-σ SmoothedPearson with a mask, not {method}.");
        int n = rasters.Count;
        if (n == 0) return new double[0, 0];
        RasterChecks.RequireSameSize(rasters);
        double sigma = AllPairsSimilarity.GramSigma(method, options);
        if (rasters[0].Device.IsCpu)
            return CorrelationGram.Compute(rasters, sigma, options.SmoothingMethod, progress, cancellationToken, maxMemoryBytes, mask: options.Mask);
        using var maps = new CorrelationMaps(rasters[0], options.Mask, sigma, options.SmoothingMethod);
        var result = new double[n, n];
        if (maps.Count < 2)
        {
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) result[i, j] = double.NaN;
            return result;
        }
        using var scope = torch.NewDisposeScope();
        var inside = maps.Inside! > 0;
        var z = torch.empty(new long[] { n, maps.Count }, ScalarType.Float32, rasters[0].Device.TorchDevice);
        var degenerate = new bool[n];
        for (int i = 0; i < n; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report((i, n, rasters[i].Gene));
            using var map = maps.Prepare(rasters[i]);
            if (map is null) { degenerate[i] = true; z[i].zero_(); continue; }
            using var row = map.masked_select(inside);
            z[i].copy_(row);
        }
        progress?.Report((n, n, ""));
        var gram = torch.zeros(new long[] { n, n }, ScalarType.Float64, z.device);
        long block = Math.Max(1, BlockElements / n);
        for (long start = 0; start < maps.Count; start += block)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var blockScope = torch.NewDisposeScope();
            var part = z.narrow(1, start, Math.Min(block, maps.Count - start)).to(ScalarType.Float64);
            gram.add_(torch.mm(part, part.t()));
        }
        var values = TensorMemory.ToDoubleArray(gram);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                result[i, j] = degenerate[i] || degenerate[j] ? double.NaN : i == j ? 1.0 : Math.Clamp(values[i * n + j], -1.0, 1.0);
        return result;
    }
}
