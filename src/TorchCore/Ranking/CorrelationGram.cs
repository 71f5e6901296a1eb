using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;
using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>
/// All-pairs (smoothed) Pearson correlation as one Gram matrix, streamed over the canvas in horizontal strips so
/// that memory stays within a budget whatever the canvas size:
/// <code>
/// z_i = G_σ * x_i − c_i            (c_i = mean of the raw gene = mean of the blurred gene)
/// S_ij = Σ_pixels z_i z_j,  s_i = Σ_pixels z_i
/// r_ij = (S_ij − s_i s_j / N) / √((S_ii − s_i² / N)(S_jj − s_j² / N))
/// </code>
/// Each strip of rows is blurred per gene from the gene's sparse pixels (or its dense tensor) with a halo of
/// r = int(4σ + 0.5) rows on each side — the radius of the truncated kernel the blur uses (scipy's truncate = 4) —
/// so every strip row sees exactly the input rows it sees in the untiled blur, and the canvas edges keep scipy's
/// 'reflect' mode: tiling does not change the result beyond float rounding. The strip matrix [genes × strip pixels]
/// is float32 (<see cref="StripMatrix"/>: chunk by chunk, so that one batched SGEMM per pair of 128-gene blocks covers a
/// strip), and only the blocks of genes on and above the diagonal are multiplied; each chunk's products are added into
/// float64 sums, and the sums s_i, Σ z_i² are float64 over the same float32 values. Centring by the raw mean before the
/// product avoids cancellation in S_ij − s_i s_j / N. Rounding: by Cauchy–Schwarz the error of r_ij is at most the float32
/// accumulation error within one chunk relative to Σ|z_i z_j| there, which grows with the chunk's length: on blobs of
/// small counts (the measure contract's genes) r was off by 1.3e-5 in chunks of 4,096 pixels, 2.6e-6 in chunks of 2,048,
/// 1.4e-6 in chunks of 1,024 (<see cref="StripMatrix.ChunkPixels"/>, used) and 2.4e-7 in chunks of 256; a whole-strip
/// float32 product, tried earlier, gave 1e-4.
/// Rows and columns of constant genes (all pixels equal, e.g. all zero) are NaN.
/// </summary>
/// <remarks>
/// Memory (see <see cref="Plan"/>): 4·W·(genes·strip rows) bytes for the strip matrix (its last chunk padded to 1,024 pixels,
/// and an eighth of that at most for one block pair's products per chunk), 4·W·(strip rows + 2r) bytes per
/// worker thread for the blur, and 16·genes² bytes for the accumulated and final matrices — on top of the rasters
/// themselves. Strips hold a strip matrix of about 64 MB, and at least 8r rows (<see cref="HaloMultiple"/>), fewer rows when the budget
/// (default: a quarter of the physical memory, <see cref="DefaultMemoryBudget"/>) is smaller; a canvas that fits in
/// one strip has no halo.
/// On CUDA the genes are processed untiled on the device (the budget applies to CPU memory only).
/// </remarks>
public static class CorrelationGram
{
    /// <summary>Preferred size of the strip matrix [genes × strip pixels] (float32) when the budget allows.</summary>
    private const long TargetStripBytes = 64L << 20;

    /// <summary>Strips are at least this many times taller than their halo when the budget allows (the halo then adds ≤ 25% to the blur).</summary>
    public const int HaloMultiple = 8;

    /// <summary>The default memory budget: a quarter of the memory the process may use (physical memory, or the container limit).</summary>
    public static long DefaultMemoryBudget => Math.Max(256L << 20, PhysicalMemory / 4);

