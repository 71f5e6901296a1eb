namespace SpatialSim.TorchCore.IO.Tiff;

/// <summary>Values of the TIFF PlanarConfiguration tag (284).</summary>
internal enum TiffPlanarConfiguration
{
    /// <summary>The samples of a pixel are stored together.</summary>
    Chunky = 1,
    /// <summary>One set of strips per sample.</summary>
    Planar = 2,
}
