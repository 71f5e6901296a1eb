using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Defaults;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

public class CountSplitScaleTests
{
    [Fact]
    public void TheClosedFormIsTheHeldOutErrorAveragedOverRandomSplits()
    {
        // A small Poisson pattern; the closed form at σ = 1.5 against 4000 explicit binomial splits (both directions).
        var gene = DefaultsFixtures.Poisson("g", 24, 20, (x, y) => 0.3 + 2.0 * Math.Exp(-((x - 8) * (x - 8) + (y - 10) * (y - 10)) / 20.0), 5);
        var pixels = gene.ToArray();
        var index = Enumerable.Range(0, pixels.Length).Where(i => pixels[i] > 0).ToArray();
        var counts = index.Select(i => pixels[i]).ToArray();
        var self = SelfPairs.Of(index, counts, 24, 20);
        Assert.True(self.Observed <= SelfPairs.MaxExcess * self.Expected);   // Poisson: nothing capped
        double total = counts.Sum(c => (double)c);
        double closed = new HeldOutError(index, counts, 24, 20, total, self.Credible, self.Observed).At(1.5, 1);

        var rng = new Random(7);
        double sum = 0;
        const int Rounds = 4000;
        var a = new float[pixels.Length];
        var b = new float[pixels.Length];
        var blurred = new float[pixels.Length];
        for (int round = 0; round < Rounds; round++)
        {
            for (int i = 0; i < pixels.Length; i++)
            {
                int c = (int)pixels[i], half = 0;
                for (int k = 0; k < c; k++) if (rng.NextDouble() < 0.5) half++;
                a[i] = half;
                b[i] = c - half;
            }
            Smoothing.CpuGaussianBlur.Blur(a, blurred, 24, 20, 1.5);
            for (int i = 0; i < pixels.Length; i++) sum += (b[i] - blurred[i]) * (double)(b[i] - blurred[i]);
        }
        Assert.Equal(closed, sum / Rounds, closed * 0.01);
    }

    [Theory]
    [InlineData(8.0)]
    [InlineData(12.7)]
    [InlineData(20.2)]
    public void OnBlockSumsTheErrorAndItsStepsAreThePixels(double sigma)
    {
        // Clustered molecules (cells of about 3 px in a few regions) on a 101 × 87 canvas, which the blocks do not divide.
        var gene = DefaultsFixtures.Poisson("g", 101, 87, (x, y) =>
            (Math.Sin(x * 1.7) * Math.Sin(y * 1.3) > 0.6 ? 0.8 : 0.0) * (Math.Exp(-((x - 30) * (x - 30) + (y - 40) * (y - 40)) / 300.0)
            + Math.Exp(-((x - 80) * (x - 80) + (y - 20) * (y - 20)) / 150.0)) + 0.01, 11);
        var pixels = gene.ToArray();
        var index = Enumerable.Range(0, pixels.Length).Where(i => pixels[i] > 0).ToArray();
        var counts = index.Select(i => pixels[i]).ToArray();
        var self = SelfPairs.Of(index, counts, 101, 87);
        double total = counts.Sum(c => (double)c);
        var error = new HeldOutError(index, counts, 101, 87, total, self.Credible, self.Observed);
        double flat = 0.25 * (self.Credible + 2 * total - total * total / (101.0 * 87));
        int stride = CountSplitScale.Stride(sigma);
        Assert.True(stride > 1);
        double exact = error.At(sigma, 1), blocked = error.At(sigma, stride);
        Assert.True(flat - exact > 0, "the pattern is worth smoothing");
        // One step of the ladder (σ to the next candidate up) on σ's blocks: as on the pixels. The values themselves are off
        // by a few % of what smoothing gains (block sums take the counts as spread evenly over their blocks, and these are
        // clustered), which is why the search compares steps measured on one grid.
        double next = sigma * Math.Pow(2, 1.0 / CountSplitScale.CandidatesPerOctave);
        double step = error.At(sigma, 1) - error.At(next, 1), stepOnBlocks = error.At(sigma, stride) - error.At(next, stride);
        Assert.True(Math.Abs(stepOnBlocks - step) <= 0.1 * Math.Abs(step), $"step {step} on the pixels, {stepOnBlocks} on blocks of {stride}; E = {exact}, flat {flat}");
        Assert.True(Math.Abs(blocked - exact) <= 0.05 * (flat - exact), $"E = {exact} on the pixels, {blocked} on blocks of {stride}; flat {flat}");
    }

