using SpatialSim.TorchCore.Similarity;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>
/// All pairs for the measures whose per-gene work can be done once (<see cref="IPreparedMeasure{TPrepared}"/>): each gene is
/// prepared once (SSIM/MS-SSIM local statistics, LBP histograms, dense SIFT descriptors, keypoints, RoiPearson's smoothed
/// map and peak region, Sinkhorn's unit masses and self-transport term, Lee's L and Moran's I standardised maps and their
/// spatial lags) and only the pair term is computed per pair. Lee's L and
/// bivariate Moran's I are then one matrix product: with the flattened maps as rows, L = Lag(Z)·Lag(Z)ᵀ and
/// I = Z·Lag(Z)ᵀ (symmetrised), accumulated in float64 over column chunks.
/// <para>Memory stays bounded: genes are prepared in blocks whose prepared data fits <c>maxPreparedBytes</c>; with more
/// genes than one block holds, the blocks are visited pairwise (block I stays prepared while each later block J is
/// prepared and compared), so a gene is prepared at most once per block. Scores equal the pair-by-pair ones exactly for
/// the descriptor measures and to float rounding for the matrix products.</para>
/// </summary>
public static class PreparedAllPairs
{
    /// <summary>Default budget for the prepared data of the genes held at once.</summary>
    public const long DefaultMaxPreparedBytes = 4L << 30;

    /// <summary>Whether the measure's all-pairs path with these options is a prepared one (<see cref="MeasureDescriptor.AllPairsPathFor"/>).</summary>
    public static bool Supports(SimilarityMethod method, SimilarityOptions options) =>
        SimilarityMeasures.For(method).AllPairsPathFor(options) is AllPairsPath.Prepared or AllPairsPath.LagGram or AllPairsPath.CrossLagGram;

    /// <param name="include">Which pairs (i &lt; j) to compute, e.g. one shard's; null = all. Others are NaN, and gene blocks
    /// with no included pair are not prepared. The diagonal (each gene against itself) is computed for every prepared gene.</param>
    public static double[,] Compute(IReadOnlyList<GeneRaster> rasters, SimilarityMethod method, SimilarityOptions options,
        IProgress<(int Done, int Total, string Step)>? progress = null, CancellationToken cancellationToken = default,
        long maxPreparedBytes = DefaultMaxPreparedBytes, Func<int, int, bool>? include = null)
    {
        RasterChecks.RequireSameSize(rasters);
        if (rasters.Count == 0) return new double[0, 0];
        long pixels = (long)rasters[0].Width * rasters[0].Height;
        var run = new Run(rasters, progress, cancellationToken, maxPreparedBytes, include ?? ((_, _) => true));
        // Sparse-backed genes get a dense raster while they are prepared; the ones made here are released at the end.
        var wasDense = rasters.Select(r => r.HasDenseValues).ToArray();
        try { return Dispatch(run, rasters, method, options, pixels); }
        finally
        {
            for (int i = 0; i < rasters.Count; i++)
                if (!wasDense[i]) rasters[i].ReleaseValues();
        }
    }

    private static double[,] Dispatch(Run run, IReadOnlyList<GeneRaster> rasters, SimilarityMethod method, SimilarityOptions options, long pixels)
    {
        var measure = SimilarityMeasures.For(method);
        int width = rasters[0].Width, height = rasters[0].Height;
        return measure.AllPairsPathFor(options) switch
        {
            AllPairsPath.Prepared => run.Pairwise(g => measure.Prepare(g, options), (a, b) => measure.Compare(a, b, options),
                measure.PreparedBytes(width, height, options)),
            AllPairsPath.LagGram => run.SpatialGram(g => (SpatialLagPrepared)measure.Prepare(g, options), moran: false, pixels),
            AllPairsPath.CrossLagGram => run.SpatialGram(g => (SpatialLagPrepared)measure.Prepare(g, options), moran: true, pixels),
            _ => throw new SpatialSimException(ErrorKind.InvalidArgument, $"{method} has no prepared all-pairs path with these options."),
        };
    }

