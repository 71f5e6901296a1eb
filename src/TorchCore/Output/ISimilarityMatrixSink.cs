namespace SpatialSim.TorchCore.Output;

/// <summary>
/// A file that receives a gene × gene score matrix block by block, so that the matrix is never held in memory
/// (<see cref="SimilarityMatrixSinks"/> picks one by file extension; <see cref="NpyMatrixSink"/> writes .npy).
/// Protocol: <see cref="Begin"/> once, then <see cref="WriteBlock"/> until every cell of the n × n matrix has arrived
/// exactly once (in no particular order), then <see cref="Complete"/>, which makes the file appear under its name.
/// Disposing without <see cref="Complete"/> leaves no file behind.
/// </summary>
public interface ISimilarityMatrixSink : IDisposable
{
    /// <summary>The file written.</summary>
    string Path { get; }

    /// <summary>Other files written next to it (e.g. the gene list of a .npy), for -PassThru and messages.</summary>
    IReadOnlyList<string> CompanionPaths { get; }

    /// <summary>Starts the file for the matrix of <paramref name="genes"/> (in matrix order), scored by <paramref name="method"/>.</summary>
    void Begin(IReadOnlyList<string> genes, string method, string parameters);

    /// <summary>The cells [rowStart + r, columnStart + c] for r &lt; <paramref name="rows"/>, c &lt; <paramref name="columns"/>, row-major.</summary>
    void WriteBlock(int rowStart, int columnStart, int rows, int columns, ReadOnlySpan<float> values);

    /// <summary>Flushes the data and puts the file (and its companions) in place.</summary>
    void Complete();
}
