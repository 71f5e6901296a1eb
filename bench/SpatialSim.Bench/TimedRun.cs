using System.Diagnostics;
using System.Text.Json.Nodes;

namespace SpatialSim.Bench;

/// <summary>
/// One timed run: wall time in-process, the CPU time the process used meanwhile (all threads; on a busy machine it
/// shows how much work the run was, where the wall time also counts waiting for a core), and the process's peak
/// resident memory during the run.
/// </summary>
internal sealed record TimedSample(double Seconds, double CpuSeconds, long? BaselineRssBytes, long? PeakRssBytes, bool PeakIsPerRun, object? Output)
{
    public JsonObject ToJson() => new()
    {
        ["seconds"] = Seconds,
        ["cpuSeconds"] = CpuSeconds,
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
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        object? output = action();
        clock.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return new TimedSample(clock.Elapsed.TotalSeconds, cpu.TotalSeconds, baseline, ProcessMemory.PeakResidentBytes(), perRun, output);
    }

    public static void CollectGarbage()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