    /// <summary>Physical memory (or the container's limit) as .NET sees it.</summary>
    public static long PhysicalMemory => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// How the canvas will be streamed for <paramref name="rasters"/>: strip height and count, halo, working memory.
    /// Throws a <see cref="SpatialSimException"/> (<see cref="ErrorKind.LimitExceeded"/>) when even one row per
    /// strip does not fit <paramref name="maxMemoryBytes"/>.
    /// </summary>
    /// <param name="maxMemoryBytes">Working-memory budget in bytes; null for <see cref="DefaultMemoryBudget"/>.</param>
    /// <param name="stripRows">Force this strip height (tests, tuning); null to let the budget decide.</param>
    /// <param name="matrixBytes">Bytes of the gene × gene matrices held while streaming; null for the whole matrix (20·genes²).
    /// A band of rows (<see cref="CorrelationBands"/>) holds less.</param>
    public static GramPlan Plan(IReadOnlyList<GeneRaster> rasters, double sigma, long? maxMemoryBytes = null, int? stripRows = null, long? matrixBytes = null)
    {
        GaussianSmoothing.CheckSigma(sigma);
        int n = rasters.Count;
        if (n == 0) return new GramPlan(0, 0, 0, 0, 0, 0, 0, 0, maxMemoryBytes ?? DefaultMemoryBudget, 0, 0);
        RasterChecks.RequireSameSize(rasters);
        int w = rasters[0].Width, h = rasters[0].Height;
        long budget = maxMemoryBytes ?? DefaultMemoryBudget;
        if (budget <= 0) throw new SpatialSimException(ErrorKind.InvalidArgument, $"The memory budget must be positive, got {budget} bytes.");
        int halo = CpuGaussianBlur.Radius(sigma, GaussianSmoothing.DefaultTruncate);
        int workers = Math.Clamp(Environment.ProcessorCount, 1, n);
        long inputBytes = rasters.Sum(r => r.Sparse is { } s && !r.HasDenseValues ? s.Bytes : 4L * w * h);
        int sparse = rasters.Count(r => r.Sparse is not null);

        int rows;
        if (stripRows is int forced)
        {
            if (forced < 1) throw new ArgumentOutOfRangeException(nameof(stripRows), forced, "A strip has at least one row.");
            rows = Math.Min(forced, h);
        }
        else
        {
            // bytes(S) = fixed + about 4·W·n·S (StripMatrix.Bytes) + 4·W·workers·min(H, S + 2r). Strips of about TargetStripBytes keep the strip
            // matrix in a reused, cache-friendly buffer, but never fewer than HaloMultiple × r rows while the budget allows:
            // every row of a strip's halo is blurred again for the strip, so strips of r/10 rows blurred each row about 20
            // times (the CA1 table at σ = 57 px: 454 strips of 12 rows, halo 228). A smaller budget makes them shorter.
            // The strip matrix takes at most half the budget.
            long preferred = Math.Max(Math.Max(1, TargetStripBytes / (4L * n * w)), (long)HaloMultiple * halo);
            preferred = Math.Min(preferred, Math.Max(Math.Max(1, TargetStripBytes / (4L * n * w)), Math.Min(budget / 2, int.MaxValue) / (4L * n * w)));
            preferred = Math.Max(1, Math.Min(preferred, h));
            if (Needed(n, w, h, (int)preferred, preferred == h ? 0 : halo, workers, matrixBytes) <= budget) rows = (int)preferred;
            else
            {
                // The most rows within the budget (what a plan needs grows with its rows).
                int fit = 0, over = (int)preferred;
                while (over - fit > 1)
                {
                    int mid = fit + (over - fit) / 2;
                    if (Needed(n, w, h, mid, halo, workers, matrixBytes) <= budget) fit = mid;
                    else over = mid;
                }
                if (fit < 1)
                    throw new SpatialSimException(ErrorKind.LimitExceeded,
                        $"Ranking {n:N0} genes on a {w:N0} × {h:N0} canvas needs at least {Gb(Needed(n, w, h, 1, halo, workers, matrixBytes))} of working memory " +
                        $"(a strip of one canvas row for every gene, the {n:N0} × {n:N0} matrices and the blur buffers), more than the budget of {Gb(budget)}. " +
                        $"Raise -MaxMemoryGB (this machine has {Gb(PhysicalMemory)}), import with a larger -BinSize (each doubling quarters the canvas), " +
                        "or rank fewer genes (-Gene or -MinTotal on Import-GeneRaster).");
                rows = fit;
            }
        }
        // The strip matrix's bytes are one span (chunks padded).
        rows = (int)Math.Max(1, Math.Min(rows, StripMatrix.MaxValues / ((long)n * StripMatrix.ChunkPixels) * StripMatrix.ChunkPixels / w));
        int strips = (h + rows - 1) / rows;
        return new GramPlan(n, w, h, strips == 1 ? 0 : halo, rows, strips, workers, Needed(n, w, h, rows, strips == 1 ? 0 : halo, workers, matrixBytes),
            budget, inputBytes, sparse) { SparseProduct = SparseCorrelationGram.Applies(rasters, sigma, 0, budget) };
    }

