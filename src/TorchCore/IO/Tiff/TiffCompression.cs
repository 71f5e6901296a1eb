namespace SpatialSim.TorchCore.IO.Tiff;

/// <summary>Values of the TIFF Compression tag (259): the TIFF 6.0 codes and the registered extensions met in practice.</summary>
internal enum TiffCompression
{
    None = 1,
    Ccitt1D = 2,
    CcittGroup3Fax = 3,
    CcittGroup4Fax = 4,
    Lzw = 5,
    OldJpeg = 6,
    Jpeg = 7,
    /// <summary>Deflate, the Adobe code (8).</summary>
    AdobeDeflate = 8,
    PackBits = 32773,
    /// <summary>Deflate, the older private code (32946) that libtiff still reads.</summary>
    Deflate = 32946,
    Lerc = 34887,
    /// <summary>LZMA2 as libtiff writes it (34925).</summary>
    Lzma = 34925,
    /// <summary>LZMA as some writers mark it (34892, formally lossy JPEG in DNG; named for what is found here).</summary>
    LzmaAlternative = 34892,
    Zstd = 50000,
    WebP = 50001,
}
