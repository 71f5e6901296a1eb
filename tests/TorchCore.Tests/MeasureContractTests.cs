using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;
using Xunit;
using static SpatialSim.TorchCore.Tests.Fixtures;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// The contract every measure keeps, stated once over every <see cref="SimilarityMethod"/> (as tests/Pester/Measures.Tests.ps1
/// does for the cmdlets): registered with facts that hold; symmetric; scale invariant; the identical pair best (and equal
/// to the self score the facts promise); a shifted copy between identical and unrelated; scores in the facts' range;
/// NaN naming the gene for an empty or constant gene; the prepared form equal to the pair form; a mask refused unless taken.
/// The measure classes test what is their own (reference values, options, details).
/// </summary>
public sealed class MeasureContractTests
{
    private const int W = 64, H = 64;

    public static TheoryData<SimilarityMethod> Methods() => new(Enum.GetValues<SimilarityMethod>());

    /// <summary>Options that suit the 64² canvas (five MS-SSIM scales need 161 pixels a side) and tight Sinkhorn convergence.</summary>
    private static SimilarityOptions OptionsFor(SimilarityMethod method) => method switch
    {
        SimilarityMethod.MsSsim => new SimilarityOptions { MsSsim = new MsSsimOptions { Scales = 3 } },
        SimilarityMethod.Sinkhorn => new SimilarityOptions { Sinkhorn = new SinkhornOptions { Epsilon = 1, Tolerance = 1e-8, MaxIterations = 100000 } },
        _ => new SimilarityOptions(),
    };

    /// <summary>
    /// The settings the score clauses run with: each measure's defaults, and the options that change what a measure computes
    /// (smoothing on, other spatial weights, other LBP codes, the quantile threshold, other SSIM terms and normalisation), so
    /// the measure classes need no copy of the contract for them.
    /// </summary>
    private static readonly Dictionary<(SimilarityMethod, string), Func<SimilarityOptions, SimilarityOptions>> Variants = new()
    {
        [(SimilarityMethod.JensenShannon, "Sigma 1.5")] = o => o with { JensenShannon = new JensenShannonOptions { Sigma = 1.5 } },
        [(SimilarityMethod.LeeL, "Rook")] = o => o with { LeeL = new LeeLOptions { Weights = SpatialWeights.Rook } },
        [(SimilarityMethod.LeeL, "Gaussian")] = o => o with { LeeL = new LeeLOptions { Weights = SpatialWeights.Gaussian } },
        [(SimilarityMethod.MoranBV, "Rook")] = o => o with { MoranBV = new MoranBVOptions { Weights = SpatialWeights.Rook } },
        [(SimilarityMethod.MoranBV, "Gaussian")] = o => o with { MoranBV = new MoranBVOptions { Weights = SpatialWeights.Gaussian } },
        [(SimilarityMethod.Lbp, "Var")] = o => o with { Lbp = new LbpOptions { Method = LbpMethod.Var } },
        [(SimilarityMethod.Lbp, "Var unweighted")] = o => o with { Lbp = new LbpOptions { Method = LbpMethod.Var, WeightByExpression = false } },
        [(SimilarityMethod.Lbp, "Ror 8 points radius 2")] = o => o with { Lbp = new LbpOptions { Method = LbpMethod.Ror, Points = 8, Radius = 2 } },
        [(SimilarityMethod.RoiPearson, "Quantile")] = o => o with { RoiPearson = new RoiPearsonOptions { Threshold = RoiThreshold.Quantile } },
        [(SimilarityMethod.Ssim, "MeanStd")] = o => o with { Ssim = new SsimOptions { Normalization = SsimNormalization.MeanStd } },
        [(SimilarityMethod.Ssim, "Structure")] = o => o with { Ssim = new SsimOptions { Component = SsimComponent.Structure } },
        [(SimilarityMethod.Ssim, "ContrastStructure MeanStd")] = o => o with { Ssim = new SsimOptions { Component = SsimComponent.ContrastStructure, Normalization = SsimNormalization.MeanStd } },
    };

    private const string Defaults = "defaults";

