namespace SpatialSim.TorchCore.Ranking;

/// <summary>
/// A rough time estimate for a streamed Gram-matrix ranking (<see cref="CorrelationGram"/>), so a long run can say so
/// before it starts. Calibrated on this project's 2-core benchmark machine (BENCHMARKS.md): a full blur costs about
/// <see cref="BlurNanosecondsPerPixel"/> per pixel and core whatever σ (direct kernels up to radius 16, FFT beyond), the
/// product about <see cref="GemmFlopsPerSecond"/> per core (float64, only the blocks on and above the diagonal, ¾ of n²
/// multiply-adds per pixel for the gene counts ranked here). Dense or masked genes blur every strip with its halo rows;
/// sparse unmasked genes filter along y only from their stored pixels. An estimate, good to a factor of about two on an idle
/// machine: what matters is minutes against seconds.
/// </summary>
public static class GramCost
{
    public const double BlurNanosecondsPerPixel = 3.2;
    public const double GemmFlopsPerSecond = 20e9;
    /// <summary>Runs estimated longer than this are announced before they start.</summary>
    public static readonly TimeSpan Announce = TimeSpan.FromMinutes(1);

    /// <param name="plan">The strips (<see cref="CorrelationGram.Plan"/>).</param>
    /// <param name="sigma">σ in the rasters' pixels (0: no blur).</param>
    /// <param name="masked">Whether a tissue mask applies (every gene is then blurred densely, strip and halo).</param>
    /// <param name="rasters">The genes (their stored pixels for the sparse ones).</param>
    public static TimeSpan Estimate(GramPlan plan, double sigma, bool masked, IReadOnlyList<GeneRaster> rasters)
    {
        if (plan.Genes == 0) return TimeSpan.Zero;
        double pixels = (double)plan.Width * plan.Height;
        int radius = sigma > 0 ? Smoothing.CpuGaussianBlur.Radius(sigma, Smoothing.GaussianSmoothing.DefaultTruncate) : 0;
        double blurNs = 0;
        foreach (var r in rasters)
        {
            if (sigma <= 0) { blurNs += pixels * 0.2; continue; }
            if (masked || r.Sparse is null)
                blurNs += pixels * plan.BlurPasses * BlurNanosecondsPerPixel;
            else
                blurNs += pixels * BlurNanosecondsPerPixel / 2 + (double)r.Sparse.Count * plan.BlurPasses * Math.Min(2 * radius + 1, Math.Max(1, plan.StripRows));
        }
        double n = plan.Genes;
        double gemmSeconds = 0.75 * n * n * pixels / GemmFlopsPerSecond;
        int cores = Math.Max(1, Environment.ProcessorCount);
        return TimeSpan.FromSeconds((blurNs * 1e-9 + gemmSeconds) / cores);
    }
}
