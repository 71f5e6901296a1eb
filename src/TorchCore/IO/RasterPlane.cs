namespace SpatialSim.TorchCore.IO;

/// <summary>
/// One gene's raster in managed memory, as the readers produce it and the writers consume it:
/// row-major float32 pixels, <c>Pixels[y * Width + x]</c>; x is the column, y the row.
/// </summary>
public sealed class RasterPlane
{
    public string Gene { get; }
    public int Width { get; }
    public int Height { get; }
    public float[] Pixels { get; }
    /// <summary>Where it came from (a file path, or a description).</summary>
    public string Source { get; }
    /// <summary>Size of one pixel of this plane in the input's coordinate units (e.g. DNB), before -BinSize; 1 when unknown.</summary>
    public double PixelSize { get; init; } = 1.0;

    public RasterPlane(string gene, int width, int height, float[] pixels, string source)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (pixels.Length != (long)width * height)
            throw new ArgumentException($"Pixel buffer holds {pixels.Length} values, expected {width}×{height}.", nameof(pixels));
        Gene = gene;
        Width = width;
        Height = height;
        Pixels = pixels;
        Source = source;
    }
}
