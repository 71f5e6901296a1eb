using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.IO;

namespace SpatialSim.Cmdlets;

/// <summary>
/// What every Export-* cmdlet shares: -Path or -LiteralPath (a file-system path, checked against the file types the cmdlet
/// writes before any work), -Force to overwrite, -PassThru, and -WhatIf/-Confirm. The writers themselves go through a
/// temporary file renamed into place and take <see cref="SpatialSimCmdlet.StopToken"/>, so Ctrl+C leaves no file.
/// </summary>
public abstract class FileExportCmdlet : SpatialSimCmdlet
{
    internal const string PathSet = "Path";
    internal const string LiteralPathSet = "LiteralPath";
    /// <summary>In an output path, stands for each gene's name (one file per gene).</summary>
    protected const string GeneField = "{Gene}";
    private string? _target;
    /// <summary>Per-gene files taken by this run, and the gene of each: a second gene that maps to one of them is refused.</summary>
    private readonly Dictionary<string, string> _geneFiles = new(OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);

    /// <summary>The output file, relative to the current location. Taken literally: an output path never expands wildcards.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    public string Path { get; set; } = "";

    /// <summary>The output file, taken literally, as PowerShell's cmdlets name it (PSPath: the output of Get-Item binds).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    public string LiteralPath { get; set; } = "";

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The extensions this cmdlet writes, lower case with the dot (".npy").</summary>
    protected abstract IReadOnlyList<string> Extensions { get; }

    /// <summary>The path as the user gave it (-Path or -LiteralPath), for messages.</summary>
    protected string GivenPath => ParameterSetName == LiteralPathSet ? LiteralPath : Path;

    /// <summary>The extension of the output path, lower case with the dot.</summary>
    protected string Extension => System.IO.Path.GetExtension(GivenPath).ToLowerInvariant();

    /// <summary>The output path as a full file-system path (resolved once, in BeginProcessing).</summary>
    protected string Target => _target ??= ResolveFileSystemPath(GivenPath);

    /// <summary>Whether the path holds {Gene}: one file per gene.</summary>
    protected bool PerGene => GivenPath.Contains(GeneField, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The file of <paramref name="gene"/>: the user's path is resolved as a PowerShell path (once, {Gene} kept as it is), then
    /// the gene's name, which comes from an input file, is put in as one file-name component (<see cref="GeneFileName"/>), so it
    /// can choose neither a folder nor a drive. Null, after a ResourceExists error, when this run already wrote that file for a
    /// gene (the same gene twice, or two names one case-insensitive file system cannot tell apart): never an overwrite.
    /// </summary>
    protected string? GeneTarget(string gene, object errorTarget)
    {
        string target = Target.Replace(GeneField, GeneFileName.Of(gene), StringComparison.OrdinalIgnoreCase);
        if (!_geneFiles.TryGetValue(target, out var earlier)) return target;
        WriteError(new ErrorRecord(new SpatialSimException(ErrorKind.WriteConflict,
            earlier == gene
                ? $"Gene '{gene}' came twice: this export already used '{target}' for its first raster and does not write the second. Give each raster its own name (e.g. Import-GeneRaster -Gene)."
                : $"Genes '{earlier}' and '{gene}' map to the same file '{target}' on this file system: this export already used it for '{earlier}' and does not write '{gene}'. Rename one of them.")
            { FilePath = target, Gene = gene }, "ExportFailed.NameCollision", ErrorCategory.ResourceExists, errorTarget));
        return null;
    }

    /// <summary>Records that <paramref name="target"/> now holds <paramref name="gene"/>, and makes the folders {Gene} names before it is written.</summary>
    protected void TakeGeneTarget(string target, string gene)
    {
        _geneFiles[target] = gene;
        // With {Gene} in a folder ('out/{Gene}/map.npy') the gene's folder is made: its name is the encoded gene name, which users
        // cannot be expected to create. The folder above the first {Gene} must exist (a typo there is still an error).
        int field = Target.IndexOf(GeneField, StringComparison.OrdinalIgnoreCase);
        string? templateFolder = System.IO.Path.GetDirectoryName(Target);
        if (field < 0 || templateFolder is null || templateFolder.IndexOf(GeneField, StringComparison.OrdinalIgnoreCase) < 0) return;
        string? root = System.IO.Path.GetDirectoryName(Target[..field] + "x");
        string? folder = System.IO.Path.GetDirectoryName(target);
        if (root is not null && Directory.Exists(root) && folder is not null) Directory.CreateDirectory(folder);
    }

    protected override void BeginProcessing()
    {
        if (!Extensions.Contains(Extension))
        {
            string list = Extensions.Count == 1 ? Extensions[0] : string.Join(", ", Extensions.Take(Extensions.Count - 1)) + " or " + Extensions[^1];
            ThrowFailure(new SpatialSimException(ErrorKind.NotSupported,
                $"{MyInvocation.MyCommand.Name} writes {list} files; '{GivenPath}' has {(Extensions.Count == 1 ? "another extension" : "none of these extensions")}.") { FilePath = GivenPath },
                GivenPath, "UnsupportedFormat");
        }
        try { _ = Target; }
        catch (SpatialSimException e) { ThrowFailure(e, GivenPath, "NotFileSystem"); }
    }

    /// <summary>
    /// <paramref name="path"/> (relative to the current location, or on a PowerShell drive) as a full file-system path.
    /// A path on another provider's drive (Variable:, Env:, Function:…) or on a drive that does not exist is refused: it would
    /// otherwise end up as a file in the process's working directory.
    /// </summary>
    protected string ResolveFileSystemPath(string path)
    {
        string resolved;
        ProviderInfo provider;
        try { resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _); }
        catch (Exception e) when (e is System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException or ArgumentException or PSArgumentException)
        {
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"Cannot write '{path}': {e.Message.TrimEnd('.')}. Give a file-system path (relative to the current folder, or absolute).", e) { FilePath = path };
        }
        if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"Cannot write '{path}': it is on the {provider.Name} drive, not in the file system. Give a file path (relative to the current folder, or absolute).") { FilePath = path };
        return resolved;
    }
}
