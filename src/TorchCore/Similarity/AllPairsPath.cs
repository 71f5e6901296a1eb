namespace SpatialSim.TorchCore.Similarity;

/// <summary>How a measure computes the scores of all gene pairs (read by <see cref="Ranking.AllPairsSimilarity"/>).</summary>
public enum AllPairsPath
{
    /// <summary>Every pair compared from the two rasters.</summary>
    PairByPair,
    /// <summary>
    /// One Gram matrix of the genes' (smoothed) maps, centred and scaled to unit norm, masked or not
    /// (<see cref="Ranking.CorrelationGram"/>): the Pearson family with one σ.
    /// </summary>
    CorrelationGram,
    /// <summary>Each gene prepared once, then only the pair term per pair (<see cref="Ranking.PreparedAllPairs"/>).</summary>
    Prepared,
    /// <summary>Lee's L: the Gram matrix Lag(Z)·Lag(Z)ᵀ of the genes' standardised, spatially lagged maps.</summary>
    LagGram,
    /// <summary>Bivariate Moran's I: the symmetrised product (Z·Lag(Z)ᵀ + Lag(Z)·Zᵀ)/2.</summary>
    CrossLagGram,
}
