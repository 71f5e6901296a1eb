namespace SpatialSim.TorchCore.Similarity;

/// <summary>The SSIM maps a fused pass can average.</summary>
internal enum SsimTerm { Full, Structure, ContrastStructure, Luminance }
