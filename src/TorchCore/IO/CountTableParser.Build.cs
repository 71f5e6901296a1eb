namespace SpatialSim.TorchCore.IO;

/// <summary>Laying the genes read on the canvas.</summary>
internal sealed partial class CountTableParser
{
    /// <summary>Lays every kept gene on the canvas: merges duplicate pixels, sorts row-major and maps to binned indices.</summary>
    public CountTable Build()
    {
        if (_header == null)
            throw new SpatialSimException(ErrorKind.InvalidData,
                (_line == 0 ? $"'{_path}' is empty." : $"'{_path}' has no header line, only {_line:N0} comment or blank line{(_line == 1 ? "" : "s")}.") +
                " A count table starts with a header naming its gene, x and y columns (e.g. 'geneID<TAB>x<TAB>y<TAB>MIDCount'), then one row per gene and position.")
            { FilePath = _path, LineNumber = Math.Max(1, _line) };
        if (_rowsRead == 0)
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{_path}' has a header (line {_headerLine}) but no data rows. Check that the file was written or downloaded completely.")
            { FilePath = _path, LineNumber = _headerLine };

        var o = _options;
        long dropped = _rowsLowQuality + _rowsControl;
        if (dropped == _rowsRead)
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"All {_rowsRead:N0} data rows of '{_path}' were dropped: {_rowsLowQuality:N0} below quality {o.MinQuality:G} " +
                $"(column '{(_header.QualityColumn >= 0 ? _header.Columns[_header.QualityColumn] : "qv")}') and {_rowsControl:N0} of control codewords. " +
                "Lower -MinQuality (0 keeps every row) or pass -IncludeControls to keep them.")
            { FilePath = _path };
        long ox, oy, w1, h1;
        if (o.Region is { } r)
        {
            if (_rowsOutside == _rowsRead - dropped)
                throw new SpatialSimException(ErrorKind.InvalidArgument,
                    $"All {_rowsRead - dropped:N0} data rows of '{_path}' lie outside the region [{r.X0}, {r.X1}) × [{r.Y0}, {r.Y1}). " +
                    $"The data spans pixels x {_minX}..{_maxX}, y {_minY}..{_maxY} at PixelSize {o.PixelSize}; the region is in those pixel units.")
                { FilePath = _path };
            (ox, oy, w1, h1) = (r.X0, r.Y0, (long)r.X1 - r.X0, (long)r.Y1 - r.Y0);
        }
        else
        {
            (ox, oy, w1, h1) = (_minX, _minY, (long)_maxX - _minX + 1, (long)_maxY - _minY + 1);
        }
        var (width, height) = CountTableReader.CheckCanvas(_path, o, w1, h1, ox, oy, fromRegion: o.Region.HasValue);

        Report(TableReadPhase.Building, force: true);
        var kept = _genes.Entries.Where(g => g.Keep && g.Total >= o.MinTotal).ToArray();
        var results = new CountTable.GeneData[kept.Length];
        var duplicates = new long[kept.Length];
        var layout = new CanvasLayout(ox, oy, w1, o.BinSize, width);
        // Largest genes first, so the workers finish together; one set of scratch buffers per worker.
        var order = Enumerable.Range(0, kept.Length).OrderByDescending(i => kept[i].Length).ToArray();
        int nextGene = -1;
        void Work()
        {
            var buffers = new CanvasLayout.Buffers();
            int k;
            while ((k = Interlocked.Increment(ref nextGene)) < order.Length)
            {
                _cancel.ThrowIfCancellationRequested();
                int i = order[k];
                results[i] = layout.Place(kept[i], buffers, out duplicates[i]);
            }
        }
        int workers = Math.Clamp(Environment.ProcessorCount, 1, Math.Max(1, order.Length / 16));
        var helpers = new Task[workers - 1];
        for (int t = 0; t < helpers.Length; t++) helpers[t] = Task.Run(Work, _cancel);
        try
        {
            Work();
        }
        finally
        {
            try { Task.WaitAll(helpers); }
            catch (AggregateException) { /* rethrown below when the main worker succeeded */ }
        }
        foreach (var t in helpers)
            if (t.Exception?.InnerException is { } e) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
        _cancel.ThrowIfCancellationRequested();
        if (results.Sum(r => (long)r.Index.Length) > o.MaxEntries) throw GeneIndex.TooManyEntries(_path, o.MaxEntries);
        // Every gene is on the canvas (or left out): nothing reads the rows' slabs again, so the next table may have them.
        _genes.Recycle();
        foreach (var part in _partIndexes) part.Recycle();

        var data = new Dictionary<string, CountTable.GeneData>(kept.Length, StringComparer.Ordinal);
        for (int i = 0; i < kept.Length; i++)
            if (!data.TryAdd(kept[i].Name, results[i]))
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"'{_path}' holds two different gene names that read as '{kept[i].Name}': the file is not valid UTF-8 text.")
                { FilePath = _path, Gene = kept[i].Name };

        var h = _header;
        var columns = new TableColumns(h.Columns[h.GeneColumn], h.Columns[h.XColumn], h.Columns[h.YColumn],
            h.CountColumn >= 0 ? h.Columns[h.CountColumn] : null, (char)h.Delimiter, h.Columns);
        return new CountTable(_path, columns, kept.Select(g => g.Name).ToArray(), data, width, height,
            (int)ox, (int)oy, o.BinSize, o.PixelSize * o.BinSize, _rowsRead, _rowsOutside, duplicates.Sum() + kept.Sum(g => g.MergedDuplicates), _genes.Entries.Count)
        {
            PeakRowsHeld = Math.Max(_genes.PeakRowsHeld, _partsPeakRowsHeld),
            RowsBelowQuality = _rowsLowQuality,
            RowsOfControls = _rowsControl,
            ControlCodewords = _controlNames.Order(StringComparer.Ordinal).ToArray(),
        };
    }
}
