using SpatialSim.TorchCore.IO.Formats;

namespace SpatialSim.TorchCore.IO.Spots;

/// <summary>
/// Reads a table of spot positions (CSV/TSV, optionally .gz; 10x's tissue_positions.csv and the header-less
/// tissue_positions_list.csv of Space Ranger 1) and joins it to a matrix's spots on the spot id: the id column is the
/// column holding the most of the matrix's ids. Rows with <c>in_tissue</c> 0 give no position.
/// </summary>
internal static class SpotTableReader
{
    /// <summary>The columns of Space Ranger 1's tissue_positions_list.csv, which has no header.</summary>
    private static readonly string[] TenXColumns = ["barcode", "in_tissue", "array_row", "array_col", "pxl_row_in_fullres", "pxl_col_in_fullres"];

    /// <summary>The positions of <paramref name="matrixIds"/> (NaN for spots not in the table).</summary>
    public static SpotPositions Join(string tablePath, IReadOnlyList<string> matrixIds, string matrixPath, ImportContext context)
    {
        var (names, columns) = ReadColumns(tablePath, context.CancellationToken);
        return Join(tablePath, names, columns, matrixIds, matrixPath, context);
    }

    /// <summary>Joins already-read columns (e.g. a Parquet spot table) to the matrix's spot ids.</summary>
    public static SpotPositions Join(string tablePath, IReadOnlyList<string> names, IReadOnlyList<string[]> columns, IReadOnlyList<string> matrixIds, string matrixPath,
        ImportContext context)
    {
        string file = Path.GetFileName(tablePath);
        var pair = SpotPositions.FindPair(names)
            ?? throw new SpatialSimException(ErrorKind.InvalidData, SpotLattice.Short(
                $"The spot table '{file}' has no coordinate columns ({SpotPositions.PairNames}). Columns: {ListColumns(names)}."))
            { FilePath = tablePath };
        var wanted = new HashSet<string>(matrixIds, StringComparer.Ordinal);
        int idColumn = -1, best = 0;
        for (int c = 0; c < names.Count; c++)
        {
            if (c == pair.X || c == pair.Y) continue;
            int hits = columns[c].Count(wanted.Contains);
            if (hits > best) { best = hits; idColumn = c; }
        }
        if (idColumn < 0)
            throw new SpatialSimException(ErrorKind.InvalidData, SpotLattice.Short(
                $"No spot id of '{Path.GetFileName(matrixPath)}' (e.g. '{WideMatrixReader.Clip(matrixIds.FirstOrDefault() ?? "")}') is in a column of '{file}' " +
                $"(e.g. '{WideMatrixReader.Clip(columns.Count > 0 && columns[0].Length > 0 ? columns[0][0] : "")}'). Give the spot table of this matrix."))
            { FilePath = tablePath };

        int inTissue = SpotPositions.IndexOf(names, "in_tissue");
        var rowOf = new Dictionary<string, int>(columns[idColumn].Length, StringComparer.Ordinal);
        var ids = columns[idColumn];
        for (int r = 0; r < ids.Length; r++)
        {
            if (inTissue >= 0 && columns[inTissue][r] == "0") continue;
            if (!rowOf.TryAdd(ids[r], r))
                throw new SpatialSimException(ErrorKind.InvalidData, SpotLattice.Short(
                    $"The spot table '{file}' lists spot '{WideMatrixReader.Clip(ids[r])}' twice (column '{names[idColumn]}', rows {rowOf[ids[r]] + 1} and {r + 1})."))
                { FilePath = tablePath };
        }
        int n = matrixIds.Count;
        var x = new double[n];
        var y = new double[n];
        var missing = new List<string>();
        for (int i = 0; i < n; i++)
        {
            if (!rowOf.TryGetValue(matrixIds[i], out int r)) { x[i] = y[i] = double.NaN; missing.Add(matrixIds[i]); continue; }
            x[i] = Number(columns[pair.X][r], names[pair.X], r, tablePath);
            y[i] = Number(columns[pair.Y][r], names[pair.Y], r, tablePath);
        }
        if (missing.Count > 0)
            context.Warning(SpotLattice.Short(
                $"{missing.Count:N0} of {n:N0} spots of '{Path.GetFileName(matrixPath)}' have no {(inTissue >= 0 ? "in-tissue " : "")}row in '{file}' and are left out: " +
                $"{string.Join(", ", missing.Take(5).Select(s => $"'{WideMatrixReader.Clip(s)}'"))}{(missing.Count > 5 ? ", …" : "")}."));
        context.Verbose($"Spot positions from '{tablePath}': joined on column '{names[idColumn]}', coordinates {names[pair.X]},{names[pair.Y]}.");
        return new SpotPositions(x, y, names[pair.X], names[pair.Y], pair.Indices, $"columns {names[pair.X]},{names[pair.Y]} of '{file}'");
    }

    /// <summary>All columns of a text spot table, as strings.</summary>
    public static (List<string> Names, List<string[]> Columns) ReadColumns(string path, CancellationToken cancel)
    {
        if (!File.Exists(path))
            throw new SpatialSimException(ErrorKind.NotFound, $"The spot table '{path}' does not exist.") { FilePath = path };
        using var rows = new TextRows(path);
        var header = rows.Header() ?? throw new SpatialSimException(ErrorKind.InvalidData, $"The spot table '{path}' is empty.") { FilePath = path };
        var data = new List<List<string>>();
        List<string> names;
        if (header.Count == TenXColumns.Length && header[1] is "0" or "1" && header.Skip(2).All(f => TextRows.TryNumber(f, out _)))
        {
            names = TenXColumns.ToList();
            data.Add(header);
        }
        else names = header;
        var fields = new List<string>();
        string? line;
        while ((line = rows.NextLine()) is not null)
        {
            if ((data.Count & 4095) == 0) cancel.ThrowIfCancellationRequested();
            var row = rows.Split(line);
            if (row.Count != names.Count)
                throw new SpatialSimException(ErrorKind.InvalidData, SpotLattice.Short(
                    $"Line {rows.Line} of the spot table '{path}' has {row.Count} fields, the header {names.Count}."))
                { FilePath = path, LineNumber = rows.Line };
            data.Add(row);
        }
        var columns = new List<string[]>(names.Count);
        for (int c = 0; c < names.Count; c++) columns.Add(data.Select(r => r[c]).ToArray());
        return (names, columns);
    }

    private static double Number(string cell, string column, int row, string path)
    {
        if (TextRows.TryNumber(cell, out double v)) return v;
        if (cell.Length == 0 || cell.Equals("NA", StringComparison.OrdinalIgnoreCase) || cell.Equals("nan", StringComparison.OrdinalIgnoreCase)) return double.NaN;
        throw new SpatialSimException(ErrorKind.InvalidData, SpotLattice.Short(
            $"Row {row + 1} of the spot table '{Path.GetFileName(path)}', column '{column}': '{WideMatrixReader.Clip(cell)}' is not a number."))
        { FilePath = path };
    }

    internal static string ListColumns(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(8).Select(n => $"'{WideMatrixReader.Clip(n)}'")) + (names.Count > 8 ? $", … ({names.Count} columns)" : "");
}
