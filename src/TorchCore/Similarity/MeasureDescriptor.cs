namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// One measure as the dispatch sites use it: the static members of its <see cref="ISimilarityMeasure"/> class, callable
/// by <see cref="SimilarityMethod"/> (get one from <see cref="SimilarityMeasures.For"/>).
/// </summary>
public sealed class MeasureDescriptor
{
    private readonly Func<SimilarityOptions, int, int, string> _describe;
    private readonly Func<SimilarityOptions, double> _scale;
    private readonly Func<GeneRaster, GeneRaster, SimilarityOptions, SimilarityScore> _compare;
    private readonly Action<SimilarityOptions> _check;
    private readonly Func<SimilarityOptions, IReadOnlyList<double>?> _correlationSigmas;
    private readonly Func<GeneRaster, SimilarityOptions, IPreparedGene>? _prepare;
    private readonly Func<IPreparedGene, IPreparedGene, SimilarityOptions, SimilarityScore>? _comparePrepared;
    private readonly Func<int, int, SimilarityOptions, long>? _preparedBytes;

    private MeasureDescriptor(Type type, SimilarityMethod method, MeasureFacts facts, Func<SimilarityOptions, int, int, string> describe,
        Func<SimilarityOptions, double> scale, Func<GeneRaster, GeneRaster, SimilarityOptions, SimilarityScore> compare,
        Action<SimilarityOptions> check, Func<SimilarityOptions, IReadOnlyList<double>?> correlationSigmas,
        Func<GeneRaster, SimilarityOptions, IPreparedGene>? prepare = null,
        Func<IPreparedGene, IPreparedGene, SimilarityOptions, SimilarityScore>? comparePrepared = null,
        Func<int, int, SimilarityOptions, long>? preparedBytes = null)
    {
        Type = type; Method = method; Facts = facts;
        _describe = describe; _scale = scale; _compare = compare; _check = check; _correlationSigmas = correlationSigmas;
        _prepare = prepare; _comparePrepared = comparePrepared; _preparedBytes = preparedBytes;
        if (prepare is null && facts.AllPairs is AllPairsPath.Prepared or AllPairsPath.LagGram or AllPairsPath.CrossLagGram)
            throw new InvalidOperationException($"{type.Name} declares the {facts.AllPairs} all-pairs path but does not implement IPreparedMeasure.");
        if (facts.AllPairs == AllPairsPath.CorrelationGram && correlationSigmas(new SimilarityOptions()) is null)
            throw new InvalidOperationException($"{type.Name} declares the correlation Gram path but has no correlation σ.");
    }

    /// <summary>The class that implements the measure.</summary>
    public Type Type { get; }
    public SimilarityMethod Method { get; }
    public string Name => Method.ToString();
    public MeasureFacts Facts { get; }
    /// <summary>Whether the measure can prepare each gene once (<see cref="Prepare"/>).</summary>
    public bool CanPrepare => _prepare is not null;

    internal static MeasureDescriptor Create<T>() where T : ISimilarityMeasure =>
        new(typeof(T), T.Method, T.Facts, (o, h, w) => T.DescribeOnCanvas(o, h, w) ?? T.Describe(o), T.Scale, T.Compare, T.Check, T.CorrelationSigmas);

    internal static MeasureDescriptor CreatePrepared<T, TPrepared>() where T : IPreparedMeasure<TPrepared> where TPrepared : IPreparedGene =>
        new(typeof(T), T.Method, T.Facts, (o, h, w) => T.DescribeOnCanvas(o, h, w) ?? T.Describe(o), T.Scale, T.Compare, T.Check, T.CorrelationSigmas,
            (g, o) => T.Prepare(g, o),
            (a, b, o) => T.Compare(Cast<TPrepared>(a), Cast<TPrepared>(b), o),
            T.PreparedBytes);

    private static TPrepared Cast<TPrepared>(IPreparedGene g) => g is TPrepared p ? p
        : throw new SpatialSimException(ErrorKind.InvalidArgument, $"Gene '{g.Gene}' was prepared for another measure ({g.GetType().Name}, not {typeof(TPrepared).Name}).");

    /// <summary>The measure's parameters as shown on output objects, without mask and pyramid; a canvas of
    /// <paramref name="height"/> × <paramref name="width"/> pixels (0 × 0: unknown) resolves automatic values (Sinkhorn's ε).</summary>
    public string Describe(SimilarityOptions options, int height = 0, int width = 0) => _describe(options, height, width);

    /// <summary>The largest smoothing or window scale in pixels at pyramid level 0 (times 2^(levels−1) with -Pyramid).</summary>
    public double Scale(SimilarityOptions options) => _scale(options) * (1 << Math.Max(0, options.Pyramid - 1));

    /// <summary>The σ of the Pearson family's maps (0 = unsmoothed); null for other measures.</summary>
    public IReadOnlyList<double>? CorrelationSigmas(SimilarityOptions options) => _correlationSigmas(options);

    /// <summary>Refuses options the measure cannot honour: the measure's own rules, then a mask for a measure that takes none.</summary>
    public void Check(SimilarityOptions options)
    {
        _check(options);
        if (options.Mask is not null && !Facts.TakesMask)
            throw new SpatialSimException(ErrorKind.NotSupported,
                $"-Mask is not supported by {Name}; it works with {string.Join(" and ", SimilarityMeasures.All.Where(m => m.Facts.TakesMask).Select(m => m.Name))}.");
    }

    /// <summary>Two rasters compared once at one level (no pyramid; see <see cref="SimilarityMeasures.Compare"/> for the checked entry).</summary>
    public SimilarityScore Compare(GeneRaster a, GeneRaster b, SimilarityOptions options) => _compare(a, b, options);

    /// <summary>One gene prepared (see <see cref="IPreparedMeasure{TPrepared}.Prepare"/>); the caller disposes it.</summary>
    public IPreparedGene Prepare(GeneRaster gene, SimilarityOptions options) =>
        (_prepare ?? throw new SpatialSimException(ErrorKind.NotSupported, $"{Name} has no per-gene preparation."))(gene, options);

    /// <summary>Two genes prepared by this measure with the same options, compared.</summary>
    public SimilarityScore Compare(IPreparedGene a, IPreparedGene b, SimilarityOptions options) =>
        (_comparePrepared ?? throw new SpatialSimException(ErrorKind.NotSupported, $"{Name} has no per-gene preparation."))(a, b, options);

    /// <summary>Bytes one prepared gene holds (0 for a measure without preparation).</summary>
    public long PreparedBytes(int width, int height, SimilarityOptions options) => _preparedBytes?.Invoke(width, height, options) ?? 0;

    /// <summary>
    /// The all-pairs path these options allow: <see cref="MeasureFacts.AllPairs"/>, except pair by pair with -Pyramid, with
    /// several σ on the correlation Gram path, and with a mask on the prepared paths (whose measures refuse a mask).
    /// </summary>
    public AllPairsPath AllPairsPathFor(SimilarityOptions options)
    {
        if (options.Pyramid > 1) return AllPairsPath.PairByPair;
        return Facts.AllPairs switch
        {
            AllPairsPath.CorrelationGram => CorrelationSigmas(options)?.Count == 1 ? AllPairsPath.CorrelationGram : AllPairsPath.PairByPair,
            AllPairsPath.Prepared or AllPairsPath.LagGram or AllPairsPath.CrossLagGram => options.Mask is null ? Facts.AllPairs : AllPairsPath.PairByPair,
            _ => AllPairsPath.PairByPair,
        };
    }

    public override string ToString() => Name;
}
