using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary><see cref="SparsePixels.FromDense"/>: the non-zero pixels of a dense plane, in order, negatives included.</summary>
public class SparsePixelsTests
{
    [Fact]
    public void FromDenseKeepsEveryNonZeroPixelInRowMajorOrder()
    {
        var plane = new float[] { 0, 2, 0, -1.5f, 0, 0, 7, 0, 0, 0, 0, 3 };
        var sparse = SparsePixels.FromDense(4, 3, plane);
        Assert.Equal(new[] { 1, 3, 6, 11 }, sparse.Index.ToArray());
        Assert.Equal(new[] { 2f, -1.5f, 7f, 3f }, sparse.Values.ToArray());
        Assert.Equal((4, 3), (sparse.Width, sparse.Height));
    }

    [Fact]
    public void FromDenseOfAnAllZeroPlaneIsEmpty() =>
        Assert.Equal(0, SparsePixels.FromDense(5, 2, new float[10]).Count);

    [Fact]
    public void FromDenseRejectsAPlaneOfTheWrongSize()
    {
        var e = Assert.Throws<ArgumentException>(() => SparsePixels.FromDense(4, 3, new float[11]));
        Assert.Contains("4×3", e.Message);
    }
}
