using SpatialSim.Bench.Workloads;

namespace SpatialSim.Bench;

/// <summary>
/// The workloads SpatialSim implements, by the names bench/Workloads.psd1 uses. Rows of that table whose
/// workload is not listed here show "not implemented yet"; when a measure lands in the core (SSIM, Sinkhorn, LBP),
/// one entry here and a small <see cref="Workload"/> class producing the summary peer.py documents make it benchmarked.
/// </summary>
internal static class WorkloadRegistry
{
    private static readonly Dictionary<string, Func<WorkloadRequest, Workload>> Factories = new()
    {
        ["gaussian_blur"] = r => new GaussianBlurWorkload(r),
        ["smoothed_pearson_all_pairs"] = r => new AllPairsPearsonWorkload(r),
        ["smoothed_pearson_ranking"] = r => new RankingWorkload(r),
        ["ssim"] = r => new SsimWorkload(r),
        ["local_binary_pattern"] = r => new LocalBinaryPatternWorkload(r),
        ["sinkhorn_w2"] = r => new SinkhornWorkload(r),
        ["gem_import"] = r => new GemImportWorkload(r),
        ["default_ranking"] = r => new DefaultRankingWorkload(r),
        ["h5ad_import"] = r => new AnnDataImportWorkload(r),
        ["xenium_parquet_import"] = r => new XeniumImportWorkload(r),
        ["transcriptome_ranking"] = r => new TranscriptomeWorkload(r),
    };

    public static IEnumerable<string> Names => Factories.Keys;

    public static Workload Create(string name, WorkloadRequest request) =>
        Factories.TryGetValue(name, out var factory)
            ? factory(request)
            : throw new ArgumentException($"Workload '{name}' is not implemented by SpatialSim yet.");
}
