using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Toroidal-shift significance and Benjamini–Hochberg against numpy/scipy (tests/reference/make_significance_fixtures.py).</summary>
public class SignificanceTests
{
    private static (int Dy, int Dx)[] FixtureShifts()
    {
        var s = Fixtures.Npy("significance", "shifts.npy");
        return Enumerable.Range(0, s.Shape[0]).Select(k => ((int)s.Data[2 * k], (int)s.Data[2 * k + 1])).ToArray();
    }

    [Fact]
    public void BenjaminiHochbergMatchesReference()
    {
        var p = Fixtures.Npy("significance", "bh_p.npy").Data.Select(v => (double)v).ToArray();
        var expected = Fixtures.Npy("significance", "bh_q.npy").Data;
        var q = MultipleTesting.BenjaminiHochberg(p);
        Assert.Equal(expected.Length, q.Length);
        for (int k = 0; k < q.Length; k++) Assert.Equal(expected[k], q[k], 1e-6);
    }

    [Fact]
    public void BenjaminiHochbergLeavesNaNOutOfTheFamily()
    {
        var q = MultipleTesting.BenjaminiHochberg(new[] { 0.01, double.NaN, 0.04, 0.03 });
        Assert.True(double.IsNaN(q[1]));
        // m = 3: sorted 0.01, 0.03, 0.04 → 0.03, 0.045, 0.04 → monotone 0.03, 0.04, 0.04.
        Assert.Equal(0.03, q[0], 12);
        Assert.Equal(0.04, q[3], 12);
        Assert.Equal(0.04, q[2], 12);
        Assert.Throws<SpatialSimException>(() => MultipleTesting.BenjaminiHochberg(new[] { 1.5 }));
    }

