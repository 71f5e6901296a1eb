using System.Runtime.CompilerServices;

namespace SpatialSim.TorchCore.IO;

/// <summary>
/// Collects the molecules (gene, x, y, count) of a binary transcript file — Xenium <c>transcripts.parquet</c>, a
/// Stereo-seq GEF — into per-gene <see cref="GeneAccumulator"/>s and lays them on the canvas exactly as
/// <see cref="CountTableReader"/> does for the same rows as text: the same pixel rule (<c>floor(coordinate / PixelSize)</c>,
/// a quotient within 1e-9 of a whole number counting as that number), region, gene filter, MinTotal, bin size and pixel
/// limit, the same <see cref="CanvasLayout"/>. So a file and the GEM table holding its rows give identical rasters.
/// </summary>
/// <remarks>
/// As in the text reader, rows below <see cref="TableReadOptions.MinQuality"/> (counted in <see cref="RowsBelowQuality"/>)
/// and, unless <see cref="TableReadOptions.IncludeControls"/>, rows of control codewords (<see cref="ControlProbes"/>) are
/// dropped before anything else: they do not shape the canvas. Genes the gene filter rejects do. Repeated pixels are summed
/// while the file streams (<see cref="GeneIndex.CompactIfDue"/>), within <see cref="TableReadOptions.MaxEntries"/>.
/// </remarks>
internal sealed class MoleculeTableBuilder
{
    private readonly string _path;
    private readonly TableReadOptions _options;
    private readonly PixelScale _scale;
    private readonly bool _hasRegion;
    private readonly int _rx0, _ry0, _rx1, _ry1;
    private readonly Dictionary<GeneAccumulator, long> _droppedRows = new(ReferenceEqualityComparer.Instance);
    /// <summary>Genes the filter rejects, by whether they are control codewords left out (their rows do not shape the canvas).</summary>
    private readonly Dictionary<GeneAccumulator, bool> _excludedControl = new(ReferenceEqualityComparer.Instance);
    private readonly SortedSet<string> _controlNames = new(StringComparer.Ordinal);
    private long _rowsControl;
    private int _minX = int.MaxValue, _minY = int.MaxValue, _maxX = int.MinValue, _maxY = int.MinValue;

    /// <summary>The genes met so far (controls and genes the filter rejects included, with Keep false).</summary>
    public GeneIndex Genes { get; }
    /// <summary>Data rows seen, including those dropped for quality, region or gene filter.</summary>
    public long RowsRead;
    /// <summary>Rows dropped because their quality value was below <see cref="TableReadOptions.MinQuality"/>.</summary>
    public long RowsBelowQuality;
    private long _rowsOutside;

    public MoleculeTableBuilder(string path, TableReadOptions options, bool hasCounts)
    {
        _path = path;
        _options = options;
        _scale = new PixelScale(options.PixelSize);
        if (options.Region is { } r)
        {
            _hasRegion = true;
            (_rx0, _ry0, _rx1, _ry1) = r;
        }
        var user = options.GeneFilter;
        bool controls = options.IncludeControls;
        Func<string, bool>? filter = controls
            ? user
            : user is null ? name => !ControlProbes.IsControl(name) : name => !ControlProbes.IsControl(name) && user(name);
        Genes = new GeneIndex(filter, hasCounts, options.CompactRows, options.MaxEntries);
    }

    /// <summary>Coordinate units per pixel, as given.</summary>
    public double PixelSize => _options.PixelSize;

    /// <summary>The pixel of a coordinate; false when it is not finite or beyond what a canvas can address.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryPixel(double coordinate, out int pixel) => _scale.TryPixel(coordinate, out pixel);

    /// <summary>The pixel of an integer coordinate; false when beyond what a canvas can address.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryPixel(long coordinate, out int pixel) => _scale.TryPixel(coordinate, out pixel);

