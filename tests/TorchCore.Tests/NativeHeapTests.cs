using SpatialSim.TorchCore.Devices;
using Xunit;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Tests;

/// <summary>glibc's heaps keep freed mid-size tensors (process-wide: run alone, with the pool's tests).</summary>
[Collection(nameof(LargeBufferPoolCollection))]
public class NativeHeapTests
{
    private const int Tensors = 16;

    /// <summary>Minor page faults of this process so far (field 10 of /proc/self/stat).</summary>
    private static long MinorFaults()
    {
        string stat = File.ReadAllText("/proc/self/stat");
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
            t.fill_(k);
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
        // The next rounds reuse the first's memory: by default glibc mapped each 1 MiB block on its own or trimmed the
        // heap's free top, and every page was faulted in again (all 4,096 here). The better of two rounds, so that the
        // minute's trim (NativeHeap's timer) falling between them does not count.
        long again = Math.Min(FaultsOfOneRound(), FaultsOfOneRound());
        Assert.True(again < pages / 4, $"{again} minor faults for {pages} pages made again");
        Assert.True(NativeHeap.Trim());
        long afterTrim = FaultsOfOneRound();
        Assert.True(afterTrim > pages / 2, $"{afterTrim} minor faults after the memory was returned");
    }
}
