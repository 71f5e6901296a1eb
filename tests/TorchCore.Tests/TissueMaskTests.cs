using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>The tissue mask from the genes' support (closing + hole filling) and what it is for.</summary>
public class TissueMaskTests
{
    private static GeneRaster FromMap(string name, string[] rows) =>
        Fixtures.Raster(name, rows[0].Length, rows.Length, rows.SelectMany(r => r.Select(c => c == '#' ? 1f : 0f)).ToArray());

    private static string[] AsMap(GeneRaster r)
    {
        var v = r.ToArray();
        return Enumerable.Range(0, r.Height).Select(y => new string(Enumerable.Range(0, r.Width).Select(x => v[y * r.Width + x] > 0 ? '#' : '.').ToArray())).ToArray();
    }

    [Fact]
    public void HolesAreFilledButOpenBaysAreNot()
    {
        var ring = FromMap("ring", new[]
        {
            "..........",
            ".######...",
            ".#....#...",
            ".#....#...",
            ".######...",
            "..........",
            ".###.###..",
            ".#.....#..",
            ".#######..",
        });
        var mask = TissueMask.FromSupport(new[] { ring }, closingRadius: 0);
        Assert.Equal(new[]
        {
            "..........",
            ".######...",
            ".######...",
            ".######...",
            ".######...",
            "..........",
            ".###.###..",   // the bay is open to the outside through the gap: not a hole
            ".#.....#..",
            ".#######..",
        }, AsMap(mask));
        Assert.Equal("tissue", mask.Gene);
    }

    [Fact]
    public void ClosingBridgesGapsBetweenGenesAndKeepsTheCanvasEdge()
    {
        // Two genes, each a bar, 2 px apart; one of them touches the canvas edge.
        var a = FromMap("a", new[]
        {
            "###.......",
            "###.......",
            "###.......",
            "###.......",
            "###.......",
            "###.......",
            "..........",
            "..........",
        });
        var b = FromMap("b", new[]
        {
            "..........",
            ".....###..",
            ".....###..",
            ".....###..",
            ".....###..",
            ".....###..",
            "..........",
            "..........",
        });
        var mask = TissueMask.FromSupport(new[] { a, b }, closingRadius: 2);
        var rows = AsMap(mask);
        // The 2-px gap is bridged where the disc fits between the bars (away from their ends).
        Assert.Equal("########..", rows[2]);
        Assert.Equal("########..", rows[3]);
        // Every support pixel stays tissue (closing is extensive), also at the canvas edge.
        Assert.Equal('#', rows[0][0]);
        Assert.Equal('#', rows[5][7]);
        // The empty space around the tissue stays outside; the canvas edge does not glue tissue to it.
        Assert.Equal("..........", rows[7]);
        Assert.All(rows, r => Assert.Equal("..", r[8..]));
    }

    [Fact]
    public void DefaultClosingRadiusFollowsTheSpacingOfTheSupport()
    {
        var support = new bool[40 * 40];
        for (int y = 0; y < 40; y += 3) for (int x = 0; x < 40; x += 3) support[y * 40 + x] = true;
        Assert.Equal(6, TissueMask.DefaultClosingRadius(support, 40, 40));  // 2 × 3 px
    }

    /// <summary>Counts scattered at a density inside a region of the canvas (seeded), zero elsewhere.</summary>
    private static GeneRaster Scatter(string name, int size, Func<int, int, bool> where, double density, int seed)
    {
        var rng = new Random(seed);
        var pixels = new float[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                if (where(y, x) && rng.NextDouble() < density) pixels[y * size + x] = 1 + rng.Next(3);
        return Fixtures.Raster(name, size, size, pixels);
    }

    [Fact]
    public void TissueBorderCreatesNoFalseSimilarity()
    {
        const int size = 96;
        bool InTissue(int y, int x) => (y - 48) * (y - 48) + (x - 48) * (x - 48) <= 30 * 30;
        double Radius(int y, int x) => Math.Sqrt((y - 48) * (y - 48) + (x - 48) * (x - 48));
        // Uniform, unrelated genes inside the tissue, and two genes that each touch the tissue edge in a different place.
        var u1 = Scatter("u1", size, InTissue, 0.3, 1);
        var u2 = Scatter("u2", size, InTissue, 0.3, 2);
        var left = Scatter("left", size, (y, x) => InTissue(y, x) && Radius(y, x) > 26 && x < 48, 0.6, 3);
        var right = Scatter("right", size, (y, x) => InTissue(y, x) && Radius(y, x) > 26 && x > 48, 0.6, 4);
        var all = new[] { u1, u2, left, right };
        var mask = TissueMask.FromSupport(all);
        Assert.InRange(TissueMask.Fraction(mask), 0.28, 0.34);  // π·30²/96² = 0.307
        var sigmas = new[] { 3.0 };
        double plainUniform = SmoothedPearsonSimilarity.Compare(u1, u2, sigmas, null).Score;
        double maskedUniform = SmoothedPearsonSimilarity.Compare(u1, u2, sigmas, mask).Score;
        double plainEdges = SmoothedPearsonSimilarity.Compare(left, right, sigmas, null).Score;
        double maskedEdges = SmoothedPearsonSimilarity.Compare(left, right, sigmas, mask).Score;
        // On the whole canvas "inside vs outside" dominates: unrelated uniform genes look alike.
        Assert.True(plainUniform > 0.8, $"whole canvas: {plainUniform}");
        Assert.InRange(maskedUniform, -0.2, 0.2);
        // Edge genes in different places are not alike inside the tissue (normalised smoothing: no border effect).
        Assert.True(maskedEdges < 0, $"masked edges: {maskedEdges}");
        Assert.True(maskedEdges < plainEdges, $"masked {maskedEdges} vs whole canvas {plainEdges}");
    }
}
