using SpatialSim.TorchCore.IO.Spots;

namespace SpatialSim.TorchCore.IO.Formats;

/// <summary>AnnData .h5ad: an HDF5 file with X, obs and var (or the .h5ad extension on an HDF5 file); read by <see cref="AnnDataReader"/>.</summary>
public sealed class AnnDataInputFormat : IInputFormat
{
    public string Name => "AnnData .h5ad";
    public string Supported => "AnnData .h5ad";

    public bool Matches(InputProbe probe) =>
        probe.IsHdf5 && (probe.Extension == ".h5ad" || (probe.Hdf5Has("obs") && probe.Hdf5Has("var") && (probe.Hdf5Has("X") || probe.Hdf5Has("layers"))));

    public IEnumerable<GeneRaster> Read(InputProbe probe, ImportRequest request, ImportContext context)
    {
        probe.Dispose(); // the reader opens the file itself
        var (counts, positions) = AnnDataReader.Read(probe.Path, request, context);
        var placement = SpotLattice.Place(positions, counts.SpotIds, probe.Path, request.PixelSizeGiven, request.Table.PixelSize);
        return SpotRasterizer.Rasterize(counts, placement, request, context);
    }

    public IEnumerable<string> GeneNames(InputProbe probe, CancellationToken cancellationToken) => AnnDataReader.GeneNames(probe.Path, null);
}
