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
    private readonly List<GeneRaster> _stack = new();

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public GeneRaster[] InputObject { get; set; } = Array.Empty<GeneRaster>();

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
            if (GeneTarget(raster.Gene, raster) is { } target)
                Write(target, new[] { raster }, raster.Gene);
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
        Write(Target, _stack, gene: null);
    }

    private static string Describe(IReadOnlyList<GeneRaster> rasters) =>
        string.Join(", ", rasters.Take(3).Select(r => r.Gene)) + (rasters.Count > 3 ? ", …" : "");

    /// <summary>Writes one file: one gene's (<paramref name="gene"/>, per-gene path) or the stack.</summary>
    private void Write(string target, IReadOnlyList<GeneRaster> rasters, string? gene)
    {
        string what = rasters.Count == 1 ? $"gene '{rasters[0].Gene}'" : $"{rasters.Count} genes as one stack";
        if (!ShouldProcess(target, $"Write {what}")) return;
        try
        {
            if (File.Exists(target) && !Force)
                throw new SpatialSimException(ErrorKind.WriteConflict,
                    $"'{target}' already exists; pass -Force to overwrite it.") { FilePath = target };
            if (Directory.Exists(target))
                throw new SpatialSimException(ErrorKind.WriteConflict, $"'{target}' is a directory; give a file name.") { FilePath = target };
            if (gene is not null) TakeGeneTarget(target, gene);
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
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e)
        {
            var record = ToErrorRecord(e, target, "ExportFailed");
            if (e is IOException && e is not FileNotFoundException)
                record = new ErrorRecord(e, record.FullyQualifiedErrorId, ErrorCategory.WriteError, target);
            WriteError(record);
        }
    }
}
