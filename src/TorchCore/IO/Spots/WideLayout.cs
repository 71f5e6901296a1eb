namespace SpatialSim.TorchCore.IO.Spots;

/// <summary>
/// The layout of a wide spot × gene table (spots in rows, genes in columns), read from its header and first row: which
/// column names the spot, which hold coordinates, which are other per-spot annotations, and which are genes.
/// </summary>
internal sealed record WideLayout(int IdColumn, bool HeaderLacksId, (int X, int Y, bool Indices)? Coordinates, int[] GeneColumns, string[] Skipped)
{
    /// <summary>Header names of a spot-id column.</summary>
    public static readonly string[] IdNames =
        ["", "spot", "spots", "spot_id", "spotid", "barcode", "barcodes", "cell", "cell_id", "cellid", "id", "index", "obs_names", "unnamed: 0", "row.names", "rownames"];

    /// <summary>Per-spot annotations that are never genes.</summary>
    private static readonly string[] AnnotationNames =
        ["in_tissue", "total_counts", "n_counts", "n_genes", "n_genes_by_counts", "ncount_rna", "nfeature_rna", "ncount_spatial", "nfeature_spatial", "library_size"];

    /// <summary>A wide table needs at least this many gene columns to be recognised without coordinates or a spot-id column.</summary>
    private const int MinGenesAlone = 10;

    public static bool IsIdName(string name) => IdNames.Contains(name.Trim(), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The layout of a table with this header and first data row, or null when it does not look like a wide spot × gene
    /// table (fewer than two numeric gene columns; or no coordinates, no spot-id column and fewer than 10 genes, as a long
    /// table with unknown column names would be).
    /// </summary>
    public static WideLayout? Analyse(IReadOnlyList<string> header, IReadOnlyList<string>? row, bool expected)
    {
        if (header.Count < 2 || row is null || row.Count < 2) return null;
        // R's write.table leaves the row-name column out of the header: the rows then have one field more.
        bool lacksId = row.Count == header.Count + 1;
        var names = lacksId ? new[] { "" }.Concat(header).ToList() : header.ToList();
        if (names.Count != row.Count) return expected ? new WideLayout(-1, false, null, [], []) : null;
        var pair = SpotPositions.FindPair(names);
        int id = -1;
        if (lacksId || IsIdName(names[0]) || !TextRows.TryNumber(row[0], out _)) id = 0;
        var genes = new List<int>();
        var skipped = new List<string>();
        for (int c = 0; c < names.Count; c++)
        {
            if (c == id || (pair is { } p && (c == p.X || c == p.Y))) continue;
            string name = names[c];
            if (SpotPositions.IsCoordinateName(name) || IsIdName(name) || AnnotationNames.Contains(name, StringComparer.OrdinalIgnoreCase)
                || !TextRows.TryNumber(row[c], out _))
                skipped.Add(name);
            else genes.Add(c);
        }
        if (!expected)
        {
            if (genes.Count < 2) return null;
            bool idNamed = id == 0 && (lacksId || IsIdName(names[0]));
            if (pair is null && !idNamed && genes.Count < MinGenesAlone) return null;
        }
        return new WideLayout(id, lacksId, pair, genes.ToArray(), skipped.ToArray());
    }
}
