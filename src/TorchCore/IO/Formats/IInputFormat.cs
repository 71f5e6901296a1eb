namespace SpatialSim.TorchCore.IO.Formats;

/// <summary>
/// One input format Import-GeneRaster reads: how to recognise it (<see cref="Matches"/>, from the name and the content)
/// and how to read it (<see cref="Read"/>). Each format is one small class registered in <see cref="InputFormatRegistry"/>;
/// adding a format is adding one such class (and its reader) and one line there.
/// </summary>
public interface IInputFormat
{
    /// <summary>Short name for messages, e.g. "AnnData .h5ad".</summary>
    string Name { get; }

    /// <summary>What the user can give, for the list of supported inputs, e.g. "AnnData .h5ad"; empty when another format's entry covers it.</summary>
    string Supported { get; }

    /// <summary>Whether <paramref name="probe"/> is this format. Must not throw for files of other formats or damaged files.</summary>
    bool Matches(InputProbe probe);

    /// <summary>
    /// Reads the input as gene rasters, one at a time, as the caller enumerates. Problems with the input are
    /// <see cref="SpatialSimException"/>s naming the file and the part of it.
    /// </summary>
    IEnumerable<GeneRaster> Read(InputProbe probe, ImportRequest request, ImportContext context);

    /// <summary>The gene names of the input, cheaply (for tab completion); empty when the format has no gene list.</summary>
    IEnumerable<string> GeneNames(InputProbe probe, CancellationToken cancellationToken) => [];
}
