namespace SpatialSim.TorchCore.Smoothing;

/// <summary>How <see cref="CpuGaussianBlur"/> computes the blur. Every method gives the same result up to float rounding.</summary>
public enum GaussianMethod
{
    /// <summary>Pick <see cref="Direct"/> or <see cref="Fft"/> by estimated cost (see <see cref="CpuGaussianBlur"/>).</summary>
    Auto,
    /// <summary>Separable direct convolution; cost grows linearly with sigma. Fastest for small sigma.</summary>
    Direct,
    /// <summary>Separable overlap-save FFT convolution; cost grows only logarithmically with sigma.</summary>
    Fft,
}
