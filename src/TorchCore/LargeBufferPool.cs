using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore;

/// <summary>
/// Keeps the memory of large CPU tensors that were freed, for the next large tensor, as caching allocators do
/// (PyTorch's CUDA allocator, jemalloc's retained extents). Memory a process has freed to the kernel and then asks for
/// again is faulted in anew, page by page, and zeroed; on a virtual machine whose hypervisor takes back free guest pages
/// (free page reporting, about 2 s after they are freed) the host must supply each page again too. A 10000² float32
/// blur result (400 MB) took 0.35 s of system time to fault in when the last one had been freed a few seconds before,
/// more than the blur itself (0.15 s); from this pool it takes none.
/// <para>What it holds: freed blocks of at least <see cref="MinBytes"/>, at most <see cref="MaxKeptBytes"/> in all, each for
/// at most <see cref="KeepFor"/> after it was freed (a timer then returns it to the system); <see cref="Trim"/> returns
/// everything at once, and so does a request that no kept block fits (the working set has changed). A block is reused for
/// a request of its size or up to <see cref="MaxSlack"/> smaller. Blocks are aligned to 2 MiB and advised for transparent
/// huge pages (<see cref="HugePages"/>).</para>
/// <para>The tensors wrap the blocks through libtorch's <c>from_blob</c> with a deleter (LibTorchSharp's THSTensor_new), so
/// libtorch frees them as any tensor (Dispose, a dispose scope, or the finalizer) and the deleter hands the block back
/// here. Their storage cannot be resized, which our kernels never ask for.</para>
/// </summary>
public static unsafe class LargeBufferPool
{
    /// <summary>Smaller tensors come from libtorch's allocator as usual.</summary>
    public const long MinBytes = HugePages.MinBytes;
    /// <summary>Block sizes are multiples of this (a huge page), which is also their alignment.</summary>
    public const long Granule = 2L << 20;
    /// <summary>A free block serves a request at most this fraction smaller than itself.</summary>
    public const double MaxSlack = 0.125;
    /// <summary>How long a freed block is kept for reuse.</summary>
    public static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(60);
    /// <summary>Most bytes kept in freed blocks: an eighth of the physical memory, at most 2 GiB.</summary>
    public static long MaxKeptBytes => Math.Min(2L << 30, Math.Max(Granule, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8));

    private static readonly object Gate = new();
    private static readonly Dictionary<IntPtr, long> Lent = new();
    private static readonly List<(IntPtr Address, long Bytes, long FreedAt)> Kept = new();
    private static long _keptBytes;
    private static Timer? _trimmer;
    private static delegate* unmanaged[Cdecl]<IntPtr, IntPtr, long*, int, sbyte, sbyte, int, int, byte, IntPtr> _newTensor;
    private static bool _unavailable;

    /// <summary>Bytes in freed blocks held for reuse now.</summary>
    public static long KeptBytes { get { lock (Gate) return _keptBytes; } }

    /// <summary>Blocks lent to live tensors now.</summary>
    public static int LentBlocks { get { lock (Gate) return Lent.Count; } }

    /// <summary>
    /// An uninitialised CPU tensor of <paramref name="type"/> and <paramref name="shape"/> on a pooled block, or null when
    /// it is smaller than <see cref="MinBytes"/> or LibTorchSharp has no THSTensor_new (the caller then uses torch.empty).
    /// </summary>
    internal static Tensor? Empty(ScalarType type, long[] shape, int elementSize)
    {
        long count = 1;
        foreach (long d in shape) count = checked(count * d);
        long bytes = checked(count * elementSize);
        if (bytes < MinBytes || !ResolveNewTensor()) return null;
        long size = (bytes + Granule - 1) / Granule * Granule;
        IntPtr block = Take(size, bytes);
        IntPtr handle;
        fixed (long* dims = shape)
            handle = _newTensor(block, (IntPtr)(delegate* unmanaged[Cdecl]<IntPtr, void>)&Release, dims, shape.Length, (sbyte)type, (sbyte)type, 0, 0, 0);
        if (handle == IntPtr.Zero)
        {
            Return(block);
            return null;
        }
        return Tensor.UnsafeCreateTensor(handle);
    }

