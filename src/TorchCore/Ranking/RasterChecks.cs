namespace SpatialSim.TorchCore.Ranking;

/// <summary>Checks that inputs to a multi-gene computation fit together.</summary>
public static class RasterChecks
{
    public static void RequireSameSize(IReadOnlyList<GeneRaster> rasters)
    {
        if (rasters.Count == 0) return;
        var first = rasters[0];
        foreach (var r in rasters)
        {
            if (r.Width != first.Width || r.Height != first.Height)
                throw new SpatialSimException(ErrorKind.Mismatch,
                    $"Gene '{r.Gene}' is {r.Width}×{r.Height} pixels but '{first.Gene}' is {first.Width}×{first.Height}: all rasters must share one canvas. " +
                    "Import them from the same file, or with the same -Region and -BinSize.") { Gene = r.Gene };
            if (!r.Device.Equals(first.Device))
                throw new SpatialSimException(ErrorKind.Mismatch,
                    $"Gene '{r.Gene}' is on {r.Device} but '{first.Gene}' is on {first.Device}; import all rasters with the same -Device.") { Gene = r.Gene };
        }
    }

    /// <summary>Two genes (or genes prepared for a measure) must share one canvas; names both sizes.</summary>
    public static void RequireSameCanvas(string geneA, int widthA, int heightA, string geneB, int widthB, int heightB)
    {
        if (widthA != widthB || heightA != heightB)
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"Genes '{geneA}' ({widthA}×{heightA}) and '{geneB}' ({widthB}×{heightB}) have different raster sizes; " +
                "compare rasters imported from the same canvas (same file or same -Region and -BinSize).") { Gene = geneB };
    }

    public static void RequireSameCanvas(GeneRaster a, GeneRaster b) => RequireSameCanvas(a.Gene, a.Width, a.Height, b.Gene, b.Width, b.Height);

    /// <summary>A tissue mask must lie on the genes' canvas.</summary>
    public static void RequireMaskFits(GeneRaster mask, GeneRaster gene)
    {
        if (mask.Width != gene.Width || mask.Height != gene.Height)
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"The mask '{mask.Gene}' is {mask.Width}×{mask.Height} pixels but gene '{gene.Gene}' is {gene.Width}×{gene.Height}; the mask must share the genes' canvas.");
    }

    /// <summary>Gene names must be unique to name pairs; lists the duplicates.</summary>
    public static void RequireUniqueNames(IReadOnlyList<GeneRaster> rasters)
    {
        var duplicates = rasters.GroupBy(r => r.Gene, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"'{g.Key}' ×{g.Count()}").ToList();
        if (duplicates.Count > 0)
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"Gene names must be unique to name pairs, but these repeat: {string.Join(", ", duplicates)}. " +
                "Import with -Gene to name them, or pass -Force to add suffixes (#2, #3…).");
    }

    /// <summary>
    /// The gene names made unique: the first of each repeated name keeps it, later ones get "#2", "#3"… in input order
    /// (skipping a suffixed name that is already taken). Returns the names and the renames made ("old → new").
    /// </summary>
    public static (IReadOnlyList<string> Names, IReadOnlyList<string> Renamed) SuffixDuplicateNames(IReadOnlyList<GeneRaster> rasters)
    {
        var taken = new HashSet<string>(rasters.Select(r => r.Gene), StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>(rasters.Count);
        var renamed = new List<string>();
        foreach (var r in rasters)
        {
            if (!seen.TryGetValue(r.Gene, out int count))
            {
                seen[r.Gene] = 1;
                names.Add(r.Gene);
                continue;
            }
            string name;
            do name = $"{r.Gene}#{++count}"; while (!taken.Add(name));
            seen[r.Gene] = count;
            names.Add(name);
            renamed.Add($"'{r.Gene}' → '{name}'");
        }
        return (names, renamed);
    }
}
