namespace SpatialSim.TorchCore.IO.Tiff;

/// <summary>The TIFF tags SpatialSim reads (TIFF 6.0 numbering; SampleFormat and ExtraSamples from section 18 and 21).</summary>
internal enum TiffTag : ushort
{
    ImageWidth = 256,
    ImageLength = 257,
    BitsPerSample = 258,
    Compression = 259,
    PhotometricInterpretation = 262,
    StripOffsets = 273,
    SamplesPerPixel = 277,
    RowsPerStrip = 278,
    StripByteCounts = 279,
    PlanarConfiguration = 284,
    Predictor = 317,
    ColorMap = 320,
    TileWidth = 322,
    TileLength = 323,
    TileOffsets = 324,
    ExtraSamples = 338,
    SampleFormat = 339,
}