    /// <summary>Every measure with its defaults, then every variant.</summary>
    public static TheoryData<SimilarityMethod, string> Settings()
    {
        var data = new TheoryData<SimilarityMethod, string>();
        foreach (var method in Enum.GetValues<SimilarityMethod>()) data.Add(method, Defaults);
        foreach (var (method, setting) in Variants.Keys) data.Add(method, setting);
        return data;
    }

    private static SimilarityOptions OptionsFor(SimilarityMethod method, string setting) =>
        setting == Defaults ? OptionsFor(method) : Variants[(method, setting)](OptionsFor(method));

    /// <summary>Relative tolerance of symmetry: LBP's histograms are exact, the rank and distribution measures nearly so;
    /// Sinkhorn's a–b and b–a problems stop at different iterates.</summary>
    private static double SymmetryTolerance(SimilarityMethod method) => method switch
    {
        SimilarityMethod.Lbp => 0,
        SimilarityMethod.Spearman or SimilarityMethod.JensenShannon => 1e-14,
        SimilarityMethod.Sinkhorn => 1e-6,
        _ => 1e-13,
    };

    /// <summary>
    /// Relative tolerance of scale invariance: 37.5·x rounds each pixel in float32, and the measures that smooth or normalise
    /// in float32 see that rounding; ranks, codes, keypoints and max-normalised maps do not.
    /// </summary>
    private static double ScaleTolerance(SimilarityMethod method, string setting) => (method, setting) switch
    {
        (SimilarityMethod.JensenShannon, not Defaults) => 1e-7, // smoothed in float32
        _ => ScaleTolerance(method),
    };

    private static double ScaleTolerance(SimilarityMethod method) => method switch
    {
        SimilarityMethod.Spearman => 1e-14,
        SimilarityMethod.Lbp or SimilarityMethod.Keypoints or SimilarityMethod.RoiPearson or SimilarityMethod.JensenShannon => 1e-12,
        SimilarityMethod.Pearson or SimilarityMethod.SmoothedPearson or SimilarityMethod.LeeL or SimilarityMethod.MoranBV => 1e-9,
        SimilarityMethod.Sinkhorn => 1e-5,
        _ => 1e-6,
    };

    /// <summary>How exactly a map scores the promised self score: LBP's exactly, the distributions' to float64 round-off;
    /// DenseSift's unit descriptors are float32 (cosine 1 − 1e-10).</summary>
    private static double SelfTolerance(SimilarityMethod method) => method switch
    {
        SimilarityMethod.Lbp => 0,
        SimilarityMethod.JensenShannon => 5e-15,
        SimilarityMethod.DenseSift => 5e-7,
        _ => 5e-13,
    };

    /// <summary>
    /// Scores may pass a range end by float rounding (SSIM of x and 37.5·x: 1 + 4e-9, from the float32 rounding of 37.5·x).
    /// </summary>
    private const double RangeRounding = 1e-7;

