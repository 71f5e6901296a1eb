using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;
using SpatialSim.TorchCore.Smoothing;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// The CUDA branches (torch ops where the CPU uses our own kernels: blur, SSIM/MS-SSIM, spatial lags, the Gram products)
/// cannot run on a GPU here. <see cref="ComputeDevice.TorchOnCpu"/> runs them on CPU tensors; they must give the CPU
/// kernels' scores, so the branches do not rot.
/// </summary>
public sealed class TorchPathTests
{
    private const int W = 48, H = 40;

    private static List<GeneRaster> Genes(ComputeDevice device)
    {
        var rng = new Random(5);
        var specs = new (string Name, double Cx, double Cy, double S)[] { ("a", 15, 14, 4), ("b", 17, 15, 4), ("c", 34, 26, 5), ("d", 24, 20, 9) };
        return specs.Select(spec =>
        {
            var px = new float[W * H];
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    px[y * W + x] = (float)Math.Round(10 * Math.Exp(-((x - spec.Cx) * (x - spec.Cx) + (y - spec.Cy) * (y - spec.Cy)) / (2 * spec.S * spec.S)))
                                    + (rng.Next(7) == 0 ? rng.Next(1, 4) : 0);
            return GeneRaster.FromPlane(new RasterPlane(spec.Name, W, H, px, "test"), 1, device);
        }).ToList();
    }

    private static GeneRaster Mask(ComputeDevice device)
    {
        var px = new float[W * H];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                px[y * W + x] = (x - 24) * (x - 24) / 400.0 + (y - 20) * (y - 20) / 300.0 <= 1 ? 1 : 0;
        return GeneRaster.FromPlane(new RasterPlane("tissue", W, H, px, "test"), 1, device);
    }

    public static TheoryData<string> Cases() => new()
    {
        "Pearson", "SmoothedPearson", "SmoothedPearson σ=1,3", "Pearson mask", "SmoothedPearson mask", "Ssim", "Ssim MeanStd Structure",
        "MsSsim", "LeeL", "LeeL Gaussian", "MoranBV Rook", "JensenShannon σ=1.5", "RoiPearson", "Spearman",
    };

    private static (SimilarityMethod, SimilarityOptions) Setup(string name, ComputeDevice device) => name switch
    {
        "Pearson" => (SimilarityMethod.Pearson, new SimilarityOptions()),
        "SmoothedPearson" => (SimilarityMethod.SmoothedPearson, new SimilarityOptions { Sigmas = new[] { 2.0 } }),
        "SmoothedPearson σ=1,3" => (SimilarityMethod.SmoothedPearson, new SimilarityOptions { Sigmas = new[] { 1.0, 3.0 } }),
        "Pearson mask" => (SimilarityMethod.Pearson, new SimilarityOptions { Mask = Mask(device) }),
        "SmoothedPearson mask" => (SimilarityMethod.SmoothedPearson, new SimilarityOptions { Sigmas = new[] { 2.0 }, Mask = Mask(device) }),
        "Ssim" => (SimilarityMethod.Ssim, new SimilarityOptions()),
        "Ssim MeanStd Structure" => (SimilarityMethod.Ssim, new SimilarityOptions { Ssim = new SsimOptions { Normalization = SsimNormalization.MeanStd, Component = SsimComponent.Structure } }),
        "MsSsim" => (SimilarityMethod.MsSsim, new SimilarityOptions { MsSsim = new MsSsimOptions { Scales = 2 } }),
        "LeeL" => (SimilarityMethod.LeeL, new SimilarityOptions()),
        "LeeL Gaussian" => (SimilarityMethod.LeeL, new SimilarityOptions { LeeL = new LeeLOptions { Weights = SpatialWeights.Gaussian, Sigma = 1.5 } }),
        "MoranBV Rook" => (SimilarityMethod.MoranBV, new SimilarityOptions { MoranBV = new MoranBVOptions { Weights = SpatialWeights.Rook } }),
        "JensenShannon σ=1.5" => (SimilarityMethod.JensenShannon, new SimilarityOptions { JensenShannon = new JensenShannonOptions { Sigma = 1.5 } }),
        "RoiPearson" => (SimilarityMethod.RoiPearson, new SimilarityOptions()),
        "Spearman" => (SimilarityMethod.Spearman, new SimilarityOptions()),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheTorchPath_GivesTheCpuKernelsScores(string name)
    {
        using var cpuGenes = Fixtures.Owned(Genes(ComputeDevice.Cpu));
        using var torchGenes = Fixtures.Owned(Genes(ComputeDevice.TorchOnCpu));
        Assert.False(torchGenes[0].Device.IsCpu);
        var (method, cpuOptions) = Setup(name, ComputeDevice.Cpu);
        var (_, torchOptions) = Setup(name, ComputeDevice.TorchOnCpu);
        try
        {
            var expected = AllPairsSimilarity.Compute(cpuGenes, method, cpuOptions);
            var actual = AllPairsSimilarity.Compute(torchGenes, method, torchOptions);
            for (int i = 0; i < cpuGenes.Count; i++)
                for (int j = 0; j < cpuGenes.Count; j++)
                {
                    Assert.False(double.IsNaN(expected[i, j]), $"{name} {i},{j}");
                    Assert.True(Math.Abs(expected[i, j] - actual[i, j]) <= 2e-5, $"{name} {i},{j}: CPU kernels {expected[i, j]}, torch path {actual[i, j]}");
                    if (i < j)
                    {
                        double pair = SimilarityMeasures.Compare(method, torchGenes[i], torchGenes[j], torchOptions).Score;
                        Assert.True(Math.Abs(expected[i, j] - pair) <= 2e-5, $"{name} pair {i},{j}: CPU kernels {expected[i, j]}, torch path {pair}");
                    }
                }
        }
        finally
        {
            cpuOptions.Mask?.Dispose();
            torchOptions.Mask?.Dispose();
            cpuGenes.Concat(torchGenes).ToList().ForEach(g => g.Dispose());
        }
    }

    [Fact]
    public void TheTorchPathBlur_IsTheCpuBlur()
    {
        using var cpu = Genes(ComputeDevice.Cpu)[0];
        using var torch = Genes(ComputeDevice.TorchOnCpu)[0];
        using var a = GaussianSmoothing.Smooth(cpu, 2.5);
        using var b = GaussianSmoothing.Smooth(torch, 2.5);
        var x = a.ToArray();
        var y = b.ToArray();
        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(x[i] - y[i]) <= 1e-5f * 14, $"pixel {i}: {x[i]} vs {y[i]}");
    }
}
