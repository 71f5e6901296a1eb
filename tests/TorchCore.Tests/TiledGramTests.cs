using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;
using SpatialSim.TorchCore.Smoothing;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// Sparse-backed rasters and the strip-by-strip Gram path: tiling must not change results (against the scipy/numpy
/// fixtures of make_correlation_fixtures.py and against the untiled run), whatever the strip height.
/// </summary>
public class TiledGramTests
{
    private static GeneRaster ToSparse(GeneRaster dense)
    {
        var pixels = dense.ToArray();
        var index = Enumerable.Range(0, pixels.Length).Where(i => pixels[i] != 0).ToArray();
        var sparse = SparsePixels.FromEntries(dense.Width, dense.Height, index, index.Select(i => pixels[i]).ToArray());
        return GeneRaster.FromSparse(dense.Gene, sparse, 1, "test", 1.0, ComputeDevice.Cpu);
    }

    [Theory]
    [InlineData(0.0, "pearson.npy", 1)]
    [InlineData(0.0, "pearson.npy", 7)]
    [InlineData(2.0, "smoothed_pearson_sigma2.npy", 1)]
    [InlineData(2.0, "smoothed_pearson_sigma2.npy", 3)]
    [InlineData(2.0, "smoothed_pearson_sigma2.npy", 7)]
    [InlineData(2.0, "smoothed_pearson_sigma2.npy", 13)]
    [InlineData(2.0, "smoothed_pearson_sigma2.npy", 39)]
    public void StripsOfAnyHeightMatchTheReference(double sigma, string fixture, int stripRows)
    {
        using var dense = Fixtures.Owned(Fixtures.GeneStack("correlation"));
        var sparse = dense.Select(ToSparse).ToList();
        var expected = Fixtures.Matrix("correlation", fixture);
        var plan = CorrelationGram.Plan(dense, sigma, stripRows: stripRows);
        Assert.Equal((dense[0].Height + stripRows - 1) / stripRows, plan.Strips);
        foreach (var genes in new[] { dense, sparse })
        {
            var gram = CorrelationGram.Compute(genes, sigma, stripRows: stripRows);
            for (int i = 0; i < genes.Count; i++)
                for (int j = 0; j < genes.Count; j++)
                    Assert.Equal(expected[i, j], gram[i, j], 1e-5);
        }
        Assert.All(sparse, g => Assert.False(g.HasDenseValues)); // the Gram path reads the pixel lists
    }

