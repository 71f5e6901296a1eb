namespace SpatialSim.TorchCore.IO.Spots;

/// <summary>How spot × gene counts are scaled per spot before comparison.</summary>
public enum SpotNormalization
{
    /// <summary>Raw counts, as read.</summary>
    None,
    /// <summary>Each count divided by its spot's total and multiplied by the target sum (counts per 10,000 by default).</summary>
    Total,
    /// <summary>ln(1 + Total): the Total value, log-transformed (scanpy's normalize_total then log1p).</summary>
    LogTotal,
}

/// <summary>
/// Options of the spot × gene readers (wide CSV/TSV matrices, AnnData .h5ad, 10x Genomics .h5 and output folders).
/// A "spot" is one raster pixel of the result: a lattice spot, or the sum of the spots of one bin with -BinSize.
/// </summary>
public sealed record SpotReadOptions
{
    /// <summary>Counts per spot after <see cref="SpotNormalization.Total"/> (Seurat's scale.factor; scanpy's target_sum).</summary>
    public const double DefaultTargetSum = 10_000;

    /// <summary>
    /// With normalisation, spots whose raw total is below this fraction of the median spot total are dropped by default:
    /// normalising multiplies a spot's counts by (target / its total), so a spot with a tenth of the median total weighs each
    /// of its counts ten times as much as a typical spot, and a spot of a few UMIs lifts every gene it holds to the same peak.
    /// </summary>
    public const double DefaultMinSpotFraction = 0.1;

    /// <summary>The normalisation every spot format uses when none is given.</summary>
    public const SpotNormalization DefaultNormalization = SpotNormalization.Total;

    /// <summary>A separate table of spot positions (CSV/TSV, optionally .gz) joined to a wide matrix on the spot id.</summary>
    public string? SpotTable { get; init; }

    /// <summary>AnnData: read this layer (e.g. "counts") instead of X.</summary>
    public string? Layer { get; init; }

    /// <summary>AnnData: the var column holding gene names (default: the var index); 10x: "name" (default) or "id".</summary>
    public string? GeneColumn { get; init; }

    /// <summary>Per-spot normalisation; null: <see cref="DefaultNormalization"/>.</summary>
    public SpotNormalization? Normalize { get; init; }

    /// <summary>The target sum of <see cref="SpotNormalization.Total"/> and <see cref="SpotNormalization.LogTotal"/>.</summary>
    public double TargetSum { get; init; } = DefaultTargetSum;

    /// <summary>
    /// Spots (raster pixels) whose raw total count is below this are dropped (all genes 0 there), with a warning naming them.
    /// Null: <see cref="DefaultMinSpotFraction"/> × the median spot total when normalising, none without normalisation.
    /// </summary>
    public double? MinSpotTotal { get; init; }

    /// <summary>The normalisation in force.</summary>
    public SpotNormalization EffectiveNormalization => Normalize ?? DefaultNormalization;
}
