using System.Globalization;
using SpatialSim.TorchCore.IO;

namespace SpatialSim.TorchCore.Defaults;

/// <summary>
/// The grid a smoothed comparison is computed on. A Gaussian of σ pixels leaves no detail finer than about σ/3 (its
/// transfer function at the Nyquist frequency of a grid of stride σ/4 is exp(−2π²·16·¼) ≈ 4·10⁻³⁵), so the counts are summed
/// over s × s blocks, s = ⌊σ / <see cref="SigmaPerStride"/>⌋, and smoothed there with
/// <code>σ_w = √(σ² − s²/12) / s</code>
/// (a block sum is the counts convolved with an s-pixel box, variance s²/12 per axis, sampled every s pixels; the
/// Gaussian on the grid makes up the rest of σ). The cost then follows the size of the structures, not the pixel count:
/// the CA1 ISS table at full resolution (7582 × 5448 px, σ ≈ 100 px) is ranked on a 316 × 227 grid. Correlations over the
/// grid's pixels approximate those over the full-resolution pixels to |Δr| ≲ 0.01 (tested on CA1-like data). Why σ/8 and not
/// σ/3: a block sum moves each count to its block's centre, a random shift of up to s/2 that changes the correlation of two
/// sparse, weakly correlated genes to first order in s/σ (|Δr| up to 0.02 at s = σ/4 on the Stereo-seq patch).
/// Stride 1 (σ &lt; 16 px, or a canvas under 128 px across) is the canvas itself; the grid keeps at least
/// <see cref="MinGridSide"/> pixels across.
/// </summary>
/// <param name="Stride">Pixels of the canvas per grid pixel and axis.</param>
/// <param name="Sigma">σ in the canvas' pixels.</param>
/// <param name="CanvasWidth">The canvas the grid covers.</param>
/// <param name="CanvasHeight">The canvas the grid covers.</param>
public sealed record WorkingGrid(int Stride, double Sigma, int CanvasWidth, int CanvasHeight)
{
    /// <summary>The stride is at most σ / this.</summary>
    public const double SigmaPerStride = 8;
    /// <summary>The grid keeps at least this many pixels across the canvas' shorter side (so its edges and mask stay fine).</summary>
    public const int MinGridSide = 64;

    /// <summary>Grid width and height (⌈canvas / stride⌉).</summary>
    public int Width => BlockSums.Blocks(CanvasWidth, Stride);
    public int Height => BlockSums.Blocks(CanvasHeight, Stride);

    /// <summary>σ in grid pixels (see the class remarks).</summary>
    public double WorkingSigma => Stride == 1 ? Sigma : Math.Sqrt(Math.Max(Sigma * Sigma - Stride * Stride / 12.0, 0)) / Stride;

    /// <summary>Whether the grid is coarser than the canvas.</summary>
    public bool IsCoarser => Stride > 1;

    /// <summary>The grid for smoothing at <paramref name="sigma"/> pixels on a <paramref name="width"/> × <paramref name="height"/> canvas.</summary>
    public static WorkingGrid For(double sigma, int width, int height)
    {
        if (!(sigma >= 0) || double.IsInfinity(sigma)) throw new SpatialSimException(ErrorKind.InvalidArgument, $"σ must be a finite number ≥ 0, got {sigma}.");
        int stride = (int)Math.Clamp(Math.Floor(sigma / SigmaPerStride), 1, Math.Max(1, Math.Min(width, height) / MinGridSide));
        return new WorkingGrid(stride, sigma, width, height);
    }

    /// <summary>The raster summed over the grid's blocks (a sparse raster stays sparse); bin size and pixel size grow by the stride.</summary>
    public GeneRaster Bin(GeneRaster raster)
    {
        ArgumentNullException.ThrowIfNull(raster);
        RequireCanvas(raster);
        if (Stride == 1) return raster;
        int s = Stride, w = raster.Width, cw = Width, ch = Height;
        if (raster.Sparse is { } sparse && !raster.HasDenseValues)
        {
            var pixels = BinSparse(sparse, s, cw, ch);
            return GeneRaster.FromSparse(raster.Gene, pixels, raster.BinSize * s, raster.Source, raster.PixelSize * s, raster.Device);
        }
        var plane = new RasterPlane(raster.Gene, cw, ch, BlockSums.Of(raster, s), raster.Source) { PixelSize = raster.PixelSize * s };
        return GeneRaster.FromPlane(plane, raster.BinSize * s, raster.Device);
    }

