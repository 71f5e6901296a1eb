using SpatialSim.TorchCore.Similarity;
using Xunit;
using static SpatialSim.TorchCore.Tests.SsimSimilarityTests;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// MS-SSIM against the independent numpy/scipy implementation in tests/reference/make_ssim_fixtures.py
/// (no Debian library implements MS-SSIM). big.npy is a 200×200 count map (two blobs and an arc); the pairs
/// are big against itself, np.roll(big, (7, −5)), np.flipud(big), big.T, and the roll against the flip.
/// </summary>
public class MsSsimSimilarityTests
{
    private const double Tolerance = 1e-5;

    private static GeneRaster Big()
    {
        var a = Fixtures.Npy("ssim", "big.npy");
        return Raster("big", a.Data.Select(v => (float)v).ToArray(), a.Shape[1], a.Shape[0]);
    }

    private static GeneRaster Transform(GeneRaster g, Func<int, int, (int Y, int X)> target, string name)
    {
        var src = g.ToArray();
        var dst = new float[src.Length];
        for (int y = 0; y < g.Height; y++)
            for (int x = 0; x < g.Width; x++)
            {
                var (ty, tx) = target(y, x);
                dst[ty * g.Width + tx] = src[y * g.Width + x];
            }
        return Raster(name, dst, g.Width, g.Height);
    }

    private static (GeneRaster A, GeneRaster B)[] Pairs()
    {
        var big = Big();
        int n = big.Width;
        var rolled = Rolled(big, 7, -5, "rolled");
        var flipped = Transform(big, (y, x) => (n - 1 - y, x), "flipped");
        var transposed = Transform(big, (y, x) => (x, y), "transposed");
        return new[] { (big, big), (big, rolled), (big, flipped), (big, transposed), (rolled, flipped) };
    }

    [Theory]
    [InlineData("msssim_big.npy", 5, SsimNormalization.Max, false)]
    [InlineData("msssim_big_s3.npy", 3, SsimNormalization.Max, false)]
    [InlineData("msssim_big_meanstd.npy", 5, SsimNormalization.MeanStd, false)]
    public void MatchesTheNumpyReference(string fixture, int scales, SsimNormalization normalization, bool torchPath)
    {
        var expected = Fixtures.Npy("ssim", fixture).Data.Select(v => (double)v).ToArray();
        var options = new MsSsimOptions { Scales = scales, Normalization = normalization };
        var pairs = Pairs();
        for (int k = 0; k < pairs.Length; k++)
        {
            using var a = MsSsimSimilarity.PrepareOn(pairs[k].A, options, torchPath);
            using var b = MsSsimSimilarity.PrepareOn(pairs[k].B, options, torchPath);
            var score = MsSsimSimilarity.Compare(a, b);
            Assert.Equal(expected[k], score.Score, Tolerance);
            Assert.Equal(scales + 1, score.Details!.Count);
        }
    }

    [Fact]
    public void TwoScalesOnTheSmallGenesMatchTheReference()
    {
        using var genes = Fixtures.Owned(Genes());
        var expected = Fixtures.Matrix("ssim", "msssim_small_s2.npy");
        var options = new MsSsimOptions { Scales = 2 };
        for (int i = 0; i < genes.Count; i++)
            for (int j = 0; j < genes.Count; j++)
                Assert.Equal(expected[i, j], MsSsimSimilarity.Compare(genes[i], genes[j], options).Score, Tolerance);
        // The torch path (CUDA), run here on CPU tensors; small maps keep libtorch's CPU convolutions quick.
        using var stats = Fixtures.Owned(genes.Select(g => MsSsimSimilarity.PrepareOn(g, options, useTorch: true)));
        for (int i = 0; i < genes.Count; i++)
            for (int j = i; j < genes.Count; j++)
                Assert.Equal(expected[i, j], MsSsimSimilarity.Compare(stats[i], stats[j]).Score, Tolerance);
    }

    [Fact]
    public void SymmetricScaleInvariantAndOrdered()
    {
        var pairs = Pairs();
        var (big, rolled, flipped) = (pairs[1].A, pairs[1].B, pairs[2].B);
        var options = new MsSsimOptions();
        using var scaled = Scaled(big, 37.5f);
        double self = MsSsimSimilarity.Compare(big, scaled, options).Score;
        double shifted = MsSsimSimilarity.Compare(big, rolled, options).Score;
        double unrelated = MsSsimSimilarity.Compare(big, flipped, options).Score;
        Assert.Equal(1.0, self, 6);
        Assert.True(self > shifted && shifted > unrelated, $"identical {self}, shifted {shifted}, unrelated {unrelated}");
        Assert.Equal(MsSsimSimilarity.Compare(rolled, flipped, options).Score, MsSsimSimilarity.Compare(flipped, rolled, options).Score, 12);
        Assert.Equal(MsSsimSimilarity.Compare(big, flipped, options).Score, MsSsimSimilarity.Compare(scaled, flipped, options).Score, 6);
    }


    [Fact]
    public void TooSmallForTheScalesIsAClearError()
    {
        var genes = Genes(); // 64×48: 5 scales need 161×161
        var e = Assert.Throws<SpatialSimException>(() => MsSsimSimilarity.Compare(genes[0], genes[1], new MsSsimOptions()));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("'g0'", e.Message);
        Assert.Contains("161", e.Message);
        Assert.Contains("-Scales 3", e.Message);   // 48 ≥ 41 = 10·2² + 1
        Assert.Contains("-BinSize", e.Message);
        Assert.True(MsSsimSimilarity.Compare(genes[0], genes[1], new MsSsimOptions { Scales = 3 }).Score > 0);

        e = Assert.Throws<SpatialSimException>(() => MsSsimSimilarity.Compare(genes[0], genes[1], new MsSsimOptions { Scales = 6 }));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public void FewerScalesRenormaliseThePaperWeights()
    {
        Assert.Equal(new[] { 0.0448, 0.2856, 0.3001, 0.2363, 0.1333 }, MsSsimSimilarity.PaperWeights);
        var w = MsSsimSimilarity.Weights(3);
        Assert.Equal(1.0, w.Sum(), 12);
        Assert.Equal(0.0448 / (0.0448 + 0.2856 + 0.3001), w[0], 12);
    }
}
