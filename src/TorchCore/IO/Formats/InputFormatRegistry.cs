namespace SpatialSim.TorchCore.IO.Formats;

/// <summary>
/// The input formats Import-GeneRaster reads, asked in order; the first whose <see cref="IInputFormat.Matches"/> accepts
/// an input reads it. Formats recognised by their content come first (HDF5 layouts, magic numbers), then folders, then
/// text tables (a wide spot × gene matrix before a long one, which is the fallback for table extensions).
/// </summary>
public static class InputFormatRegistry
{
    private static readonly List<IInputFormat> Registered =
    [
        new AnnDataInputFormat(),
        new TenXH5InputFormat(),
        new GefInputFormat(),
        new TranscriptParquetInputFormat(),
        new ImageInputFormat(),
        new NpyInputFormat(),
        new TenXFolderInputFormat(),
        new WideMatrixInputFormat(),
        new LongTableInputFormat(),
    ];

    /// <summary>The registered formats, in the order they are asked.</summary>
    public static IReadOnlyList<IInputFormat> Formats
    {
        get { lock (Registered) return Registered.ToArray(); }
    }

    /// <summary>Adds a format, asked before the text tables (which accept any file with a table extension).</summary>
    public static void Register(IInputFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        lock (Registered)
        {
            if (Registered.Any(f => f.GetType() == format.GetType())) return;
            int at = Registered.FindIndex(f => f is WideMatrixInputFormat or LongTableInputFormat);
            Registered.Insert(at < 0 ? Registered.Count : at, format);
        }
    }

    /// <summary>The format that reads <paramref name="probe"/>; a <see cref="SpatialSimException"/> (NotSupported) listing the supported inputs when none does.</summary>
    public static IInputFormat Detect(InputProbe probe)
    {
        foreach (var format in Formats)
            if (format.Matches(probe)) return format;
        string supported = string.Join("; ", Formats.Select(f => f.Supported).Where(t => t.Length > 0).Distinct());
        if (probe.IsDirectory)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"'{probe.Path}' is a directory but not a 10x output folder (outs/ or binned_outputs/square_*um/). Give the files in it, " +
                $"e.g. Get-ChildItem '{probe.Path}' -File | Import-GeneRaster.") { FilePath = probe.Path };
        if (probe.IsHdf5 && probe.Hdf5Error is { } e)
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{probe.Path}' is an HDF5 file that cannot be opened ({FirstLine(e.Message)}): truncated or damaged? Copy or download it again.", e)
            { FilePath = probe.Path };
        string seen = probe.IsHdf5 ? "an HDF5 file of a layout SpatialSim does not know (not AnnData, not a 10x matrix, not a Stereo-seq GEF)"
            : probe.Magic.Length == 0 ? "empty or unreadable"
            : probe.IsText ? "text, but not a table with a known extension" : "of a kind SpatialSim does not read";
        throw new SpatialSimException(ErrorKind.NotSupported,
            $"'{probe.Path}' is {seen}. Supported: {supported}.") { FilePath = probe.Path };
    }

    /// <summary>Opens a probe on <paramref name="path"/> and finds its format.</summary>
    public static IInputFormat Detect(string path)
    {
        using var probe = new InputProbe(path);
        return Detect(probe);
    }

    internal static string FirstLine(string text)
    {
        string line = text.Split('\n', 2)[0].Trim().TrimEnd('.');
        return line.Length > 120 ? line[..120] + "…" : line;
    }
}