    /// <summary>
    /// The strip matrix's upper-block product equals the full Z Zᵀ for gene counts around its 128-gene block size and beyond
    /// (1 to 3 blocks), over strips that are not whole chunks (the last chunk padded).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(129)]
    [InlineData(200)]
    [InlineData(300)]
    public void BlockedSymmetricProductIsTheFullProduct(int n)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        TorchRuntime.EnsureInitialized();
        var gram = Enumerable.Repeat(0.5, n * n).ToArray(); // it adds to what is there
        const int pixels = 2 * StripMatrix.ChunkPixels + 300;
        var z = TorchSharp.torch.randn(new long[] { n, pixels }, TorchSharp.torch.ScalarType.Float32, generator: new TorchSharp.torch.Generator(7));
        var values = z.data<float>().ToArray();
        using var strip = new StripMatrix(n, pixels + StripMatrix.ChunkPixels);
        foreach (int length in new[] { pixels, 300 })   // a long strip, then a short one in the same matrix
        {
            strip.Begin(length);
            for (int i = 0; i < n; i++)
            {
                var row = values.AsSpan(i * pixels, length);
                var (sum, squares) = strip.Store(i, row, 0.25);   // stores row − 0.25
                Assert.Equal(row.ToArray().Sum(v => (double)(float)(v - 0.25)), sum, 1e-6 * length);
                Assert.Equal(row.ToArray().Sum(v => (double)(float)(v - 0.25) * (float)(v - 0.25)), squares, 1e-9 * squares);
            }
            strip.AddBandProduct(gram, n, 0);
        }
        var wide = (z - 0.25).to(TorchSharp.torch.ScalarType.Float64);
        var whole = TorchSharp.torch.mm(wide, wide.t()) + TorchSharp.torch.mm(wide.narrow(1, 0, 300), wide.narrow(1, 0, 300).t());
        var expected = whole.contiguous().data<double>().ToArray();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                // float32 products: within 1e-6 of √(S_ii S_jj), which bounds Σ |z_i z_j| (Cauchy–Schwarz)
                double bound = 1e-6 * Math.Sqrt(expected[i * n + i] * expected[j * n + j]);
                Assert.True(Math.Abs(expected[i * n + j] + 0.5 - gram[i * n + j]) <= bound, $"{i},{j}: {gram[i * n + j]:R} vs {expected[i * n + j] + 0.5:R}");
            }
    }

    /// <summary>Blobs and lines crossing every strip border, σ = 4 (halo 16 rows) with strips of 5 to 64 rows.</summary>
    [Fact]
    public void TiledAndUntiledAgreeWhenPatternsCrossStripBorders()
    {
        const int w = 37, h = 101;
        var random = new Random(11);
        var genes = new List<GeneRaster>();
        for (int g = 0; g < 6; g++)
        {
            var pixels = new float[w * h];
            double cx = random.Next(w), cy = random.Next(h), s = 3 + 4 * random.NextDouble();
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    double d2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (s * s);
                    if (random.NextDouble() < Math.Exp(-d2) || (g % 2 == 0 && x == (y + 3 * g) % w)) pixels[y * w + x] = 1 + random.Next(3);
                }
            genes.Add(ToSparse(Fixtures.Raster($"g{g}", w, h, pixels)));
        }
        var whole = CorrelationGram.Compute(genes, 4.0, stripRows: h);
        foreach (int rows in new[] { 5, 16, 33, 64 })
        {
            var tiled = CorrelationGram.Compute(genes, 4.0, stripRows: rows);
            for (int i = 0; i < genes.Count; i++)
                for (int j = 0; j < genes.Count; j++)
                    Assert.Equal(whole[i, j], tiled[i, j], 1e-5); // float32 products (~1e-6), float64 sums across blocks
        }
        // and the independent pair-by-pair path (dense blur of the whole raster) agrees
        for (int i = 0; i < genes.Count; i++)
            for (int j = i + 1; j < genes.Count; j++)
                Assert.Equal(SmoothedPearsonSimilarity.Compare(genes[i], genes[j], 4.0).Score, whole[i, j], 1e-5);
    }

    /// <summary>
    /// The float32 products in chunks of <see cref="StripMatrix.ChunkPixels"/> pixels, summed in float64, against Pearson
    /// in float64 on the same blurred maps, where float32 accumulation hurts most: a nearly empty gene (its centred map is
    /// −mean almost everywhere, so its products cancel) against a dense gene with a high mean, over a million pixels.
    /// </summary>
    [Fact]
    public void FloatProductsInBlocksStayWithin1e6OfFloat64()
    {
        const int w = 1024, h = 1024;
        const double sigma = 3.0;
        var random = new Random(17);
        var planes = new float[5][];
        for (int g = 0; g < planes.Length; g++) planes[g] = new float[w * h];
        for (int k = 0; k < 3; k++) planes[0][random.Next(w * h)] = 1;                       // 3 molecules
        for (int i = 0; i < w * h; i++)
        {
            int x = i % w, y = i / w;
            planes[1][i] = 1000f + 0.05f * x + random.Next(40);                               // dense, high mean
            planes[2][i] = random.NextDouble() < 0.002 ? 1 : 0;                               // sparse noise
            planes[3][i] = planes[1][i] + 5000f * (random.NextDouble() < 0.01 ? 1 : 0);     // dense + sparse spikes
            if (Math.Abs(x - y) < 3 && random.NextDouble() < 0.3) planes[4][i] = 1 + random.Next(3); // a thin line
        }
        var genes = planes.Select((p, g) => Fixtures.Raster($"g{g}", w, h, p)).ToList();
        var gram = CorrelationGram.Compute(genes, sigma);
        var maps = genes.Select(g =>
        {
            using var blurred = GaussianSmoothing.Blur(g.GetValues(), ComputeDevice.Cpu, sigma);
            return blurred.data<float>().ToArray();
        }).ToList();
        for (int i = 0; i < genes.Count; i++)
            for (int j = i + 1; j < genes.Count; j++)
            {
                double expected = Float64Pearson(maps[i], maps[j]);
                Assert.True(Math.Abs(expected - gram[i, j]) < 1e-6, $"{i},{j}: {gram[i, j]:R} against float64 {expected:R}");
            }
    }

    private static double Float64Pearson(float[] a, float[] b)
    {
        double ma = a.Average(v => (double)v), mb = b.Average(v => (double)v), sab = 0, saa = 0, sbb = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double da = a[k] - ma, db = b[k] - mb;
            sab += da * db; saa += da * da; sbb += db * db;
        }
        return sab / Math.Sqrt(saa * sbb);
    }

    [Fact]
    public void TheBudgetDecidesTheStripsAndTooSmallABudgetIsAClearError()
    {
        using var genes = Fixtures.Owned(Fixtures.GeneStack("correlation"));
        int n = genes.Count, w = genes[0].Width, h = genes[0].Height;
        var roomy = CorrelationGram.Plan(genes, 2.0, maxMemoryBytes: 1L << 30);
        Assert.Equal(1, roomy.Strips);
        Assert.Equal(h, roomy.StripRows);
        Assert.Equal(0, roomy.Halo);

        long tight = 20L * n * n + StripMatrix.Bytes(n, 6L * w) + 4L * w * roomy.Workers * (6 + 16); // room for strips of 6 rows
        var plan = CorrelationGram.Plan(genes, 2.0, maxMemoryBytes: tight);
        Assert.Equal(6, plan.StripRows);
        Assert.Equal(8, plan.Halo);
        Assert.True(plan.WorkingBytes <= tight);
        var expected = Fixtures.Matrix("correlation", "smoothed_pearson_sigma2.npy");
        var gram = CorrelationGram.Compute(genes, 2.0, maxMemoryBytes: tight);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                Assert.Equal(expected[i, j], gram[i, j], 1e-5);

        var e = Assert.Throws<SpatialSimException>(() => CorrelationGram.Plan(genes, 2.0, maxMemoryBytes: 20L * n * n + 100));
        Assert.Equal(ErrorKind.LimitExceeded, e.Kind);
        Assert.Contains("-MaxMemoryGB", e.Message);
        Assert.Contains("-BinSize", e.Message);
    }

    [Fact]
    public void ConstantNonZeroGenesAreUndefined()
    {
        using var genes = Fixtures.Owned(Fixtures.GeneStack("correlation"));
        int w = genes[0].Width, h = genes[0].Height;
        using var flat = Fixtures.Raster("flat", w, h, Enumerable.Repeat(3f, w * h).ToArray());
        var sparseFlat = ToSparse(flat);
        var gram = CorrelationGram.Compute(new[] { genes[0], flat, sparseFlat, genes[1] }, 2.0, stripRows: 5);
        for (int k = 0; k < 4; k++)
        {
            Assert.True(double.IsNaN(gram[1, k]));
            Assert.True(double.IsNaN(gram[k, 2]));
        }
        Assert.False(double.IsNaN(gram[0, 3]));
    }

    [Fact]
    public void SparsePixelsSumRepeatsAndKeepRows()
    {
        var sparse = SparsePixels.FromEntries(4, 3, new[] { 9, 1, 5, 1, 11 }, new[] { 2f, 1f, 4f, 0.5f, 7f });
        Assert.Equal(new[] { 1, 5, 9, 11 }, sparse.Index.ToArray());
        Assert.Equal(new[] { 1.5f, 4f, 2f, 7f }, sparse.Values.ToArray());
        Assert.Equal(new[] { 0f, 1.5f, 0, 0, 0, 4, 0, 0, 0, 2, 0, 7 }, sparse.ToDense());
        var rows = new float[8];
        Array.Fill(rows, -1f);
        sparse.CopyRows(1, 2, rows);
        Assert.Equal(new[] { 0f, 4, 0, 0, 0, 2, 0, 7 }, rows);
        Assert.Equal(1, sparse.RowStart(1));
        Assert.Equal(4, sparse.RowStart(3));
        var ones = SparsePixels.FromEntries(2, 2, new[] { 3, 3, 0 }, null);
        Assert.Equal(new[] { 1f, 0, 0, 2 }, ones.ToDense());
    }

    [Fact]
    public void SparseRastersDescribeAndMaterialiseLikeDenseOnes()
    {
        foreach (var dense in Fixtures.GeneStack("correlation"))
        {
            using var sparse = ToSparse(dense);
            Assert.Equal(dense.Total, sparse.Total, 6);
            Assert.Equal(dense.NonZero, sparse.NonZero);
            Assert.Equal(dense.Max, sparse.Max);
            Assert.False(sparse.HasDenseValues);
            Assert.Equal(dense.ToArray(), sparse.ToArray());
            Assert.False(sparse.HasDenseValues); // ToArray does not keep a dense copy
            Assert.Equal(PearsonSimilarity.Compare(dense, dense).Score, PearsonSimilarity.Compare(sparse, dense).Score, 12);
            Assert.True(sparse.HasDenseValues);
            sparse.ReleaseValues();
            Assert.False(sparse.HasDenseValues);
            Assert.Equal(dense.ToArray(), sparse.Values.data<float>().ToArray());
        }
        var bad = SparsePixels.FromEntries(3, 2, new[] { 4 }, new[] { -1f });
        var e = Assert.Throws<SpatialSimException>(() => GeneRaster.FromSparse("neg", bad, 1, "t.gem", 1, ComputeDevice.Cpu));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains("row 1, column 1", e.Message);
    }

    [Fact]
    public void PairByPairReleasesTheDenseCopiesItMade()
    {
        var genes = Fixtures.GeneStack("correlation").Select(ToSparse).ToList();
        var options = new SimilarityOptions();
        var scores = AllPairsSimilarity.Compute(genes, SimilarityMethod.Ssim, options);
        Assert.All(genes, g => Assert.False(g.HasDenseValues));
        Assert.Equal(SimilarityMeasures.Compare(SimilarityMethod.Ssim, genes[0], genes[1], options).Score, scores[0, 1], 12);
    }

    [Fact]
    public void VectorisedReductionsMatchPlainFloat64Sums()
    {
        var random = new Random(5);
        int n = 3 * (1 << 16) + 37; // several chunks and a scalar tail
        var a = new float[n];
        var b = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = random.NextDouble() < 0.3 ? 0 : (float)(random.NextDouble() * 10);
            b[i] = 0.5f * a[i] + (float)random.NextDouble();
        }
        var (sum, nonZero, max) = CpuReductions.Describe(a);
        Assert.Equal(a.Sum(v => (double)v), sum, 1e-6);
        Assert.Equal(a.Count(v => v != 0), nonZero);
        Assert.Equal(a.Max(), max);

        double ma = a.Average(v => (double)v), mb = b.Average(v => (double)v), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        var r = CpuReductions.CentredProducts(a, b);
        Assert.Equal(ma, r.MeanA, 1e-9);
        Assert.Equal(mb, r.MeanB, 1e-9);
        Assert.Equal(sab / Math.Sqrt(saa * sbb), r.Sab / Math.Sqrt(r.Saa * r.Sbb), 1e-12);
        Assert.Equal(saa, r.Saa, saa * 1e-12);
    }
}

