namespace SpatialSim.TorchCore.IO.Tiff;

/// <summary>Values of the TIFF SampleFormat tag (339).</summary>
internal enum TiffSampleFormat
{
    UnsignedInteger = 1,
    SignedInteger = 2,
    Float = 3,
}
