namespace SpatialSim.TorchCore.Smoothing;

/// <summary>Splits [0, count) into contiguous ranges and runs them on up to <c>threads</c> threads.</summary>
internal static class ParallelRanges
{
    /// <summary>Ranges per thread: more than one so a slow thread does not hold up the others.</summary>
    private const int RangesPerThread = 4;

    public static void For(int count, int threads, Action<int, int> body)
    {
        if (count <= 0) return;
        if (threads <= 1 || count == 1)
        {
            body(0, count);
            return;
        }
        int ranges = Math.Min(count, threads * RangesPerThread);
        Parallel.For(0, ranges, new ParallelOptions { MaxDegreeOfParallelism = threads },
            i => body((int)((long)count * i / ranges), (int)((long)count * (i + 1) / ranges)));
    }
}
