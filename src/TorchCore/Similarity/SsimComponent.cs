namespace SpatialSim.TorchCore.Similarity;

/// <summary>Which SSIM map is averaged into the score.</summary>
public enum SsimComponent
{
    /// <summary>The full index l·c·s (luminance · contrast · structure), as scikit-image's structural_similarity.</summary>
    Full,
    /// <summary>
    /// The structure term alone, s = (σab + C3) / (σa·σb + C3), C3 = C2/2. Caution: s = 1 wherever EITHER map is
    /// flat in the window (σab = σa·σb = 0), so on sparse maps it is inflated even more than Full (two disjoint
    /// dots score 1). It is informative only where both genes vary locally (dense maps).
    /// </summary>
    Structure,
    /// <summary>
    /// Contrast·structure, cs = (2σab + C2) / (σa² + σb² + C2): the term MS-SSIM uses at its finer scales.
    /// Unlike <see cref="Structure"/> it is low where one gene varies and the other is flat.
    /// </summary>
    ContrastStructure,
}
