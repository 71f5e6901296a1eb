using SpatialSim.TorchCore.IO.Spots;

namespace SpatialSim.TorchCore.IO.Formats;

/// <summary>Tells long tables (a row per gene and position) from wide spot × gene tables by their first two lines.</summary>
internal static class TableLayout
{
    /// <summary>Whether the header names a gene, an x and a y column (as <see cref="CountTableReader"/> needs).</summary>
    public static bool IsLongHeader(string header)
    {
        var fields = new List<string>();
        TextRows.Split(header, TextRows.DetectDelimiter(header), fields);
        bool Has(string[] names) => fields.Any(f => names.Contains(f, StringComparer.OrdinalIgnoreCase));
        return Has(CountTableHeader.GeneNames) && Has(CountTableHeader.XNames) && Has(CountTableHeader.YNames);
    }

    /// <summary>The wide layout of the probed file, or null when it is not a wide spot × gene table.</summary>
    public static WideLayout? Wide(InputProbe probe, bool expected)
    {
        var (first, second) = probe.Lines;
        if (first is null) return null;
        if (!expected && IsLongHeader(first)) return null;
        char delimiter = TextRows.DetectDelimiter(first);
        var header = new List<string>();
        TextRows.Split(first, delimiter, header);
        List<string>? row = null;
        if (second is not null)
        {
            row = [];
            TextRows.Split(second, delimiter, row);
        }
        return WideLayout.Analyse(header, row, expected);
    }
}
