namespace SpatialSim.TorchCore.IO;

/// <summary>
/// How <see cref="CountTableReader"/> turns a long-format count table into rasters.
/// Coordinates become pixels as <c>floor(coord / PixelSize)</c>; <see cref="Region"/> is in those pixel units;
/// <see cref="BinSize"/> then sums b×b blocks of pixels.
/// </summary>
public sealed record TableReadOptions
{
    /// <summary>Coordinate units per pixel (e.g. 1 for Stereo-seq DNB coordinates, 0.2125 µm for a Xenium DAPI pixel). Must be finite and &gt; 0.</summary>
    public double PixelSize { get; init; } = 1.0;

    /// <summary>
    /// Optional crop in pixel units (after <see cref="PixelSize"/> scaling, before binning), half-open [X0,X1)×[Y0,Y1).
    /// Rows outside it are dropped and counted in <see cref="CountTable.RowsOutsideRegion"/>; the canvas is then exactly the region.
    /// </summary>
    public (int X0, int Y0, int X1, int Y1)? Region { get; init; }

    /// <summary>Optional gene filter, called once per distinct gene; genes it rejects are left out (they still shape the canvas).</summary>
    public Func<string, bool>? GeneFilter { get; init; }

    /// <summary>Genes whose total count (inside the region) is below this are left out.</summary>
    public double MinTotal { get; init; }

    /// <summary>Sum b×b pixel blocks ("bin b"); 1 keeps single pixels.</summary>
    public int BinSize { get; init; } = 1;

    /// <summary>Refuse a canvas (after binning) with more pixels than this; one plane costs 4 bytes per pixel.</summary>
    public long MaxPixels { get; init; } = 400_000_000;

    /// <summary>
    /// Rows whose decoding quality (a <c>qv</c> column, as in Xenium transcript tables) is below this are dropped and counted
    /// in <see cref="CountTable.RowsBelowQuality"/>; tables without such a column are not affected. Default
    /// <see cref="ControlProbes.DefaultMinQuality"/> (qv ≥ 20, as 10x builds its own cell × gene matrix); 0 keeps every row.
    /// </summary>
    public double MinQuality { get; init; } = ControlProbes.DefaultMinQuality;

    /// <summary>
    /// Keep the rows of control codewords (<see cref="ControlProbes.Prefixes"/>: Xenium NegControl*, BLANK*, Unassigned*,
    /// DeprecatedCodeword*; MERSCOPE Blank-*; CosMx NegPrb*, FalseCode*). By default they are dropped and counted in
    /// <see cref="CountTable.RowsOfControls"/>: they carry no expression pattern, only the decoding's noise floor.
    /// </summary>
    public bool IncludeControls { get; init; }

    /// <summary>Default of <see cref="MaxEntries"/>.</summary>
    public const long DefaultMaxEntries = 200_000_000;

    /// <summary>
    /// Refuse a table that keeps more distinct gene pixels (gene, pixel x, pixel y: the non-zero pixels of all kept genes
    /// together, before binning) than this. Each costs 8 bytes in the table read, 12 while reading; rows of repeated pixels are
    /// summed while the file streams, so a reading holds at most max(32M rows, 2 × this) rows.
    /// </summary>
    public long MaxEntries { get; init; } = DefaultMaxEntries;

    /// <summary>
    /// Rows held (12 bytes each with counts, 8 without) before the rows of repeated pixels are summed while reading: a table
    /// with fewer rows is merged only at the end, a larger one holds at most max(this, 2 × its distinct gene pixels) rows.
    /// Tests lower it.
    /// </summary>
    internal long CompactRows { get; init; } = 32L << 20;

    /// <summary>Default of <see cref="MaxGzipExpansion"/>.</summary>
    public const double DefaultMaxGzipExpansion = 100;

    /// <summary>
    /// Refuse gzip input whose text is more than this many times its compressed size, once the text passes 64 MiB
    /// (<see cref="GzipExpansionGraceBytes"/>): count tables compress 3–10 times, a decompression bomb up to 1,000 times.
    /// </summary>
    public double MaxGzipExpansion { get; init; } = DefaultMaxGzipExpansion;

    /// <summary>Text (decompressed bytes) a gzip file may produce before <see cref="MaxGzipExpansion"/> is checked.</summary>
    public const long GzipExpansionGraceBytes = 64L << 20;
}
