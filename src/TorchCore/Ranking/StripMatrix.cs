using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>
/// The strip matrix of <see cref="CorrelationGram"/>: each gene's centred, blurred strip z_i as float32, cut into chunks of
/// <see cref="ChunkPixels"/> pixels and laid out chunk by chunk — [chunk][gene][pixel], the last chunk zero-padded — so that
/// one batched product (torch.bmm: an SGEMM per chunk, the chunks shared among the BLAS threads) per pair of gene blocks
/// covers the whole strip:
/// <code>
/// S_ij += Σ_chunks ( Σ_{p in chunk} z_i(p) z_j(p) )      (inner sums float32, outer sum float64)
/// </code>
/// Genes are cut into blocks of <see cref="CorrelationGram.ProductBlockGenes"/> aligned to multiples of it in input order,
/// and each block pair a ≤ b is multiplied once: (k + 1)/2k of the full product's work for k blocks (torch has no symmetric
/// rank-k update). Per strip that is one bmm call per block pair instead of one mm per block pair and chunk: on 200 genes ×
/// 128 × 1,024 pixels (2 cores) the product took 0.44 s per million pixels against 0.64–0.80 s as per-chunk mm calls on a
/// gene-major matrix (fewer calls, and each chunk's genes sit together in cache).
/// Rounding: by Cauchy–Schwarz the error of r_ij is at most the float32 accumulation error within one chunk relative to
/// Σ|z_i z_j| there (see <see cref="CorrelationGram"/>).
/// </summary>
internal sealed unsafe class StripMatrix : IDisposable
{
    /// <summary>
    /// Pixels per float32 product, summed into float64: short enough that float32 accumulation keeps r within about 1e-6,
    /// long enough that the products run near SGEMM speed (the float64 additions, genes² per chunk, are small next to them).
    /// On blobs of small counts (the measure contract's genes) r was off by 1.3e-5 with chunks of 4,096 pixels, 2.6e-6 with
    /// 2,048, 1.4e-6 with 1,024 (used) and 2.4e-7 with 256; a whole-strip float32 product, tried earlier, gave 1e-4.
    /// </summary>
    public const int ChunkPixels = 1 << 10;

    /// <summary>Values a matrix holds at most (its bytes are one span).</summary>
    public const long MaxValues = int.MaxValue / sizeof(float);

    private readonly Tensor _values;
    private readonly float* _start;
    private readonly int _maxChunks;

    /// <param name="genes">Genes (rows) of the matrix.</param>
    /// <param name="maxStripPixels">Pixels of the largest strip it will hold.</param>
    public StripMatrix(int genes, long maxStripPixels)
    {
        Genes = genes;
        _maxChunks = ChunksOf(maxStripPixels);
        long length = (long)_maxChunks * genes * ChunkPixels;
        if (length > MaxValues) throw new ArgumentOutOfRangeException(nameof(maxStripPixels), maxStripPixels, $"A strip matrix holds at most {MaxValues} values.");
        _values = TensorMemory.EmptyFloat32(length);
        fixed (byte* start = _values.bytes) _start = (float*)start;   // native memory: it does not move
    }

    /// <summary>Genes (rows).</summary>
    public int Genes { get; }

    /// <summary>Pixels of the strip being held (<see cref="Begin"/>).</summary>
    public long Pixels { get; private set; }

    /// <summary>Chunks of the strip being held.</summary>
    public int Chunks => ChunksOf(Pixels);

    /// <summary>Chunks of <see cref="ChunkPixels"/> that hold <paramref name="pixels"/> pixels.</summary>
    public static int ChunksOf(long pixels) => checked((int)((pixels + ChunkPixels - 1) / ChunkPixels));

    /// <summary>
    /// Bytes held for <paramref name="genes"/> genes and strips of up to <paramref name="stripPixels"/> pixels: the matrix (chunks
    /// padded) and, while a block pair is multiplied, its float32 products per chunk and their float64 sums.
    /// </summary>
    public static long Bytes(int genes, long stripPixels)
    {
        long chunks = ChunksOf(stripPixels);
        long block = Math.Min(genes, CorrelationGram.ProductBlockGenes);
        return 4L * chunks * genes * ChunkPixels + (4L * chunks + 8) * block * block;
    }

