namespace SpatialSim.TorchCore.Defaults;

/// <summary>
/// A raster (or its non-zero pixels) summed over s × s blocks into a dense float32 array of
/// ⌈W/s⌉ × ⌈H/s⌉ pixels (row-major): block (bx, by) holds the pixels x ∈ [s·bx, s·bx + s), y ∈ [s·by, s·by + s).
/// Sparse-backed rasters are read from their pixel lists (O(non-zero pixels)); dense ones once, row by row.
/// </summary>
public static class BlockSums
{
    /// <summary>Blocks along an axis of <paramref name="length"/> pixels.</summary>
    public static int Blocks(int length, int stride) => (length + stride - 1) / stride;

    /// <summary>The raster's block sums (see the class remarks).</summary>
    public static float[] Of(GeneRaster raster, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        int cw = Blocks(raster.Width, stride), ch = Blocks(raster.Height, stride);
        var result = new float[(long)cw * ch];
        if (raster.Sparse is { } sparse && !raster.HasDenseValues)
        {
            Add(sparse.Index, sparse.Values, raster.Width, stride, cw, result);
            return result;
        }
        var pixels = raster.ToArray();
        int w = raster.Width;
        for (int y = 0; y < raster.Height; y++)
        {
            int row = y / stride * cw;
            for (int x = 0; x < w; x++) result[row + x / stride] += pixels[y * w + x];
        }
        return result;
    }

    /// <summary>Adds pixels (flat indices y·width + x, values) into <paramref name="blocks"/> (⌈W/s⌉ blocks a row).</summary>
    public static void Add(ReadOnlySpan<int> index, ReadOnlySpan<float> values, int width, int stride, int blocksPerRow, float[] blocks)
    {
        if (stride == 1)
        {
            for (int k = 0; k < index.Length; k++) blocks[index[k]] += values[k];
            return;
        }
        for (int k = 0; k < index.Length; k++)
        {
            int i = index[k], y = i / width, x = i - y * width;
            blocks[y / stride * blocksPerRow + x / stride] += values[k];
        }
    }
}