    /// <summary>
    /// Returns every freed block to the system now (e.g. before a step that needs the memory for something else), drops the
    /// slabs kept for the next table (<see cref="IO.RowSlabPool"/>), and on
    /// glibc asks malloc to return the free memory of its heaps too (<see cref="NativeHeap.Trim"/>): tensors of up to 32 MB
    /// come from its heaps (<see cref="NativeHeap"/>) and stay resident after they are freed.
    /// </summary>
    public static void Trim()
    {
        FreeKept();
        IO.RowSlabPool.Clear();
        NativeHeap.Trim();
    }

    /// <summary>Frees every kept block (not glibc's heaps: that walk is left to <see cref="Trim"/>).</summary>
    private static void FreeKept()
    {
        lock (Gate)
        {
            foreach (var k in Kept) NativeMemory.AlignedFree((void*)k.Address);
            Kept.Clear();
            _keptBytes = 0;
        }
    }

    private static IntPtr Take(long size, long bytes)
    {
        lock (Gate)
        {
            int best = -1;
            for (int i = 0; i < Kept.Count; i++)
                if (Kept[i].Bytes >= size && Kept[i].Bytes * (1 - MaxSlack) <= bytes && (best < 0 || Kept[i].Bytes < Kept[best].Bytes)) best = i;
            if (best >= 0)
            {
                var k = Kept[best];
                Kept.RemoveAt(best);
                _keptBytes -= k.Bytes;
                Lent[k.Address] = k.Bytes;
                return k.Address;
            }
        }
        // None fits: the working set has changed, so the kept blocks go back before a new one is made (they never add to
        // what a run holds beyond one block it could not use).
        FreeKept();
        IntPtr block = (IntPtr)NativeMemory.AlignedAlloc((nuint)size, (nuint)Granule);
        HugePages.Advise(block, size);
        lock (Gate) Lent[block] = size;
        return block;
    }

    /// <summary>libtorch's deleter: the block comes back (kept for reuse, or freed when the pool is full).</summary>
    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void Release(IntPtr block) => Return(block);

    private static void Return(IntPtr block)
    {
        try
        {
            IntPtr? free = null;
            lock (Gate)
            {
                if (!Lent.Remove(block, out long size)) return;
                long max = MaxKeptBytes;
                if (size > max) free = block;
                else
                {
                    while (_keptBytes + size > max)
                    {
                        NativeMemory.AlignedFree((void*)Kept[0].Address);
                        _keptBytes -= Kept[0].Bytes;
                        Kept.RemoveAt(0);
                    }
                    Kept.Add((block, size, Environment.TickCount64));
                    _keptBytes += size;
                    _trimmer ??= new Timer(_ => Expire(), null, KeepFor / 2, KeepFor / 2);
                }
            }
            if (free is IntPtr f) NativeMemory.AlignedFree((void*)f);
        }
        catch
        {
            // Never let an exception cross into libtorch.
        }
    }

    private static void Expire()
    {
        lock (Gate)
        {
            long cutoff = Environment.TickCount64 - (long)KeepFor.TotalMilliseconds;
            for (int i = Kept.Count - 1; i >= 0; i--)
            {
                if (Kept[i].FreedAt > cutoff) continue;
                NativeMemory.AlignedFree((void*)Kept[i].Address);
                _keptBytes -= Kept[i].Bytes;
                Kept.RemoveAt(i);
            }
            if (Kept.Count == 0)
            {
                _trimmer?.Dispose();
                _trimmer = null;
            }
        }
    }

    /// <summary>Finds LibTorchSharp's THSTensor_new (the library TorchSharp itself loaded) once.</summary>
    private static bool ResolveNewTensor()
    {
        if (_newTensor != null) return true;
        if (_unavailable) return false;
        lock (Gate)
        {
            if (_newTensor != null) return true;
            Devices.TorchRuntime.EnsureInitialized();
            if (NativeLibrary.TryLoad("LibTorchSharp", typeof(torch).Assembly, null, out IntPtr library) &&
                NativeLibrary.TryGetExport(library, "THSTensor_new", out IntPtr export))
                _newTensor = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, long*, int, sbyte, sbyte, int, int, byte, IntPtr>)export;
            else _unavailable = true;
        }
        return _newTensor != null;
    }
}
