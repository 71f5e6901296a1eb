namespace SpatialSim.TorchCore.IO.Tiff;

/// <summary>Values of the TIFF PhotometricInterpretation tag (262).</summary>
internal enum TiffPhotometric
{
    WhiteIsZero = 0,
    BlackIsZero = 1,
    Rgb = 2,
    Palette = 3,
    TransparencyMask = 4,
    Separated = 5,
    YCbCr = 6,
    CieLab = 8,
    IccLab = 9,
    ItuLab = 10,
}
