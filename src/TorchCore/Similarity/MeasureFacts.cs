namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// What a measure is, as the dispatch sites, the cmdlets and the help read it (<see cref="ISimilarityMeasure.Facts"/>); the
/// README's measure table and about_SpatialSim's measure list are generated from it (build/Update-MeasureDocs.ps1).
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

    /// <summary>The measure's own cmdlet parameters with their defaults (read from the options' constants), e.g. "-Sigma 1.5".</summary>
    public string Parameters { get; init; } = "";
    /// <summary>What users should know to use the measure well: how it is computed, what it is good at, its caveats (one paragraph;
    /// about_SpatialSim shows it).</summary>
    public string Guidance { get; init; } = "";
    /// <summary>The reference implementation the tests compare the measure with (tests/reference/).</summary>
    public string CheckedAgainst { get; init; } = "";
    /// <summary>The papers the measure follows, with DOI (or arXiv id).</summary>
    public IReadOnlyList<MeasureReference> References { get; init; } = Array.Empty<MeasureReference>();

    /// <summary>Both ends of the score range are finite.</summary>
    public bool Bounded => double.IsFinite(Minimum) && double.IsFinite(Maximum);
    /// <summary>A map scores exactly 1 with itself, and 1 is the largest score.</summary>
    public bool UnitSelfScore => SelfScore == 1.0 && Maximum == 1.0;
}