    /// <summary>Multiply-adds per pixel of <see cref="AddBandProduct"/> over <paramref name="genes"/> genes: |a|·|b| for every pair of blocks a ≤ b.</summary>
    public static double ProductWork(int genes)
    {
        double work = 0;
        for (int a = 0; a < genes; a += CorrelationGram.ProductBlockGenes)
        {
            int an = Math.Min(CorrelationGram.ProductBlockGenes, genes - a);
            work += (double)an * (genes - a);
        }
        return work;
    }

    /// <summary>Starts a strip of <paramref name="pixels"/> pixels (at most the largest given to the constructor).</summary>
    public void Begin(long pixels)
    {
        if (pixels < 0 || ChunksOf(pixels) > _maxChunks) throw new ArgumentOutOfRangeException(nameof(pixels), pixels, "The strip is larger than the matrix was made for.");
        Pixels = pixels;
    }

    /// <summary>
    /// Stores z = <paramref name="blurred"/> − <paramref name="centre"/> (float64 arithmetic, float32 stored) as gene
    /// <paramref name="gene"/>'s row; returns Σ z and Σ z² in float64 over the stored values. Genes may be stored from
    /// several threads at once.
    /// </summary>
    public (double Sum, double Squares) Store(int gene, ReadOnlySpan<float> blurred, double centre)
    {
        int length = RowLength(blurred.Length);
        double sum = 0, squares = 0;
        for (int c = 0, offset = 0; offset < length; c++, offset += ChunkPixels)
        {
            var row = Row(gene, c, length - offset);
            var (s, q) = CentreInto(blurred.Slice(offset, row.Length), row, centre);
            sum += s;
            squares += q;
        }
        return (sum, squares);
    }

    /// <summary>As <see cref="Store"/> inside the tissue (<paramref name="inside"/> &gt; 0); 0 outside.</summary>
    public (double Sum, double Squares) StoreInside(int gene, ReadOnlySpan<float> blurred, ReadOnlySpan<float> inside, double centre)
    {
        int length = RowLength(blurred.Length);
        double sum = 0, squares = 0;
        for (int c = 0, offset = 0; offset < length; c++, offset += ChunkPixels)
        {
            var row = Row(gene, c, length - offset);
            var source = blurred.Slice(offset, row.Length);
            var mask = inside.Slice(offset, row.Length);
            for (int k = 0; k < row.Length; k++)
            {
                float v = mask[k] > 0 ? (float)(source[k] - centre) : 0f;
                row[k] = v;
                sum += v;
                squares += (double)v * v;
            }
        }
        return (sum, squares);
    }

    /// <summary>The strip's length, checked against what a row holds.</summary>
    private int RowLength(int length) =>
        length == Pixels ? length : throw new ArgumentException($"A strip row has {Pixels} pixels, got {length}.", nameof(length));

    /// <summary>The stored pixels of the gene's part of chunk <paramref name="chunk"/> (at most <paramref name="remaining"/>); the rest of the chunk is zeroed.</summary>
    private Span<float> Row(int gene, int chunk, int remaining)
    {
        if ((uint)gene >= (uint)Genes) throw new ArgumentOutOfRangeException(nameof(gene), gene, $"The matrix holds {Genes} genes.");
        var row = new Span<float>(_start + ((long)chunk * Genes + gene) * ChunkPixels, ChunkPixels);
        int stored = Math.Min(ChunkPixels, remaining);
        row[stored..].Clear();
        return row[..stored];
    }

