namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// What a measure is, as the dispatch sites, the cmdlets and the help read it (<see cref="ISimilarityMeasure.Facts"/>).
/// </summary>
/// <param name="Summary">One sentence for users: what the score is (the help and about_SpatialSim show it).</param>
public sealed record MeasureFacts(string Summary)
{
    /// <summary>Takes a tissue mask (-Mask, and the automatic tissue mask of the cmdlets); other measures refuse one.</summary>
    public bool TakesMask { get; init; }
    /// <summary>Smooths with a σ the cmdlets choose from the data when -Sigma is not given.</summary>
    public bool AutomaticSigma { get; init; }
    /// <summary>The smallest score (−∞ when unbounded).</summary>
    public double Minimum { get; init; } = double.NegativeInfinity;
    /// <summary>The largest score (+∞ when unbounded).</summary>
    public double Maximum { get; init; } = double.PositiveInfinity;
    /// <summary>The score of a map with itself when it is the same for every gene (1 for correlations, 0 for Sinkhorn), else null.</summary>
    public double? SelfScore { get; init; }
    /// <summary>The all-pairs path the measure has (with the options that allow it, see <see cref="MeasureDescriptor.AllPairsPathFor"/>).</summary>
    public AllPairsPath AllPairs { get; init; } = AllPairsPath.PairByPair;

    /// <summary>Both ends of the score range are finite.</summary>
    public bool Bounded => double.IsFinite(Minimum) && double.IsFinite(Maximum);
    /// <summary>A map scores exactly 1 with itself, and 1 is the largest score.</summary>
    public bool UnitSelfScore => SelfScore == 1.0 && Maximum == 1.0;
}
