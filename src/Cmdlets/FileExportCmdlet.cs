using System.Management.Automation;
using SpatialSim.TorchCore;

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
    private string? _target;

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
