using System.Diagnostics;
using System.Text.Json.Nodes;

namespace SpatialSim.Bench;

/// <summary>One timed run: wall time in-process, and the process's peak resident memory during the run.</summary>
internal sealed record TimedSample(double Seconds, long? BaselineRssBytes, long? PeakRssBytes, bool PeakIsPerRun, object? Output)
{
    public JsonObject ToJson() => new()
    {
        ["seconds"] = Seconds,
        ["baselineRssBytes"] = BaselineRssBytes,
        ["peakRssBytes"] = PeakRssBytes,
        ["peakIsPerRun"] = PeakIsPerRun,
    };
}

internal static class TimedRun
{
    /// <summary>
    /// Runs <paramref name="action"/> once. Before the clock starts: a full garbage collection and a reset of the
    /// kernel's peak-RSS mark, so the peak is this run's (inputs already loaded included), not an earlier one's.
    /// </summary>
    public static TimedSample Measure(Func<object?> action)
    {
        CollectGarbage();
        bool perRun = ProcessMemory.TryResetPeak();
        long? baseline = ProcessMemory.ResidentBytes();
        var clock = Stopwatch.StartNew();
        object? output = action();
        clock.Stop();
        return new TimedSample(clock.Elapsed.TotalSeconds, baseline, ProcessMemory.PeakResidentBytes(), perRun, output);
    }

    public static void CollectGarbage()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
