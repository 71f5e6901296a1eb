using System.Numerics;
using System.Runtime.InteropServices;
using SpatialSim.TorchCore.Smoothing;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>
/// The smoothed-correlation Gram matrix of sparse genes without a mask, from their non-zero pixels:
/// <code>S_ij = Σ_p (K x_i)(p) (K x_j)(p) = x_iᵀ (Kᵀ K x_j)</code>
/// where K is the Gaussian blur (mode 'reflect', scipy's radius) and x a gene's counts. For each block of 128 genes j,
/// Y_j = Kᵀ(K x_j) is made on the canvas (the blur, then its adjoint: the blur of the zero-padded map folded back at
/// the edges), and every gene i of the band adds v · Y(p, ·) for each of its non-zero pixels (p, v), read pixel by pixel.
/// The work is nnz · G multiply-adds plus two blurs per gene, instead of the dense product's G² · pixels / 2 and one blur:
/// it pays for many genes only (<see cref="Applies"/>). Correlations then follow as in <see cref="CorrelationGram"/>: cov = S − Σb_i Σb_j / P over the
/// canvas, each variance from Σ b² of the gene's own blurred map. Equal to the dense path to float32 rounding of the
/// blurred maps (tested to 1e-6); the same score in every band and shard (blocks aligned to multiples of 128, the pixel
/// ranges of the threads fixed by the core count).
/// </summary>
internal static class SparseCorrelationGram
{
    /// <summary>Genes per block of Y (the product's block, so bands and shards agree to the last bit).</summary>
    private const int BlockGenes = CorrelationGram.ProductBlockGenes;

    // Costs per canvas pixel, in multiply-adds of the dense path's blocked SGEMM (about 25 ps each on this project's 2-core
    // machine), measured on random sparse genes at σ = 4: 200 to 2,000 genes, 256² to 1024², 0.5–2% non-zero.

    /// <summary>Dense path, per gene and pixel: the strip's blur from the gene's pixels and its centring (≈ 1 ns).</summary>
    private const double DenseBlurCost = 40;

    /// <summary>This path, per gene and pixel: Y = Kᵀ K x (two blurs, the second on the padded canvas, and the folds) and its pixel-major copy (≈ 8 ns).</summary>
    private const double AdjointCost = 320;

    /// <summary>This path, per non-zero pixel and gene: v · Y(p, j) added in float64 (≈ 0.23 ns).</summary>
    private const double ScatterCost = 9;

    /// <summary>
    /// Whether rows [r0, n) qualify: every gene sparse-backed, σ &gt; 0, no mask, a kernel shorter than the canvas, what the
    /// product holds within the budget, and an estimated cost below the dense strips' (see <see cref="Cost"/>). Two blurs per
    /// gene make it pay only for many genes: about 900 and more at 2% non-zero (1,000 genes on 512²: 3.2 s against 3.6 s;
    /// 2,000 on 256²: 2.2 s against 3.9 s; 200 on 1024²: 3.7 s against 0.8 s).
    /// </summary>
    public static bool Applies(IReadOnlyList<GeneRaster> rasters, double sigma, int r0, long budgetBytes)
    {
        int n = rasters.Count, m = n - r0;
        if (m < 2 || !(sigma > 0)) return false;
        int w = rasters[0].Width, h = rasters[0].Height;
        int r = CpuGaussianBlur.Radius(sigma, GaussianSmoothing.DefaultTruncate);
        if (r >= Math.Min(w, h)) return false;
        long pixels = (long)w * h;
        if (pixels * BlockGenes * sizeof(float) > budgetBytes / 2 || pixels * BlockGenes > Array.MaxLength) return false;
        long nonZero = 0;
        for (int i = r0; i < n; i++)
        {
            if (rasters[i].Sparse is not { } sparse || !rasters[i].Device.IsCpu) return false;
            nonZero += sparse.Count;
        }
        // Held: one block of Y (float32), the band genes' pixels once more pixel by pixel (gene, value), the per-thread canvases.
        long held = pixels * BlockGenes * sizeof(float) + nonZero * 8 + 4 * pixels * sizeof(float) * Environment.ProcessorCount;
        if (held > budgetBytes) return false;
        var (sparseCost, denseCost) = Cost(m, nonZero / ((double)m * pixels));
        return sparseCost < denseCost;
    }

