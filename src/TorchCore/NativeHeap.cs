using System.Runtime.InteropServices;

namespace SpatialSim.TorchCore;

/// <summary>
/// glibc's malloc, which libtorch's CPU tensors below <see cref="LargeBufferPool.MinBytes"/> come from, set to keep the
/// memory of freed tensors for the next ones instead of returning it to the kernel at almost every free. By default glibc
/// maps each block of 128 KB and more on its own (raising that bound as such blocks are freed) and gives back the free top
/// of a heap once it exceeds twice that bound. A default ranking makes hundreds of mid-size tensors per run (200 genes
/// binned to a 512² working grid: 1 MB each), so each run faulted them all in anew; on a virtual machine whose hypervisor
/// takes back free guest pages that cost 0.3–0.4 s of system time out of a 0.9–1.1 s step, against 0.1 s with the
/// thresholds below (the step then took 0.42–0.54 s).
/// <para>What it holds: at most <see cref="TrimThresholdBytes"/> of free memory at the top of each malloc heap (glibc keeps
/// free memory inside the heaps anyway), until the next <see cref="Trim"/>: every <see cref="LargeBufferPool.KeepFor"/>
/// (a timer), from <see cref="LargeBufferPool.Trim"/>, or on demand. <c>malloc_trim</c> returns the free pages inside every
/// heap and the free top of the main one, not the free top of a thread's heap (at most 64 MiB each, kept until reused, as
/// glibc's own thresholds keep it once they have adapted). What it cannot keep: a thread's malloc heap (64 MiB
/// each; threads other than the main one get them) that empties completely is unmapped whole whatever the thresholds, so
/// tensors that spill into one more such heap are faulted in again when they are made again. Linux with glibc only;
/// elsewhere nothing changes.</para>
/// </summary>
internal static class NativeHeap
{
    /// <summary>Blocks from this size on are mapped on their own (glibc's own ceiling for its adaptive bound).</summary>
    public const int MmapThresholdBytes = 32 << 20;

    /// <summary>Free memory at the top of a heap beyond this is returned to the kernel at once.</summary>
    public const int TrimThresholdBytes = 256 << 20;

    private const int MallocTrimThreshold = -1;   // M_TRIM_THRESHOLD
    private const int MallocMmapThreshold = -3;   // M_MMAP_THRESHOLD

    private static readonly object Gate = new();
    private static bool _tuned;
    private static Timer? _trimmer;

    /// <summary>Whether glibc accepted the thresholds.</summary>
    public static bool Tuned { get { lock (Gate) return _tuned; } }

    /// <summary>Sets the thresholds once per process and starts the timer that returns free memory (see the class remarks).</summary>
    public static void Tune()
    {
        lock (Gate)
        {
            if (_tuned || _trimmer is not null || !OperatingSystem.IsLinux()) return;
            try
            {
                _tuned = mallopt(MallocMmapThreshold, MmapThresholdBytes) == 1 & mallopt(MallocTrimThreshold, TrimThresholdBytes) == 1;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return;   // not glibc
            }
            _trimmer = new Timer(_ => Trim(), null, LargeBufferPool.KeepFor, LargeBufferPool.KeepFor);
        }
    }

    /// <summary>Returns the free memory of glibc's heaps to the kernel (<c>malloc_trim</c>); false where there is no glibc.</summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            _ = malloc_trim(0);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);
}
