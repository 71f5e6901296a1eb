namespace SpatialSim.TorchCore.IO.Tiff;

/// <summary>Values of the TIFF Predictor tag (317).</summary>
internal enum TiffPredictor
{
    None = 1,
    Horizontal = 2,
    FloatingPoint = 3,
}
