using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>The measure parameters shared by Measure-PatternSimilarity and Get-RankedPairs.</summary>
public abstract class SimilarityCmdlet : SpatialSimCmdlet
{
    [Parameter]
    public SimilarityMethod Method { get; set; } = SimilarityMethod.SmoothedPearson;

    /// <summary>Gaussian σ in pixels for the smoothed measures (default 4); several σ give one score per scale and their mean.</summary>
    [Parameter]
    [ValidateRange(0.0, 10000.0)]
    public double[] Sigma { get; set; } = { SmoothedPearsonSimilarity.DefaultSigma };

    /// <summary>Tissue mask raster (pixels &gt; 0 are inside): only pixels inside count, and smoothing is normalised by the mask.</summary>
    [Parameter]
    public GeneRaster? Mask { get; set; }

    /// <summary>Compute the measure on this many levels of a Gaussian pyramid and average them (1 = off).</summary>
    [Parameter]
    [ValidateRange(1, 16)]
    public int Pyramid { get; set; } = 1;

    protected SimilarityOptions Options => new() { Sigmas = Sigma, Mask = Mask, Pyramid = Pyramid };
}
