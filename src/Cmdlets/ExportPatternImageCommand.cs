using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Output;

namespace SpatialSim.Cmdlets;

/// <summary>
/// Draws one gene's raster as a PNG heat map with a colour bar, or two genes side by side plus their overlay
/// (first magenta, second green, each scaled to its own maximum). With {Gene} in the path, one picture per piped gene.
/// </summary>
[Cmdlet(VerbsData.Export, "PatternImage", SupportsShouldProcess = true, DefaultParameterSetName = FileExportCmdlet.PathSet)]
[OutputType(typeof(FileInfo))]
public sealed class ExportPatternImageCommand : PictureExportCmdlet
{
    private readonly List<GeneRaster> _rasters = new();

    /// <summary>One raster, or two to compare.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public GeneRaster[] InputObject { get; set; } = Array.Empty<GeneRaster>();

    /// <summary>A second gene drawn next to the first, with their overlay.</summary>
    [Parameter]
    public GeneRaster? Compare { get; set; }

    [Parameter]
    public SwitchParameter Log { get; set; }

    [Parameter]
    [ValidateRange(16, 16384)]
    public int MaxSize { get; set; } = 2048;

    [Parameter]
    public ReduceMode Reduce { get; set; } = ReduceMode.Max;

    private PatternImageOptions Options => new() { ColorMap = ColorMap, Log = Log, MaxSize = MaxSize, Reduce = Reduce };

    protected override void ProcessRecord()
    {
        foreach (var r in InputObject)
        {
            if (r is null) continue;
            if (PerGene) DrawOwnPicture(r);
            else _rasters.Add(r);
        }
    }

    /// <summary>With {Gene} in the path: one picture per piped gene (with -Compare, each next to the compared gene).</summary>
    private void DrawOwnPicture(GeneRaster raster)
    {
        if (GeneTarget(raster.Gene, raster) is not { } target) return;
        try
        {
            string what = Compare is null ? $"Draw gene '{raster.Gene}'" : $"Draw genes '{raster.Gene}' and '{Compare.Gene}' with their overlay";
            var file = Save(target, what, () => Compare is null
                    ? PatternImage.Render(raster.ToPlane(), Options, StopToken)
                    : PatternImage.Render(raster.ToPlane(), Compare.ToPlane(), Options, StopToken),
                prepare: () => TakeGeneTarget(target, raster.Gene));
            if (file is not null && PassThru) WriteObject(file);
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e) { WriteFailure(e, target, "PatternImageFailed"); }
    }

    protected override void EndProcessing()
    {
        if (PerGene) return;
        try
        {
            if (Compare is not null) _rasters.Add(Compare);
            if (_rasters.Count is 0 or > 2)
                throw new SpatialSimException(ErrorKind.InvalidArgument,
                    $"Export-PatternImage draws one gene, or two side by side with their overlay; it received {_rasters.Count} rasters" +
                    (_rasters.Count > 2 ? $" ({string.Join(", ", _rasters.Take(5).Select(r => r.Gene))}{(_rasters.Count > 5 ? ", …" : "")}). " +
                     "For one picture per gene put {Gene} in the path, e.g. -Path 'pictures/{Gene}.png'." : "."));
            var options = Options;
            string what = _rasters.Count == 1 ? $"Draw gene '{_rasters[0].Gene}'" : $"Draw genes '{_rasters[0].Gene}' and '{_rasters[1].Gene}' with their overlay";
            var file = Save(what, () => _rasters.Count == 1
                ? PatternImage.Render(_rasters[0].ToPlane(), options, StopToken)
                : PatternImage.Render(_rasters[0].ToPlane(), _rasters[1].ToPlane(), options, StopToken));
            if (file is not null && PassThru) WriteObject(file);
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e) { WriteFailure(e, Target, "PatternImageFailed"); }
    }
}
