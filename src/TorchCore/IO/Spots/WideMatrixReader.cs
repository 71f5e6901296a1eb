using SpatialSim.TorchCore.IO.Formats;

namespace SpatialSim.TorchCore.IO.Spots;

/// <summary>
/// Reads a wide spot × gene table (CSV/TSV, optionally .gz): one row per spot, one column per gene, a spot-id column
/// (first), and the spot coordinates either in the same table (see <see cref="SpotPositions.Pairs"/>), in a separate spot
/// table joined on the spot id (<see cref="SpotTableReader"/>), or in ST-pipeline spot ids ("16.92x9.015").
/// </summary>
internal static class WideMatrixReader
{
    public static (SpotCounts Counts, SpotPositions Positions) Read(string path, ImportRequest request, ImportContext context)
    {
        using var rows = new TextRows(path);
        var header = rows.Header() ?? throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}' is empty: no header line.") { FilePath = path };
        string? firstLine = rows.NextLine();
        long firstLineNumber = rows.Line;
        var first = firstLine is null ? null : rows.Split(firstLine);
        var layout = WideLayout.Analyse(header, first, expected: true)
            ?? throw new SpatialSimException(ErrorKind.InvalidData, $"'{path}' has a header but no data rows.") { FilePath = path };
        var names = layout.HeaderLacksId ? new[] { "" }.Concat(header).ToList() : header;
        if (layout.GeneColumns.Length == 0)
            throw new SpatialSimException(ErrorKind.InvalidData, SpotLattice.Short(
                $"'{path}' read as a spot × gene table finds no gene columns: line {firstLineNumber} has {first?.Count ?? 0} fields, the header {header.Count}. " +
                "Give spots in rows, genes in columns, numbers as counts."))
            { FilePath = path, LineNumber = firstLineNumber };

        int genes = layout.GeneColumns.Length;
        var geneNames = layout.GeneColumns.Select(c => names[c]).ToArray();
        var filter = request.Table.GeneFilter;
        var keep = geneNames.Select(g => filter is null || filter(g)).ToArray();
        var builder = new SpotColumnBuilder(keep);
        var ids = new List<string>();
        var totals = new List<double>();
        var xs = new List<double>();
        var ys = new List<double>();
        var fields = first!;
        string? line = firstLine;
        long lineNumber = firstLineNumber;
        var cancel = context.CancellationToken;
        while (line is not null)
        {
            if ((ids.Count & 1023) == 0)
            {
                cancel.ThrowIfCancellationRequested();
                var (done, total) = rows.Position;
                context.Progress(total > 0 ? (double)done / total : 0, $"{ids.Count:N0} spots");
            }
            if (fields.Count != names.Count)
                throw new SpatialSimException(ErrorKind.InvalidData, SpotLattice.Short(
                    $"Line {lineNumber} of '{path}' has {fields.Count} fields, the header {names.Count - (layout.HeaderLacksId ? 1 : 0)}: " +
                    "every spot row needs one field per column. A damaged or cut file?"))
                { FilePath = path, LineNumber = lineNumber };
            int spot = ids.Count;
            string id = layout.IdColumn >= 0 ? fields[layout.IdColumn] : $"row {lineNumber}";
            ids.Add(id);
            if (layout.Coordinates is { } c)
            {
                xs.Add(Coordinate(fields[c.X], names[c.X], lineNumber, path));
                ys.Add(Coordinate(fields[c.Y], names[c.Y], lineNumber, path));
            }
            double sum = 0;
            for (int g = 0; g < genes; g++)
            {
                int column = layout.GeneColumns[g];
                string cell = fields[column];
                if (cell.Length == 1 && cell[0] == '0') continue;
                if (!TextRows.TryNumber(cell, out double v) || v < 0)
                    throw new SpatialSimException(ErrorKind.InvalidData, SpotLattice.Short(
                        $"Line {lineNumber} of '{path}', column {column + 1} ('{Clip(names[column])}'): '{Clip(cell)}' is not a count. " +
                        "Counts must be numbers ≥ 0; check the delimiter and the file."))
                    { FilePath = path, LineNumber = lineNumber, Gene = names[column] };
                if (v == 0) continue;
                sum += v;
                builder.Add(g, spot, (float)v);
            }
            totals.Add(sum);
            line = rows.NextLine();
            lineNumber = rows.Line;
            if (line is not null) TextRows.Split(line, rows.Delimiter, fields);
        }
        context.Progress(1, $"{ids.Count:N0} spots");

        var counts = new SpotCounts(path, ids.ToArray()) { GenesSeen = genes };
        totals.CopyTo(counts.SpotTotals);
        var kept = new List<string>();
        builder.MoveTo(counts, geneNames);
        if (layout.Skipped.Length > 0)
            context.Verbose($"'{path}': columns not read as genes: {string.Join(", ", layout.Skipped.Take(8).Select(s => $"'{s}'"))}{(layout.Skipped.Length > 8 ? ", …" : "")}.");

        SpotPositions? positions = null;
        if (request.Spots.SpotTable is { } table)
            positions = SpotTableReader.Join(table, counts.SpotIds, path, context);
        else if (layout.Coordinates is { } c)
            positions = new SpotPositions(xs.ToArray(), ys.ToArray(), names[c.X], names[c.Y], c.Indices, $"columns {names[c.X]},{names[c.Y]} of '{path}'");
        else
            positions = SpotPositions.FromStIds(counts.SpotIds, path);
        if (positions is null)
            throw new SpatialSimException(ErrorKind.InvalidData, SpotLattice.Short(
                $"'{Path.GetFileName(path)}' is a spot × gene matrix ({ids.Count:N0} spots × {genes:N0} genes) without coordinates. " +
                $"Add its spot table: -SpotTable SPOTS.csv (a spot id column and {SpotPositions.Pairs[0].X},{SpotPositions.Pairs[0].Y} or x,y)."))
            { FilePath = path };
        return (counts, positions);
    }

    private static double Coordinate(string cell, string column, long line, string path)
    {
        if (TextRows.TryNumber(cell, out double v)) return v;
        if (cell.Length == 0 || cell.Equals("NA", StringComparison.OrdinalIgnoreCase) || cell.Equals("nan", StringComparison.OrdinalIgnoreCase)) return double.NaN;
        throw new SpatialSimException(ErrorKind.InvalidData, SpotLattice.Short(
            $"Line {line} of '{path}', column '{column}': '{Clip(cell)}' is not a coordinate (a number)."))
        { FilePath = path, LineNumber = line };
    }

    internal static string Clip(string s) => s.Length <= 40 ? s : s[..37] + "…";
}
