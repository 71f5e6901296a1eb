namespace SpatialSim.TorchCore.IO;

/// <summary>What <see cref="CountTableReader"/> is doing: streaming the file, then building the per-gene pixel lists.</summary>
public enum TableReadPhase
{
    /// <summary>Parsing rows; <see cref="TableReadProgress.BytesRead"/> grows towards <see cref="TableReadProgress.TotalBytes"/>.</summary>
    Reading,
    /// <summary>All rows are read; merging duplicate pixels and indexing genes on the canvas.</summary>
    Building,
}

/// <summary>
/// A progress report of <see cref="CountTableReader.Read"/>. Bytes are of the file on disk
/// (compressed bytes for a .gz file), so <see cref="Fraction"/> and <see cref="EstimatedRemaining"/> work for both.
/// </summary>
public readonly record struct TableReadProgress(
    TableReadPhase Phase, long BytesRead, long TotalBytes, long RowsRead, TimeSpan Elapsed)
{
    /// <summary>Share of the file read, 0..1; null when the length is unknown.</summary>
    public double? Fraction => TotalBytes > 0 ? Math.Clamp((double)BytesRead / TotalBytes, 0, 1) : null;

    /// <summary>Time left for reading at the speed so far; null before there is anything to go by.</summary>
    public TimeSpan? EstimatedRemaining
    {
        get
        {
            if (Fraction is not double f || f <= 0 || Elapsed <= TimeSpan.Zero) return null;
            return TimeSpan.FromTicks((long)(Elapsed.Ticks * (1 - f) / f));
        }
    }
}
