namespace SpatialSim.TorchCore.Output;

/// <summary>
/// The streamed matrix writers by file extension — one registration per format, as ImageSharp registers its formats.
/// .npy is built in (<see cref="NpyMatrixSink"/>); another format (e.g. .h5ad) registers its factory once, at start-up,
/// and every streamed writer (Get-RankedPairs -MatrixPath) can then write it.
/// </summary>
public static class SimilarityMatrixSinks
{
    /// <summary>Makes a sink for a path; <c>overwrite</c> is -Force.</summary>
    public delegate ISimilarityMatrixSink Factory(string path, bool overwrite);

    private static readonly Dictionary<string, Factory> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        [".npy"] = (path, overwrite) => new NpyMatrixSink(path, overwrite),
    };

    private static readonly object Gate = new();

    /// <summary>The extensions that can be written, e.g. ".npy".</summary>
    public static IReadOnlyList<string> Extensions
    {
        get { lock (Gate) return Factories.Keys.OrderBy(e => e, StringComparer.Ordinal).ToList(); }
    }

    /// <summary>Registers (or replaces) the writer of <paramref name="extension"/> (with its dot).</summary>
    public static void Register(string extension, Factory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (string.IsNullOrEmpty(extension) || extension[0] != '.')
            throw new ArgumentException($"An extension starts with a dot, e.g. \".npy\"; got '{extension}'.", nameof(extension));
        lock (Gate) Factories[extension] = factory;
    }

    /// <summary>A sink for <paramref name="path"/> by its extension; the error lists the formats there are.</summary>
    public static ISimilarityMatrixSink Create(string path, bool overwrite)
    {
        string extension = System.IO.Path.GetExtension(path);
        Factory? factory;
        lock (Gate) Factories.TryGetValue(extension, out factory);
        if (factory is null)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"Cannot stream a score matrix to '{path}': '{extension}' is not a matrix format. Use one of {string.Join(", ", Extensions)}.") { FilePath = path };
        return factory(path, overwrite);
    }
}