    /// <summary>
    /// Estimated work per canvas pixel of this path and of the dense strips for <paramref name="genes"/> genes with
    /// <paramref name="density"/> of their pixels non-zero, in multiply-adds of the dense product:
    /// <code>sparse = 320 G + 9 d G²,   dense = W(G) + 40 G</code>
    /// with W(G) the dense block product's multiply-adds per pixel (<see cref="StripMatrix.ProductWork"/>, about G²/2 + 64 G).
    /// </summary>
    internal static (double Sparse, double Dense) Cost(int genes, double density) =>
        (AdjointCost * genes + ScatterCost * density * genes * (double)genes, StripMatrix.ProductWork(genes) + DenseBlurCost * genes);

    /// <summary>Rows [r0, r1) against genes [r0, n) as correlations (see the class remarks).</summary>
    public static CorrelationBlock Compute(IReadOnlyList<GeneRaster> rasters, double sigma, GaussianMethod method, int r0, int r1,
        IProgress<(int Done, int Total, string Gene)>? progress, CancellationToken cancellationToken)
    {
        int n = rasters.Count, m = n - r0, bandRows = r1 - r0;
        int w = rasters[0].Width, h = rasters[0].Height;
        int pixels = w * h;
        int r = CpuGaussianBlur.Radius(sigma, GaussianSmoothing.DefaultTruncate);
        var (start, genes, values) = PixelMajor(rasters, r0, r1, pixels);

        int threads = Math.Max(1, Environment.ProcessorCount);
        var gram = new double[(long)bandRows * m];
        var sums = new double[n];
        var squares = new double[n];
        var y = new float[pixels * BlockGenes];
        var scratches = new Scratch?[threads];
        var rowsOfY = new double[threads][];
        var partials = new double[threads][];
        for (int t = 0; t < threads; t++) partials[t] = new double[(long)bandRows * BlockGenes];
        int firstBlock = r0 / BlockGenes * BlockGenes, done = 0;
        for (int j0 = firstBlock; j0 < n; j0 += BlockGenes)
        {
            int width = Math.Min(BlockGenes, n - j0);
            int from = Math.Max(j0, r0);   // genes before r0 in the first block are not columns of this band
            // Y(p, jj) = Kᵀ K x_j, pixel-major with BlockGenes values per pixel; one set of canvases per thread for the whole run.
            int next = from - 1;
            // Progress is reported from the calling thread only (worker 0), as PowerShell requires.
            CorrelationGram.RunWorkers(threads, (t, report) =>
            {
                var scratch = scratches[t] ??= new Scratch(w, h, r);
                int j;
                while ((j = Interlocked.Increment(ref next)) < j0 + width)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var (sum, square) = AdjointOfBlur(rasters[j].Sparse!, sigma, method, r, scratch);
                    sums[j] = sum;
                    squares[j] = square;
                    var folded = scratch.Folded;
                    for (int p = 0, at = j - j0; p < pixels; p++, at += BlockGenes) y[at] = folded[p];
                    int finished = Interlocked.Increment(ref done);
                    if (report) progress?.Report((finished, m, rasters[j].Gene));
                }
            });
            // S(i, j) += v · Y(p, j) for every non-zero (p, v) of every band gene i, over fixed pixel ranges per thread.
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, t =>
            {
                var part = partials[t];
                Array.Clear(part);
                int p0 = (int)((long)pixels * t / threads), p1 = (int)((long)pixels * (t + 1) / threads);
                var yRow = rowsOfY[t] ??= new double[BlockGenes];
                for (int p = p0; p < p1; p++)
                {
                    int e0 = start[p], e1 = start[p + 1];
                    if (e0 == e1) continue;
                    var source = y.AsSpan(p * BlockGenes, BlockGenes);
                    for (int k = 0; k < BlockGenes; k++) yRow[k] = source[k];
                    for (int e = e0; e < e1; e++) AddScaled(part.AsSpan((genes[e] - r0) * BlockGenes, BlockGenes), yRow, values[e]);
                }
            });
            for (int bi = 0; bi < bandRows; bi++)
                for (int jj = from - j0; jj < width; jj++)
                {
                    double s = 0;
                    for (int t = 0; t < threads; t++) s += partials[t][(long)bi * BlockGenes + jj];
                    gram[(long)bi * m + (j0 + jj - r0)] = s;
                }
        }
        progress?.Report((m, m, ""));

        var undefined = new bool[n];
        var variance = new double[n];
        for (int i = r0; i < n; i++)
        {
            variance[i] = squares[i] - sums[i] * sums[i] / pixels;
            undefined[i] = CorrelationGram.IsConstant(rasters[i]) || !(variance[i] > 0);
        }
        return CorrelationGram.ToCorrelations(gram, sums, variance, undefined, pixels, r0, r1);
    }

    /// <summary>Per-thread canvases: the gene's map, its blur, the zero-padded blur and its blur, the folded result.</summary>
    private sealed class Scratch(int w, int h, int r)
    {
        public readonly float[] Map = new float[w * h];
        public readonly float[] Padded = new float[(w + 2 * r) * (h + 2 * r)];
        public readonly float[] Rows = new float[(h + 2 * r) * w];
        public readonly float[] Folded = new float[w * h];
        public int Width => w;
        public int Height => h;
    }

    /// <summary>
    /// scratch.Folded = Kᵀ(K x) for one gene; returns Σ K x and Σ (K x)². Kᵀ of a 'reflect' blur: the blur of the map padded
    /// with r zeros (whose own reflections then read only zeros: a zero-padded convolution on the extended canvas), each
    /// outside row and column folded back onto the one it reflects ('reflect' maps −1−j to j and 2N−1−j to j).
    /// </summary>
    private static (double Sum, double Square) AdjointOfBlur(SparsePixels x, double sigma, GaussianMethod method, int r, Scratch s)
    {
        int w = s.Width, h = s.Height, pw = w + 2 * r, ph = h + 2 * r;
        var map = s.Map.AsSpan();
        map.Clear();
        x.CopyRows(0, h, map);
        CpuGaussianBlur.Blur(map, map, w, h, sigma, method, GaussianSmoothing.DefaultTruncate, 1);
        double sum = 0, square = 0;
        foreach (float v in map) { sum += v; square += (double)v * v; }

        var padded = s.Padded.AsSpan();
        padded.Clear();
        for (int row = 0; row < h; row++) map.Slice(row * w, w).CopyTo(padded.Slice((row + r) * pw + r, w));
        CpuGaussianBlur.Blur(padded, padded, pw, ph, sigma, method, GaussianSmoothing.DefaultTruncate, 1);

        // Fold along x: every extended row to w columns.
        var rows = s.Rows.AsSpan();
        for (int t = 0; t < ph; t++)
        {
            var source = padded.Slice(t * pw, pw);
            var target = rows.Slice(t * w, w);
            source.Slice(r, w).CopyTo(target);
            for (int k = 0; k < r; k++)
            {
                target[k] += source[r - 1 - k];               // padded column r−1−k is column −1−k, the reflection of k
                target[w - 1 - k] += source[w + r + k];        // padded column w+r+k is column w+k, the reflection of w−1−k
            }
        }
        // Fold along y.
        var folded = s.Folded.AsSpan();
        rows.Slice(r * w, h * w).CopyTo(folded);
        for (int k = 0; k < r; k++)
        {
            SpanArithmetic.AddInto(rows.Slice((r - 1 - k) * w, w), folded.Slice(k * w, w));
            SpanArithmetic.AddInto(rows.Slice((h + r + k) * w, w), folded.Slice((h - 1 - k) * w, w));
        }
        return (sum, square);
    }

    /// <summary>The band genes' non-zero pixels, pixel by pixel: start[p] … start[p+1] − 1 index genes and values.</summary>
    private static (int[] Start, int[] Genes, float[] Values) PixelMajor(IReadOnlyList<GeneRaster> rasters, int r0, int r1, int pixels)
    {
        var start = new int[pixels + 1];
        for (int i = r0; i < r1; i++)
            foreach (int p in rasters[i].Sparse!.Index) start[p + 1]++;
        for (int p = 0; p < pixels; p++) start[p + 1] += start[p];
        var genes = new int[start[pixels]];
        var values = new float[genes.Length];
        var fill = (int[])start.Clone();
        for (int i = r0; i < r1; i++)
        {
            var sparse = rasters[i].Sparse!;
            var index = sparse.Index;
            var v = sparse.Values;
            for (int k = 0; k < index.Length; k++)
            {
                int at = fill[index[k]]++;
                genes[at] = i;
                values[at] = v[k];
            }
        }
        return (start, genes, values);
    }

    /// <summary>target += a · source (vectorised).</summary>
    private static void AddScaled(Span<double> target, ReadOnlySpan<double> source, double a)
    {
        var t = MemoryMarshal.Cast<double, Vector<double>>(target);
        var s = MemoryMarshal.Cast<double, Vector<double>>(source);
        var va = new Vector<double>(a);
        for (int k = 0; k < t.Length; k++) t[k] += va * s[k];
        for (int k = t.Length * Vector<double>.Count; k < target.Length; k++) target[k] += a * source[k];
    }
}
