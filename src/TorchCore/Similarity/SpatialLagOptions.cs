using SpatialSim.TorchCore.Smoothing;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>The parameters Lee's L and bivariate Moran's I share: their spatial weights (<see cref="LeeLOptions"/>, <see cref="MoranBVOptions"/>).</summary>
public abstract record SpatialLagOptions
{
    /// <summary>The default σ in pixels of Gaussian weights.</summary>
    public const double DefaultSigma = 2.0;
    /// <summary>The default weights: queen contiguity (the 8 surrounding pixels).</summary>
    public const SpatialWeights DefaultWeights = SpatialWeights.Queen;

    /// <summary>Which pixels are neighbours (default Queen: the 8 surrounding pixels).</summary>
    public SpatialWeights Weights { get; init; } = DefaultWeights;
    /// <summary>σ in pixels of the Gaussian weights (used only with <see cref="SpatialWeights.Gaussian"/>; default 2, truncated at ⌊4σ + 0.5⌋).</summary>
    public double Sigma { get; init; } = DefaultSigma;
    /// <summary>How the Gaussian weights' blur is computed (direct or FFT; Auto picks the faster).</summary>
    public GaussianMethod SmoothingMethod { get; init; } = GaussianMethod.Auto;

    /// <summary>The weights as shown in Parameters: "Queen", "Rook" or "Gaussian σ=2".</summary>
    internal string Describe() => Weights == SpatialWeights.Gaussian ? $"Gaussian σ={Sigma:g4}" : Weights.ToString();

    /// <summary>How far the weights make pixels dependent, in pixels: σ for Gaussian weights, 1 for queen and rook.</summary>
    internal double Scale => Weights == SpatialWeights.Gaussian ? Sigma : 1;
}