    [Fact]
    public void DenseHighCountSpotsGetLittleSmoothingAndSparseMoleculesWide()
    {
        var dense = DefaultsFixtures.Mob();
        var spots = CountSplitScale.Choose(dense);
        Assert.InRange(spots.Sigma, 0.25, 1.0);   // the MOB stand-in: about half a spot

        var sparse = DefaultsFixtures.Ca1();
        var molecules = CountSplitScale.Choose(sparse);
        Assert.True(molecules.Sigma > 15, $"σ = {molecules.Sigma}");
        Assert.Equal(molecules.Sigma, CountSplitScale.Choose(sparse).Sigma);                     // deterministic (no random split)
        Assert.Equal(molecules.Sigma, CountSplitScale.Choose(sparse.AsEnumerable().Reverse().ToList()).Sigma);  // order does not matter
        Assert.NotEmpty(molecules.Table());
        Assert.Contains("count splitting", molecules.Summary());
    }

    [Fact]
    public void TheScaleIsTheSamePhysicalScaleAtEveryBin()
    {
        var physical = new[] { 1, 2, 3, 4, 5, 10 }.Select(bin => CountSplitScale.Choose(DefaultsFixtures.Ca1(bin)).SigmaAtBin1).ToArray();
        double mean = physical.Average();
        foreach (double p in physical) Assert.InRange(p / mean, 0.9, 1.1);
    }

    [Fact]
    public void DuplicatedCountsInOnePixelDoNotCollapseTheScale()
    {
        // Every count reported three times in its pixel (as Stereo-seq bin 1 DNBs do): the pattern is the same, σ must stay.
        var genes = DefaultsFixtures.Ca1(10);
        var tripled = genes.Select(g => GeneRaster.FromPlane(new RasterPlane(g.Gene, g.Width, g.Height, g.ToArray().Select(v => 3 * v).ToArray(), "x"), 10, g.Device)).ToList();
        double once = CountSplitScale.Choose(genes).Sigma, thrice = CountSplitScale.Choose(tripled).Sigma;
        Assert.InRange(thrice / once, 0.7, 1.1);
    }

    [Fact]
    public void TheCostIsBoundedOnHugeCanvases()
    {
        var ladder = CountSplitScale.Ladder(40000, 40000, 1, out _);
        double floor = ladder[0];
        int stride = (int)Math.Floor(floor / CountSplitScale.SigmaPerStride);
        long gridPixels = (long)BlockSums.Blocks(40000, stride) * BlockSums.Blocks(40000, stride);
        Assert.True(gridPixels <= 2 * CountSplitScale.EvaluationPixels, $"{gridPixels} pixels at the floor σ = {floor}");
        Assert.InRange(ladder[^1], 40000 / CountSplitScale.CeilingDivisor * 0.79, 40000 / CountSplitScale.CeilingDivisor);
    }

    [Fact]
    public void WithoutCountsToSplitTheFixedDefaultIsUsed()
    {
        var few = Fixtures.Raster("few", 30, 30, Enumerable.Range(0, 900).Select(i => i % 97 == 0 ? 1f : 0f).ToArray());
        var s = CountSplitScale.Choose(new[] { few });
        Assert.Equal(SmoothedPearsonSimilarity.DefaultSigma, s.Sigma);
        Assert.NotNull(s.Fallback);
        Assert.Equal(SmoothedPearsonSimilarity.DefaultSigma, AdaptiveScale.ChooseSigma(new[] { few }));
    }
}
