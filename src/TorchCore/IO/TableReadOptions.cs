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

    /// <summary>
    /// Tables with a decoding-quality column (Xenium <c>qv</c>, Phred-scaled): rows below this are dropped before anything
    /// else (they do not shape the canvas). Default <see cref="ControlProbes.DefaultMinQuality"/>; 0 keeps every row.
    /// Tables without such a column ignore it.
    /// </summary>
    public double MinQuality { get; init; } = ControlProbes.DefaultMinQuality;

    /// <summary>
    /// Keep the control codewords (<see cref="ControlProbes"/>: negative-control probes, blank and unassigned codewords).
    /// Off by default: they are left out like genes the <see cref="GeneFilter"/> rejects (and, like those, still shape the canvas).
    /// </summary>
    public bool IncludeControls { get; init; }

    /// <summary>Refuse a canvas (after binning) with more pixels than this; one plane costs 4 bytes per pixel.</summary>
    public long MaxPixels { get; init; } = 400_000_000;
}
