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

    /// <summary>Gene names must be unique to name pairs; lists the duplicates.</summary>
    public static void RequireUniqueNames(IReadOnlyList<GeneRaster> rasters)
    {
        var duplicates = rasters.GroupBy(r => r.Gene, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"'{g.Key}' ×{g.Count()}").ToList();
        if (duplicates.Count > 0)
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"Gene names must be unique to name pairs, but these repeat: {string.Join(", ", duplicates)}. " +
                "Import with -Gene to name them, or pass -Force to add suffixes (#2, #3…).");
    }
}