    /// <summary>
    /// Several Gaussian blobs: A; B shares two of A's blobs and has two of its own; C is A shifted by (3, 2) pixels;
    /// D is unrelated (blobs elsewhere).
    /// </summary>
    private static ContractGenes Genes()
    {
        var a = new (double Y, double X, double R)[] { (14, 12, 3), (20, 44, 4), (44, 18, 3.5), (48, 50, 2.5), (32, 32, 2) };
        var b = new (double Y, double X, double R)[] { (14, 12, 3), (20, 44, 4), (40, 40, 3), (54, 8, 3) };
        var d = new (double Y, double X, double R)[] { (8, 30, 3), (30, 8, 2.5), (56, 34, 4), (36, 56, 3) };
        GeneRaster Make(string name, (double Y, double X, double R)[] blobs, int dy = 0, int dx = 0)
        {
            var px = new float[W * H];
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    double v = blobs.Sum(s => 12 * Math.Exp(-((y - dy - s.Y) * (y - dy - s.Y) + (x - dx - s.X) * (x - dx - s.X)) / (2 * s.R * s.R)));
                    px[y * W + x] = (float)Math.Round(v + ((x * 7 + y * 13) % 11 == 0 ? 1 : 0));
                }
            return Raster(name, W, H, px);
        }
        return new ContractGenes(Make("A", a), Make("B", b), Make("C", a, 3, 2), Make("D", d));
    }

    /// <summary>The four maps, disposed together (<c>using var genes = Genes()</c>), so a failing assert does not leak them.</summary>
    private sealed record ContractGenes(GeneRaster A, GeneRaster B, GeneRaster C, GeneRaster D) : IDisposable
    {
        public void Dispose()
        {
            A.Dispose(); B.Dispose(); C.Dispose(); D.Dispose();
        }
    }

    private static double Score(SimilarityMethod m, GeneRaster x, GeneRaster y, SimilarityOptions o) => SimilarityMeasures.Compare(m, x, y, o).Score;

    private static void Near(double expected, double actual, double relative, string what) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(1, Math.Abs(expected)), $"{what}: {actual} vs {expected}");

    [Theory]
    [MemberData(nameof(Methods))]
    public void IsRegisteredWithItsFacts(SimilarityMethod method)
    {
        var measure = SimilarityMeasures.For(method);
        Assert.Equal(method, measure.Method);
        Assert.Equal(method.ToString(), measure.Name);
        Assert.False(string.IsNullOrWhiteSpace(measure.Facts.Summary));
        // The README's table and about_SpatialSim's list are generated from these (build/Update-MeasureDocs.ps1).
        Assert.False(string.IsNullOrWhiteSpace(measure.Facts.Guidance));
        Assert.False(string.IsNullOrWhiteSpace(measure.Facts.CheckedAgainst));
        Assert.NotEmpty(measure.Facts.References);
        foreach (var reference in measure.Facts.References)
        {
            Assert.Matches(@"^(doi:10\.\d{4,9}/\S+|arXiv:\d{4}\.\d{4,5})$", reference.Id);
            Assert.Matches(@"^\S.* \(\d{4}\)\. ", reference.Citation);
            Assert.StartsWith("https://", reference.Url);
        }
        Assert.True(measure.Facts.Minimum < measure.Facts.Maximum);
        if (measure.Facts.SelfScore is double self) Assert.Equal(measure.Facts.Maximum, self);
        Assert.NotNull(measure.Describe(new SimilarityOptions()));
        Assert.Equal(measure.Facts.AllPairs, measure.AllPairsPathFor(OptionsFor(method)));
        Assert.Equal(AllPairsPath.PairByPair, measure.AllPairsPathFor(OptionsFor(method) with { Pyramid = 2 }));
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void IsSymmetricAndScaleInvariant(SimilarityMethod method, string setting)
    {
        using var genes = Genes();
        var (a, b, _, d) = genes;
        var o = OptionsFor(method, setting);
        foreach (var other in new[] { b, d })
        {
            double ab = Score(method, a, other, o);
            Assert.False(double.IsNaN(ab), $"{method} A×{other.Gene}");
            Near(ab, Score(method, other, a, o), SymmetryTolerance(method), $"{method} ({setting}) symmetry with {other.Gene}");
            using var scaled = Scaled(a, 37.5f);
            Near(ab, Score(method, scaled, other, o), ScaleTolerance(method, setting), $"{method} ({setting}) 37.5·A against {other.Gene}");
        }
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void ScoresTheIdenticalPairBest_AShiftedCopyBetween_WithinItsRange(SimilarityMethod method, string setting)
    {
        using var genes = Genes();
        var (a, b, c, d) = genes;
        var o = OptionsFor(method, setting);
        var facts = SimilarityMeasures.For(method).Facts;
        double self = Score(method, a, a, o), shared = Score(method, a, b, o), shifted = Score(method, a, c, o), unrelated = Score(method, a, d, o);
        using var scaled = Scaled(a, 37.5f);
        double selfScaled = Score(method, a, scaled, o);
        if (facts.SelfScore is double promised)
        {
            Near(promised, self, SelfTolerance(method), $"{method} ({setting}) A×A");
            Near(promised, selfScaled, ScaleTolerance(method, setting), $"{method} ({setting}) A×37.5·A");
        }
        Assert.True(self >= shared && self >= shifted && self >= unrelated, $"{method} ({setting}): identical {self}, shared {shared}, shifted {shifted}, unrelated {unrelated}");
        // Keypoints is a step function of the shift by design (a match counts within MaxShift or not at all).
        if (method != SimilarityMethod.Keypoints)
            Assert.True(self > shifted && shifted > unrelated, $"{method} ({setting}): identical {self}, shifted {shifted}, unrelated {unrelated}");
        foreach (double s in new[] { self, shared, shifted, unrelated, selfScaled })
            Assert.InRange(s, facts.Minimum - RangeRounding, facts.Maximum + RangeRounding);
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void IsUndefinedForAnEmptyOrConstantGene_NamingIt(SimilarityMethod method, string setting)
    {
        using var genes = Genes();
        var (a, _, _, _) = genes;
        var o = OptionsFor(method, setting);
        using var empty = Constant("Empty", W, H, 0);
        using var flat = Constant("Flat", W, H, 3);
        foreach (var bad in new[] { empty, flat })
            foreach (var (x, y) in new[] { (a, bad), (bad, a), (bad, bad) })
            {
                var s = SimilarityMeasures.Compare(method, x, y, o);
                Assert.True(double.IsNaN(s.Score), $"{method} ({setting}) {x.Gene}×{y.Gene}: {s.Score}");
                Assert.Contains($"'{bad.Gene}'", s.Note);
            }
        using var small = Constant("Small", 3, 3, 1);
        Assert.Equal(ErrorKind.Mismatch, Assert.Throws<SpatialSimException>(() => SimilarityMeasures.Compare(method, a, small, o)).Kind);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void ItsPreparedFormGivesThePairScores(SimilarityMethod method)
    {
        var measure = SimilarityMeasures.For(method);
        if (!measure.CanPrepare) return;
        using var genes = Genes();
        var (a, b, _, d) = genes;
        var o = OptionsFor(method);
        using var empty = Constant("Empty", W, H, 0);
        using var pa = measure.Prepare(a, o);
        using var pb = measure.Prepare(b, o);
        using var pd = measure.Prepare(d, o);
        using var pe = measure.Prepare(empty, o);
        Assert.Null(pa.Undefined);
        Assert.Contains("'Empty'", pe.Undefined);
        Assert.Equal((a.Gene, a.Width, a.Height), (pa.Gene, pa.Width, pa.Height));
        Near(Score(method, a, b, o), measure.Compare(pa, pb, o).Score, 1e-6, $"{method} prepared A×B");
        Near(Score(method, a, d, o), measure.Compare(pa, pd, o).Score, 1e-6, $"{method} prepared A×D");
        Assert.True(double.IsNaN(measure.Compare(pa, pe, o).Score));
        Assert.True(measure.PreparedBytes(W, H, o) >= W * H);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void TakesAMaskOnlyWhenItsFactsSaySo(SimilarityMethod method)
    {
        using var genes = Genes();
        var (a, b, _, _) = genes;
        using var mask = Raster("tissue", W, H, Enumerable.Range(0, W * H).Select(i => i % W < 48 ? 1f : 0f).ToArray());
        var o = OptionsFor(method) with { Mask = mask };
        if (SimilarityMeasures.For(method).Facts.TakesMask)
        {
            double s = Score(method, a, b, o);
            Assert.False(double.IsNaN(s));
            Assert.NotEqual(Score(method, a, b, OptionsFor(method)), s);
        }
        else
            Assert.Equal(ErrorKind.NotSupported, Assert.Throws<SpatialSimException>(() => Score(method, a, b, o)).Kind);
    }

    [Fact]
    public void AllPairsEqualPairByPair_ForEveryMeasure()
    {
        using var contract = Genes();
        var (a, b, c, d) = contract;
        var genes = new[] { a, b, c, d };
        foreach (var method in Enum.GetValues<SimilarityMethod>())
        {
            var o = OptionsFor(method);
            var matrix = AllPairsSimilarity.Compute(genes, method, o);
            for (int i = 0; i < genes.Length; i++)
                for (int j = i + 1; j < genes.Length; j++)
                    Near(Score(method, genes[i], genes[j], o), matrix[i, j], 1e-5, $"{method} {genes[i].Gene}×{genes[j].Gene}");
        }
    }
}
