namespace SpatialSim.TorchCore.Ranking;

/// <summary>How <see cref="CorrelationGram"/> streams a canvas: the numbers -Verbose reports.</summary>
/// <param name="Genes">Genes ranked.</param>
/// <param name="Width">Canvas width (pixels).</param>
/// <param name="Height">Canvas height (pixels).</param>
/// <param name="Halo">Rows blurred above and below each strip (the kernel radius); 0 with one strip.</param>
/// <param name="StripRows">Canvas rows per strip.</param>
/// <param name="Strips">Number of strips.</param>
/// <param name="Workers">Genes blurred at the same time (one blur buffer each).</param>
/// <param name="WorkingBytes">Working memory the plan needs (strip matrix, blur buffers, gene × gene matrices).</param>
/// <param name="BudgetBytes">The budget it was planned for.</param>
/// <param name="InputBytes">Memory the rasters hold already (sparse pixel lists or dense tensors).</param>
/// <param name="SparseGenes">Genes read from their sparse pixels.</param>
public sealed record GramPlan(int Genes, int Width, int Height, int Halo, int StripRows, int Strips, int Workers,
    long WorkingBytes, long BudgetBytes, long InputBytes, int SparseGenes)
{
    /// <summary>Without a mask, the genes qualify for <see cref="SparseCorrelationGram"/> (sparse, many, and estimated cheaper than the strips).</summary>
    public bool SparseProduct { get; init; }

    /// <summary>How many times each canvas row is blurred: (strip rows + 2 × halo) / strip rows (1 with one strip).</summary>
    public double BlurPasses => Strips <= 1 || StripRows == 0 ? 1 : Math.Min((double)StripRows + 2.0 * Halo, Height) / StripRows;

    /// <summary>The plan in a sentence, for -Verbose.</summary>
    public string Describe() =>
        $"memory budget {CorrelationGram.Gb(BudgetBytes)}; working memory {CorrelationGram.Gb(WorkingBytes)} in {Strips} strip(s) of {StripRows} row(s) × {Width} columns" +
        (Strips > 1 ? $" with a halo of {Halo} rows each side (each row blurred {BlurPasses:0.##} times)" : "") +
        $"; the {Genes} rasters hold {CorrelationGram.Gb(InputBytes)} ({SparseGenes} sparse)" +
        (SparseProduct ? "; without a mask these sparse genes take the sparse product instead of the strips (Kᵀ K x per gene, non-zero pixels × genes multiply-adds; SparseCorrelationGram)" : "") +
        (Strips > 1 && StripRows < CorrelationGram.HaloMultiple * Halo
            ? $". The budget allows strips of only {StripRows} rows, fewer than {CorrelationGram.HaloMultiple} × the halo: a larger -MaxMemoryGB makes them taller and the ranking faster."
            : ".");
}