    private static long Fixed(int n) => 20L * n * n;

    private static long Needed(int n, int w, int h, int rows, int halo, int workers, long? matrixBytes = null) =>
        (matrixBytes ?? Fixed(n)) + StripMatrix.Bytes(n, (long)w * rows) + 4L * w * workers * Math.Min(h, rows + 2L * halo);

    internal static string Gb(long bytes) => bytes >= 100_000_000 ? $"{bytes / 1e9:0.##} GB" : bytes >= 100_000 ? $"{bytes / 1e6:0.#} MB" : $"{bytes / 1e3:0.#} kB";

    /// <param name="sigma">Gaussian σ in pixels; 0 for plain pixel Pearson.</param>
    /// <param name="maxMemoryBytes">Working-memory budget (see <see cref="Plan"/>); null for <see cref="DefaultMemoryBudget"/>.</param>
    /// <param name="stripRows">Force this strip height (tests); null to let the budget decide.</param>
    /// <param name="mask">
    /// CPU only: a tissue mask (pixels &gt; 0 inside). Each gene's map is then the normalised convolution blur(x·m)/blur(m)
    /// inside the tissue (x·m for σ = 0) and zero outside, and correlations are over the tissue pixels — the same scores as
    /// <see cref="MaskedCorrelationGram"/> and the masked pair-by-pair measures, streamed. The mask and blur(m) are held as
    /// two full-canvas float arrays on top of the plan's working memory.
    /// </param>
    public static double[,] Compute(IReadOnlyList<GeneRaster> rasters, double sigma, GaussianMethod method = GaussianMethod.Auto,
        IProgress<(int Done, int Total, string Gene)>? progress = null, CancellationToken cancellationToken = default,
        long? maxMemoryBytes = null, int? stripRows = null, GeneRaster? mask = null)
    {
        int n = rasters.Count;
        if (n == 0) return new double[0, 0];
        var plan = Plan(rasters, sigma, maxMemoryBytes, stripRows);
        if (!rasters[0].Device.IsCpu)
        {
            if (mask is not null) throw new SpatialSimException(ErrorKind.NotSupported, "The streamed masked Gram path runs on the CPU; on CUDA use MaskedCorrelationGram.");
            return ComputeOnDevice(rasters, sigma, method, progress, cancellationToken);
        }
        if (mask is not null) RasterChecks.RequireMaskFits(mask, rasters[0]);
        var block = ComputeTiled(rasters, sigma, method, plan, 0, n, progress, cancellationToken, mask is null ? null : TissueWeights.Of(mask, sigma, method));
        var result = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) result[i, j] = block.Values[(long)i * n + j];
        return result;
    }

    /// <summary>
    /// One band of the correlation matrix: rows <paramref name="rowStart"/> … <paramref name="rowEnd"/> − 1 against the genes
    /// from <paramref name="rowStart"/> on (the part of those rows on and above the diagonal, and the band's own square in full),
    /// streamed over the canvas like <see cref="Compute"/>. Only the genes from <paramref name="rowStart"/> on are blurred.
    /// The product is made in blocks of 128 genes aligned to multiples of 128 in input order, so that a pair gets the same
    /// score to the last bit in every band that holds it (bands, shards and the whole matrix agree exactly) when the strips
    /// are the same: <paramref name="stripRows"/> should then be the whole matrix's (<see cref="Plan"/> of all genes).
    /// </summary>
    /// <param name="rowStart">First row: a multiple of 128, or 0.</param>
    /// <param name="rowEnd">End of the band (exclusive): a multiple of 128, or the gene count.</param>
    /// <param name="maxMemoryBytes">Budget for the strips (<see cref="Plan"/> with the band's matrix bytes); null for the default.</param>
    public static CorrelationBlock ComputeBand(IReadOnlyList<GeneRaster> rasters, double sigma, int rowStart, int rowEnd,
        GaussianMethod method = GaussianMethod.Auto, IProgress<(int Done, int Total, string Gene)>? progress = null,
        CancellationToken cancellationToken = default, long? maxMemoryBytes = null, int? stripRows = null, GeneRaster? mask = null)
    {
        int n = rasters.Count;
        if (rowStart < 0 || rowEnd > n || rowStart >= rowEnd || (rowStart % ProductBlockGenes != 0) || (rowEnd != n && rowEnd % ProductBlockGenes != 0))
            throw new ArgumentOutOfRangeException(nameof(rowStart), $"Band {rowStart}…{rowEnd} of {n} genes must start and end on multiples of {ProductBlockGenes} (or end at {n}).");
        if (!rasters[0].Device.IsCpu)
        {
            // CUDA: the whole matrix on the device, the band cut from it.
            var whole = mask is null ? ComputeOnDevice(rasters, sigma, method, progress, cancellationToken)
                : MaskedCorrelationGram.Compute(rasters, SimilarityMethodFor(sigma), new Similarity.SimilarityOptions { Sigmas = new[] { sigma }, Mask = mask, SmoothingMethod = method }, progress, cancellationToken);
            return CorrelationBlock.Cut(whole, rowStart, rowEnd);
        }
        long bandBytes = 16L * (rowEnd - rowStart) * (n - rowStart);
        var plan = Plan(rasters, sigma, maxMemoryBytes, stripRows, bandBytes);
        if (mask is not null) RasterChecks.RequireMaskFits(mask, rasters[0]);
        return ComputeTiled(rasters, sigma, method, plan, rowStart, rowEnd, progress, cancellationToken, mask is null ? null : TissueWeights.Of(mask, sigma, method));
    }

    private static Similarity.SimilarityMethod SimilarityMethodFor(double sigma) =>
        sigma > 0 ? Similarity.SimilarityMethod.SmoothedPearson : Similarity.SimilarityMethod.Pearson;

    /// <summary>The tissue indicator (0/1) and, for σ &gt; 0, its blur — the normaliser of blur(x·m)/blur(m) — as flat CPU arrays.</summary>
    private sealed record TissueWeights(float[] Inside, float[]? Weight, long Count)
    {
        public static TissueWeights Of(GeneRaster mask, double sigma, GaussianMethod method)
        {
            var inside = mask.ToArray();
            long count = 0;
            for (int i = 0; i < inside.Length; i++)
            {
                inside[i] = inside[i] > 0 ? 1f : 0f;
                count += (long)inside[i];
            }
            float[]? weight = null;
            if (sigma > 0)
            {
                weight = new float[inside.Length];
                CpuGaussianBlur.Blur(inside, weight, mask.Width, mask.Height, sigma, method, GaussianSmoothing.DefaultTruncate, Environment.ProcessorCount);
            }
            return new TissueWeights(inside, weight, count);
        }
    }

    /// <summary>Rows [r0, r1) against genes [r0, n) (see <see cref="ComputeBand"/>); the whole matrix for r0 = 0, r1 = n.</summary>
    private static CorrelationBlock ComputeTiled(IReadOnlyList<GeneRaster> rasters, double sigma, GaussianMethod method, GramPlan plan,
        int r0, int r1, IProgress<(int Done, int Total, string Gene)>? progress, CancellationToken cancellationToken, TissueWeights? tissue = null)
    {
        TorchRuntimeInit();
        // Decided on all the genes (not the band's): every band and shard of one ranking takes the same path, so they agree to the last bit.
        if (tissue is null && SparseCorrelationGram.Applies(rasters, sigma, 0, plan.BudgetBytes))
            return SparseCorrelationGram.Compute(rasters, sigma, method, r0, r1, progress, cancellationToken);
        int n = rasters.Count, w = plan.Width, h = plan.Height, halo = plan.Halo, stripRows = plan.StripRows;
        int m = n - r0, bandRows = r1 - r0;   // genes blurred (columns), rows of the band
        long pixels = tissue?.Count ?? (long)w * h;   // the pixels that count
        var centre = new double[n];
        var constant = new bool[n];
        for (int i = r0; i < n; i++)
        {
            centre[i] = tissue is null ? rasters[i].Total / pixels : TissueMean(rasters[i], tissue);
            constant[i] = tissue is null ? IsConstant(rasters[i]) : pixels < 2;
        }
        // Dense rasters are read through a contiguous CPU tensor; sparse ones from their pixel lists.
        var dense = new Tensor?[n];
        using var scope = torch.NewDisposeScope();
        for (int i = r0; i < n; i++)
            if (rasters[i].Sparse is null) dense[i] = rasters[i].Values.contiguous();

        float[]? kernel = null;
        if (sigma > 0 && halo <= h && CpuGaussianBlur.Radius(sigma, GaussianSmoothing.DefaultTruncate) <= h)
            kernel = CpuGaussianBlur.Kernel1D(sigma, GaussianSmoothing.DefaultTruncate).Select(k => (float)k).ToArray();
        int workers = plan.Workers;
        int blurThreads = Math.Max(1, Environment.ProcessorCount / workers);
        int workRows = Math.Min(h, stripRows + 2 * halo);
        var buffers = new float[workers][];
        for (int t = 0; t < workers; t++) buffers[t] = GC.AllocateUninitializedArray<float>(checked(workRows * w));
        using var z = new StripMatrix(m, (long)stripRows * w);
        var gram = new double[checked((long)bandRows * m)];
        var sums = new double[n];
        var squares = new double[n];
        var stripSums = new double[n];
        var stripSquares = new double[n];
        int total = plan.Strips * m;

        for (int s = 0; s < plan.Strips; s++)
        {
            int y0 = s * stripRows, rows = Math.Min(stripRows, h - y0);
            int e0 = Math.Max(0, y0 - halo), e1 = Math.Min(h, y0 + rows + halo);
            z.Begin((long)rows * w);
            int next = r0 - 1;
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            void Work(int worker, bool report)
            {
                var buffer = buffers[worker].AsSpan(0, (e1 - e0) * w);
                int i;
                while ((i = Interlocked.Increment(ref next)) < n)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (report) progress?.Report((s * m + i - r0, total, rasters[i].Gene));
                    Span<float> blurred;
                    if (tissue is not null)
                    {
                        // Inside a tissue mask: blur(x·m) over the strip and its halo, then ÷ blur(m) inside, 0 outside.
                        if (rasters[i].Sparse is { } s3) s3.CopyRows(e0, e1 - e0, buffer);
                        else TensorMemory.AsFloatSpan(dense[i]!).Slice(e0 * w, (e1 - e0) * w).CopyTo(buffer);
                        var insideRows = tissue.Inside.AsSpan(e0 * w, (e1 - e0) * w);
                        for (int k = 0; k < buffer.Length; k++) buffer[k] *= insideRows[k];
                        if (sigma > 0) CpuGaussianBlur.Blur(buffer, buffer, w, e1 - e0, sigma, method, GaussianSmoothing.DefaultTruncate, blurThreads);
                        blurred = buffer.Slice((y0 - e0) * w, rows * w);
                        var inside = tissue.Inside.AsSpan(y0 * w, rows * w);
                        if (tissue.Weight is { } weight)
                        {
                            var norm = weight.AsSpan(y0 * w, rows * w);
                            for (int k = 0; k < blurred.Length; k++) blurred[k] = inside[k] > 0 ? blurred[k] / Math.Max(norm[k], 1e-12f) : 0f;
                        }
                        (stripSums[i], stripSquares[i]) = z.StoreInside(i - r0, blurred, inside, centre[i]);
                        continue;
                    }
                    if (rasters[i].Sparse is { } sparse && (kernel is not null || sigma == 0))
                    {
                        // Sparse: the pass along y visits only the stored pixels of rows y0 − r … y1 + r; no halo rows are made.
                        blurred = buffers[worker].AsSpan(0, rows * w);
                        if (kernel is null) sparse.CopyRows(y0, rows, blurred);
                        else sparse.FilterAlongY(y0, rows, kernel, blurred);
                        if (kernel is not null) CpuGaussianBlur.BlurAlongX(blurred, blurred, w, rows, sigma, method, GaussianSmoothing.DefaultTruncate, blurThreads);
                    }
                    else
                    {
                        // Dense (or a kernel longer than the canvas): blur the strip with its halo rows, keep the strip rows.
                        if (rasters[i].Sparse is { } s2) s2.CopyRows(e0, e1 - e0, buffer);
                        else TensorMemory.AsFloatSpan(dense[i]!).Slice(e0 * w, (e1 - e0) * w).CopyTo(buffer);
                        if (sigma > 0) CpuGaussianBlur.Blur(buffer, buffer, w, e1 - e0, sigma, method, GaussianSmoothing.DefaultTruncate, blurThreads);
                        blurred = buffer.Slice((y0 - e0) * w, rows * w);
                    }
                    (stripSums[i], stripSquares[i]) = z.Store(i - r0, blurred, centre[i]);
                }
            }
            RunWorkers(Math.Min(workers, m), Work);
            for (int i = r0; i < n; i++) { sums[i] += stripSums[i]; squares[i] += stripSquares[i]; }

            z.AddBandProduct(gram, bandRows, r0, cancellationToken);
        }
        progress?.Report((total, total, ""));

        // The variances come from Σ z² per gene (not the product's diagonal), so every band normalises a gene alike.
        var variance = new double[n];
        for (int i = r0; i < n; i++) variance[i] = squares[i] - sums[i] * sums[i] / pixels;
        // Inside a mask a gene can be constant over the tissue without being constant on the canvas: its variance is then
        // rounding noise. Treat a variance below 1e-12 of its raw second moment as zero (as CorrelationMaps does).
        if (tissue is not null)
            for (int i = r0; i < n; i++)
                if (!(variance[i] > 1e-12 * squares[i])) constant[i] = true;
        var undefined = new bool[n];
        for (int i = r0; i < n; i++) undefined[i] = constant[i] || !(variance[i] > 0);
        return ToCorrelations(gram, sums, variance, undefined, pixels, r0, r1);
    }

    /// <summary>
    /// The band's sums of products (rows [r0, r1) × genes [r0, n), row-major) turned into correlations in place:
    /// cov = S − Σ_i Σ_j / P over the variances given; NaN where either gene is undefined, 1 on the diagonal.
    /// </summary>
    internal static CorrelationBlock ToCorrelations(double[] gram, double[] sums, double[] variance, bool[] undefined, long pixels, int r0, int r1)
    {
        int n = undefined.Length, m = n - r0;
        for (int bi = 0; bi < r1 - r0; bi++)
        {
            int i = r0 + bi;
            for (int c = 0; c < m; c++)
            {
                int j = r0 + c;
                long k = (long)bi * m + c;
                double cov = gram[k] - sums[i] * sums[j] / pixels;
                gram[k] = undefined[i] || undefined[j] ? double.NaN : i == j ? 1.0 : Math.Clamp(cov / Math.Sqrt(variance[i] * variance[j]), -1.0, 1.0);
            }
        }
        return new CorrelationBlock(n, r0, r1, gram, undefined);
    }

    private static void TorchRuntimeInit() => Devices.TorchRuntime.EnsureInitialized();

    /// <summary>
    /// Genes per block of the strip product (<see cref="StripMatrix.AddBandProduct"/>), and the alignment of bands. Measured as
    /// batched SGEMM on 200 genes × 2^20 pixels (2 cores): blocks of 128 took 0.44 s, of 64 0.47 s, of 32 0.49 s, and the full
    /// 200 × 200 product 0.54 s.
    /// </summary>
    public const int ProductBlockGenes = 128;

    /// <summary>Runs <paramref name="work"/> on <paramref name="workers"/> threads; worker 0 is the calling thread (the one that may report progress).</summary>
    internal static void RunWorkers(int workers, Action<int, bool> work)
    {
        var helpers = new Task[workers - 1];
        for (int t = 1; t < workers; t++)
        {
            int worker = t;
            helpers[t - 1] = Task.Run(() => work(worker, false));
        }
        try
        {
            work(0, true);
        }
        finally
        {
            try { Task.WaitAll(helpers); }
            catch (AggregateException) { /* rethrown below when the calling thread's worker succeeded */ }
        }
        foreach (var t in helpers)
            if (t.Exception?.InnerException is { } e) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
    }

    /// <summary>The gene's mean count over the tissue (the centring constant of its masked map).</summary>
    private static double TissueMean(GeneRaster raster, TissueWeights tissue)
    {
        if (tissue.Count == 0) return 0;
        double sum = 0;
        if (raster.Sparse is { } sparse && !raster.HasDenseValues)
        {
            var index = sparse.Index;
            var values = sparse.Values;
            for (int k = 0; k < index.Length; k++) sum += values[k] * tissue.Inside[index[k]];
        }
        else
        {
            using var scope = torch.NewDisposeScope();
            var values = TensorMemory.AsFloatSpan(raster.Values.cpu().contiguous());
            for (int k = 0; k < values.Length; k++) sum += values[k] * tissue.Inside[k];
        }
        return sum / tissue.Count;
    }

    /// <summary>All pixels equal (e.g. all zero): correlation undefined.</summary>
    internal static bool IsConstant(GeneRaster raster)
    {
        long pixels = (long)raster.Width * raster.Height;
        if (raster.NonZero == 0) return true;
        if (raster.Sparse is { } sparse)
        {
            if (sparse.Count < pixels) return false;
            var v = sparse.Values;
            float first = v[0];
            foreach (float x in v) if (x != first) return false;
            return true;
        }
        if (raster.NonZero < pixels) return false;
        using var scope = torch.NewDisposeScope();
        return raster.Values.min().item<float>() == (float)raster.Max;
    }

    /// <summary>CUDA: every gene blurred on the device into one [genes, pixels] matrix, one product.</summary>
    private static double[,] ComputeOnDevice(IReadOnlyList<GeneRaster> rasters, double sigma, GaussianMethod method,
        IProgress<(int Done, int Total, string Gene)>? progress, CancellationToken cancellationToken)
    {
        int n = rasters.Count;
        var device = rasters[0].Device;
        long pixels = (long)rasters[0].Width * rasters[0].Height;
        var degenerate = new bool[n];
        using var scope = torch.NewDisposeScope();
        var z = torch.empty(new long[] { n, pixels }, ScalarType.Float32, device.TorchDevice);
        for (int i = 0; i < n; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report((i, n, rasters[i].Gene));
            using var geneScope = torch.NewDisposeScope();
            Tensor map = sigma > 0 ? GaussianSmoothing.Blur(rasters[i].Values, device, sigma, method) : rasters[i].Values.alias();
            using (map)
            {
                var flat = map.reshape(-1);
                double mean = flat.sum(ScalarType.Float64).item<double>() / pixels;
                var row = z[i];
                row.copy_(flat);
                row.sub_(mean);
                double norm = Math.Sqrt(row.square().sum(ScalarType.Float64).item<double>());
                degenerate[i] = IsConstant(rasters[i]) || !(norm > 0 && double.IsFinite(norm));
                if (!degenerate[i]) row.div_(norm);
                else row.zero_();
            }
        }
        progress?.Report((n, n, ""));
        cancellationToken.ThrowIfCancellationRequested();
        var gram = torch.mm(z, z.t()).to(ScalarType.Float64);
        var values = TensorMemory.ToDoubleArray(gram);
        var result = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                result[i, j] = degenerate[i] || degenerate[j] ? double.NaN : i == j ? 1.0 : Math.Clamp(values[i * n + j], -1.0, 1.0);
        return result;
    }
}
