using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Output;

namespace SpatialSim.Cmdlets;

/// <summary>
/// What the picture cmdlets share, besides <see cref="FileExportCmdlet"/>'s -Path (a .png), -Force and -PassThru:
/// -ColorMap, and drawing only once the write is known to be allowed.
/// </summary>
public abstract class PictureExportCmdlet : FileExportCmdlet
{
    [Parameter]
    public ColorMap ColorMap { get; set; } = ColorMap.Viridis;

    protected override IReadOnlyList<string> Extensions { get; } = new[] { ".png" };

    /// <summary>Asks ShouldProcess, draws, saves to the output path and returns the FileInfo written (null when not written).</summary>
    protected FileInfo? Save(string what, Func<Canvas> draw) => Save(Target, what, draw);

    /// <summary>
    /// As <see cref="Save(string, Func{Canvas})"/>, to <paramref name="target"/> (a full file-system path); <paramref name="prepare"/>
    /// runs once the write is allowed, before the target is checked (e.g. to make a per-gene folder).
    /// </summary>
    protected FileInfo? Save(string target, string what, Func<Canvas> draw, Action? prepare = null)
    {
        if (!ShouldProcess(target, what)) return null;
        prepare?.Invoke();
        Canvas.CheckTarget(target, Force); // refuse before drawing when the answer is known
        var canvas = draw();
        canvas.SavePng(target, Force, StopToken);
        WriteVerbose($"'{target}': {canvas.Width}×{canvas.Height} PNG.");
        return new FileInfo(target);
    }
}