/// <summary>The streamed Gram path inside a tissue mask gives the masked pair-by-pair scores, in any strips.</summary>
public class MaskedTiledGramTests
{
    [Theory]
    [InlineData(SimilarityMethod.SmoothedPearson, 2.0)]
    [InlineData(SimilarityMethod.Pearson, 0.0)]
    public void StreamedMaskedGram_EqualsMaskedPairByPair_InAnyStrips(SimilarityMethod method, double sigma)
    {
        const int w = 61, h = 47;
        var random = new Random(23);
        var genes = new List<GeneRaster>();
        for (int g = 0; g < 5; g++)
        {
            var pixels = new float[w * h];
            double cx = random.Next(10, w - 10), cy = random.Next(10, h - 10);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    if (random.NextDouble() < Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / 60.0)) pixels[y * w + x] = 1 + random.Next(4);
            var dense = Fixtures.Raster($"g{g}", w, h, pixels);
            // Half the genes sparse-backed, as Import-GeneRaster makes them from tables.
            if (g % 2 == 0)
            {
                var index = Enumerable.Range(0, pixels.Length).Where(i => pixels[i] != 0).ToArray();
                genes.Add(GeneRaster.FromSparse(dense.Gene, SparsePixels.FromEntries(w, h, index, index.Select(i => pixels[i]).ToArray()), 1, "test", 1.0, ComputeDevice.Cpu));
                dense.Dispose();
            }
            else genes.Add(dense);
        }
        // Zero inside the tissue, non-zero outside: undefined inside the mask.
        var outside = new float[w * h];
        outside[3] = 5;
        genes.Add(Fixtures.Raster("outside", w, h, outside));
        // An irregular tissue: a disc with a bite out of it.
        var mask = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                mask[y * w + x] = (x - 30) * (x - 30) + (y - 23) * (y - 23) < 21 * 21 && !(x > 40 && y < 15) ? 1 : 0;
        using var tissue = Fixtures.Raster("tissue", w, h, mask);
        var options = new SimilarityOptions { Sigmas = new[] { sigma }, Mask = tissue };
        foreach (int? rows in new int?[] { null, 1, 7, 20 })
        {
            var gram = CorrelationGram.Compute(genes, sigma, stripRows: rows, mask: tissue);
            for (int i = 0; i < genes.Count; i++)
                for (int j = 0; j < genes.Count; j++)
                {
                    double expected = i == j && !double.IsNaN(gram[i, j]) ? 1.0 : SimilarityMeasures.Compare(method, genes[i], genes[j], options).Score;
                    if (double.IsNaN(expected)) Assert.True(double.IsNaN(gram[i, j]), $"{i},{j} strips {rows}: {gram[i, j]} should be NaN");
                    else Assert.True(Math.Abs(expected - gram[i, j]) < 1e-5, $"{i},{j} strips {rows}: {gram[i, j]} vs pair by pair {expected}");
                }
        }
        Assert.True(double.IsNaN(CorrelationGram.Compute(genes, sigma, mask: tissue)[0, genes.Count - 1]));
    }
}
