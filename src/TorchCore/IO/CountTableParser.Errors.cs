using System.Text;

namespace SpatialSim.TorchCore.IO;

/// <summary>Errors about a row, naming the file, the line and the column.</summary>
internal sealed partial class CountTableParser
{
    private static string Show(ReadOnlySpan<byte> s)
    {
        string text = Encoding.UTF8.GetString(s.Length > 60 ? s[..60] : s);
        return s.Length > 60 ? text + "…" : text;
    }

    private SpatialSimException RowError(string what, ReadOnlySpan<byte> gene) =>
        new(ErrorKind.InvalidData, $"Line {_recordLine:N0} of '{_path}': {what}")
        {
            FilePath = _path,
            LineNumber = _recordLine,
            Gene = gene.IsEmpty ? null : Encoding.UTF8.GetString(gene),
        };

    private SpatialSimException CoordinateTooLarge(ReadOnlySpan<byte> s, byte role, double pixel, ReadOnlySpan<byte> gene)
    {
        string axis = role == RoleX ? "x" : "y";
        string column = _header!.Columns[role == RoleX ? _header.XColumn : _header.YColumn];
        return RowError($"the {axis} coordinate '{Show(s)}' (column '{column}') gives pixel {pixel:G6} at PixelSize {_pixelSize}, " +
            "beyond the ±2,147,483,647 pixels a canvas can address. Check that the column holds coordinates, or use a larger -PixelSize.", gene);
    }

    private SpatialSimException TooFewFields(int fields, ReadOnlySpan<byte> gene)
    {
        var h = _header!;
        int column = fields;
        while (_roles[column] == RoleNone) column++; // _roles[_maxColumn] is never RoleNone
        string role = _roles[column] switch { RoleGene => "gene", RoleX => "x", RoleY => "y", RoleQuality => "quality", _ => "count" };
        return RowError($"the line has {fields} field{(fields == 1 ? "" : "s")}, but the {role} column '{h.Columns[column]}' is field {column + 1} " +
            $"of the {h.Columns.Count} in the header. The line may be cut short, or split by another delimiter than the header's ({CountTableHeader.DelimiterName(_delim)}).", gene);
    }
}