    /// <summary>Files one molecule (a row that passed the quality filter) at pixel (px, py).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(GeneAccumulator gene, int px, int py, double count)
    {
        if (!gene.Keep && IsExcludedControl(gene)) return;
        if (px < _minX) _minX = px;
        if (px > _maxX) _maxX = px;
        if (py < _minY) _minY = py;
        if (py > _maxY) _maxY = py;
        if (_hasRegion && (px < _rx0 || px >= _rx1 || py < _ry0 || py >= _ry1))
        {
            _rowsOutside++;
            return;
        }
        if (gene.Keep) gene.Add(((long)py << 32) | (uint)px, count);
        else Dropped(gene);
    }

    /// <summary>Whether a gene the filter rejected is a control codeword left out; counts its row when it is.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool IsExcludedControl(GeneAccumulator gene)
    {
        if (!_excludedControl.TryGetValue(gene, out bool control))
        {
            control = !_options.IncludeControls && ControlProbes.IsControl(gene.Name);
            _excludedControl[gene] = control;
            if (control) _controlNames.Add(gene.Name);
        }
        if (control) _rowsControl++;
        return control;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Dropped(GeneAccumulator gene) =>
        _droppedRows[gene] = _droppedRows.GetValueOrDefault(gene) + 1;

    /// <summary>After each chunk of rows: sums repeated pixels when due, so memory holds the distinct gene pixels.</summary>
    public void ChunkDone() => Genes.CompactIfDue(_path);

    /// <summary>Whether any row passed the quality and control filters.</summary>
    public bool HasRows => _minX != int.MaxValue;

    /// <summary>
    /// Lays every kept gene on the canvas (see <see cref="CountTableParser.Build"/>, whose rules this follows) and returns
    /// the table. <paramref name="what"/> names the file's kind in messages ("Xenium transcript table").
    /// </summary>
    public CountTable Build(TableColumns columns, string what, CancellationToken cancel)
    {
        var o = _options;
        if (RowsRead == 0)
            throw new SpatialSimException(ErrorKind.InvalidData, $"'{_path}' holds no rows: the {what} is empty.") { FilePath = _path };
        if (!HasRows)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"All {RowsRead:N0} rows of '{_path}' were dropped: {RowsBelowQuality:N0} have a quality value below -MinQuality {o.MinQuality:g} " +
                $"and {_rowsControl:N0} are control codewords. Lower -MinQuality (0 keeps every row) or give -IncludeControls.")
            { FilePath = _path };
        long ox, oy, w1, h1;
        if (o.Region is { } r)
        {
            if (_rowsOutside == RowsRead - RowsBelowQuality - _rowsControl)
                throw new SpatialSimException(ErrorKind.InvalidArgument,
                    $"All {RowsRead - RowsBelowQuality - _rowsControl:N0} rows of '{_path}' lie outside the region [{r.X0}, {r.X1}) × [{r.Y0}, {r.Y1}). " +
                    $"The data spans pixels x {_minX}..{_maxX}, y {_minY}..{_maxY} at PixelSize {o.PixelSize}; the region is in those pixel units.")
                { FilePath = _path };
            (ox, oy, w1, h1) = (r.X0, r.Y0, (long)r.X1 - r.X0, (long)r.Y1 - r.Y0);
        }
        else
        {
            (ox, oy, w1, h1) = (_minX, _minY, (long)_maxX - _minX + 1, (long)_maxY - _minY + 1);
        }
        return Lay(columns, ox, oy, w1, h1, o.BinSize, o.BinSize, cancel);
    }

