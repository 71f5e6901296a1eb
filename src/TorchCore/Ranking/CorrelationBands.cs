using SpatialSim.TorchCore.Smoothing;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>How a correlation matrix is streamed in bands of rows (<see cref="CorrelationBands"/>): the numbers -Verbose reports.</summary>
/// <param name="Genes">Genes (n).</param>
/// <param name="RowStart">First row streamed (a multiple of 128).</param>
/// <param name="RowEnd">End of the rows streamed.</param>
/// <param name="Bands">The bands [Start, End) of rows, each one pass over the canvas.</param>
/// <param name="Strips">The strip plan every band uses.</param>
/// <param name="BandBytes">Memory of the largest band (<see cref="CorrelationBands.BytesPerCell"/> per cell).</param>
/// <param name="ReservedBytes">Memory set aside for what consumes the bands (kept pairs, p-values).</param>
/// <param name="BudgetBytes">The budget it was planned for.</param>
public sealed record BandPlan(int Genes, int RowStart, int RowEnd, IReadOnlyList<(int Start, int End)> Bands, GramPlan Strips,
    long BandBytes, long ReservedBytes, long BudgetBytes)
{
    public long HeldBytes => BandBytes + ReservedBytes + Strips.WorkingBytes;

    public string Describe() =>
        $"{Bands.Count} band(s) of rows ({(Bands.Count == 1 ? $"{Bands[0].End - Bands[0].Start} rows" : $"{Bands.Min(b => b.End - b.Start)}–{Bands.Max(b => b.End - b.Start)} rows")}, " +
        $"each one pass over the canvas) holding at most {CorrelationGram.Gb(BandBytes)} of scores; {CorrelationGram.Gb(ReservedBytes)} held beside them (pairs kept, p-values or distances); " +
        $"{CorrelationGram.Gb(Strips.WorkingBytes)} for the canvas strips ({Strips.Strips} of {Strips.StripRows} rows). In all about {CorrelationGram.Gb(HeldBytes)} of the {CorrelationGram.Gb(BudgetBytes)} budget.";
}

/// <summary>
/// The (smoothed) Pearson matrix of many genes streamed in bands of rows, each band one pass over the canvas
/// (<see cref="CorrelationGram.ComputeBand"/>), so that memory holds one band — never the G × G matrix — and what
/// consumes the bands (a top-k selection, a matrix file, p-values) sees every pair once. The bands are as tall as the
/// memory budget allows: with room for the whole matrix there is one band and one pass; with less, later bands (which
/// have fewer columns) are taller. A band re-blurs the genes from its first row on; the product, the dominant cost,
/// is done once over all bands.
/// </summary>
public static class CorrelationBands
{
    /// <summary>Bytes held per cell of a band: its float64 scores, and room for the previous band's until the garbage
    /// collector frees them (the matrix file and the analytic p-values work through slivers of 64 rows).</summary>
    public const long BytesPerCell = 16;

