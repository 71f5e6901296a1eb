using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

public class RasterBinningTests
{
    [Fact]
    public void SumsBlocksAndKeepsPartialEdgeBlocks()
    {
        // 5×3 plane, values 1..15.
        var plane = new RasterPlane("g", 5, 3, Enumerable.Range(1, 15).Select(v => (float)v).ToArray(), "t");
        var binned = RasterBinning.SumBlocks(plane, 2);
        Assert.Equal(3, binned.Width);
        Assert.Equal(2, binned.Height);
        // Row blocks: rows 0-1 and row 2; column blocks: 0-1, 2-3, 4.
        Assert.Equal(new float[] { 1 + 2 + 6 + 7, 3 + 4 + 8 + 9, 5 + 10, 11 + 12, 13 + 14, 15 }, binned.Pixels);
        Assert.Equal(plane.Pixels.Sum(), binned.Pixels.Sum());
        Assert.Equal(2.0, binned.PixelSize);
    }

    [Fact]
    public void BinOneIsTheSamePlaneAndBinZeroIsRefused()
    {
        var plane = new RasterPlane("g", 2, 2, new float[] { 1, 2, 3, 4 }, "t");
        Assert.Same(plane, RasterBinning.SumBlocks(plane, 1));
        Assert.Throws<SpatialSimException>(() => RasterBinning.SumBlocks(plane, 0));
    }
}