    /// <summary>destination = source − c, computed in float64 and stored as float32; returns Σ and Σ² of the stored values in float64. Vectorised.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Sum, double Squares) CentreInto(ReadOnlySpan<float> source, Span<float> destination, double c)
    {
        int n = source.Length;
        var vc = new Vector<double>(c);
        Vector<double> sum0 = Vector<double>.Zero, sum1 = Vector<double>.Zero, sq0 = Vector<double>.Zero, sq1 = Vector<double>.Zero;
        var src = MemoryMarshal.Cast<float, Vector<float>>(source);
        var dst = MemoryMarshal.Cast<float, Vector<float>>(destination[..n]);
        for (int k = 0; k < src.Length; k++)
        {
            Vector.Widen(src[k], out var lo, out var hi);
            var stored = Vector.Narrow(lo - vc, hi - vc);
            dst[k] = stored;
            Vector.Widen(stored, out lo, out hi);
            sum0 += lo;
            sum1 += hi;
            sq0 += lo * lo;
            sq1 += hi * hi;
        }
        double sum = Vector.Sum(sum0 + sum1), squares = Vector.Sum(sq0 + sq1);
        for (int i = src.Length * Vector<float>.Count; i < n; i++)
        {
            float v = (float)(source[i] - c);
            destination[i] = v;
            sum += v;
            squares += (double)v * v;
        }
        return (sum, squares);
    }

    /// <summary>
    /// The band's part of Z Zᵀ over the strip, added to <paramref name="gram"/> (row-major <paramref name="bandRows"/> ×
    /// <see cref="Genes"/>): the matrix holds genes firstGene … firstGene + Genes − 1, the band is its first
    /// <paramref name="bandRows"/> rows. Each block product Z_a Z_bᵀ with a ≤ b is made once and, when b lies inside the band
    /// too, added at both places.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddBandProduct(double[] gram, int bandRows, int firstGene, CancellationToken cancellationToken = default)
    {
        int genes = Genes, chunks = Chunks;
        if (chunks == 0) return;
        using var scope = torch.NewDisposeScope();
        var z = _values.narrow(0, 0, (long)chunks * genes * ChunkPixels).view(chunks, genes, ChunkPixels);
        var sums = new double[Math.Min(genes, CorrelationGram.ProductBlockGenes) * Math.Min(genes, CorrelationGram.ProductBlockGenes)];
        for (int a0 = 0; a0 < bandRows;)
        {
            int aEnd = Math.Min(bandRows, BlockEnd(firstGene + a0) - firstGene), an = aEnd - a0;
            var za = z.narrow(1, a0, an);
            for (int b0 = a0; b0 < genes;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int bEnd = Math.Min(genes, BlockEnd(firstGene + b0) - firstGene), bn = bEnd - b0;
                using var product = torch.bmm(za, z.narrow(1, b0, bn).transpose(1, 2)).contiguous();   // [chunks, an, bn]
                var block = sums.AsSpan(0, an * bn);
                SumOverChunks(TensorMemory.AsFloatSpan(product), chunks, block);
                bool mirror = b0 != a0 && b0 < bandRows;
                for (int i = 0; i < an; i++)
                {
                    long row = (long)(a0 + i) * genes + b0;
                    for (int j = 0; j < bn; j++)
                    {
                        double v = block[i * bn + j];
                        gram[row + j] += v;
                        if (mirror) gram[(long)(b0 + j) * genes + a0 + i] += v;
                    }
                }
                b0 = bEnd;
            }
            a0 = aEnd;
        }
    }

    /// <summary>sums = Σ over the chunks of the chunks' float32 products (chunk after chunk, in float64). Vectorised.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumOverChunks(ReadOnlySpan<float> products, int chunks, Span<double> sums)
    {
        int count = sums.Length;
        sums.Clear();
        int vectorEnd = count - count % Vector<float>.Count;
        var acc = MemoryMarshal.Cast<double, Vector<double>>(sums[..vectorEnd]);
        for (int c = 0; c < chunks; c++)
        {
            var chunk = products.Slice(c * count, count);
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(chunk[..vectorEnd]);
            for (int k = 0; k < vectors.Length; k++)
            {
                Vector.Widen(vectors[k], out var lo, out var hi);
                acc[2 * k] += lo;
                acc[2 * k + 1] += hi;
            }
            for (int k = vectorEnd; k < count; k++) sums[k] += chunk[k];
        }
    }

    /// <summary>The end of the product block that holds gene <paramref name="gene"/>.</summary>
    private static int BlockEnd(int gene) => (gene / CorrelationGram.ProductBlockGenes + 1) * CorrelationGram.ProductBlockGenes;

    public void Dispose() => _values.Dispose();
}
