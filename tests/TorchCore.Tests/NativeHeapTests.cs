using SpatialSim.TorchCore.Devices;
using Xunit;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Tests;

/// <summary>glibc's heaps keep freed mid-size tensors (process-wide: run alone, with the pool's tests).</summary>
[Collection(nameof(LargeBufferPoolCollection))]
public class NativeHeapTests
{
    private const int Tensors = 16;

    /// <summary>
    /// Minor page faults of the calling thread so far (field 10 of /proc/thread-self/stat): not the garbage collector's or
    /// other threads' faults, which the process's count adds.
    /// </summary>
    private static long MinorFaults()
    {
        string stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7]);   // fields after the name start at field 3
    }

    /// <summary>
    /// Makes <see cref="Tensors"/> tensors of 1 MiB (below the pool), writes every page, frees them; returns the minor faults
    /// it took. 16 MiB in all: well inside one of glibc's 64 MiB per-thread heaps, which glibc unmaps whole when they empty
    /// whatever the trim threshold (a round that spilled into a second heap faulted that part in again).
    /// </summary>
    private static long FaultsOfOneRound()
    {
        long before = MinorFaults();
        var tensors = new List<Tensor>();
        for (int k = 0; k < Tensors; k++)
        {
            var t = empty(new long[] { 512, 512 }, ScalarType.Float32);
            TensorMemory.AsFloatSpan(t).Fill(k);   // on this thread (fill_ may hand the pages to libtorch's workers)
            tensors.Add(t);
        }
        foreach (var t in tensors) t.Dispose();
        return MinorFaults() - before;
    }

    [Fact]
    public void FreedMidSizeTensorsAreNotFaultedInAgain_UntilTrim()
    {
        if (!OperatingSystem.IsLinux()) return;
        TorchRuntime.EnsureInitialized();
        Assert.True(NativeHeap.Tuned, "glibc took the thresholds");
        const long pages = Tensors * (1L << 20) / 4096;
        FaultsOfOneRound();
        // The next rounds reuse the first's memory (256 faults of 4,096 here), and only a trim returns it. The better of two
        // rounds, so that the minute's trim (NativeHeap's timer) falling between them does not count. What this cannot
        // show: glibc's defaults fault the pages in again early in a process (each 1 MiB block mapped on its own, from
        // 128 KiB); once the process has freed large blocks its adaptive thresholds keep them too, so without the
        // thresholds this test too may pass. The gain is the benchmark's (the default ranking's second step: 0.9–1.1 s
        // with 0.3–0.4 s of system time, 0.25–0.31 s with the thresholds).
        long again = Math.Min(FaultsOfOneRound(), FaultsOfOneRound());
        Assert.True(again < pages / 4, $"{again} minor faults for {pages} pages made again");
        Assert.True(NativeHeap.Trim());
        long afterTrim = FaultsOfOneRound();
        Assert.True(afterTrim > pages / 2, $"{afterTrim} minor faults after the memory was returned");
    }
}
