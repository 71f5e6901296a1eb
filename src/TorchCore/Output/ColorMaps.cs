using System.Globalization;

namespace SpatialSim.TorchCore.Output;

/// <summary>The colour maps of the picture cmdlets.</summary>
public enum ColorMap
{
    /// <summary>matplotlib's viridis: perceptually uniform, dark blue → yellow, readable in grey and by colour-blind readers.</summary>
    Viridis,
    /// <summary>matplotlib's magma: perceptually uniform, black → purple → light yellow.</summary>
    Magma,
    /// <summary>Black → white.</summary>
    Gray,
}

/// <summary>An 8-bit RGB colour.</summary>
public readonly record struct Rgb(byte R, byte G, byte B);

/// <summary>
/// Colour lookup tables. Viridis and magma are matplotlib's 256-entry tables (matplotlib/_cm_listed.py, by
/// N. J. Smith, S. van der Walt and E. Firing, CC0 public domain), rounded to 8 bits by tools/make_colormaps.py.
/// A value t in [0, 1] picks entry round(255·t); values outside are clamped; NaN has no colour (callers draw it grey).
/// </summary>
public static class ColorMaps
{
    /// <summary>The colour drawn for undefined (NaN) values.</summary>
    public static readonly Rgb Missing = new(160, 160, 160);

    private static readonly Rgb[] ViridisTable = Parse(ColorMapData.Viridis);
    private static readonly Rgb[] MagmaTable = Parse(ColorMapData.Magma);
    private static readonly Rgb[] GrayTable = Enumerable.Range(0, 256).Select(i => new Rgb((byte)i, (byte)i, (byte)i)).ToArray();

    /// <summary>The 256 colours of <paramref name="map"/>, lowest value first.</summary>
    public static IReadOnlyList<Rgb> Table(ColorMap map) => map switch
    {
        ColorMap.Viridis => ViridisTable,
        ColorMap.Magma => MagmaTable,
        ColorMap.Gray => GrayTable,
        _ => throw new ArgumentOutOfRangeException(nameof(map), map, "Unknown colour map."),
    };

    /// <summary>The colour of <paramref name="t"/> ∈ [0, 1] (clamped); NaN → <see cref="Missing"/>.</summary>
    public static Rgb Color(ColorMap map, double t)
    {
        if (double.IsNaN(t)) return Missing;
        var table = Table(map);
        int i = (int)Math.Round(Math.Clamp(t, 0, 1) * 255);
        return table[i];
    }

    private static Rgb[] Parse(string hex)
    {
        if (hex.Length != 256 * 6) throw new InvalidOperationException("A colour table must hold 256 RRGGBB entries.");
        var t = new Rgb[256];
        for (int i = 0; i < 256; i++)
            t[i] = new Rgb(Hex(hex, 6 * i), Hex(hex, 6 * i + 2), Hex(hex, 6 * i + 4));
        return t;
    }

    private static byte Hex(string s, int at) => byte.Parse(s.AsSpan(at, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
