namespace SpatialSim.TorchCore.IO;

/// <summary>
/// The genes of one count-table file on one shared canvas, kept sparse (per gene: canvas pixel indices and counts)
/// until a dense <see cref="RasterPlane"/> is asked for. Made by <see cref="CountTableReader.Read"/>; immutable and
/// safe to use from several threads.
/// </summary>
/// <remarks>
/// The canvas is the bounding box of every row of the file (of every gene, including genes left out by the gene
/// filter or MinTotal), so all genes of a file share it whatever the filter; with a region it is exactly the region.
/// Pixel (px, py) lands in canvas column <c>(px - OriginX) / BinSize</c>, row <c>(py - OriginY) / BinSize</c>.
/// </remarks>
public sealed class CountTable
{
    internal sealed record GeneData(int[] Index, float[]? Values, double Total);

    private readonly Dictionary<string, GeneData> _data;
    private readonly string[] _genes;

    internal CountTable(string source, TableColumns columns, string[] genes, Dictionary<string, GeneData> data,
        int width, int height, int originX, int originY, int binSize, double pixelSize,
        long rowsRead, long rowsOutsideRegion, long duplicateRowsSummed, int genesSeen)
    {
        Source = source;
        Columns = columns;
        _genes = genes;
        Genes = Array.AsReadOnly(genes);
        _data = data;
        Width = width;
        Height = height;
        OriginX = originX;
        OriginY = originY;
        BinSize = binSize;
        PixelSize = pixelSize;
        RowsRead = rowsRead;
        RowsOutsideRegion = rowsOutsideRegion;
        DuplicateRowsSummed = duplicateRowsSummed;
        GenesSeen = genesSeen;
    }

    /// <summary>The file the table was read from; the <see cref="RasterPlane.Source"/> of its planes.</summary>
    public string Source { get; }
    /// <summary>Which columns were read and how the file was delimited.</summary>
    public TableColumns Columns { get; }
    /// <summary>Genes in order of first appearance in the file, after the gene filter and MinTotal.</summary>
    public IReadOnlyList<string> Genes { get; }
    /// <summary>Canvas width in pixels, after binning.</summary>
    public int Width { get; }
    /// <summary>Canvas height in pixels, after binning.</summary>
    public int Height { get; }
    /// <summary>Pixel x (after PixelSize scaling, before binning) of canvas column 0.</summary>
    public int OriginX { get; }
    /// <summary>Pixel y (after PixelSize scaling, before binning) of canvas row 0.</summary>
    public int OriginY { get; }
    /// <summary>The bin size the canvas was summed with.</summary>
    public int BinSize { get; }
    /// <summary>Size of one canvas pixel in the file's coordinate units: options.PixelSize × BinSize.</summary>
    public double PixelSize { get; }
    /// <summary>Data rows in the file (header and comment lines not counted), including rows dropped by the region or the gene filter.</summary>
    public long RowsRead { get; }
    /// <summary>Rows dropped because their pixel lies outside the region.</summary>
    public long RowsOutsideRegion { get; }
    /// <summary>Rows of the listed genes whose gene, pixel x and pixel y repeat an earlier row; their counts were summed.</summary>
    public long DuplicateRowsSummed { get; }
    /// <summary>Distinct genes with rows inside the region (all rows without one), before the gene filter and MinTotal.</summary>
    public int GenesSeen { get; }

    /// <summary>
    /// The most rows the reader held at once while reading (before they were laid on the canvas): bounded by the distinct
    /// gene pixels, as rows of repeated pixels are summed while the file streams. For tests and diagnostics.
    /// </summary>
    internal long PeakRowsHeld { get; init; }

    /// <summary>Rows dropped because their quality (<c>qv</c>) was below <see cref="TableReadOptions.MinQuality"/>; they do not shape the canvas.</summary>
    public long RowsBelowQuality { get; init; }

    /// <summary>Rows of control codewords dropped (<see cref="TableReadOptions.IncludeControls"/> keeps them); they do not shape the canvas.</summary>
    public long RowsOfControls { get; init; }

    /// <summary>The control codewords whose rows were dropped, sorted.</summary>
    public IReadOnlyList<string> ControlCodewords { get; init; } = [];

    /// <summary>Whether <paramref name="gene"/> is one of <see cref="Genes"/> (exact, case-sensitive).</summary>
    public bool Contains(string gene) => _data.ContainsKey(gene);

    /// <summary>Sum of the gene's counts inside the region.</summary>
    public double Total(string gene) => Get(gene).Total;

    /// <summary>Number of distinct pixels (before binning) where the gene has a row.</summary>
    public int PixelCount(string gene) => Get(gene).Index.Length;

    /// <summary>The gene's dense float32 raster on the canvas.</summary>
    public RasterPlane ToPlane(string gene)
    {
        var data = Get(gene);
        var pixels = new float[(long)Width * Height];
        var index = data.Index;
        if (data.Values is { } values)
            for (int i = 0; i < index.Length; i++) pixels[index[i]] += values[i];
        else
            for (int i = 0; i < index.Length; i++) pixels[index[i]] += 1f;
        return new RasterPlane(gene, Width, Height, pixels, Source) { PixelSize = PixelSize };
    }

    /// <summary>The gene's non-zero pixels on the canvas (binned pixels summed), without making the dense raster.</summary>
    public SparsePixels ToSparse(string gene)
    {
        var data = Get(gene);
        return SparsePixels.FromEntries(Width, Height, data.Index, data.Values);
    }

    /// <summary>Every gene's plane, in <see cref="Genes"/> order, made one at a time as enumerated.</summary>
    public IEnumerable<RasterPlane> Planes()
    {
        foreach (var gene in _genes) yield return ToPlane(gene);
    }

    private GeneData Get(string gene)
    {
        ArgumentNullException.ThrowIfNull(gene);
        if (_data.TryGetValue(gene, out var data)) return data;
        var similar = _genes.FirstOrDefault(g => string.Equals(g, gene, StringComparison.OrdinalIgnoreCase));
        string hint = similar != null ? $" Gene names are case-sensitive: did you mean '{similar}'?" : " Check the spelling, the gene filter and MinTotal.";
        throw new SpatialSimException(ErrorKind.NotFound, $"Gene '{gene}' is not in the table read from '{Source}' ({_genes.Length:N0} genes).{hint}")
        { FilePath = Source, Gene = gene };
    }
}

/// <summary>The header columns a <see cref="CountTable"/> was read from; <see cref="Count"/> is null when every row counted 1.</summary>
public sealed record TableColumns(string Gene, string X, string Y, string? Count, char Delimiter, IReadOnlyList<string> All);
