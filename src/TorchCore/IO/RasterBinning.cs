namespace SpatialSim.TorchCore.IO;

/// <summary>Stereo-seq style "bin b": sums b×b blocks of pixels. Partial blocks at the right and bottom edges are kept (ceil).</summary>
public static class RasterBinning
{
    public static int BinnedLength(int length, int binSize) => (length + binSize - 1) / binSize;

    public static RasterPlane SumBlocks(RasterPlane plane, int binSize)
    {
        if (binSize < 1) throw new SpatialSimException(ErrorKind.InvalidArgument, $"BinSize must be 1 or more, got {binSize}.");
        if (binSize == 1) return plane;
        int w = BinnedLength(plane.Width, binSize), h = BinnedLength(plane.Height, binSize);
        var dst = new float[(long)w * h];
        var src = plane.Pixels;
        for (int y = 0; y < plane.Height; y++)
        {
            int row = (y / binSize) * w;
            int offset = y * plane.Width;
            for (int x = 0; x < plane.Width; x++)
                dst[row + x / binSize] += src[offset + x];
        }
        return new RasterPlane(plane.Gene, w, h, dst, plane.Source) { PixelSize = plane.PixelSize * binSize };
    }
}
