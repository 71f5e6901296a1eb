using SpatialSim.TorchCore.Clustering;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Output;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>The heat map's order and colours, and the pattern picture's shrinking, zoom and overlay colours.</summary>
public class PictureTests
{
    private static RankedPair Pair(string a, string b, double s) => new() { GeneA = a, GeneB = b, Score = s, Method = "Pearson", Parameters = "" };

    /// <summary>Genes of two modules, interleaved: a* alike (0.9), b* alike (0.6), across 0.0 … 0.2.</summary>
    private static SimilarityMatrix Interleaved()
    {
        string[] g = { "a1", "b1", "a2", "b2", "a3", "b3" };
        var pairs = new List<RankedPair>();
        for (int i = 0; i < g.Length; i++)
            for (int j = i + 1; j < g.Length; j++)
                pairs.Add(Pair(g[i], g[j], g[i][0] != g[j][0] ? 0.04 * (i + j) / 2.5 : g[i][0] == 'a' ? 0.9 : 0.6));
        return SimilarityMatrix.FromPairs(pairs);
    }

    [Fact]
    public void HeatmapOrderPutsEachModuleTogether()
    {
        var m = Interleaved();
        var order = SimilarityHeatmap.Order(m, DistanceRule.Auto);
        string first = string.Concat(order.Select(i => m.Genes[i][0]));
        Assert.True(first is "aaabbb" or "bbbaaa", first);
    }

    [Fact]
    public void HeatmapCellsHaveTheColourOfTheirScore()
    {
        var m = Interleaved();
        var order = SimilarityHeatmap.Order(m, DistanceRule.Auto);
        var canvas = SimilarityHeatmap.Render(m, order, ColorMap.Viridis, 2048, out var area);
        Assert.True(area.Cell >= 10);
        double lo = 0.04 * 1 / 2.5, hi = 0.9; // lowest pair: a1–b1 (i + j = 1)
        Rgb CellColour(int r, int c) => canvas[area.X + c * area.Cell + area.Cell / 2, area.Y + r * area.Cell + area.Cell / 2];
        for (int r = 0; r < m.Count; r++)
            for (int c = 0; c < m.Count; c++)
            {
                double expected = r == c ? 1 : (m.Scores[order[r], order[c]] - lo) / (hi - lo);
                Assert.Equal(ColorMaps.Color(ColorMap.Viridis, expected), CellColour(r, c));
            }
        // The picture is wider than the matrix: labels on the left, colour bar on the right.
        Assert.True(canvas.Width > area.X + m.Count * area.Cell + 16);
    }

    [Fact]
    public void ManyGenesAreAveragedIntoAtMostMaxSizePixels()
    {
        int n = 300;
        var pairs = new List<RankedPair>();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                pairs.Add(Pair($"g{i}", $"g{j}", Math.Cos(i - j)));
        var m = SimilarityMatrix.FromPairs(pairs);
        var canvas = SimilarityHeatmap.Render(m, Enumerable.Range(0, n).ToArray(), ColorMap.Gray, 100, out var area);
        Assert.Equal(0, area.Cell);
        Assert.True(canvas.Height <= area.Y + 100 + 8);
        // The matrix never exceeds maxSize pixels per side.
        foreach (var (genes, max) in new[] { (50, 16), (150, 200), (40, 2048), (5, 2048), (1000, 2048), (3000, 2048) })
        {
            int cell = SimilarityHeatmap.CellSize(genes, max);
            Assert.True(cell == 0 ? genes > max : genes * cell <= max, $"{genes} genes, max {max}: cell {cell}");
        }
        Assert.Equal(24, SimilarityHeatmap.CellSize(5, 2048));
    }

    [Fact]
    public void ShrinkTakesTheMaxOrMeanOfWholeBlocks()
    {
        // 5×3 raster, at most 3 pixels per side → factor 2, 3×2 blocks (the last column and row partial).
        float[] px = { 1, 2, 3, 4, 5,
                       6, 7, 8, 9, 10,
                       11, 12, 13, 14, float.NaN };
        var max = PatternImage.Shrink(px, 5, 3, 3, ReduceMode.Max);
        Assert.Equal((3, 2, 2), (max.Width, max.Height, max.Factor));
        Assert.Equal(new float[] { 7, 9, 10, 12, 14, float.NaN }, max.Pixels);
        var mean = PatternImage.Shrink(px, 5, 3, 3, ReduceMode.Mean);
        Assert.Equal(new float[] { 4, 6, 7.5f, 11.5f, 13.5f, float.NaN }, mean.Pixels);
        Assert.Same(px, PatternImage.Shrink(px, 5, 3, 5, ReduceMode.Max).Pixels);
    }

    [Fact]
    public void SmallRastersAreEnlargedByWholeFactors()
    {
        Assert.Equal(8, PatternImage.Zoom(32, 2048));
        Assert.Equal(16, PatternImage.Zoom(3, 2048));
        Assert.Equal(1, PatternImage.Zoom(300, 2048));
        Assert.Equal(2, PatternImage.Zoom(32, 64));
    }

    [Fact]
    public void OverlayMixesMagentaAndGreenToWhite()
    {
        Assert.Equal(new Rgb(255, 0, 255), PatternImage.Mix(1, 0));
        Assert.Equal(new Rgb(0, 255, 0), PatternImage.Mix(0, 1));
        Assert.Equal(new Rgb(255, 255, 255), PatternImage.Mix(1, 1));
        Assert.Equal(new Rgb(0, 0, 0), PatternImage.Mix(0, 0));
    }

    [Fact]
    public void OneGenePictureShowsItsPeakInTheTopColour()
    {
        var px = new float[40 * 30];
        px[10 * 40 + 20] = 9; // one hot pixel at (x 20, y 10)
        var plane = new RasterPlane("g", 40, 30, px, "test");
        var canvas = PatternImage.Render(plane, new PatternImageOptions());
        int zoom = PatternImage.Zoom(40, 2048); // 7
        Assert.True(canvas.Width >= 40 * zoom && canvas.Height >= 30 * zoom);
        var top = ColorMaps.Color(ColorMap.Viridis, 1);
        var bottom = ColorMaps.Color(ColorMap.Viridis, 0);
        int hits = 0, lows = 0;
        for (int y = 0; y < canvas.Height; y++)
            for (int x = 0; x < canvas.Width; x++)
            {
                if (canvas[x, y] == top) hits++;
                if (canvas[x, y] == bottom) lows++;
            }
        Assert.True(hits >= zoom * zoom, $"{hits} top-colour pixels"); // the peak block (plus the bar's end)
        Assert.True(lows >= 40 * 30 * zoom * zoom - zoom * zoom - 4 * (40 + 30) * zoom);
        var other = new RasterPlane("h", 30, 30, new float[900], "test");
        Assert.Equal(ErrorKind.Mismatch, Assert.Throws<SpatialSimException>(() => PatternImage.Render(plane, other, new PatternImageOptions())).Kind);
    }

    [Fact]
    public void LabelsAreSpelledInAscii()
    {
        Assert.Equal("SmoothedPearson sigma=2", BitmapFont.Fit("SmoothedPearson σ=2", 60));
    }
}
