namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// A similarity measure, in one place: its facts, how its parameters are shown, how it compares two rasters and which
/// all-pairs path it has. Every dispatch site reads it through <see cref="SimilarityMeasures.For"/> (the registry finds
/// the implementing types), so adding a measure is one <see cref="SimilarityMethod"/> member and one class.
/// </summary>
public interface ISimilarityMeasure
{
    /// <summary>The -Method name of the measure.</summary>
    static abstract SimilarityMethod Method { get; }
    static abstract MeasureFacts Facts { get; }

    /// <summary>The measure's own parameters as shown on output objects (mask and pyramid are added by <see cref="SimilarityOptions.Describe"/>).</summary>
    static abstract string Describe(SimilarityOptions options);

    /// <summary>The same on a canvas of <paramref name="height"/> × <paramref name="width"/> pixels (0 × 0 when unknown), for a measure
    /// that resolves an automatic parameter from the canvas (Sinkhorn's ε); null (the default) uses <see cref="Describe"/>.</summary>
    static virtual string? DescribeOnCanvas(SimilarityOptions options, int height, int width) => null;

    /// <summary>The largest smoothing or window scale in pixels: the distance over which the measure makes pixels dependent (0 for none).</summary>
    static abstract double Scale(SimilarityOptions options);

    /// <summary>Two rasters of one canvas compared once (options already checked by <see cref="Check"/>).</summary>
    static abstract SimilarityScore Compare(GeneRaster a, GeneRaster b, SimilarityOptions options);

    /// <summary>Refuses options the measure cannot honour, with a message saying what to do (default: nothing to refuse;
    /// a mask is refused for every measure that does not take one).</summary>
    static virtual void Check(SimilarityOptions options) { }

    /// <summary>For the Pearson family (a correlation of maps smoothed with these σ, 0 = none): the σ; null for other measures.
    /// Such measures get the Gram all-pairs path and the FFT path of the shift test.</summary>
    static virtual IReadOnlyList<double>? CorrelationSigmas(SimilarityOptions options) => null;
}

/// <summary>A measure whose per-gene work can be done once (<see cref="AllPairsPath.Prepared"/> and the lag Gram paths).</summary>
/// <typeparam name="TPrepared">The prepared gene, named <c>&lt;Measure&gt;Prepared</c>.</typeparam>
public interface IPreparedMeasure<TPrepared> : ISimilarityMeasure where TPrepared : IPreparedGene
{
    /// <summary>One gene made ready for any number of comparisons; a gene the measure is undefined for is prepared with
    /// <see cref="IPreparedGene.Undefined"/> set. The caller disposes it.</summary>
    static abstract TPrepared Prepare(GeneRaster gene, SimilarityOptions options);

    /// <summary>Two prepared genes compared (same options, same canvas): the score <see cref="ISimilarityMeasure.Compare"/> gives.</summary>
    static abstract SimilarityScore Compare(TPrepared a, TPrepared b, SimilarityOptions options);

    /// <summary>Bytes one prepared gene of a <paramref name="width"/> × <paramref name="height"/> canvas holds (the all-pairs memory budget).</summary>
    static abstract long PreparedBytes(int width, int height, SimilarityOptions options);
}
