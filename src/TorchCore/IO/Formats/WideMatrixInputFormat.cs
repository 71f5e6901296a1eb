using SpatialSim.TorchCore.IO.Spots;

namespace SpatialSim.TorchCore.IO.Formats;

/// <summary>
/// Wide spot × gene tables (CSV/TSV, optionally .gz): spots in rows, genes in columns, coordinates in the table, in a
/// spot table (-SpotTable) or in ST-pipeline spot ids. Recognised by content: a header that is not a long table's, and a
/// first row with a spot id and numeric gene columns (see <see cref="WideLayout.Analyse"/>); any text table when a spot
/// table is given.
/// </summary>
public sealed class WideMatrixInputFormat : IInputFormat
{
    public string Name => "spot × gene table";
    public string Supported => ""; // listed with the long tables

    public bool Matches(InputProbe probe)
    {
        if (probe.IsDirectory || probe.IsHdf5 || !probe.IsText) return false;
        if (probe.ExpectSpotMatrix) return true;
        return TableLayout.Wide(probe, expected: false) is not null;
    }

    public IEnumerable<GeneRaster> Read(InputProbe probe, ImportRequest request, ImportContext context)
    {
        var (counts, positions) = WideMatrixReader.Read(probe.Path, request, context);
        var placement = SpotLattice.Place(positions, counts.SpotIds, probe.Path, request.PixelSizeGiven, request.Table.PixelSize);
        return SpotRasterizer.Rasterize(counts, placement, request, context);
    }

    public IEnumerable<string> GeneNames(InputProbe probe, CancellationToken cancellationToken)
    {
        var (first, second) = probe.Lines;
        if (first is null || TableLayout.Wide(probe, expected: true) is not { } layout) return [];
        var header = new List<string>();
        TextRows.Split(first, TextRows.DetectDelimiter(first), header);
        var names = layout.HeaderLacksId ? new[] { "" }.Concat(header).ToList() : header;
        return layout.GeneColumns.Select(c => names[c]).ToArray();
    }
}