    /// <param name="rowStart">First row wanted (rounded down to a multiple of 128).</param>
    /// <param name="rowEnd">End of the rows wanted (rounded up to a multiple of 128, or n).</param>
    /// <param name="reservedBytes">Memory the consumers need (kept pairs, p-values), taken from the budget first.</param>
    /// <param name="maxMemoryBytes">Budget; null for <see cref="CorrelationGram.DefaultMemoryBudget"/>.</param>
    /// <param name="stripReservedBytes">The reserve the strip height is planned with; give every shard of a ranking the
    /// whole ranking's (the default: <paramref name="reservedBytes"/>), so that all use the same strips and their scores
    /// agree to the last bit.</param>
    public static BandPlan Plan(IReadOnlyList<GeneRaster> rasters, double sigma, int rowStart, int rowEnd, long reservedBytes,
        long? maxMemoryBytes = null, int? stripRows = null, long? stripReservedBytes = null)
    {
        int n = rasters.Count;
        int block = CorrelationGram.ProductBlockGenes;
        int start = rowStart / block * block;
        int end = Math.Min(n, (rowEnd + block - 1) / block * block);
        long budget = maxMemoryBytes ?? CorrelationGram.DefaultMemoryBudget;
        long minimumBand = BytesPerCell * Math.Min(block, Math.Max(1, end - start)) * (n - start);
        if (reservedBytes + minimumBand >= budget)
            throw new SpatialSimException(ErrorKind.LimitExceeded,
                $"Streaming the scores of {n:N0} genes needs at least {CorrelationGram.Gb(reservedBytes + minimumBand)} " +
                $"({CorrelationGram.Gb(reservedBytes)} for the pairs kept, p-values or distances, {CorrelationGram.Gb(minimumBand)} for a band of {Math.Min(block, end - start)} rows) " +
                $"before any canvas strip, more than the budget of {CorrelationGram.Gb(budget)}. Raise -MaxMemoryGB (this machine has " +
                $"{CorrelationGram.Gb(CorrelationGram.PhysicalMemory)}), keep fewer pairs (-TopPerGene or -Top), or split the run with -Shard.");
        // The strips are planned as for a whole ranking (the first band of 128 rows against all genes), whatever rows this
        // run streams, so that every shard of a ranking uses the same strips; the plan's fixed part is that band and the
        // whole ranking's reserve.
        long wholeMinimumBand = BytesPerCell * Math.Min(block, n) * n;
        long stripFixed = (stripReservedBytes ?? reservedBytes) + wholeMinimumBand;
        GramPlan strips;
        try { strips = CorrelationGram.Plan(rasters, sigma, budget, stripRows, matrixBytes: stripFixed); }
        catch (SpatialSimException) when (stripFixed > reservedBytes + minimumBand)
        {
            stripFixed = reservedBytes + minimumBand;
            strips = CorrelationGram.Plan(rasters, sigma, budget, stripRows, matrixBytes: stripFixed);
        }
        strips = strips with { WorkingBytes = strips.WorkingBytes - stripFixed };
        long available = budget - reservedBytes - strips.WorkingBytes;
        var bands = new List<(int, int)>();
        long largest = 0;
        for (int r = start; r < end;)
        {
            long rows = available / (BytesPerCell * (n - r)) / block * block;
            rows = Math.Max(block, rows);
            int e = (int)Math.Min(end, r + rows);
            bands.Add((r, e));
            largest = Math.Max(largest, BytesPerCell * (e - r) * (n - r));
            r = e;
        }
        return new BandPlan(n, start, end, bands, strips, largest, reservedBytes, budget);
    }

    /// <summary>Streams the bands of <paramref name="plan"/>, handing each to <paramref name="consume"/> (then released).</summary>
    public static void Stream(IReadOnlyList<GeneRaster> rasters, double sigma, BandPlan plan, Action<CorrelationBlock> consume,
        GaussianMethod method = GaussianMethod.Auto, GeneRaster? mask = null,
        IProgress<(int Done, int Total, string Step)>? progress = null, CancellationToken cancellationToken = default)
    {
        for (int b = 0; b < plan.Bands.Count; b++)
        {
            var (start, end) = plan.Bands[b];
            string band = plan.Bands.Count == 1 ? "" : $"band {b + 1}/{plan.Bands.Count}, ";
            var inner = progress is null ? null
                : new InlineProgress<(int Done, int Total, string Gene)>(p =>
                    progress.Report((b * 1000 + (p.Total == 0 ? 1000 : (int)(1000L * p.Done / p.Total)), plan.Bands.Count * 1000,
                        p.Gene.Length > 0 ? $"{band}gene {p.Gene}" : $"{band}Gram matrix")));
            var block = CorrelationGram.ComputeBand(rasters, sigma, start, end, method, inner, cancellationToken,
                plan.BudgetBytes, plan.Strips.StripRows, mask);
            consume(block);
        }
        progress?.Report((plan.Bands.Count * 1000, plan.Bands.Count * 1000, ""));
    }
}
