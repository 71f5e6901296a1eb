using System.Runtime.InteropServices;
using TorchSharp;

namespace SpatialSim.TorchCore.Devices;

/// <summary>Loads libtorch once and reports what it runs with.</summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static bool _initialized;

    /// <summary>
    /// Loads TorchSharp's native back-end. The native libraries sit next to TorchSharp.dll (the staged module
    /// folder, or runtimes/&lt;rid&gt;/native for a test host); a load failure becomes an error that says what to do.
    /// </summary>
    public static void EnsureInitialized()
    {
        if (_initialized) return;
        lock (Gate)
        {
            if (_initialized) return;
            try
            {
                PreferPassiveOpenMpWaiting();
                NativeHeap.Tune();
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is not SpatialSimException)
            {
                throw LoadFailure(e, AddressSpaceLimit(ReadLimits()));
            }
            _initialized = true;
        }
    }

    /// <summary>
    /// libtorch reserves several GB of address space when it loads (its thread pools and allocator arenas); with the
    /// process's virtual memory capped below about this (<c>ulimit -v</c>), the load fails with a bare "could not load".
    /// </summary>
    public const long AddressSpaceNeededBytes = 8L << 30;

    /// <summary>The error for a failed load: a virtual-memory limit when one is set below what libtorch reserves, else a broken install.</summary>
    internal static SpatialSimException LoadFailure(Exception e, long? addressSpaceLimit)
    {
        string folder = Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "?";
        string first = e.GetBaseException().Message.Split('\n', 2)[0].Trim();
        if (first.Length > 160) first = first[..160] + "…";
        if (addressSpaceLimit is long limit && limit < AddressSpaceNeededBytes)
            return new SpatialSimException(ErrorKind.ResourceUnavailable,
                $"libtorch could not be loaded: this process may use only {limit / (double)(1L << 30):0.#} GiB of virtual memory (ulimit -v), " +
                $"and libtorch reserves more when it loads ({first}). Start pwsh with a higher limit (ulimit -v unlimited, or at least " +
                $"{AddressSpaceNeededBytes >> 30} GiB); to bound real memory use -MaxMemoryGB or a cgroup limit instead.", e);
        return new SpatialSimException(ErrorKind.ResourceUnavailable,
            $"libtorch could not be loaded from '{folder}' ({first}). " +
            "Rebuild the module with 'dotnet pwsh ./build.ps1 Build', which stages the native libraries for this system " +
            "(and repairs libLibTorchSharp.so for libstdc++ older than GCC 13).", e);
    }

    /// <summary>The soft "Max address space" of /proc/self/limits in bytes; null when unlimited or unknown.</summary>
    internal static long? AddressSpaceLimit(string? limits)
    {
        if (limits is null) return null;
        foreach (var line in limits.Split('\n'))
        {
            if (!line.StartsWith("Max address space", StringComparison.Ordinal)) continue;
            var fields = line["Max address space".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && long.TryParse(fields[0], out long bytes) ? bytes : null;
        }
        return null;
    }

    private static string? ReadLimits()
    {
        try { return OperatingSystem.IsLinux() ? File.ReadAllText("/proc/self/limits") : null; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// Starts loading libtorch on a thread-pool thread and returns at once (the module calls this on Import-Module,
    /// so the ~1 s of loading and registering libtorch's operators overlaps with PowerShell's own work before the
    /// first command needs a tensor). A failure is left for the first real use to report.
    /// </summary>
    public static void PreloadInBackground()
    {
        if (_initialized) return;
        Task.Run(() =>
        {
            try { EnsureInitialized(); }
            catch (SpatialSimException) { /* reported by the first command that needs libtorch */ }
        });
    }

    /// <summary>
    /// libtorch's OpenMP threads (GNU libgomp) spin-wait after every parallel operation by default. On a machine with
    /// few cores, shared with other work, that spinning takes the CPU the next operation (and everything else) needs:
    /// a 512² smoothed Pearson took 3–4× longer wall time and 2.5× more CPU than with OMP_WAIT_POLICY=PASSIVE. libgomp
    /// reads the variable when it is loaded, from the native environment (which Environment.SetEnvironmentVariable
    /// does not change on Unix), so it is set there, before libtorch loads, unless the user set it.
    /// </summary>
    private static void PreferPassiveOpenMpWaiting()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null) return;
        try
        {
            SetEnv("OMP_WAIT_POLICY", "PASSIVE", overwrite: 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc/musl: keep libgomp's default.
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    public static string TorchVersion { get { EnsureInitialized(); return torch.__version__; } }

    public static int Threads { get { EnsureInitialized(); return torch.get_num_threads(); } }

    public static bool CudaAvailable { get { EnsureInitialized(); return torch.cuda.is_available(); } }

    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    public static string Platform => RuntimeInformation.RuntimeIdentifier;
}
