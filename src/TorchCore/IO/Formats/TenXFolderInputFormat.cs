namespace SpatialSim.TorchCore.IO.Formats;

/// <summary>
/// A Space Ranger output folder: outs/ (Visium: filtered_feature_bc_matrix.h5 and spatial/; Visium HD: binned_outputs/),
/// binned_outputs/ itself, or one binned_outputs/square_002um|008um|016um folder. Visium HD's outs/ and binned_outputs/
/// read square_008um (10x's recommended bin); give another square_*um folder for another bin size.
/// </summary>
public sealed class TenXFolderInputFormat : IInputFormat
{
    /// <summary>The Visium HD bin read when a folder holds several: 10x's default for analysis.</summary>
    public const string DefaultBin = "square_008um";
    private static readonly string[] Matrices = ["filtered_feature_bc_matrix.h5", "raw_feature_bc_matrix.h5"];

    public string Name => "10x Genomics Space Ranger output folder";
    public string Supported => ""; // listed with the 10x .h5 format

    public bool Matches(InputProbe probe) => probe.IsDirectory && Matrix(probe.Path) is not null;

    public IEnumerable<GeneRaster> Read(InputProbe probe, ImportRequest request, ImportContext context)
    {
        string h5 = Matrix(probe.Path)!;
        context.Verbose($"'{probe.Path}': reading '{Path.GetRelativePath(probe.Path, h5)}'.");
        return TenXH5InputFormat.ReadMatrix(h5, request, context);
    }

    public IEnumerable<string> GeneNames(InputProbe probe, CancellationToken cancellationToken) =>
        Matrix(probe.Path) is { } h5 ? Spots.TenXH5Reader.GeneNames(h5, null) : [];

    /// <summary>The matrix .h5 the folder stands for, or null when it is not a Space Ranger folder.</summary>
    internal static string? Matrix(string folder)
    {
        foreach (var name in Matrices)
            if (File.Exists(Path.Combine(folder, name))) return Path.Combine(folder, name);
        string binned = Path.GetFileName(folder.TrimEnd('/', '\\')) == "binned_outputs" ? folder : Path.Combine(folder, "binned_outputs");
        if (!Directory.Exists(binned)) return null;
        var bins = Directory.GetDirectories(binned, "square_*um").OrderBy(d => d, StringComparer.Ordinal).ToList();
        var chosen = bins.FirstOrDefault(d => Path.GetFileName(d) == DefaultBin) ?? bins.FirstOrDefault();
        return chosen is null ? null : Matrices.Select(m => Path.Combine(chosen, m)).FirstOrDefault(File.Exists);
    }
}
