using System.Runtime.InteropServices;

namespace SpatialSim.TorchCore;

/// <summary>
/// Asks Linux to back large fresh buffers with transparent huge pages (<c>madvise(MADV_HUGEPAGE)</c>). libtorch gets every
/// large tensor from a fresh <c>mmap</c>, so writing a 10000² float32 result the first time takes one page fault per 4 KiB
/// page: about 100,000 faults, which cost 0.8 s of a 1 s blur on the benchmark's virtual machine (the blur itself takes
/// 0.17 s). With huge pages the same 400 MB fault 200 times. Where THP is "madvise" (Debian's default) this is what enables
/// it; where it is "always" or "never", or on other systems, the call changes nothing. Advice only: failures are ignored.
/// </summary>
internal static partial class HugePages
{
    /// <summary>Buffers below this are left alone: a few pages' faults cost nothing.</summary>
    public const long MinBytes = 8L << 20;
    private const int MadvHugePage = 14;
    private const long PageSize = 4096;

    /// <summary>Advises huge pages for the whole pages inside [<paramref name="address"/>, + <paramref name="bytes"/>).</summary>
    public static void Advise(IntPtr address, long bytes)
    {
        if (bytes < MinBytes || !OperatingSystem.IsLinux()) return;
        long start = (address.ToInt64() + PageSize - 1) & ~(PageSize - 1);
        long end = (address.ToInt64() + bytes) & ~(PageSize - 1);
        if (end <= start) return;
        try { _ = madvise(new IntPtr(start), (nuint)(end - start), MadvHugePage); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial int madvise(IntPtr address, nuint length, int advice);
}
