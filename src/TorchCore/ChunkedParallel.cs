namespace SpatialSim.TorchCore;

/// <summary>
/// The one chunked <see cref="Parallel.For(int, int, Action{int})"/> of the CPU kernels: [0, n) cut into fixed chunks of
/// <see cref="Chunk"/> elements, run in parallel, and (for a reduction) the chunks' partial results combined in chunk
/// order — so a result depends on n only, never on the thread count or scheduling.
/// </summary>
internal static class ChunkedParallel
{
    /// <summary>Elements per chunk: 64 Ki floats (256 KB), large enough to amortise a task, small enough to balance two cores.</summary>
    public const int Chunk = 1 << 16;

    /// <summary>Runs <paramref name="body"/>(start, length) on every chunk of [0, <paramref name="n"/>); sequentially when
    /// n is below <paramref name="sequentialBelow"/> (too little work to pay for threads).</summary>
    public static void For(long n, Action<int, int> body, long sequentialBelow = 0)
    {
        int chunks = Chunks(n);
        if (n < sequentialBelow) for (int c = 0; c < chunks; c++) Run(n, c, body);
        else Parallel.For(0, chunks, c => Run(n, c, body));
    }

    /// <summary>
    /// <paramref name="chunk"/>(start, length) on every chunk of [0, <paramref name="n"/>), the partial results folded as
    /// combine(…combine(combine(seed, r₀), r₁)…, r_last) in chunk order.
    /// </summary>
    public static T Reduce<T>(long n, Func<int, int, T> chunk, T seed, Func<T, T, T> combine, long sequentialBelow = 0)
    {
        int chunks = Chunks(n);
        var partial = new T[chunks];
        For(n, (start, length) => partial[start / Chunk] = chunk(start, length), sequentialBelow);
        var total = seed;
        foreach (var p in partial) total = combine(total, p);
        return total;
    }

    private static int Chunks(long n)
    {
        if (n > int.MaxValue) throw new SpatialSimException(ErrorKind.LimitExceeded, $"A raster of {n} pixels is larger than the 2³¹ pixels supported.");
        return (int)((n + Chunk - 1) / Chunk);
    }

    private static void Run(long n, int c, Action<int, int> body)
    {
        int start = c * Chunk;
        body(start, (int)Math.Min(Chunk, n - start));
    }
}
