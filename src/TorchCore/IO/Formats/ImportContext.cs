namespace SpatialSim.TorchCore.IO.Formats;

/// <summary>
/// What a reader may tell the caller while it reads (verbose notes, warnings, progress) and the state shared by the
/// files of one import (gene names given in order, the canvas of the images read so far). The core knows nothing of
/// PowerShell: the cmdlet passes delegates.
/// </summary>
public sealed class ImportContext
{
    private sealed class Session(string[] names)
    {
        public readonly string[] Names = names;
        public int Next;
        public (int Width, int Height, string File)? ImageCanvas;
    }

    private readonly Session _session;
    private string[] _names => _session.Names;
    private int _nextName { get => _session.Next; set => _session.Next = value; }

    public ImportContext(IReadOnlyList<string>? geneNames = null, Action<string>? verbose = null, Action<string>? warning = null,
        Action<double, string>? progress = null, CancellationToken cancellationToken = default)
    {
        _session = new Session(geneNames?.ToArray() ?? []);
        Verbose = verbose ?? (_ => { });
        Warning = warning ?? (_ => { });
        Progress = progress ?? ((_, _) => { });
        CancellationToken = cancellationToken;
    }

    /// <summary>A context for one more file of the same import (same names and image canvas), with its own progress.</summary>
    public ImportContext(ImportContext parent, Action<double, string> progress)
    {
        _session = parent._session;
        Verbose = parent.Verbose;
        Warning = parent.Warning;
        Progress = progress;
        CancellationToken = parent.CancellationToken;
    }

    /// <summary>A note for -Verbose.</summary>
    public Action<string> Verbose { get; }
    /// <summary>A warning the user should see.</summary>
    public Action<string> Warning { get; }
    /// <summary>Progress of the current file: fraction done (0–1) and a status line.</summary>
    public Action<double, string> Progress { get; }
    public CancellationToken CancellationToken { get; }

    /// <summary>Whether gene names were given for unnamed rasters (images, .npy planes).</summary>
    public bool HasNames => _names.Length > 0;

    /// <summary>The names not used yet, in order.</summary>
    public string[] RemainingNames => _names[_nextName..];

    /// <summary>The next given name for an unnamed raster; null when none were given.</summary>
    public string? NextName()
    {
        if (_names.Length == 0) return null;
        if (_nextName >= _names.Length)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"More rasters than names: -Gene gives {_names.Length} name(s) but a further raster arrived. Give one name per image file / .npy plane, or omit -Gene.");
        return _names[_nextName++];
    }

    /// <summary>Marks <paramref name="count"/> names as used.</summary>
    public void UseNames(int count) => _nextName = Math.Min(_names.Length, _nextName + count);

    /// <summary>The size of the first image of this import and its file, which later images must match.</summary>
    public (int Width, int Height, string File)? ImageCanvas { get => _session.ImageCanvas; set => _session.ImageCanvas = value; }
}
