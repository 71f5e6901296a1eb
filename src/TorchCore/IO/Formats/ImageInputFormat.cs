namespace SpatialSim.TorchCore.IO.Formats;

/// <summary>PNG and TIFF images, one gene per file (a grey image, or one channel of a colour image); by magic number or extension.</summary>
public sealed class ImageInputFormat : IInputFormat
{
    public string Name => "image";
    public string Supported => "images .png .tif .tiff";

    public bool Matches(InputProbe probe)
    {
        if (probe.IsDirectory) return false;
        if (probe.StartsWith([0x89, (byte)'P', (byte)'N', (byte)'G']) || probe.StartsWith("II*\0"u8) || probe.StartsWith("MM\0*"u8)
            || probe.StartsWith("II+\0"u8) || probe.StartsWith("MM\0+"u8))
            return true;
        // A damaged image still goes to the image reader, whose error says what is wrong with it.
        return probe.Extension is ".png" or ".tif" or ".tiff" && !probe.IsGzipName && !probe.IsHdf5;
    }

    public IEnumerable<GeneRaster> Read(InputProbe probe, ImportRequest request, ImportContext context)
    {
        string file = probe.Path;
        context.Verbose($"Reading image '{file}'.");
        var plane = ImageRasterReader.Read(file, new ImageReadOptions { Channel = request.Channel, MaxPixels = request.Table.MaxPixels, Gene = context.NextName() }, out var warnings);
        foreach (var w in warnings) context.Warning(w);
        if (context.ImageCanvas is { } canvas && (canvas.Width != plane.Width || canvas.Height != plane.Height))
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"Image '{file}' is {plane.Width}×{plane.Height} pixels but '{canvas.File}' is {canvas.Width}×{canvas.Height}: " +
                "all images of one import must share one size (one canvas). Import it separately, or resample it first.") { FilePath = file };
        context.ImageCanvas ??= (plane.Width, plane.Height, file);
        if (request.Table.Region is { } region) plane = RasterRegion.Crop(plane, region); // as for tables: the canvas is the region
        var binned = RasterBinning.SumBlocks(plane, request.Table.BinSize);
        yield return GeneRaster.FromPlane(binned, request.Table.BinSize, request.Device);
    }
}
