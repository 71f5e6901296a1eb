namespace SpatialSim.TorchCore.IO.Formats;

/// <summary>
/// Stereo-seq GEF (the HDF5 "bin GEF" of SAW and geftools, <c>.gef</c> / <c>.bgef</c>): an HDF5 file with
/// <c>/geneExp</c>, or an HDF5 file with one of those extensions (whose reader then says what is missing); read by
/// <see cref="GefReader"/>, from a stored bin level where it gives the GEM's bins.
/// </summary>
public sealed class GefInputFormat : IInputFormat
{
    public string Name => "Stereo-seq GEF";
    public string Supported => "Stereo-seq .gef";

    public bool Matches(InputProbe probe) =>
        !probe.IsDirectory && (probe.IsHdf5 && (probe.Extension is ".gef" or ".bgef" or ".cgef" || probe.Hdf5Has("geneExp"))
                               || (!probe.IsHdf5 && probe.Extension is ".gef" or ".bgef"));

    public IEnumerable<GeneRaster> Read(InputProbe probe, ImportRequest request, ImportContext context)
    {
        probe.Dispose(); // the reader opens the file itself
        var table = GefReader.Read(probe.Path, request.Table, CountTableRasters.Progress(context), context.CancellationToken);
        context.Progress(1, "done");
        return CountTableRasters.Emit(table, probe.Path, $"GEF level {table.Columns.All[0]}, ", request, context);
    }
}
