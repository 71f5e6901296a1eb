using SpatialSim.TorchCore.IO.Spots;

namespace SpatialSim.TorchCore.IO.Formats;

/// <summary>
/// A 10x Genomics feature-barcode matrix .h5 (an HDF5 file with /matrix/barcodes), with its positions from the spatial/
/// folder beside it (Space Ranger output) or from -SpotTable; read by <see cref="TenXH5Reader"/>.
/// </summary>
public sealed class TenXH5InputFormat : IInputFormat
{
    public string Name => "10x Genomics feature-barcode matrix .h5";
    public string Supported => "10x .h5 matrices and Space Ranger outs/ or binned_outputs/square_*um/ folders";

    public bool Matches(InputProbe probe) => probe.IsHdf5 && probe.Hdf5Has("matrix/barcodes") && probe.Hdf5Has("matrix/indptr");

    public IEnumerable<GeneRaster> Read(InputProbe probe, ImportRequest request, ImportContext context)
    {
        probe.Dispose();
        return ReadMatrix(probe.Path, request, context);
    }

    /// <summary>Reads <paramref name="h5"/> with the positions of the spatial/ folder beside it (or -SpotTable).</summary>
    internal static IEnumerable<GeneRaster> ReadMatrix(string h5, ImportRequest request, ImportContext context)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(h5)) ?? ".";
        string? positionsFile = request.Spots.SpotTable ?? TenXSpatial.PositionsFile(Path.Combine(folder, "spatial"));
        if (positionsFile is null)
            throw new SpatialSimException(ErrorKind.NotFound, SpotLattice.Short(
                $"'{Path.GetFileName(h5)}' holds counts but no positions, and '{Path.Combine(folder, "spatial")}' has no tissue_positions file. " +
                "Give the Space Ranger outs/ folder, or -SpotTable tissue_positions.csv."))
            { FilePath = h5 };
        var counts = TenXH5Reader.Read(h5, request, context);
        var positions = TenXSpatial.Positions(positionsFile, counts.SpotIds, h5, context);
        var placement = SpotLattice.Place(positions, counts.SpotIds, h5, request.PixelSizeGiven, request.Table.PixelSize);
        double? bin = TenXSpatial.BinMicrons(folder);
        double? microns = request.PixelSizeGiven ? null
            : bin ?? (placement.Label.StartsWith("hexagonal", StringComparison.Ordinal) && positions.AreIndices ? TenXSpatial.VisiumPitchMicrons : null);
        if (microns is not null)
            context.Verbose($"'{h5}': one pixel is {microns:g4} µm ({(bin is null ? "Visium's spot pitch" : "the Visium HD bin size")}) before -BinSize.");
        return SpotRasterizer.Rasterize(counts, placement, request, context, microns, microns is null ? null : "µm");
    }

    public IEnumerable<string> GeneNames(InputProbe probe, CancellationToken cancellationToken) => TenXH5Reader.GeneNames(probe.Path, null);
}
