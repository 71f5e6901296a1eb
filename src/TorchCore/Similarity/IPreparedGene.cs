namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// One gene made ready by a measure's <c>Prepare</c> (its per-gene work done once, e.g. SSIM's local statistics or LBP's
/// histograms), to be compared with any number of genes prepared with the same options. The types are named
/// <c>&lt;Measure&gt;Prepared</c>. Dispose when done: some hold tensors.
/// </summary>
public interface IPreparedGene : IDisposable
{
    string Gene { get; }
    int Width { get; }
    int Height { get; }
    /// <summary>Why the measure is undefined for this gene (all zero, constant…), naming the gene; null when it is defined.</summary>
    string? Undefined { get; }
}
