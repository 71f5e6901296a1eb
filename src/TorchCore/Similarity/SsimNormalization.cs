namespace SpatialSim.TorchCore.Similarity;

/// <summary>How each gene's map is made scale-free before SSIM (whose constants assume a known data range).</summary>
public enum SsimNormalization
{
    /// <summary>x / max(x): maps in [0, 1], data range 1 (scikit-image's structural_similarity(a/a.max(), b/b.max(), data_range=1)).</summary>
    Max,
    /// <summary>
    /// z-scores (x − mean(x)) / std(x) (population std over the raster), constants for data range 1, i.e. relative
    /// to one standard deviation of the gene. Less sensitive than Max to a single hot pixel.
    /// </summary>
    MeanStd,
}
