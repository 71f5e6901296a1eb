namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Crops a raster to a region, as a count table's <c>Region</c> does: the half-open box [X0, X1) × [Y0, Y1) in pixels
/// (before binning) becomes the canvas exactly; its parts outside the raster are 0. A region that misses the raster
/// entirely is refused, naming the raster's extent.
/// </summary>
public static class RasterRegion
{
    public static RasterPlane Crop(RasterPlane plane, (int X0, int Y0, int X1, int Y1) region)
    {
        var (x0, y0, x1, y1) = region;
        if (x1 <= x0 || y1 <= y0)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"Region [{x0}, {x1}) × [{y0}, {y1}) is empty: X1 must be greater than X0 and Y1 greater than Y0 (pixels, end exclusive).")
            { FilePath = plane.Source };
        int fromX = Math.Max(x0, 0), toX = Math.Min(x1, plane.Width), fromY = Math.Max(y0, 0), toY = Math.Min(y1, plane.Height);
        if (fromX >= toX || fromY >= toY)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"The region [{x0}, {x1}) × [{y0}, {y1}) lies outside '{plane.Source}', which spans pixels x 0..{plane.Width - 1}, y 0..{plane.Height - 1}. " +
                "Give the region in the image's pixels (before -BinSize).")
            { FilePath = plane.Source };
        if (x0 == 0 && y0 == 0 && x1 == plane.Width && y1 == plane.Height) return plane;
        long width = (long)x1 - x0, height = (long)y1 - y0;
        var pixels = new float[width * height];
        for (int y = fromY; y < toY; y++)
            plane.Pixels.AsSpan(y * plane.Width + fromX, toX - fromX).CopyTo(pixels.AsSpan((int)((y - y0) * width + (fromX - x0))));
        return new RasterPlane(plane.Gene, (int)width, (int)height, pixels, plane.Source) { PixelSize = plane.PixelSize };
    }
}
