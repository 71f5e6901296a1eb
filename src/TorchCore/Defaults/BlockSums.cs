using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Defaults;

/// <summary>
/// A raster (or its non-zero pixels) summed over s × s blocks into a dense float32 array of
/// ⌈W/s⌉ × ⌈H/s⌉ pixels (row-major): block (bx, by) holds the pixels x ∈ [s·bx, s·bx + s), y ∈ [s·by, s·by + s).
/// Sparse-backed rasters are read from their pixel lists (O(non-zero pixels)); dense ones once, row by row, in place.
/// </summary>
public static class BlockSums
{
    /// <summary>Blocks along an axis of <paramref name="length"/> pixels.</summary>
    public static int Blocks(int length, int stride) => (length + stride - 1) / stride;

    /// <summary>The raster's block sums (see the class remarks).</summary>
    public static float[] Of(GeneRaster raster, int stride)
    {
        var result = new float[(long)Blocks(raster.Width, stride) * Blocks(raster.Height, stride)];
        AddTo(raster, stride, result);
        return result;
    }

    /// <summary>
    /// Adds the raster's block sums into <paramref name="blocks"/> (⌈W/s⌉ × ⌈H/s⌉, row-major), so the sum over many genes
    /// needs no array per gene. A dense CPU raster is read in place, row by row (a vector add at stride 1), never copied.
    /// </summary>
    public static void AddTo(GeneRaster raster, int stride, float[] blocks) => AddAll([raster], stride, blocks, threads: 1);

    /// <summary>
    /// Adds the block sums of all <paramref name="rasters"/> (one canvas) into <paramref name="blocks"/>. The rows of blocks
    /// are cut into one band per thread, and each thread adds every gene's rows of its band into its own part of the array:
    /// no second array and no locks, and a dense gene is read once, in place (200 genes of 1024² on 2 cores: 0.2 s one
    /// gene after another, on one core).
    /// </summary>
    public static void AddAll(IReadOnlyList<GeneRaster> rasters, int stride, float[] blocks, int? threads = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        if (rasters.Count == 0) return;
        int w = rasters[0].Width, h = rasters[0].Height, cw = Blocks(w, stride), ch = Blocks(h, stride);
        if (blocks.LongLength != (long)cw * ch)
            throw new ArgumentException($"Expected {(long)cw * ch} blocks, got {blocks.LongLength}.", nameof(blocks));
        using var scope = torch.NewDisposeScope();
        var dense = new Tensor?[rasters.Count];
        for (int i = 0; i < rasters.Count; i++)
        {
            var raster = rasters[i];
            if (raster.Width != w || raster.Height != h)
                throw new ArgumentException($"'{raster.Gene}' is {raster.Width}×{raster.Height}, the others {w}×{h}.", nameof(rasters));
            if (raster.Sparse is not null && !raster.HasDenseValues) continue;
            var values = raster.Values;
            dense[i] = values.device_type == DeviceType.CPU ? values.contiguous() : values.cpu().contiguous();
        }
        int workers = Math.Clamp(threads ?? Environment.ProcessorCount, 1, ch);
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, t =>
        {
            int b0 = (int)((long)ch * t / workers), b1 = (int)((long)ch * (t + 1) / workers);
            int y0 = b0 * stride, y1 = Math.Min(h, b1 * stride);
            for (int i = 0; i < rasters.Count; i++)
            {
                if (dense[i] is { } tensor)
                    AddDense(TensorMemory.AsFloatSpan(tensor).Slice(y0 * w, (y1 - y0) * w), w, y1 - y0, stride, blocks.AsSpan(b0 * cw, (b1 - b0) * cw));
                else
                {
                    var sparse = rasters[i].Sparse!;
                    int k0 = sparse.RowStart(y0), k1 = sparse.RowStart(y1);
                    Add(sparse.Index[k0..k1], sparse.Values[k0..k1], w, stride, cw, blocks);
                }
            }
        });
    }

    /// <summary>Adds a dense row-major W × H raster's block sums into <paramref name="blocks"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddDense(ReadOnlySpan<float> pixels, int width, int height, int stride, Span<float> blocks)
    {
        int cw = Blocks(width, stride);
        if (stride == 1)
        {
            SpanArithmetic.AddInto(pixels[..(width * height)], blocks);
            return;
        }
        for (int y = 0; y < height; y++)
        {
            var row = pixels.Slice(y * width, width);
            var target = blocks.Slice(y / stride * cw, cw);
            for (int bx = 0, x = 0; bx < cw; bx++, x += stride)
            {
                int end = Math.Min(x + stride, width);
                float sum = 0;
                for (int i = x; i < end; i++) sum += row[i];
                target[bx] += sum;
            }
        }
    }

    /// <summary>Adds pixels (flat indices y·width + x, values) into <paramref name="blocks"/> (⌈W/s⌉ blocks a row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
