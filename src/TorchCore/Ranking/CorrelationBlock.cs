namespace SpatialSim.TorchCore.Ranking;

/// <summary>
/// One band of a gene × gene correlation matrix (<see cref="CorrelationGram.ComputeBand"/>): the rows
/// <see cref="RowStart"/> … <see cref="RowEnd"/> − 1 against the genes <see cref="RowStart"/> … <see cref="GeneCount"/> − 1,
/// row-major. The band's own square is full (both triangles); to the right of it lies the part above the diagonal.
/// Undefined genes (constant: NaN with themselves) have NaN rows and columns.
/// </summary>
public sealed class CorrelationBlock
{
    public CorrelationBlock(int geneCount, int rowStart, int rowEnd, double[] values, bool[] undefined)
    {
        if (rowStart < 0 || rowEnd > geneCount || rowStart > rowEnd)
            throw new ArgumentOutOfRangeException(nameof(rowStart), $"Rows {rowStart}…{rowEnd} do not fit {geneCount} genes.");
        if (values.LongLength != (long)(rowEnd - rowStart) * (geneCount - rowStart))
            throw new ArgumentException($"A band of {rowEnd - rowStart} rows × {geneCount - rowStart} columns needs that many values, not {values.LongLength}.", nameof(values));
        GeneCount = geneCount;
        RowStart = rowStart;
        RowEnd = rowEnd;
        Values = values;
        Undefined = undefined;
    }

    public int GeneCount { get; }
    public int RowStart { get; }
    public int RowEnd { get; }
    /// <summary>The first column, equal to <see cref="RowStart"/>.</summary>
    public int ColumnStart => RowStart;
    public int Columns => GeneCount - RowStart;
    public int Rows => RowEnd - RowStart;
    /// <summary>Row-major <see cref="Rows"/> × <see cref="Columns"/>.</summary>
    public double[] Values { get; }
    /// <summary>Per gene (input position): constant, so every score with it is NaN. Known for genes from <see cref="RowStart"/> on.</summary>
    public bool[] Undefined { get; }

    /// <summary>The score of genes i (a row of the band) and j ≥ <see cref="RowStart"/>.</summary>
    public double this[int i, int j] => Values[(long)(i - RowStart) * Columns + (j - RowStart)];

    /// <summary>Row i's scores against genes <see cref="RowStart"/> … n − 1.</summary>
    public ReadOnlySpan<double> Row(int i) => Values.AsSpan(checked((int)((long)(i - RowStart) * Columns)), Columns);

    /// <summary>A band cut from a whole matrix (CUDA path, tests).</summary>
    public static CorrelationBlock Cut(double[,] whole, int rowStart, int rowEnd)
    {
        int n = whole.GetLength(0), columns = n - rowStart;
        var values = new double[(long)(rowEnd - rowStart) * columns];
        for (int i = rowStart; i < rowEnd; i++)
            for (int j = rowStart; j < n; j++) values[(long)(i - rowStart) * columns + j - rowStart] = whole[i, j];
        var undefined = new bool[n];
        for (int g = 0; g < n; g++) undefined[g] = double.IsNaN(whole[g, g]);
        return new CorrelationBlock(n, rowStart, rowEnd, values, undefined);
    }
}
