namespace SpatialSim.TorchCore.IO.Spots;

/// <summary>
/// Where each spot of a matrix is: two coordinates per spot (NaN where a spot has no position), the columns they came
/// from, and whether they are lattice indices (<c>array_col</c>/<c>array_row</c>) or positions to map onto a lattice.
/// </summary>
internal sealed record SpotPositions(double[] X, double[] Y, string XName, string YName, bool AreIndices, string From)
{
    /// <summary>Coordinate column pairs, x then y, in order of preference: lattice indices first, then positions.</summary>
    public static readonly (string X, string Y, bool Indices)[] Pairs =
    [
        ("array_col", "array_row", true),
        ("x", "y", false),
        ("pxl_col_in_fullres", "pxl_row_in_fullres", false),
        ("imagecol", "imagerow", false),
        ("x_centroid", "y_centroid", false),
    ];

    /// <summary>The names the pairs are recognised by, for messages.</summary>
    public static string PairNames => string.Join("; ", Pairs.Select(p => $"{p.X},{p.Y}"));

    /// <summary>The first pair of <see cref="Pairs"/> present in <paramref name="columns"/> (case-insensitive): their indices, or null.</summary>
    public static (int X, int Y, bool Indices)? FindPair(IReadOnlyList<string> columns)
    {
        foreach (var (x, y, indices) in Pairs)
        {
            int ix = IndexOf(columns, x), iy = IndexOf(columns, y);
            if (ix >= 0 && iy >= 0) return (ix, iy, indices);
        }
        return null;
    }

    public static int IndexOf(IReadOnlyList<string> columns, string name)
    {
        for (int i = 0; i < columns.Count; i++)
            if (string.Equals(columns[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    /// <summary>Whether <paramref name="name"/> is one of the coordinate columns (so not a gene of a wide matrix).</summary>
    public static bool IsCoordinateName(string name) =>
        Pairs.Any(p => string.Equals(p.X, name, StringComparison.OrdinalIgnoreCase) || string.Equals(p.Y, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Spots with a position.</summary>
    public int Placed => X.Count(double.IsFinite);

    /// <summary>
    /// Positions parsed from spot ids of the ST pipeline / SpatialDE form "&lt;x&gt;x&lt;y&gt;" (e.g. "16.92x9.015"); null unless every id has that form.
    /// </summary>
    public static SpotPositions? FromStIds(IReadOnlyList<string> ids, string source)
    {
        if (ids.Count == 0) return null;
        var x = new double[ids.Count];
        var y = new double[ids.Count];
        for (int i = 0; i < ids.Count; i++)
        {
            string id = ids[i];
            int at = id.IndexOf('x');
            if (at <= 0 || at == id.Length - 1
                || !double.TryParse(id.AsSpan(0, at), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out x[i])
                || !double.TryParse(id.AsSpan(at + 1), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out y[i])
                || !double.IsFinite(x[i]) || !double.IsFinite(y[i]))
                return null;
        }
        return new SpotPositions(x, y, "x", "y", false, $"the spot ids of '{source}' (\"<x>x<y>\", as the ST pipeline names spots)");
    }
}
