using SpatialSim.TorchCore;
using Xunit;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Tests;

/// <summary>The pool is process-wide: these tests run alone, so no other test takes or returns blocks meanwhile.</summary>
[CollectionDefinition(nameof(LargeBufferPoolCollection), DisableParallelization = true)]
public sealed class LargeBufferPoolCollection;

[Collection(nameof(LargeBufferPoolCollection))]
public class LargeBufferPoolTests
{
    /// <summary>Tensors other tests left to the finalizer return their blocks first; then the pool starts empty.</summary>
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        LargeBufferPool.Trim();
    }

    private static unsafe IntPtr Address(Tensor t)
    {
        fixed (byte* p = t.bytes) return (IntPtr)p;
    }

    [Fact]
    public void AFreedBlockServesTheNextTensorOfItsSize_AndTrimReturnsIt()
    {
        Settle();
        IntPtr first;
        using (var t = TensorMemory.EmptyFloat32(2048, 2048)) // 16 MiB
        {
            first = Address(t);
            Assert.Equal(0, first.ToInt64() % LargeBufferPool.Granule);
            var span = TensorMemory.AsFloatSpan(t);
            span[^1] = 7;
            using var element = t[2047, 2047]; // a view: it holds the block as long as it lives
            Assert.Equal(7f, element.item<float>());
        }
        Assert.Equal(16L << 20, LargeBufferPool.KeptBytes);

        // Same bytes, another shape and type: the same block.
        using (var again = TensorMemory.EmptyFloat64(1024, 2048))
        {
            Assert.Equal(first, Address(again));
            Assert.Equal(new long[] { 1024, 2048 }, again.shape);
            Assert.Equal(0, LargeBufferPool.KeptBytes);
        }
        // Much smaller than the kept block (more than MaxSlack): a block of its own, and the kept one goes back to the system.
        using (var smaller = TensorMemory.EmptyFloat32(1024, 2560)) // 10 MiB
            Assert.Equal(0, LargeBufferPool.KeptBytes); // (the allocator may hand out the same address again)
        Assert.Equal(10L << 20, LargeBufferPool.KeptBytes);

        LargeBufferPool.Trim();
        Assert.Equal(0, LargeBufferPool.KeptBytes);
    }

    [Fact]
    public void ABlockIsNotReusedWhileAViewOfItsTensorLives()
    {
        Settle();
        var t = TensorMemory.EmptyFloat32(2048, 2048);
        IntPtr block = Address(t);
        TensorMemory.AsFloatSpan(t).Fill(3f);
        var view = t.narrow(0, 100, 10);
        t.Dispose();
        Assert.Equal(0, LargeBufferPool.KeptBytes);
        using (var other = TensorMemory.EmptyFloat32(2048, 2048))
        {
            Assert.NotEqual(block, Address(other));
            TensorMemory.AsFloatSpan(other).Fill(-1f);
            using var element = view[5, 5];
            Assert.Equal(3f, element.item<float>());
        }
        Assert.Equal(16L << 20, LargeBufferPool.KeptBytes); // the other block
        view.Dispose();
        Assert.Equal(2 * (16L << 20), LargeBufferPool.KeptBytes);
        LargeBufferPool.Trim();
    }

    [Fact]
    public void SmallTensorsAndTorchResultsStayWithLibtorch()
    {
        Settle();
        int lent = LargeBufferPool.LentBlocks;
        using (var small = TensorMemory.EmptyFloat32(64, 64))
            Assert.Equal(lent, LargeBufferPool.LentBlocks);
        using (var big = TensorMemory.EmptyFloat32(2048, 2048))
        {
            Assert.Equal(lent + 1, LargeBufferPool.LentBlocks);
            // libtorch's own results from a pooled tensor are ordinary tensors
            using var doubled = big.mul(2);
            Assert.Equal(lent + 1, LargeBufferPool.LentBlocks);
        }
        Assert.Equal(lent, LargeBufferPool.LentBlocks);
        LargeBufferPool.Trim();
    }
}