    /// <summary>
    /// The sparse pixels summed over s × s blocks, coarse row by coarse row: the entries of its s canvas rows are added into
    /// the blocks they fall in, and the blocks touched are written in column order (no sort of the entries).
    /// </summary>
    private static SparsePixels BinSparse(SparsePixels sparse, int s, int cw, int ch)
    {
        var index = sparse.Index;
        var values = sparse.Values;
        int w = sparse.Width;
        var coarseIndex = new int[index.Length];
        var coarseValues = new float[index.Length];
        var sums = new float[cw];
        var seen = new bool[cw];
        var block = new int[w];   // the block column of each canvas column (no division per pixel)
        for (int x = 0; x < w; x++) block[x] = x / s;
        int m = 0, cy = -1, first = cw, last = -1, rowStart = 0, rowEnd = 0;
        for (int e = 0; e < index.Length; e++)
        {
            int i = index[e];
            if (i >= rowEnd)
            {
                // A new canvas row (entries are row-major); a new block row flushes the one before.
                int y = i / w;
                rowStart = y * w;
                rowEnd = rowStart + w;
                if (y / s != cy)
                {
                    Flush(cy, cw, ref first, ref last, seen, sums, coarseIndex, coarseValues, ref m);
                    cy = y / s;
                }
            }
            int cx = block[i - rowStart];
            if (!seen[cx])
            {
                seen[cx] = true;
                sums[cx] = 0;
                first = Math.Min(first, cx);
                last = Math.Max(last, cx);
            }
            sums[cx] += values[e];
        }
        Flush(cy, cw, ref first, ref last, seen, sums, coarseIndex, coarseValues, ref m);
        return SparsePixels.FromEntries(cw, ch, coarseIndex[..m], coarseValues[..m]);
    }

    /// <summary>Writes block row <paramref name="cy"/>'s touched blocks in column order and clears them.</summary>
    private static void Flush(int cy, int cw, ref int first, ref int last, bool[] seen, float[] sums, int[] coarseIndex, float[] coarseValues, ref int m)
    {
        for (int cx = first; cx <= last; cx++)
        {
            if (!seen[cx]) continue;
            coarseIndex[m] = cy * cw + cx;
            coarseValues[m++] = sums[cx];
            seen[cx] = false;
        }
        first = cw;
        last = -1;
    }

    /// <summary>A mask on the canvas brought to the grid: a block is inside when at least half its canvas pixels are.</summary>
    public GeneRaster BinMask(GeneRaster mask)
    {
        RequireCanvas(mask);
        if (Stride == 1) return mask;
        var inside = new float[(long)Width * Height];
        var area = new float[inside.Length];
        var pixels = mask.ToArray();
        for (int y = 0; y < CanvasHeight; y++)
            for (int x = 0; x < CanvasWidth; x++)
            {
                int b = y / Stride * Width + x / Stride;
                area[b]++;
                if (pixels[y * CanvasWidth + x] > 0) inside[b]++;
            }
        for (int b = 0; b < inside.Length; b++) inside[b] = inside[b] >= 0.5f * area[b] ? 1f : 0f;
        return GeneRaster.FromPlane(new RasterPlane(mask.Gene, Width, Height, inside, mask.Source) { PixelSize = mask.PixelSize * Stride }, mask.BinSize * Stride, mask.Device);
    }

    /// <summary>A 0/1 mask on the grid brought back to the canvas (each block's value on all its pixels).</summary>
    public GeneRaster Upsample(bool[] gridMask, string name, GeneRaster like)
    {
        if (gridMask.Length != (long)Width * Height) throw new ArgumentException("The mask is not on this grid.", nameof(gridMask));
        var pixels = new float[(long)CanvasWidth * CanvasHeight];
        for (int y = 0; y < CanvasHeight; y++)
        {
            int row = y / Stride * Width;
            for (int x = 0; x < CanvasWidth; x++) pixels[y * CanvasWidth + x] = gridMask[row + x / Stride] ? 1f : 0f;
        }
        return GeneRaster.FromPlane(new RasterPlane(name, CanvasWidth, CanvasHeight, pixels, like.Source) { PixelSize = like.PixelSize }, like.BinSize, like.Device);
    }

    /// <summary>"grid 33 px (230 × 166), σ 3.03 there", or "" for stride 1.</summary>
    public string Describe() => Stride == 1 ? "" :
        string.Create(CultureInfo.InvariantCulture, $"grid {Stride}×{Stride} px ({Width} × {Height}, σ {WorkingSigma:g3} there)");

    private void RequireCanvas(GeneRaster raster)
    {
        if (raster.Width != CanvasWidth || raster.Height != CanvasHeight)
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"'{raster.Gene}' is {raster.Width}×{raster.Height} pixels but the working grid was made for a {CanvasWidth}×{CanvasHeight} canvas.") { Gene = raster.Gene };
    }
}