    private sealed class Run(IReadOnlyList<GeneRaster> rasters, IProgress<(int Done, int Total, string Step)>? progress,
        CancellationToken cancellationToken, long maxPreparedBytes, Func<int, int, bool> include)
    {
        private readonly int _n = rasters.Count;
        private int _done;
        private int? _total;
        private int Total => _total ??= Enumerable.Range(0, _n).Sum(i => Enumerable.Range(i + 1, _n - i - 1).Count(j => include(i, j)));

        /// <summary>Whether any pair of the two blocks (i &lt; j) is to be computed.</summary>
        private bool AnyIncluded((int Start, int End) rows, (int Start, int End) cols)
        {
            for (int i = rows.Start; i < rows.End; i++)
                for (int j = Math.Max(cols.Start, i + 1); j < cols.End; j++)
                    if (include(i, j)) return true;
            return false;
        }

        private static double[,] NaNs(int n)
        {
            var m = new double[n, n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) m[i, j] = double.NaN;
            return m;
        }

        /// <summary>Gene blocks [start, end) of at most the number of genes whose prepared data fits half the budget.</summary>
        private List<(int Start, int End)> Blocks(long bytesPerGene)
        {
            long perBlock = Math.Max(1, maxPreparedBytes / 2 / Math.Max(1, bytesPerGene));
            int size = (int)Math.Min(_n, perBlock);
            var blocks = new List<(int, int)>();
            for (int s = 0; s < _n; s += size) blocks.Add((s, Math.Min(_n, s + size)));
            return blocks;
        }

        private T[] Prepare<T>(Func<GeneRaster, T> prepare, (int Start, int End) block) where T : IPreparedGene
        {
            var prepared = new T[block.End - block.Start];
            try
            {
                for (int i = block.Start; i < block.End; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report((_done, Total, $"preparing {rasters[i].Gene}"));
                    prepared[i - block.Start] = prepare(rasters[i]);
                }
                return prepared;
            }
            catch
            {
                Release(prepared);
                throw;
            }
        }

        private static void Release<T>(T[] prepared) where T : IPreparedGene
        {
            foreach (var p in prepared) p?.Dispose();
        }

        /// <summary>Every pair compared once from prepared genes; the diagonal is each gene against itself.</summary>
        public double[,] Pairwise<T>(Func<GeneRaster, T> prepare, Func<T, T, SimilarityScore> compare, long bytesPerGene) where T : IPreparedGene
        {
            var scores = NaNs(_n);
            var blocks = Blocks(bytesPerGene);
            for (int bi = 0; bi < blocks.Count; bi++)
            {
                if (!Enumerable.Range(bi, blocks.Count - bi).Any(bj => AnyIncluded(blocks[bi], blocks[bj]))) continue;
                var rows = Prepare(prepare, blocks[bi]);
                try
                {
                    ComparePairs(rows, blocks[bi], rows, blocks[bi], compare, scores);
                    for (int bj = bi + 1; bj < blocks.Count; bj++)
                    {
                        if (!AnyIncluded(blocks[bi], blocks[bj])) continue;
                        var cols = Prepare(prepare, blocks[bj]);
                        try { ComparePairs(rows, blocks[bi], cols, blocks[bj], compare, scores); }
                        finally { Release(cols); }
                    }
                }
                finally { Release(rows); }
            }
            progress?.Report((Total, Total, ""));
            return scores;
        }

        private void ComparePairs<T>(T[] rows, (int Start, int End) rowBlock, T[] cols, (int Start, int End) colBlock,
            Func<T, T, SimilarityScore> compare, double[,] scores)
        {
            bool same = rowBlock == colBlock;
            for (int i = rowBlock.Start; i < rowBlock.End; i++)
                for (int j = same ? i : colBlock.Start; j < colBlock.End; j++)
                {
                    if (i != j && !include(i, j)) continue;
                    cancellationToken.ThrowIfCancellationRequested();
                    if (i != j) progress?.Report((_done, Total, $"{rasters[i].Gene} × {rasters[j].Gene}"));
                    double s = compare(rows[i - rowBlock.Start], cols[j - colBlock.Start]).Score;
                    scores[i, j] = s;
                    scores[j, i] = s;
                    if (i != j) _done++;
                }
        }

        /// <summary>
        /// Lee's L (Lag(Z)·Lag(Z)ᵀ) or the symmetrised bivariate Moran's I ((Z·Lag(Z)ᵀ + Lag(Z)·Zᵀ)/2), block by block,
        /// in float64 over column chunks of 2^20 pixels.
        /// </summary>
        public double[,] SpatialGram(Func<GeneRaster, SpatialLagPrepared> prepare, bool moran, long pixels)
        {
            var scores = NaNs(_n);
            var blocks = Blocks(pixels * 4 * 4); // Z and Lag(Z), prepared and then stacked
            for (int bi = 0; bi < blocks.Count; bi++)
            {
                if (!Enumerable.Range(bi, blocks.Count - bi).Any(bj => AnyIncluded(blocks[bi], blocks[bj]))) continue;
                using var rowScope = torch.NewDisposeScope();
                var (rowZ, rowLag) = PrepareStacked(prepare, blocks[bi]);
                for (int bj = bi; bj < blocks.Count; bj++)
                {
                    if (bj != bi && !AnyIncluded(blocks[bi], blocks[bj])) continue;
                    using var scope = torch.NewDisposeScope();
                    var (colZ, colLag) = bj == bi ? (rowZ, rowLag) : PrepareStacked(prepare, blocks[bj]);
                    var ab = TensorMemory.ToDoubleArray(moran ? ChunkedProduct(rowZ, colLag, pixels) : ChunkedProduct(rowLag, colLag, pixels));
                    var ba = moran ? TensorMemory.ToDoubleArray(ChunkedProduct(rowLag, colZ, pixels)) : null;
                    int colsCount = blocks[bj].End - blocks[bj].Start;
                    for (int i = blocks[bi].Start; i < blocks[bi].End; i++)
                        for (int j = bj == bi ? i : blocks[bj].Start; j < blocks[bj].End; j++)
                        {
                            if (i != j && !include(i, j)) continue;
                            int k = (i - blocks[bi].Start) * colsCount + (j - blocks[bj].Start);
                            double s = ba is null ? ab[k] : 0.5 * (ab[k] + ba[k]);
                            scores[i, j] = s;
                            scores[j, i] = s;
                            if (i != j) _done++;
                        }
                    progress?.Report((_done, Total, $"block {bi + 1} × {bj + 1} of {blocks.Count}"));
                }
            }
            progress?.Report((Total, Total, ""));
            return scores;
        }

        /// <summary>The block's genes prepared and stacked as rows [genes, pixels] (in the caller's dispose scope); the per-gene maps are released.</summary>
        private (Tensor Z, Tensor Lag) PrepareStacked(Func<GeneRaster, SpatialLagPrepared> prepare, (int Start, int End) block)
        {
            var prepared = Prepare(prepare, block);
            try { return Stack(prepared); }
            finally { Release(prepared); }
        }

        private static (Tensor Z, Tensor Lag) Stack(SpatialLagPrepared[] prepared) =>
            (torch.stack(prepared.Select(p => p.Z.reshape(-1)).ToArray()), torch.stack(prepared.Select(p => p.LagZ.reshape(-1)).ToArray()));

        /// <summary>a·bᵀ for [m, P] and [k, P] float32 matrices, accumulated in float64 over column chunks; [m, k] float64 on the CPU (in the caller's dispose scope).</summary>
        private Tensor ChunkedProduct(Tensor a, Tensor b, long pixels)
        {
            const long chunk = 1 << 20;
            var sum = torch.zeros(new long[] { a.shape[0], b.shape[0] }, ScalarType.Float64, a.device);
            for (long start = 0; start < pixels; start += chunk)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long length = Math.Min(chunk, pixels - start);
                using var scope = torch.NewDisposeScope();
                var pa = a.narrow(1, start, length).to(ScalarType.Float64);
                var pb = b.narrow(1, start, length).to(ScalarType.Float64);
                sum.add_(torch.mm(pa, pb.t()));
            }
            return sum.device_type == DeviceType.CPU ? sum : sum.cpu();
        }
    }
}
