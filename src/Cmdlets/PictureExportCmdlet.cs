using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Output;

namespace SpatialSim.Cmdlets;

/// <summary>
/// What the picture cmdlets share: -Path (a .png), -Force, -PassThru, -ColorMap, -WhatIf/-Confirm, and writing through a
/// temporary file renamed into place (Ctrl+C while drawing or writing leaves no file).
/// </summary>
public abstract class PictureExportCmdlet : SpatialSimCmdlet
{
    /// <summary>Output PNG file.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = "";

    [Parameter]
    public ColorMap ColorMap { get; set; } = ColorMap.Viridis;

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected string Target => GetUnresolvedProviderPathFromPSPath(Path);

    protected override void BeginProcessing()
    {
        if (!string.Equals(System.IO.Path.GetExtension(Path), ".png", StringComparison.OrdinalIgnoreCase))
            ThrowFailure(new SpatialSimException(ErrorKind.NotSupported,
                $"{MyInvocation.MyCommand.Name} writes PNG pictures; give a path ending in .png (got '{Path}').") { FilePath = Path }, Path, "UnsupportedFormat");
    }

    /// <summary>Asks ShouldProcess, draws, saves and returns the FileInfo written (null when not written).</summary>
    protected FileInfo? Save(string what, Func<Canvas> draw)
    {
        string target = Target;
        if (!ShouldProcess(target, what)) return null;
        Canvas.CheckTarget(target, Force); // refuse before drawing when the answer is known
        var canvas = draw();
        canvas.SavePng(target, Force, StopToken);
        WriteVerbose($"'{target}': {canvas.Width}×{canvas.Height} PNG.");
        return new FileInfo(target);
    }
}
