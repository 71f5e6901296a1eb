using System.Text.Json;
using Parquet;
using Parquet.Schema;
using SpatialSim.TorchCore.IO.Formats;

namespace SpatialSim.TorchCore.IO.Spots;

/// <summary>
/// The spatial/ folder of Space Ranger output: spot positions (tissue_positions.csv with a header, Space Ranger 2+;
/// tissue_positions_list.csv without one, Space Ranger 1; tissue_positions.parquet, Visium HD) and scalefactors_json.json.
/// Pixel size: Visium HD bins are bin_size_um (from the scale factors, else the square_NNNum folder name); Visium spots
/// are <see cref="VisiumPitchMicrons"/> apart.
/// </summary>
internal static class TenXSpatial
{
    /// <summary>Centre-to-centre distance of Visium (v1, v2, CytAssist 6.5 mm) spots, in µm (10x's specification).</summary>
    public const double VisiumPitchMicrons = 100;
    private static readonly string[] PositionFiles = ["tissue_positions.parquet", "tissue_positions.csv", "tissue_positions_list.csv"];

    /// <summary>The positions file in <paramref name="spatialFolder"/>, or null.</summary>
    public static string? PositionsFile(string spatialFolder) =>
        PositionFiles.Select(f => Path.Combine(spatialFolder, f)).FirstOrDefault(File.Exists);

    /// <summary>Positions of <paramref name="barcodes"/> from the positions file (joined on the barcode).</summary>
    public static SpotPositions Positions(string file, IReadOnlyList<string> barcodes, string matrixPath, ImportContext context)
    {
        if (!file.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
            return SpotTableReader.Join(file, barcodes, matrixPath, context);
        var (names, columns) = ReadParquet(file, context.CancellationToken);
        return SpotTableReader.Join(file, names, columns, barcodes, matrixPath, context);
    }

    /// <summary>The bin size in µm (Visium HD) from scalefactors_json.json's bin_size_um or the folder name square_NNNum; null for Visium.</summary>
    public static double? BinMicrons(string binFolder)
    {
        string json = Path.Combine(binFolder, "spatial", "scalefactors_json.json");
        if (File.Exists(json))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllBytes(json));
                if (doc.RootElement.TryGetProperty("bin_size_um", out var bin) && bin.TryGetDouble(out double um) && um > 0) return um;
            }
            catch (JsonException e)
            {
                throw new SpatialSimException(ErrorKind.InvalidData, $"'{json}' is not valid JSON ({e.Message.Split('.')[0]}).", e) { FilePath = json };
            }
        }
        string name = Path.GetFileName(binFolder.TrimEnd('/', '\\'));
        if (name.StartsWith("square_", StringComparison.Ordinal) && name.EndsWith("um", StringComparison.Ordinal)
            && int.TryParse(name["square_".Length..^2], out int micrometres) && micrometres > 0)
            return micrometres;
        return null;
    }

    /// <summary>The columns of a Parquet spot table as strings (barcode, in_tissue, array and pixel coordinates), read with Parquet.Net.</summary>
    private static (List<string> Names, List<string[]> Columns) ReadParquet(string file, CancellationToken cancel)
    {
        try
        {
            var reader = ParquetReader.CreateAsync(file, cancellationToken: cancel).GetAwaiter().GetResult();
            try
            {
            var fields = reader.Schema.GetDataFields();
            var names = fields.Select(f => f.Name).ToList();
            var columns = fields.Select(_ => new List<string>()).ToList();
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                cancel.ThrowIfCancellationRequested();
                using var group = reader.OpenRowGroupReader(g);
                int rows = checked((int)group.RowCount);
                for (int c = 0; c < fields.Length; c++)
                    columns[c].AddRange(ReadColumn(group, fields[c], rows, file));
            }
            return (names, columns.Select(c => c.ToArray()).ToList());
            }
            finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        }
        catch (Exception e) when (e is not SpatialSimException and not OperationCanceledException)
        {
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"The spot table '{file}' cannot be read as Parquet ({Hdf5.Hdf5Reader.Brief(e)}): truncated or damaged?", e) { FilePath = file };
        }
    }

    private static IEnumerable<string> ReadColumn(ParquetRowGroupReader group, DataField field, int rows, string file)
    {
        var t = field.ClrType;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (t == typeof(ReadOnlyMemory<char>) || t == typeof(string))
        {
            var values = new string?[rows];
            group.ReadAsync(field, values.AsMemory()).AsTask().GetAwaiter().GetResult();
            return values.Select(v => v ?? "");
        }
        if (t == typeof(int)) return Numbers<int>(group, field, rows).Select(v => v?.ToString(inv) ?? "");
        if (t == typeof(long)) return Numbers<long>(group, field, rows).Select(v => v?.ToString(inv) ?? "");
        if (t == typeof(short)) return Numbers<short>(group, field, rows).Select(v => v?.ToString(inv) ?? "");
        if (t == typeof(sbyte)) return Numbers<sbyte>(group, field, rows).Select(v => v?.ToString(inv) ?? "");
        if (t == typeof(byte)) return Numbers<byte>(group, field, rows).Select(v => v?.ToString(inv) ?? "");
        if (t == typeof(bool)) return Numbers<bool>(group, field, rows).Select(v => v is null ? "" : v.Value ? "1" : "0");
        if (t == typeof(double)) return Numbers<double>(group, field, rows).Select(v => v?.ToString("R", inv) ?? "");
        if (t == typeof(float)) return Numbers<float>(group, field, rows).Select(v => v?.ToString("R", inv) ?? "");
        return Enumerable.Repeat("", rows);
    }

    private static T?[] Numbers<T>(ParquetRowGroupReader group, DataField field, int rows) where T : struct
    {
        var result = new T?[rows];
        if (field.IsNullable)
            group.ReadAsync<T>(field, result.AsMemory()).AsTask().GetAwaiter().GetResult();
        else
        {
            var values = new T[rows];
            group.ReadAsync<T>(field, values.AsMemory()).AsTask().GetAwaiter().GetResult();
            for (int i = 0; i < rows; i++) result[i] = values[i];
        }
        return result;
    }
}
