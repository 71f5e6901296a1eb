namespace SpatialSim.TorchCore;

/// <summary>What kind of problem an error is; the cmdlets map it to a PowerShell ErrorCategory.</summary>
public enum ErrorKind
{
    /// <summary>The input file or data is malformed (bad header, non-numeric count, truncated file).</summary>
    InvalidData,
    /// <summary>An argument or option value is not usable (sigma ≤ 0, unknown method, bad region).</summary>
    InvalidArgument,
    /// <summary>A file, column or gene that was asked for does not exist.</summary>
    NotFound,
    /// <summary>The input is of a kind we do not read (colour image without -Channel, unsupported dtype).</summary>
    NotSupported,
    /// <summary>A configured limit was hit (pixel limit, memory budget).</summary>
    LimitExceeded,
    /// <summary>A device (CUDA) or native resource is not available.</summary>
    ResourceUnavailable,
    /// <summary>Inputs that must agree do not (rasters of different sizes, duplicate gene names).</summary>
    Mismatch,
    /// <summary>Writing would overwrite an existing file or otherwise lose data.</summary>
    WriteConflict,
}

/// <summary>
/// An error meant for people: says what was wrong, where (file, line, gene) and what to do.
/// Every error raised on purpose by the core is one of these.
/// </summary>
public class SpatialSimException : Exception
{
    public ErrorKind Kind { get; }
    /// <summary>The file the problem is in, when there is one.</summary>
    public string? FilePath { get; init; }
    /// <summary>1-based line number in a text file, when known.</summary>
    public long? LineNumber { get; init; }
    /// <summary>The gene concerned, when there is one.</summary>
    public string? Gene { get; init; }

    public SpatialSimException(ErrorKind kind, string message, Exception? inner = null)
        : base(message, inner) => Kind = kind;
}
