using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>The measure parameters shared by Measure-PatternSimilarity and Get-RankedPairs.</summary>
public abstract partial class SimilarityCmdlet : SpatialSimCmdlet
{
    /// <summary>The measure; several give one result per method (Measure-PatternSimilarity) or a consensus ranking (Get-RankedPairs).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public SimilarityMethod[] Method { get; set; } = { SimilarityMethod.SmoothedPearson };

    /// <summary>-Method without repeats, in the order given.</summary>
    protected SimilarityMethod[] Methods => Method.Distinct().ToArray();

    /// <summary>The Gaussian σ in pixels of the method (SmoothedPearson: chosen from the data when absent, see AdaptiveScale; RoiPearson half of it); several σ give one SmoothedPearson score per scale and their mean.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateRange(0.0, 10000.0)]
    public double[]? Sigma { get; set; }

    /// <summary>Tissue mask raster (pixels &gt; 0 are inside): only pixels inside count, and smoothing is normalised by the mask.</summary>
    [Parameter]
    public GeneRaster? Mask { get; set; }

    /// <summary>Compute the measure on this many levels of a Gaussian pyramid and average them (1 = off).</summary>
    [Parameter]
    [ValidateRange(1, 16)]
    public int Pyramid { get; set; } = SimilarityOptions.DefaultPyramid;

    /// <summary>RoiPearson: how each gene's peak region is cut from its smoothed map (Otsu, or a Quantile of the non-zero values).</summary>
    [Parameter]
    public RoiThreshold Threshold { get; set; } = RoiPearsonOptions.DefaultThreshold;

    /// <summary>RoiPearson with -Threshold Quantile: the quantile.</summary>
    [Parameter]
    [ValidateRange(0.0, 0.999999)]
    public double Quantile { get; set; } = RoiPearsonOptions.DefaultQuantile;

    /// <summary>Lbp: sampling points P on the circle.</summary>
    [Parameter]
    [ValidateRange(1, 31)]
    public int Points { get; set; } = LbpOptions.DefaultPoints;

    /// <summary>Lbp: circle radius R in pixels.</summary>
    [Parameter]
    [ValidateRange(0.01, 256.0)]
    public double Radius { get; set; } = LbpOptions.DefaultRadius;

    /// <summary>Lbp: code type (Default, Ror, Uniform, Var).</summary>
    [Parameter]
    public LbpMethod LbpMethod { get; set; } = LbpOptions.DefaultMethod;

    /// <summary>Lbp: tiles per axis; histograms are compared tile by tile.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int Tiles { get; set; } = LbpOptions.DefaultTiles;

    /// <summary>LeeL and MoranBV: spatial weights between pixels (Queen, Rook, or Gaussian with -Sigma).</summary>
    [Parameter]
    public SpatialWeights Weights { get; set; } = SpatialLagOptions.DefaultWeights;

    /// <summary>Ssim: which part of SSIM is averaged (Full, Structure, ContrastStructure).</summary>
    [Parameter]
    public SsimComponent Component { get; set; } = SsimOptions.DefaultComponent;

    /// <summary>Ssim and MsSsim: how each map is normalised first (Max: divided by its maximum, data range 1; MeanStd: z-scored).</summary>
    [Parameter]
    public SsimNormalization Normalization { get; set; } = SsimOptions.DefaultNormalization;

    /// <summary>MsSsim: number of scales (1-5).</summary>
    [Parameter]
    [ValidateRange(1, MsSsimSimilarity.MaxScales)]
    public int Scales { get; set; } = MsSsimOptions.DefaultScales;

    /// <summary>DenseSift: SIFT bin sizes in pixels, one descriptor scale each.</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int[] BinSizes { get; set; } = DenseSiftOptions.DefaultBinSizes;

    /// <summary>DenseSift: each scale is smoothed with σ = bin size / Magnif.</summary>
    [Parameter]
    [ValidateRange(0.01, 1000.0)]
    public double Magnif { get; set; } = DenseSiftOptions.DefaultMagnif;

    /// <summary>DenseSift: spacing of the descriptor grid in pixels.</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int Step { get; set; } = DenseSiftOptions.DefaultStep;

    /// <summary>Keypoints: matched keypoints count when their positions differ by at most this many pixels.</summary>
    [Parameter]
    [ValidateRange(0.0, 100000.0)]
    public double MaxShift { get; set; } = KeypointsOptions.DefaultMaxShift;

    /// <summary>Keypoints: Lowe's ratio test threshold.</summary>
    [Parameter]
    [ValidateRange(0.01, 1.0)]
    public double Ratio { get; set; } = KeypointsOptions.DefaultRatio;

    /// <summary>Sinkhorn: entropic regularisation ε in pixels² (default automatic, max(1, (L/64)²) for a longer side of L pixels).</summary>
    [Parameter]
    [ValidateRange(1e-6, 1e12)]
    public double Epsilon { get; set; } = SinkhornOptions.DefaultEpsilon;

    /// <summary>Sinkhorn: most iterations at the target ε.</summary>
    [Parameter]
    [ValidateRange(1, 10000000)]
    public int MaxIterations { get; set; } = SinkhornOptions.DefaultMaxIterations;

    /// <summary>Sinkhorn: stop when the 2-norm of the marginal error is below this.</summary>
    [Parameter]
    [ValidateRange(1e-12, 1.0)]
    public double Tolerance { get; set; } = SinkhornOptions.DefaultTolerance;

    protected SimilarityOptions Options
    {
        get
        {
            var defaults = new SimilarityOptions();
            return new SimilarityOptions
            {
                Sigmas = Sigma ?? defaults.Sigmas,
                Mask = Mask,
                Pyramid = Pyramid,
                RoiPearson = new RoiPearsonOptions { Sigma = Sigma?[0] ?? defaults.RoiPearson.Sigma, Threshold = Threshold, Quantile = Quantile },
                Lbp = new LbpOptions { Points = Points, Radius = Radius, Method = LbpMethod, Tiles = Tiles },
                LeeL = new LeeLOptions { Weights = Weights, Sigma = Sigma?[0] ?? defaults.LeeL.Sigma },
                MoranBV = new MoranBVOptions { Weights = Weights, Sigma = Sigma?[0] ?? defaults.MoranBV.Sigma },
                JensenShannon = new JensenShannonOptions { Sigma = Sigma?[0] ?? defaults.JensenShannon.Sigma },
                Ssim = new SsimOptions { Sigma = Sigma?[0] ?? defaults.Ssim.Sigma, Component = Component, Normalization = Normalization },
                MsSsim = new MsSsimOptions { Sigma = Sigma?[0] ?? defaults.MsSsim.Sigma, Scales = Scales, Normalization = Normalization },
                DenseSift = new DenseSiftOptions { BinSizes = BinSizes, Magnif = Magnif, Step = Step },
                Keypoints = new KeypointsOptions { MaxShift = MaxShift, Ratio = Ratio },
                Sinkhorn = new SinkhornOptions { Epsilon = Epsilon, MaxIterations = MaxIterations, Tolerance = Tolerance },
            };
        }
    }
}
