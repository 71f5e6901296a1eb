namespace SpatialSim.TorchCore.Similarity;

/// <summary>Parameters of <see cref="SsimSimilarity"/>; defaults of Wang et al. (2004).</summary>
public sealed record SsimOptions
{
    public const double DefaultSigma = 1.5;
    public const double DefaultK1 = 0.01;
    public const double DefaultK2 = 0.03;
    public const SsimComponent DefaultComponent = SsimComponent.Full;
    public const SsimNormalization DefaultNormalization = SsimNormalization.Max;

    /// <summary>Standard deviation in pixels of the Gaussian window (truncated at 3.5σ: 11 taps for 1.5).</summary>
    public double Sigma { get; init; } = DefaultSigma;
    /// <summary>C1 = (K1·R)², R = 1 the data range after normalisation.</summary>
    public double K1 { get; init; } = DefaultK1;
    /// <summary>C2 = (K2·R)², C3 = C2/2.</summary>
    public double K2 { get; init; } = DefaultK2;
    public SsimComponent Component { get; init; } = DefaultComponent;
    public SsimNormalization Normalization { get; init; } = DefaultNormalization;
}
