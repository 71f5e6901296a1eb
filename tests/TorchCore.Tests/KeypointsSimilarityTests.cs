using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Keypoints: detector and descriptor against a numpy loop reference (tests/reference/make_keypoints_fixtures.py), properties on analytic blobs, matching, degenerate input.</summary>
public class KeypointsSimilarityTests
{
    private const int W = 96, H = 96;
    private static readonly KeypointsOptions Defaults = new();

    private static GeneRaster Raster(string name, float[] pixels, int w = W, int h = H) =>
        GeneRaster.FromPlane(new RasterPlane(name, w, h, pixels, "test"), 1, ComputeDevice.Cpu);

    /// <summary>Sum of Gaussian blobs with random centres, widths 2–4 px and amplitudes 0.5–1.</summary>
    private static (float[] Pixels, List<(double X, double Y)> Centres) Blobs(int seed, int n, double dx = 0)
    {
        var rng = new Random(seed);
        var img = new double[W * H];
        var centres = new List<(double, double)>();
        for (int k = 0; k < n; k++)
        {
            double cx = 12 + rng.NextDouble() * (W - 24) + dx, cy = 12 + rng.NextDouble() * (H - 24);
            double s = 2 + 2 * rng.NextDouble(), amp = 0.5 + 0.5 * rng.NextDouble();
            centres.Add((cx, cy));
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    img[y * W + x] += amp * Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * s * s));
        }
        return (img.Select(v => (float)v).ToArray(), centres);
    }

    [Fact]
    public void KeypointsAndDescriptorsMatchNumpyReference()
    {
        var img = Fixtures.Npy("keypoints", "image.npy");
        var expK = Fixtures.Npy("keypoints", "keypoints.npy");   // [n, 6]: x, y, sigma, octave, level, response
        var expD = Fixtures.Npy("keypoints", "descriptors.npy"); // [n, 128]
        int h = img.Shape[0], w = img.Shape[1], n = expK.Shape[0];
        var set = KeypointsSimilarity.Prepare(Raster("ref", img.Data, w, h), Defaults);
        Assert.Equal(n, set.Count);
        double maxD = 0, maxR = 0;
        for (int e = 0; e < n; e++)
        {
            double x = expK.Data[e * 6], y = expK.Data[e * 6 + 1], sigma = expK.Data[e * 6 + 2];
            int k = Array.FindIndex(set.Keypoints, q => q.X == x && q.Y == y && Math.Abs(q.Sigma - sigma) < 1e-4);
            Assert.True(k >= 0, $"reference keypoint ({x}, {y}, σ {sigma}) not found");
            maxR = Math.Max(maxR, Math.Abs(set.Keypoints[k].Response - expK.Data[e * 6 + 5]));
            for (int c = 0; c < 128; c++) maxD = Math.Max(maxD, Math.Abs(set.Descriptors[k * 128 + c] - expD.Data[e * 128 + c]));
        }
        Assert.True(maxR < 1e-5, $"max |response error| {maxR}");
        Assert.True(maxD < 1e-4, $"max |descriptor error| {maxD}");
    }

    [Fact]
    public void DetectsIsolatedBlobsAtTheirCentres()
    {
        // Three well separated blobs of σ = 3 px at integer centres. D = G(kσ) − G(σ) is negative on a bright blob
        // (more blur lowers its peak), so each blob is a DoG minimum within 1 px of its centre.
        var centres = new[] { (20, 24), (70, 30), (45, 72) };
        var img = new float[W * H];
        foreach (var (cx, cy) in centres)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    img[y * W + x] += (float)Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / 18.0);
        var set = KeypointsSimilarity.Prepare(Raster("blobs", img), Defaults);
        var maxima = set.Keypoints.Where(k => k.Response < 0).ToList();
        foreach (var (cx, cy) in centres)
            Assert.Contains(maxima, k => Math.Abs(k.X - cx) <= 1 && Math.Abs(k.Y - cy) <= 1);
        // every bright keypoint belongs to a blob (no spurious maxima)
        Assert.All(maxima, k => Assert.Contains(centres, c => Math.Abs(k.X - c.Item1) <= 2 && Math.Abs(k.Y - c.Item2) <= 2));
        // scale: the blob (σ_b = 3) is found at a DoG scale between σ_b/√2 and σ_b·√2·1.26
        Assert.All(maxima.Where(k => Math.Abs(k.X - 20) <= 1 && Math.Abs(k.Y - 24) <= 1), k => Assert.InRange(k.Sigma, 3 / Math.Sqrt(2), 3 * Math.Sqrt(2) * 1.26));
    }

    [Fact]
    public void DescriptorOfARampHasAllEnergyInOrientationZero()
    {
        int w = 64, h = 64;
        var ramp = new float[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) ramp[y * w + x] = x;
        var d = KeypointsSimilarity.Describe(ramp, w, h, 32, 32, 1.6);
        for (int k = 0; k < 128; k++)
            if (k % 8 != 0) Assert.Equal(0f, d[k], 6);
        // Gaussian window: inner cells weigh more than corner cells
        Assert.True(d[(1 * 4 + 1) * 8] > d[0]);
        Assert.Equal(1.0, Math.Sqrt(d.Sum(v => (double)v * v)), 5);
    }

    [Fact]
    public void TwelveBlobsGiveAtLeastTenKeypointsAllMatchedWithThemselves()
    {
        using var a = Raster("a", Blobs(1, 12).Pixels);
        var self = KeypointsSimilarity.Compare(a, a, Defaults);
        Assert.Equal(1.0, self.Score, 12);
        Assert.True(self.Details!["keypointsA"] >= 10);
    }

    [Fact]
    public void ShiftedCopyScoresBetweenIdenticalAndUnrelated()
    {
        var (pa, _) = Blobs(3, 12);
        var (ps, _) = Blobs(3, 12, dx: 3.5); // same blobs 3.5 px to the right: keypoints on the pixel grid move by 3 (consistent) or 4 (not)
        var (pu, _) = Blobs(4, 12);
        using var a = Raster("a", pa);
        double same = KeypointsSimilarity.Compare(a, a, Defaults).Score;
        double shifted = KeypointsSimilarity.Compare(a, Raster("shifted", ps), Defaults).Score;
        double unrelated = KeypointsSimilarity.Compare(a, Raster("other", pu), Defaults).Score;
        Assert.True(same > shifted && shifted > unrelated, $"identical {same}, shifted {shifted}, unrelated {unrelated}");
        // far shift: matches are found but none at a consistent position
        var far = KeypointsSimilarity.Compare(a, Raster("far", Blobs(3, 12, dx: 8).Pixels), Defaults);
        Assert.True(far.Score < shifted);
    }

    [Fact]
    public void PreparedComparisonEqualsDirect()
    {
        using var a = Raster("a", Blobs(5, 10).Pixels);
        using var b = Raster("b", Blobs(5, 10, dx: 1).Pixels);
        var pa = KeypointsSimilarity.Prepare(a, Defaults);
        var pb = KeypointsSimilarity.Prepare(b, Defaults);
        Assert.Equal(KeypointsSimilarity.Compare(a, b, Defaults).Score, KeypointsSimilarity.Compare(pa, pb).Score, 12);
        Assert.Throws<SpatialSimException>(() => KeypointsSimilarity.Compare(pa, KeypointsSimilarity.Prepare(b, Defaults with { Ratio = 0.7 })));
    }

    [Fact]
    public void AFeaturelessGeneIsUndefined()
    {
        // A ramp varies everywhere but has no blob: no keypoint, so nothing to match (the contract covers empty and flat genes).
        using var a = Raster("a", Blobs(1, 12).Pixels);
        using var ramp = Raster("ramp", Enumerable.Range(0, W * H).Select(i => (float)(i % W)).ToArray());
        var s = KeypointsSimilarity.Compare(a, ramp, Defaults);
        Assert.True(double.IsNaN(s.Score));
        Assert.Contains("'ramp'", s.Note);
        Assert.True(double.IsNaN(KeypointsSimilarity.Compare(ramp, a, Defaults).Score));
    }
}
