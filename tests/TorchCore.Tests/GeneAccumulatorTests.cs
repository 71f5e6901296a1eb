using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// A gene's rows while a table is read: staged 16 at a time, then moved to blocks of a shared arena; genes read in
/// parallel parts are joined by <see cref="GeneAccumulator.Append"/>. Every row must come out once, in input order.
/// </summary>
public sealed class GeneAccumulatorTests
{
    private static GeneAccumulator New(RowArena arena, string name) =>
        new(arena, System.Text.Encoding.UTF8.GetBytes(name), GeneIndex.HashOf(System.Text.Encoding.UTF8.GetBytes(name)), name, keep: true);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(0, 1)]
    [InlineData(15, 1)]
    [InlineData(16, 16)]
    [InlineData(17, 15)]
    [InlineData(33, 47)]
    [InlineData(70_001, 3)]     // past the 64K-row largest block
    [InlineData(5, 140_000)]
    public void RowsComeOutOnceInInputOrderAfterAppend(int first, int second)
    {
        foreach (bool hasCounts in new[] { true, false })
        {
            var arena = new RowArena(hasCounts);
            var a = New(arena, "Gapdh");
            var other = New(arena, "Actb"); // interleaved with a, sharing its arena
            var b = New(new RowArena(hasCounts), "Gapdh");
            var expected = new List<(long, float)>();
            for (int i = 0; i < first; i++)
            {
                a.Add(i * 7L, hasCounts ? i % 5 : 1);
                other.Add(-i, 2);
                expected.Add((i * 7L, hasCounts ? i % 5 : 1));
            }
            for (int i = 0; i < second; i++)
            {
                b.Add(1_000_000L + i, hasCounts ? 0.5f : 1);
                expected.Add((1_000_000L + i, hasCounts ? 0.5f : 1));
            }
            a.Append(b);
            for (int i = 0; i < 20; i++) // rows after the join go after the joined ones
            {
                a.Add(-5L - i, 1);
                expected.Add((-5L - i, 1));
            }

            Assert.Equal(expected.Count, a.Length);
            Assert.Equal(expected.Sum(r => (double)r.Item2), a.Total);
            var pixels = new long[a.Length];
            var counts = new float[hasCounts ? a.Length : 0];
            a.CopyTo(pixels, counts);
            Assert.Equal(expected.Select(r => r.Item1), pixels);
            if (hasCounts) Assert.Equal(expected.Select(r => r.Item2), counts);

            var others = new long[other.Length];
            other.CopyTo(others, new float[hasCounts ? other.Length : 0]);
            Assert.Equal(Enumerable.Range(0, first).Select(i => (long)-i), others);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CompactSumsRepeatedPixelsAndLaterRowsFollow(bool hasCounts)
    {
        var arena = new RowArena(hasCounts);
        var g = New(arena, "Gapdh");
        var expected = new SortedDictionary<long, float>();
        var random = new Random(3);
        for (int i = 0; i < 5_000; i++)
        {
            long pixel = ((long)random.Next(-3, 9) << 32) | (uint)random.Next(-4, 20); // negative x and y too
            float count = hasCounts ? random.Next(1, 4) : 1;
            g.Add(pixel, count);
            expected[pixel] = expected.GetValueOrDefault(pixel) + count;
        }
        double total = g.Total;
        int distinct = g.Compact(new CanvasLayout.Buffers(), new RowArena(hasCounts));

        Assert.Equal(expected.Count, distinct);
        Assert.Equal(expected.Count, g.Length);
        Assert.Equal(5_000 - expected.Count, g.MergedDuplicates);
        Assert.Equal(total, g.Total);
        Assert.True(g.HasCounts); // merged rows carry their sums even without a count column
        g.Add(42L, 1);             // a later row follows the merged ones
        var pixels = new long[g.Length];
        var counts = new float[g.Length];
        g.CopyTo(pixels, counts);
        var byPixel = expected.OrderBy(p => (ulong)p.Key ^ 0x8000_0000_8000_0000).ToList(); // y then x, signed
        Assert.Equal(byPixel.Select(p => p.Key).Append(42L), pixels);
        Assert.Equal(byPixel.Select(p => p.Value).Append(1f), counts);
    }
}
