using System.Management.Automation;
using SpatialSim.TorchCore;

namespace SpatialSim.Cmdlets;

/// <summary>
/// What every Export-* cmdlet shares: -Path (checked against the file types the cmdlet writes before any work),
/// -Force to overwrite, -PassThru, and -WhatIf/-Confirm. The writers themselves go through a temporary file renamed into
/// place and take <see cref="SpatialSimCmdlet.StopToken"/>, so Ctrl+C leaves no file.
/// </summary>
public abstract class FileExportCmdlet : SpatialSimCmdlet
{
    /// <summary>The output file. It is taken literally (no wildcards); relative paths are relative to the current location.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = "";

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The extensions this cmdlet writes, lower case with the dot (".npy").</summary>
    protected abstract IReadOnlyList<string> Extensions { get; }

    /// <summary>The extension of -Path, lower case with the dot.</summary>
    protected string Extension => System.IO.Path.GetExtension(Path).ToLowerInvariant();

    /// <summary>-Path as a file-system path.</summary>
    protected string Target => GetUnresolvedProviderPathFromPSPath(Path);

    protected override void BeginProcessing()
    {
        if (Extensions.Contains(Extension)) return;
        string list = Extensions.Count == 1 ? Extensions[0] : string.Join(", ", Extensions.Take(Extensions.Count - 1)) + " or " + Extensions[^1];
        ThrowFailure(new SpatialSimException(ErrorKind.NotSupported,
            $"{MyInvocation.MyCommand.Name} writes {list} files; '{Path}' has {(Extensions.Count == 1 ? "another extension" : "none of these extensions")}.") { FilePath = Path },
            Path, "UnsupportedFormat");
    }
}
