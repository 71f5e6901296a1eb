using SpatialSim.TorchCore;

namespace SpatialSim.Cmdlets;

internal enum InputFormat { Image, Npy, Table, Parquet, Gef }

/// <summary>Which reader a file goes to, by its name (and, for Parquet, its first bytes).</summary>
internal static class InputFormats
{
    private static readonly string[] TableExtensions = { ".csv", ".tsv", ".txt", ".gem", ".tab" };

    public static InputFormat Detect(string file)
    {
        // Parquet whatever its name (Xenium transcripts.parquet); GEF by its name, its reader checks the content.
        if (SpatialSim.TorchCore.IO.TranscriptParquetReader.IsParquet(file)) return InputFormat.Parquet;
        string name = System.IO.Path.GetFileName(file).ToLowerInvariant();
        if (name.EndsWith(".gz")) name = name[..^3];
        string ext = System.IO.Path.GetExtension(name);
        if (ext is ".png" or ".tif" or ".tiff") return InputFormat.Image;
        if (ext == ".npy") return InputFormat.Npy;
        if (ext is ".gef" or ".bgef") return InputFormat.Gef;
        if (TableExtensions.Contains(ext)) return InputFormat.Table;
        throw new SpatialSimException(ErrorKind.NotSupported,
            $"'{file}' has an extension SpatialSim does not read. Supported: images .png .tif .tiff; tables .csv .tsv .txt .gem .tab (optionally .gz) and Parquet (Xenium transcripts.parquet); Stereo-seq .gef; NumPy .npy.")
        { FilePath = file };
    }
}
