namespace SpatialSim.TorchCore.IO.Formats;

/// <summary>
/// NumPy .npy arrays: a 2-D raster or a 3-D stack of genes × height × width; by magic number or extension. Planes that are
/// mostly zero (count maps) are kept sparse (<see cref="GeneRaster.FromPlaneCompact"/>).
/// </summary>
public sealed class NpyInputFormat : IInputFormat
{
    public string Name => "NumPy .npy";
    public string Supported => "NumPy .npy";

    public bool Matches(InputProbe probe) =>
        !probe.IsDirectory && (probe.StartsWith("\x93NUMPY"u8) || (probe.Extension == ".npy" && !probe.IsGzipName && !probe.IsHdf5));

    public IEnumerable<GeneRaster> Read(InputProbe probe, ImportRequest request, ImportContext context)
    {
        context.Verbose($"Reading NumPy array '{probe.Path}'.");
        string[]? names = context.HasNames ? context.RemainingNames : null;
        int count = 0;
        foreach (var plane in NpyFormat.ReadPlanes(probe.Path, names, request.Table.MaxPixels))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            count++;
            if (names is not null) context.UseNames(1);
            var cropped = request.Table.Region is { } region ? RasterRegion.Crop(plane, region) : plane; // as for tables
            var binned = RasterBinning.SumBlocks(cropped, request.Table.BinSize);
            yield return GeneRaster.FromPlaneCompact(binned, request.Table.BinSize, request.Device);
        }
    }
}
