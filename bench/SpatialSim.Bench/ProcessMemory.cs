namespace SpatialSim.Bench;

/// <summary>
/// This process's resident memory as Linux reports it in /proc (VmRSS, VmHWM), and the machine's available
/// memory. Everything counts, managed and native (libtorch) alike. Null where /proc does not answer.
/// </summary>
internal static class ProcessMemory
{
    /// <summary>Resets the peak-RSS mark (VmHWM) to the current RSS (Linux ≥ 4.0: "5" to /proc/self/clear_refs).</summary>
    public static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static long? ResidentBytes() => ReadKilobytes("/proc/self/status", "VmRSS:") * 1024;

    public static long? PeakResidentBytes() => ReadKilobytes("/proc/self/status", "VmHWM:") * 1024;

    public static long? AvailableBytes() => ReadKilobytes("/proc/meminfo", "MemAvailable:") * 1024;

    private static long? ReadKilobytes(string file, string key)
    {
        if (!File.Exists(file)) return null;
        foreach (var line in File.ReadLines(file))
        {
            if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
            var value = line[key.Length..].Trim();
            return long.Parse(value.EndsWith(" kB", StringComparison.Ordinal) ? value[..^3] : value);
        }
        return null;
    }
}
