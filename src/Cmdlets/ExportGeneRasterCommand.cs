using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.IO;

namespace SpatialSim.Cmdlets;

/// <summary>
/// Writes rasters to .npy (float32, exact), 16-bit PNG (exact for integer counts ≤ 65535, scaled otherwise)
/// or float32 TIFF (exact). Put {Gene} in the path to write one file per gene (the gene's name, untrusted, becomes one
/// file-name component through <see cref="GeneFileName"/>); several rasters into one .npy path without {Gene} become one 3-D
/// stack (genes, height, width). Never overwrites without -Force, and never writes two rasters of one run to one file.
/// </summary>
[Cmdlet(VerbsData.Export, "GeneRaster", SupportsShouldProcess = true, DefaultParameterSetName = FileExportCmdlet.PathSet)]
[OutputType(typeof(FileInfo))]
public sealed class ExportGeneRasterCommand : FileExportCmdlet
{
    private const string GeneField = "{Gene}";
    private readonly List<GeneRaster> _stack = new();
    /// <summary>Per-gene files written by this run, and the gene each holds: a second raster that maps to one of them is refused.</summary>
    private readonly Dictionary<string, string> _written = new(OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public GeneRaster[] InputObject { get; set; } = Array.Empty<GeneRaster>();

    private bool PerGene => GivenPath.Contains(GeneField, StringComparison.OrdinalIgnoreCase);

    protected override IReadOnlyList<string> Extensions { get; } = new[] { ".npy", ".png", ".tif", ".tiff" };

    protected override void ProcessRecord()
    {
        foreach (var raster in InputObject)
        {
            if (raster is null) continue;
            if (!PerGene)
            {
                _stack.Add(raster);
                continue;
            }
            // The user's path is resolved as a PowerShell path (in BeginProcessing, {Gene} kept as it is); the gene's name,
            // which comes from an input file, is put into the resolved file-system path as one encoded file-name component.
            string target = Target.Replace(GeneField, GeneFileName.Of(raster.Gene), StringComparison.OrdinalIgnoreCase);
            if (_written.TryGetValue(target, out var earlier))
            {
                WriteError(new ErrorRecord(new SpatialSimException(ErrorKind.WriteConflict,
                    earlier == raster.Gene
                        ? $"Gene '{raster.Gene}' came twice; its first raster was written to '{target}' and this one is not. Give each raster its own name (e.g. Import-GeneRaster -Gene)."
                        : $"Genes '{earlier}' and '{raster.Gene}' map to the same file '{target}' on this file system; '{earlier}' was written there and '{raster.Gene}' is not. Rename one of them.")
                    { FilePath = target, Gene = raster.Gene }, "ExportFailed.NameCollision", ErrorCategory.ResourceExists, raster));
                continue;
            }
            if (Write(target, new[] { raster }, createGeneFolder: true)) _written[target] = raster.Gene;
        }
    }

    protected override void EndProcessing()
    {
        if (PerGene || _stack.Count == 0) return;
        if (_stack.Count > 1 && Extension != ".npy")
        {
            WriteFailure(new SpatialSimException(ErrorKind.InvalidArgument,
                $"{_stack.Count} rasters ({Describe(_stack)}) were given for the one {Extension} file '{GivenPath}', which holds a single image; nothing was written. " +
                $"Put {GeneField} in the path for one file per gene (e.g. 'out/{GeneField}{Extension}'), or write a .npy stack.") { FilePath = Target }, Target, "OneImagePerFile");
            return;
        }
        Write(Target, _stack, createGeneFolder: false);
    }

    private static string Describe(IReadOnlyList<GeneRaster> rasters) =>
        string.Join(", ", rasters.Take(3).Select(r => r.Gene)) + (rasters.Count > 3 ? ", …" : "");

    /// <summary>Writes one file; true when it was written. <paramref name="createGeneFolder"/>: make the folders that {Gene} names (their parent must exist).</summary>
    private bool Write(string target, IReadOnlyList<GeneRaster> rasters, bool createGeneFolder)
    {
        string what = rasters.Count == 1 ? $"gene '{rasters[0].Gene}'" : $"{rasters.Count} genes as one stack";
        if (!ShouldProcess(target, $"Write {what}")) return false;
        try
        {
            if (File.Exists(target) && !Force)
                throw new SpatialSimException(ErrorKind.WriteConflict,
                    $"'{target}' already exists; pass -Force to overwrite it.") { FilePath = target };
            if (Directory.Exists(target))
                throw new SpatialSimException(ErrorKind.WriteConflict, $"'{target}' is a directory; give a file name.") { FilePath = target };
            if (createGeneFolder) CreateGeneFolders(target);
            StopToken.ThrowIfCancellationRequested();
            switch (Extension)
            {
                case ".npy" when rasters.Count == 1:
                    NpyFormat.WriteFloat32(target, rasters[0].ToPlane(), overwrite: Force, StopToken);
                    break;
                case ".npy":
                    NpyFormat.WriteFloat32Stack(target, rasters.Select(r => r.ToPlane()).ToList(), overwrite: Force, StopToken);
                    WriteVerbose($"'{target}': stack of {rasters.Count} genes in this order: {string.Join(", ", rasters.Select(r => r.Gene))}.");
                    break;
                case ".png":
                    var info = ImageRasterWriter.WritePng16(target, rasters[0].ToPlane(), overwrite: Force, StopToken);
                    if (!info.Exact)
                        WriteWarning($"Gene '{rasters[0].Gene}' is not integer counts in 0..65535: '{target}' holds the values scaled by {info.Scale:g6} " +
                                     "(a 16-bit PNG stores integers). Use .npy or .tif to keep exact values.");
                    break;
                default:
                    ImageRasterWriter.WriteTiffFloat32(target, rasters[0].ToPlane(), overwrite: Force, StopToken);
                    break;
            }
            if (PassThru) WriteObject(new FileInfo(target));
            return true;
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e)
        {
            var record = ToErrorRecord(e, target, "ExportFailed");
            if (e is IOException && e is not FileNotFoundException)
                record = new ErrorRecord(e, record.FullyQualifiedErrorId, ErrorCategory.WriteError, target);
            WriteError(record);
            return false;
        }
    }

    /// <summary>
    /// With {Gene} in a folder of the path ('out/{Gene}/map.npy'), makes the gene's folder: its name is the encoded gene name,
    /// which users cannot be expected to create. The folder above the first {Gene} must exist (a typo there is still an error).
    /// </summary>
    private void CreateGeneFolders(string target)
    {
        int field = Target.IndexOf(GeneField, StringComparison.OrdinalIgnoreCase);
        string? templateFolder = System.IO.Path.GetDirectoryName(Target);
        if (templateFolder is null || templateFolder.IndexOf(GeneField, StringComparison.OrdinalIgnoreCase) < 0) return;
        string? root = System.IO.Path.GetDirectoryName(Target[..field] + "x");
        if (root is null || !Directory.Exists(root)) return; // the writer reports the missing folder
        string? folder = System.IO.Path.GetDirectoryName(target);
        if (folder is not null) Directory.CreateDirectory(folder);
    }
}