    /// <summary>
    /// Lays the kept genes on a canvas of <paramref name="w1"/> × <paramref name="h1"/> pixels from (ox, oy) summed in
    /// <paramref name="binSize"/> blocks. <paramref name="reportedBinSize"/> is the table's <see cref="CountTable.BinSize"/>.
    /// </summary>
    internal CountTable Lay(TableColumns columns, long ox, long oy, long w1, long h1, int binSize, int reportedBinSize, CancellationToken cancel)
    {
        var o = _options;
        var (width, height) = CountTableReader.CheckCanvas(_path, o with { BinSize = binSize }, w1, h1, ox, oy, fromRegion: o.Region.HasValue);
        // Genes met only in rows outside the region or below the quality floor are not in the table (as in the text reader,
        // which meets no gene of a row outside the region).
        var kept = Genes.Entries.Where(g => g.Keep && g.Length > 0 && g.Total >= o.MinTotal).ToArray();
        var results = new CountTable.GeneData[kept.Length];
        var duplicates = new long[kept.Length];
        var layout = new CanvasLayout(ox, oy, w1, binSize, width);
        var order = Enumerable.Range(0, kept.Length).OrderByDescending(i => kept[i].Length).ToArray();
        int next = -1;
        void Work()
        {
            var buffers = new CanvasLayout.Buffers();
            int k;
            while ((k = Interlocked.Increment(ref next)) < order.Length)
            {
                cancel.ThrowIfCancellationRequested();
                int i = order[k];
                results[i] = layout.Place(kept[i], buffers, out duplicates[i]);
            }
        }
        int workers = Math.Clamp(Environment.ProcessorCount, 1, Math.Max(1, order.Length / 16));
        var helpers = new Task[workers - 1];
        for (int t = 0; t < helpers.Length; t++) helpers[t] = Task.Run(Work, cancel);
        try { Work(); }
        finally
        {
            try { Task.WaitAll(helpers); }
            catch (AggregateException) { /* rethrown below when the main worker succeeded */ }
        }
        foreach (var t in helpers)
            if (t.Exception?.InnerException is { } e) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
        cancel.ThrowIfCancellationRequested();
        Genes.Recycle();   // every gene is on the canvas (or left out): the next table may have the rows' slabs

        var data = new Dictionary<string, CountTable.GeneData>(kept.Length, StringComparer.Ordinal);
        for (int i = 0; i < kept.Length; i++)
            if (!data.TryAdd(kept[i].Name, results[i]))
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"'{_path}' holds two different gene names that read as '{kept[i].Name}': the names are not valid UTF-8.")
                { FilePath = _path, Gene = kept[i].Name };

        return new CountTable(_path, columns, kept.Select(g => g.Name).ToArray(), data, width, height,
            (int)ox, (int)oy, reportedBinSize, o.PixelSize * reportedBinSize, RowsRead, _rowsOutside, duplicates.Sum(),
            Genes.Entries.Count(g => g.Length > 0 || _droppedRows.ContainsKey(g)))
        {
            RowsBelowQuality = RowsBelowQuality,
            RowsOfControls = _rowsControl,
            ControlCodewords = _controlNames.ToArray(),
        };
    }

    /// <summary>The smallest and largest pixel of the rows that passed the quality filter.</summary>
    public (int MinX, int MinY, int MaxX, int MaxY) Bounds => (_minX, _minY, _maxX, _maxY);
}

/// <summary>
/// <c>floor(coordinate / PixelSize)</c> as <see cref="CountTableParser"/> computes it: integers divided exactly when the
/// pixel size is a whole number, otherwise in double with a quotient within 1e-9 (relative) of a whole number counting as
/// that number (so 0.3 / 0.1 is pixel 3).
/// </summary>
internal readonly struct PixelScale
{
    private readonly double _size;
    private readonly int _mode; // 0: size 1; 1: whole size; 2: general
    private readonly long _whole;

    public PixelScale(double size)
    {
        _size = size;
        if (size == 1.0) _mode = 0;
        else if (size == Math.Floor(size) && size <= int.MaxValue) { _mode = 1; _whole = (long)size; }
        else _mode = 2;
        if (_mode != 1) _whole = 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryPixel(double d, out int pixel)
    {
        double q = _mode == 0 ? Math.Floor(d) : ScaleFloor(d);
        if (q >= int.MinValue && q <= int.MaxValue) // false for NaN
        {
            pixel = (int)q;
            return true;
        }
        pixel = 0;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryPixel(long v, out int pixel)
    {
        if (_mode == 2) return TryPixel((double)v, out pixel);
        long p = _mode == 0 ? v : v >= 0 ? v / _whole : -((-v + _whole - 1) / _whole);
        if (p >= int.MinValue && p <= int.MaxValue)
        {
            pixel = (int)p;
            return true;
        }
        pixel = 0;
        return false;
    }

    private double ScaleFloor(double d)
    {
        double q = d / _size;
        double r = Math.Round(q);
        return Math.Abs(q - r) <= 1e-9 * Math.Max(1.0, Math.Abs(r)) ? r : Math.Floor(q);
    }
}
