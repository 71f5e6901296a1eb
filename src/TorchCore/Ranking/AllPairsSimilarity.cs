using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>
/// The similarity matrix of all gene pairs for any measure: the Gram-matrix path where the maths allows
/// (<see cref="CorrelationGram"/>), otherwise every pair compared once (the matrix is symmetric).
/// </summary>
public static class AllPairsSimilarity
{
    /// <summary>Whether <paramref name="method"/> has a one-product all-pairs path with these options.</summary>
    public static bool HasGramPath(SimilarityMethod method, SimilarityOptions options) =>
        options.Pyramid <= 1 && method switch
        {
            SimilarityMethod.Pearson => true,
            SimilarityMethod.SmoothedPearson => options.Sigmas.Length == 1 && options.Mask is null,
            _ => false,
        };

    public static double[,] Compute(IReadOnlyList<GeneRaster> rasters, SimilarityMethod method, SimilarityOptions options,
        IProgress<(int Done, int Total, string Step)>? progress = null, CancellationToken cancellationToken = default)
    {
        RasterChecks.RequireSameSize(rasters);
        if (HasGramPath(method, options))
        {
            double sigma = method == SimilarityMethod.SmoothedPearson ? options.Sigmas[0] : 0;
            return CorrelationGram.Compute(rasters, sigma, options.SmoothingMethod,
                progress is null ? null : new InlineProgress<(int, int, string)>(p => progress.Report((p.Item1, p.Item2, p.Item3.Length > 0 ? $"gene {p.Item3}" : "Gram matrix"))),
                cancellationToken);
        }
        if (method == SimilarityMethod.Sinkhorn)
        {
            // Each gene's self term OT_ε(a, a) once, not once per pair.
            SimilarityMeasures.RequireSinkhornOptions(options);
            return SinkhornSimilarity.CompareAll(rasters, options.Sinkhorn, progress, cancellationToken);
        }
        int n = rasters.Count;
        var scores = new double[n, n];
        int total = n * (n - 1) / 2, done = 0;
        for (int i = 0; i < n; i++)
        {
            scores[i, i] = SimilarityMeasures.Compare(method, rasters[i], rasters[i], options).Score;
            for (int j = i + 1; j < n; j++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report((done, total, $"{rasters[i].Gene} × {rasters[j].Gene}"));
                double s = SimilarityMeasures.Compare(method, rasters[i], rasters[j], options).Score;
                scores[i, j] = s;
                scores[j, i] = s;
                done++;
            }
        }
        progress?.Report((total, total, ""));
        return scores;
    }
}

/// <summary>An IProgress that calls back on the reporting thread.</summary>
public sealed class InlineProgress<T> : IProgress<T>
{
    private readonly Action<T> _handler;
    public InlineProgress(Action<T> handler) => _handler = handler;
    public void Report(T value) => _handler(value);
}