    [Fact]
    public void FftShiftCorrelationEqualsDirectCircularShift()
    {
        using var genes = Fixtures.Owned(Fixtures.GeneStack("significance"));
        var expected = Fixtures.Npy("significance", "shift_r_plain.npy").Data;
        var options = new SimilarityOptions { Sigmas = new[] { 2.0 } };
        var fft = ToroidalShiftTest.NullScores(genes, new[] { (0, 1) }, FixtureShifts(), SimilarityMethod.SmoothedPearson, options)[0];
        for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], fft[k], 1e-4);
        // Shift (0, 0) is the score itself.
        Assert.Equal(SimilarityMeasures.Compare(SimilarityMethod.SmoothedPearson, genes[0], genes[1], options).Score, fft[0], 1e-4);
    }

    [Fact]
    public void FftShiftCorrelationWithTissueMaskIsTheCorrelationOverTheOverlap()
    {
        using var genes = Fixtures.Owned(Fixtures.GeneStack("significance"));
        var maskStack = Fixtures.Npy("significance", "mask.npy");
        using var mask = Fixtures.Raster("tissue", maskStack.Shape[1], maskStack.Shape[0], maskStack.Data.ToArray());
        var expected = Fixtures.Npy("significance", "shift_r_masked.npy").Data;
        var options = new SimilarityOptions { Sigmas = new[] { 2.0 }, Mask = mask };
        var fft = ToroidalShiftTest.NullScores(genes, new[] { (0, 1) }, FixtureShifts(), SimilarityMethod.SmoothedPearson, options)[0];
        for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], fft[k], 1e-4);
        Assert.Equal(SimilarityMeasures.Compare(SimilarityMethod.SmoothedPearson, genes[0], genes[1], options).Score, fft[0], 1e-4);
    }

    [Fact]
    public void FftPathAgreesWithRecomputingPlainPearsonOnShiftedCopies()
    {
        using var genes = Fixtures.Owned(Fixtures.GeneStack("significance"));
        var shifts = FixtureShifts();
        var options = new SimilarityOptions();
        var fast = ToroidalShiftTest.NullScores(genes, new[] { (0, 1) }, shifts, SimilarityMethod.Pearson, options)[0];
        var slow = ToroidalShiftTest.NullScores(genes, new[] { (0, 1) }, shifts, SimilarityMethod.Pearson, options, recompute: true)[0];
        for (int k = 0; k < shifts.Length; k++) Assert.Equal(slow[k], fast[k], 1e-4);
    }

    /// <summary>Poisson counts of a sum of Gaussian blobs at random places (seeded).</summary>
    private static float[] BlobCounts(Random rng, int w, int h, (double Y, double X)[] centres, double peak, double radius)
    {
        var pixels = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double rate = 0.02;
                foreach (var (cy, cx) in centres)
                    rate += peak * Math.Exp(-((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (2 * radius * radius));
                // Knuth's Poisson sampler (rates are small).
                double l = Math.Exp(-rate), prod = rng.NextDouble();
                int k = 0;
                while (prod > l) { k++; prod *= rng.NextDouble(); }
                pixels[y * w + x] = k;
            }
        return pixels;
    }

    private static (double, double)[] RandomCentres(Random rng, int count, int w, int h) =>
        Enumerable.Range(0, count).Select(_ => (rng.NextDouble() * h, rng.NextDouble() * w)).ToArray();

    private static List<GeneRaster> IndependentAndRelated()
    {
        const int w = 96, h = 80;
        var rng = new Random(7);
        var centresA = RandomCentres(rng, 6, w, h);
        var centresB = RandomCentres(rng, 6, w, h);
        return new List<GeneRaster>
        {
            Fixtures.Raster("A", w, h, BlobCounts(rng, w, h, centresA, 2.0, 4)),
            Fixtures.Raster("B", w, h, BlobCounts(rng, w, h, centresB, 2.0, 4)),   // unrelated to A
            Fixtures.Raster("C", w, h, BlobCounts(rng, w, h, centresA, 1.0, 4)),   // A's pattern, own noise
        };
    }

    private static SignificanceResult Test(List<GeneRaster> genes, SimilarityOptions options, int seed, SimilarityMethod method = SimilarityMethod.SmoothedPearson)
    {
        var scores = AllPairsSimilarity.Compute(genes, method, options);
        var pairs = new[] { (0, 1), (0, 2), (1, 2) };
        return ToroidalShiftTest.Compute(genes, scores, pairs, method, options, new SignificanceOptions { Permutations = 99, Seed = seed });
    }

    [Fact]
    public void RelatedPairIsSignificantAndUnrelatedPairIsNot()
    {
        var genes = IndependentAndRelated();
        var options = new SimilarityOptions { Sigmas = new[] { 3.0 } };
        var r = Test(genes, options, seed: 11);
        Assert.True(r.Fast);
        Assert.Equal(99, r.Shifts.Count);
        Assert.True(r.PValues[0, 2] <= 0.02, $"related pair p = {r.PValues[0, 2]}");
        Assert.True(r.PValues[0, 1] > 0.1, $"unrelated pair p = {r.PValues[0, 1]}");
        Assert.True(r.PValues[1, 2] > 0.1, $"unrelated pair p = {r.PValues[1, 2]}");
        foreach (var (i, j) in new[] { (0, 1), (0, 2), (1, 2) })
        {
            Assert.InRange(r.PValues[i, j], 1.0 / 100, 1.0);
            Assert.Equal(r.PValues[i, j], r.PValues[j, i]);
            Assert.True(r.QValues[i, j] >= r.PValues[i, j]);
        }
        Assert.True(double.IsNaN(r.PValues[0, 0]));
    }

    [Fact]
    public void SameSeedSameShiftsOtherSeedOtherShifts()
    {
        var genes = IndependentAndRelated();
        var options = new SimilarityOptions { Sigmas = new[] { 3.0 } };
        var a = Test(genes, options, seed: 5);
        var b = Test(genes, options, seed: 5);
        var c = Test(genes, options, seed: 6);
        Assert.Equal(a.Shifts, b.Shifts);
        Assert.Equal(a.PValues[0, 1], b.PValues[0, 1]);
        Assert.NotEqual(a.Shifts, c.Shifts);
    }

    [Fact]
    public void ShiftsAreDistinctAndNotShorterThanTheMinimumDisplacement()
    {
        var (shifts, overlap, eligible, _) = ToroidalShiftTest.ChooseShifts(40, 30, null, 99, 3, 6.5);
        Assert.Equal(99, shifts.Count);
        Assert.Equal(shifts.Count, shifts.Distinct().Count());
        foreach (var (dy, dx) in shifts)
        {
            int ty = Math.Min(dy, 30 - dy), tx = Math.Min(dx, 40 - dx);
            Assert.True(Math.Sqrt(ty * ty + tx * tx) >= 6.5);
        }
        Assert.All(overlap, o => Assert.Equal(1200, o));
        // Every shift of the 40×30 torus but those within 6.5 px of (0, 0): 1200 − 137 lattice points of the disc.
        Assert.Equal(1200 - Enumerable.Range(-6, 13).Sum(y => Enumerable.Range(-6, 13).Count(x => x * x + y * y < 6.5 * 6.5)), eligible);
        // A canvas smaller than the displacement has no shift: an error that says what to do.
        var e = Assert.Throws<SpatialSimException>(() => ToroidalShiftTest.ChooseShifts(8, 8, null, 99, 3, 20));
        Assert.Contains("too small", e.Message);
    }

    [Fact]
    public void SlowPathGivesPValuesForOtherMeasures()
    {
        var genes = IndependentAndRelated();
        var options = new SimilarityOptions();
        var scores = AllPairsSimilarity.Compute(genes, SimilarityMethod.JensenShannon, options);
        var r = ToroidalShiftTest.Compute(genes, scores, new[] { (0, 2) }, SimilarityMethod.JensenShannon, options,
            new SignificanceOptions { Permutations = 19, Seed = 2 });
        Assert.False(r.Fast);
        Assert.Equal(1.0 / 20, r.PValues[0, 2], 12);
    }
}
