using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>
/// The similarity matrix of all gene pairs for any measure: the Gram-matrix path where the maths allows
/// (<see cref="CorrelationGram"/>), each gene prepared once where the measure allows (<see cref="PreparedAllPairs"/>),
/// otherwise every pair compared once (the matrix is symmetric).
/// </summary>
public static class AllPairsSimilarity
{
    /// <summary>Whether <paramref name="method"/> has a one-product all-pairs path with these options (masked or not).</summary>
    public static bool HasGramPath(SimilarityMethod method, SimilarityOptions options) =>
        SimilarityMeasures.For(method).AllPairsPathFor(options) == AllPairsPath.CorrelationGram;

    /// <summary>The smoothing σ of the Gram path's maps (0 for Pearson); only meaningful when <see cref="HasGramPath"/>.</summary>
    public static double GramSigma(SimilarityMethod method, SimilarityOptions options) =>
        SimilarityMeasures.For(method).CorrelationSigmas(options) is [var sigma] ? sigma : 0;

    /// <param name="maxMemoryBytes">Working-memory budget of the Gram path, masked or not (<see cref="CorrelationGram.Plan"/>); null for the default.</param>
    /// <remarks>
    /// Pair by pair, sparse-backed rasters (<see cref="GeneRaster.Sparse"/>) get their dense tensor only while they are
    /// compared: the ones this call materialises are released again, so at most two are dense at a time.
    /// </remarks>
    public static double[,] Compute(IReadOnlyList<GeneRaster> rasters, SimilarityMethod method, SimilarityOptions options,
        IProgress<(int Done, int Total, string Step)>? progress = null, CancellationToken cancellationToken = default,
        long? maxMemoryBytes = null)
    {
        RasterChecks.RequireSameSize(rasters);
        var gramProgress = progress is null ? null
            : new InlineProgress<(int, int, string)>(p => progress.Report((p.Item1, p.Item2, p.Item3.Length > 0 ? $"gene {p.Item3}" : "Gram matrix")));
        if (MaskedCorrelationGram.Applies(method, options))
            return MaskedCorrelationGram.Compute(rasters, method, options,
                gramProgress,
                cancellationToken, maxMemoryBytes);
        if (HasGramPath(method, options))
            return CorrelationGram.Compute(rasters, GramSigma(method, options), options.SmoothingMethod,
                gramProgress,
                cancellationToken, maxMemoryBytes);
        if (PreparedAllPairs.Supports(method, options))
            return PreparedAllPairs.Compute(rasters, method, options, progress, cancellationToken);
        int n = rasters.Count;
        var scores = new double[n, n];
        int total = n * (n - 1) / 2, done = 0;
        var wasDense = rasters.Select(r => r.HasDenseValues).ToArray();
        void Release(int k)
        {
            if (!wasDense[k]) rasters[k].ReleaseValues();
        }
        for (int i = 0; i < n; i++)
        {
            scores[i, i] = SimilarityMeasures.Compare(method, rasters[i], rasters[i], options).Score;
            for (int j = i + 1; j < n; j++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report((done, total, $"{rasters[i].Gene} × {rasters[j].Gene}"));
                double s = SimilarityMeasures.Compare(method, rasters[i], rasters[j], options).Score;
                Release(j);
                scores[i, j] = s;
                scores[j, i] = s;
                done++;
            }
            Release(i);
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
