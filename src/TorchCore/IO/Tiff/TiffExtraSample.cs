namespace SpatialSim.TorchCore.IO.Tiff;

/// <summary>Values of the TIFF ExtraSamples tag (338): what an extra channel holds.</summary>
internal enum TiffExtraSample
{
    Unspecified = 0,
    AssociatedAlpha = 1,
    UnassociatedAlpha = 2,
}
