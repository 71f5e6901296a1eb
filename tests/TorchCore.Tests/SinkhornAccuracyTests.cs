using System.Text.Json.Nodes;
using SpatialSim.TorchCore.Similarity;
using Xunit;
using Xunit.Abstractions;
using static SpatialSim.TorchCore.Tests.Fixtures;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// The stated accuracy of the default Sinkhorn distance against the exact W2² of POT's ot.emd2, on near-identical pairs
/// (tests/reference/make_sinkhorn_near_fixtures.py: sub-pixel shifts, small perturbations, noise, sparse replicates and
/// jittered counts, 32² to 256²) and on the distant pairs of make_sinkhorn_fixtures.py: W2² − ε/2 ≤ Distance ≤ W2².
/// </summary>
public class SinkhornAccuracyTests
{
    private readonly ITestOutputHelper _output;
    public SinkhornAccuracyTests(ITestOutputHelper output) => _output = output;

    /// <summary>The Distance may exceed the exact W2² by no more than this share (the stopping tolerance's effect).</summary>
    private const double Excess = 0.002;

    private static double Emd2(string folder, string file) =>
        (double)JsonNode.Parse(File.ReadAllText(Fixtures.PathOf(folder, "reference.json")))![file]!["emd2"]!;

    [Theory]
    [InlineData("sinkhorn/near", "subpixel32.npy")]
    [InlineData("sinkhorn/near", "subpixel48.npy")]
    [InlineData("sinkhorn/near", "subpixel64.npy")]
    [InlineData("sinkhorn/near", "perturbed32.npy")]
    [InlineData("sinkhorn/near", "perturbed48.npy")]
    [InlineData("sinkhorn/near", "noisy32.npy")]
    [InlineData("sinkhorn/near", "noisy48.npy")]
    [InlineData("sinkhorn/near", "replicate32.npy")]
    [InlineData("sinkhorn/near", "replicate48.npy")]
    [InlineData("sinkhorn/near", "replicate128.npy")]
    [InlineData("sinkhorn/near", "replicate256.npy")]
    [InlineData("sinkhorn/near", "jitter48.npy")]
    [InlineData("sinkhorn/near", "jitter128.npy")]
    [InlineData("sinkhorn/near", "blobshift32.npy")]
    [InlineData("sinkhorn", "maps32.npy")]
    [InlineData("sinkhorn", "maps64.npy")]
    [InlineData("sinkhorn", "sparse32.npy")]
    [InlineData("sinkhorn", "sparse128.npy")]
    public void DefaultDistanceIsWithinTheStatedBoundOfExactW2(string folder, string file)
    {
        using var maps = Fixtures.Owned(GeneStack(folder, file));
        double emd2 = Emd2(folder, file);
        var s = SinkhornSimilarity.Compare(maps[0], maps[1], new SinkhornOptions());
        double eps = s.Details!["Epsilon"], d = s.Details["Distance"];
        _output.WriteLine($"{file}: Distance {d:f4} px² at ε {eps} ({s.Details["Iterations"]} iterations), emd2 {emd2:f4}: " +
                          $"short by {emd2 - d:f4} = {(emd2 - d) / eps:f3} ε ({(d - emd2) / emd2:P1})");
        Assert.Null(s.Note);
        Assert.Equal(Math.Max(1, Math.Pow(maps[0].Width / 64.0, 2)), eps);
        Assert.True(d <= emd2 * (1 + Excess), $"{file}: {d} above the exact {emd2}");
        Assert.True(d >= emd2 - SinkhornOptions.ShortfallPerEpsilon * eps, $"{file}: {d} short of the exact {emd2} by more than ε/2 = {eps / 2}");
        if (emd2 >= 25 * eps) Assert.True(Math.Abs(d - emd2) <= 0.02 * emd2, $"{file}: {d} not within 2% of {emd2}");
    }

    /// <summary>
    /// Below 1 px² the grid's discreteness dominates: the shortfall shrinks with ε but no longer as fast (up to about ε
    /// itself; halving ε about halves it), as the documentation says. Cheap cases only: iterations grow like 1/ε.
    /// </summary>
    [Theory]
    [InlineData("subpixel32.npy")]
    [InlineData("noisy32.npy")]
    [InlineData("jitter48.npy")]
    public void AnExplicitSmallerEpsilonComesCloser(string file)
    {
        using var maps = Fixtures.Owned(GeneStack("sinkhorn/near", file));
        double emd2 = Emd2("sinkhorn/near", file);
        double coarse = SinkhornSimilarity.Compare(maps[0], maps[1], new SinkhornOptions()).Details!["Distance"];
        var s = SinkhornSimilarity.Compare(maps[0], maps[1], new SinkhornOptions { Epsilon = 0.25 });
        double fine = s.Details!["Distance"];
        _output.WriteLine($"{file}: emd2 {emd2:f4}; ε 1: {coarse:f4}; ε 0.25: {fine:f4} ({s.Details["Iterations"]} iterations)");
        Assert.Null(s.Note);
        Assert.True(fine > coarse && fine <= emd2 * (1 + Excess), $"{file}: {fine} vs {coarse} at ε 1 and exact {emd2}");
        Assert.True(emd2 - fine <= 0.25, $"{file}: short by {emd2 - fine} at ε 0.25");
        Assert.True(emd2 - fine < 0.8 * (emd2 - coarse), $"{file}: the shortfall {emd2 - fine} did not shrink from {emd2 - coarse}");
    }

    [Fact]
    public void ParametersShowTheEpsilonUsed()
    {
        Assert.Equal("ε=1px² (auto) maxiter=10000 tol=0.0001", new SinkhornOptions().Describe(48, 32));
        Assert.Equal("ε=16px² (auto) maxiter=10000 tol=0.0001", new SinkhornOptions().Describe(200, 256));
        Assert.Equal("ε=auto maxiter=10000 tol=0.0001", new SinkhornOptions().Describe());
        Assert.Equal("ε=0.25px² maxiter=50 tol=1e-06", new SinkhornOptions { Epsilon = 0.25, MaxIterations = 50, Tolerance = 1e-6 }.Describe(48, 48));
        using var maps = Fixtures.Owned(GeneStack("sinkhorn/near", "noisy32.npy"));
        var measured = SimilarityMeasures.Measure(SimilarityMethod.Sinkhorn, maps[0], maps[1], new SimilarityOptions());
        Assert.StartsWith($"ε={measured.Details!["Epsilon"]:g4}px² (auto)", measured.Parameters);
    }
}
