using SpatialSim.TorchCore.Output;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

public class ColorMapTests
{
    [Theory]
    // matplotlib: viridis(0) = (0.267004, 0.004874, 0.329415), viridis(1) = (0.993248, 0.906157, 0.143936);
    // magma(0) = (0.001462, 0.000466, 0.013866), magma(1) = (0.987053, 0.991438, 0.749504); × 255, rounded.
    [InlineData(ColorMap.Viridis, 0.0, 68, 1, 84)]
    [InlineData(ColorMap.Viridis, 1.0, 253, 231, 37)]
    [InlineData(ColorMap.Magma, 0.0, 0, 0, 4)]
    [InlineData(ColorMap.Magma, 1.0, 252, 253, 191)]
    [InlineData(ColorMap.Gray, 0.0, 0, 0, 0)]
    [InlineData(ColorMap.Gray, 1.0, 255, 255, 255)]
    [InlineData(ColorMap.Viridis, -5.0, 68, 1, 84)]
    [InlineData(ColorMap.Viridis, 7.0, 253, 231, 37)]
    public void EndpointsAreMatplotlibs(ColorMap map, double t, int r, int g, int b)
    {
        Assert.Equal(new Rgb((byte)r, (byte)g, (byte)b), ColorMaps.Color(map, t));
    }

    [Fact]
    public void MidpointAndMissing()
    {
        // viridis entry 128 = (0.127568, 0.566949, 0.550556).
        Assert.Equal(new Rgb(33, 145, 140), ColorMaps.Color(ColorMap.Viridis, 128 / 255.0));
        Assert.Equal(ColorMaps.Missing, ColorMaps.Color(ColorMap.Magma, double.NaN));
        Assert.Equal(256, ColorMaps.Table(ColorMap.Magma).Count);
    }

    [Fact]
    public void FontHasInkForPrintableCharactersOnly()
    {
        bool AnyInk(char c) => Enumerable.Range(0, BitmapFont.GlyphWidth).Any(x => Enumerable.Range(0, BitmapFont.GlyphHeight).Any(y => BitmapFont.Ink(c, x, y)));
        Assert.False(AnyInk(' '));
        foreach (char c in "AZaz09.-_()")
            Assert.True(AnyInk(c), c.ToString());
        Assert.True(BitmapFont.Ink('|', 2, 0));
        Assert.False(BitmapFont.Ink('|', 0, 0));
        // Unknown characters are drawn as '?'.
        Assert.Equal(BitmapFont.Ink('?', 1, 0), BitmapFont.Ink('µ', 1, 0));
        Assert.Equal(17, BitmapFont.Width("abc"));
        Assert.Equal("Abcd~", BitmapFont.Fit("Abcdefgh", 5));
    }
}
