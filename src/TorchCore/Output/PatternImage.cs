using System.Globalization;
using SpatialSim.TorchCore.IO;

namespace SpatialSim.TorchCore.Output;

/// <summary>How a large raster is shrunk to fit the picture.</summary>
public enum ReduceMode
{
    /// <summary>Each picture pixel shows the largest value of its block: a single hot spot stays visible (default).</summary>
    Max,
    /// <summary>Each picture pixel shows the mean of its block: faithful densities, isolated spots fade.</summary>
    Mean,
}

/// <summary>Options of <see cref="PatternImage"/>.</summary>
public sealed record PatternImageOptions
{
    public ColorMap ColorMap { get; init; } = ColorMap.Viridis;
    /// <summary>Colour by ln(1 + value) instead of the value: shows weak expression next to strong peaks.</summary>
    public bool Log { get; init; }
    /// <summary>Largest side of one panel's map in pixels; larger rasters are shrunk by whole blocks.</summary>
    public int MaxSize { get; init; } = 2048;
    public ReduceMode Reduce { get; init; } = ReduceMode.Max;
}

/// <summary>
/// The picture a person draws first to judge a gene or a pair: a heat map of one gene's raster (colour bar with the
/// value range, gene name on top), or two genes side by side plus their overlay — the first gene in magenta, the second
/// in green, each scaled to its own maximum, so where both are high the overlay is white.
/// <para>Size: a raster whose longer side exceeds <see cref="PatternImageOptions.MaxSize"/> is shrunk by an integer
/// factor f = ⌈side / MaxSize⌉, each picture pixel showing the max (or mean) of an f×f block; a raster whose longer side
/// is under <see cref="MinDrawnSide"/> pixels is enlarged by an integer factor (pixel copies, at most 16×, never above
/// MaxSize) so it can be seen. Row 0 of the raster is drawn at the top. NaN pixels are grey.</para>
/// </summary>
public static class PatternImage
{
    public const int MinDrawnSide = 256;
    private const int Pad = 8;
    private const int BarHeight = 10;
    private static readonly Rgb Background = new(255, 255, 255);
    private static readonly Rgb Ink = new(0, 0, 0);
    private static readonly Rgb FirstColour = new(255, 0, 255);
    private static readonly Rgb SecondColour = new(0, 200, 0);

    /// <summary>A raster shrunk to fit: <see cref="Factor"/> input pixels per side per output pixel.</summary>
    public sealed record Reduced(float[] Pixels, int Width, int Height, int Factor);

    /// <summary>Shrinks a row-major raster so its longer side is at most <paramref name="maxSize"/> (whole f×f blocks; edge blocks may be partial).</summary>
    public static Reduced Shrink(float[] pixels, int width, int height, int maxSize, ReduceMode mode)
    {
        int f = Math.Max(1, (Math.Max(width, height) + maxSize - 1) / maxSize);
        if (f == 1) return new Reduced(pixels, width, height, 1);
        int w = (width + f - 1) / f, h = (height + f - 1) / f;
        var dst = new float[w * h];
        for (int oy = 0; oy < h; oy++)
            for (int ox = 0; ox < w; ox++)
            {
                double sum = 0;
                float max = float.NegativeInfinity;
                int count = 0;
                for (int y = oy * f; y < Math.Min(height, (oy + 1) * f); y++)
                    for (int x = ox * f; x < Math.Min(width, (ox + 1) * f); x++)
                    {
                        float v = pixels[y * width + x];
                        if (float.IsNaN(v)) continue;
                        sum += v;
                        count++;
                        if (v > max) max = v;
                    }
                dst[oy * w + ox] = count == 0 ? float.NaN : mode == ReduceMode.Max ? max : (float)(sum / count);
            }
        return new Reduced(dst, w, h, f);
    }

    /// <summary>The integer enlargement for a map of longer side <paramref name="side"/>.</summary>
    public static int Zoom(int side, int maxSize) =>
        side >= MinDrawnSide ? 1 : Math.Max(1, Math.Min(Math.Min(16, (MinDrawnSide + side - 1) / side), maxSize / side));

    /// <summary>Values → [0, 1] for colouring: (v − lo) / (hi − lo) with lo = min(0, min), hi = max, on ln(1 + v) with <paramref name="log"/> (negative values count as 0 there).</summary>
    private sealed class Scale
    {
        public readonly double Lo, Hi, RawLo, RawHi;
        private readonly bool _log;

        public Scale(float[] px, bool log)
        {
            _log = log;
            double lo = 0, hi = double.NegativeInfinity;
            foreach (float v in px)
                if (!float.IsNaN(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
            if (double.IsNegativeInfinity(hi)) hi = 0;
            RawLo = log ? 0 : lo;
            RawHi = hi;
            Lo = Map(RawLo);
            Hi = Map(RawHi);
        }

        private double Map(double v) => _log ? Math.Log(1 + Math.Max(0, v)) : v;

        public double T(float v) => float.IsNaN(v) ? double.NaN : Hi > Lo ? (Map(v) - Lo) / (Hi - Lo) : 0;
    }

    private static string Number(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    private sealed record Panel(RasterPlane Plane, Reduced Map, int Zoom, Scale Scale)
    {
        public int DrawnWidth => Map.Width * Zoom;
        public int DrawnHeight => Map.Height * Zoom;
    }

    private static Panel Prepare(RasterPlane plane, PatternImageOptions o)
    {
        var reduced = Shrink(plane.Pixels, plane.Width, plane.Height, o.MaxSize, o.Reduce);
        return new Panel(plane, reduced, Zoom(Math.Max(reduced.Width, reduced.Height), o.MaxSize), new Scale(reduced.Pixels, o.Log));
    }

    private static string Title(Panel p, PatternImageOptions o) =>
        BitmapFont.Fit(p.Plane.Gene, 40) + (o.Log ? " (log)" : "") + (p.Map.Factor > 1 ? $" 1:{p.Map.Factor} {o.Reduce.ToString().ToLowerInvariant()}" : "");

    /// <summary>One gene: title, heat map, colour bar from the lowest to the highest value.</summary>
    public static Canvas Render(RasterPlane plane, PatternImageOptions options, CancellationToken cancel = default)
    {
        var p = Prepare(plane, options);
        int panelWidth = PanelWidth(p, options);
        var canvas = new Canvas(Pad + panelWidth + Pad, PanelHeight(p) + 2 * Pad, Background);
        DrawPanel(canvas, Pad, Pad, p, options, cancel);
        return canvas;
    }

    /// <summary>Two genes of one canvas side by side, each on its own scale, then their overlay (first magenta, second green).</summary>
    public static Canvas Render(RasterPlane first, RasterPlane second, PatternImageOptions options, CancellationToken cancel = default)
    {
        if (first.Width != second.Width || first.Height != second.Height)
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"Gene '{first.Gene}' is {first.Width}×{first.Height} pixels but '{second.Gene}' is {second.Width}×{second.Height}; " +
                "an overlay needs two rasters of one canvas (import them together, with the same -BinSize).") { Gene = second.Gene };
        var a = Prepare(first, options);
        var b = Prepare(second, options);
        int w1 = PanelWidth(a, options), w2 = PanelWidth(b, options);
        string legendA = "magenta: " + BitmapFont.Fit(first.Gene, 30), legendB = "green: " + BitmapFont.Fit(second.Gene, 30);
        int w3 = Math.Max(a.DrawnWidth, Math.Max(BitmapFont.Width(legendA), BitmapFont.Width(legendB)));
        int height = Math.Max(PanelHeight(a), BitmapFont.LineHeight + 4 + a.DrawnHeight + 4 + 2 * BitmapFont.LineHeight) + 2 * Pad;
        var canvas = new Canvas(Pad + w1 + 2 * Pad + w2 + 2 * Pad + w3 + Pad, height, Background);
        DrawPanel(canvas, Pad, Pad, a, options, cancel);
        DrawPanel(canvas, Pad + w1 + 2 * Pad, Pad, b, options, cancel);

        int x0 = Pad + w1 + 2 * Pad + w2 + 2 * Pad;
        canvas.Text(x0, Pad, "overlay" + (options.Log ? " (log)" : ""), Ink);
        int y0 = Pad + BitmapFont.LineHeight + 4;
        for (int y = 0; y < a.Map.Height; y++)
        {
            cancel.ThrowIfCancellationRequested();
            for (int x = 0; x < a.Map.Width; x++)
            {
                double ta = a.Scale.T(a.Map.Pixels[y * a.Map.Width + x]), tb = b.Scale.T(b.Map.Pixels[y * b.Map.Width + x]);
                var c = double.IsNaN(ta) || double.IsNaN(tb) ? ColorMaps.Missing : Mix(ta, tb);
                canvas.FillRect(x0 + x * a.Zoom, y0 + y * a.Zoom, a.Zoom, a.Zoom, c);
            }
        }
        canvas.Frame(x0 - 1, y0 - 1, a.DrawnWidth + 2, a.DrawnHeight + 2, Ink);
        int ly = y0 + a.DrawnHeight + 4;
        canvas.Text(x0, ly, legendA, FirstColour);
        canvas.Text(x0, ly + BitmapFont.LineHeight, legendB, SecondColour);
        return canvas;
    }

    /// <summary>Additive mix: first gene → red + blue (magenta), second → green; both at their maximum → white.</summary>
    public static Rgb Mix(double first, double second)
    {
        byte A(double t) => (byte)Math.Round(255 * Math.Clamp(t, 0, 1));
        return new Rgb(A(first), A(second), A(first));
    }

    private static int PanelWidth(Panel p, PatternImageOptions o) =>
        Math.Max(Math.Max(p.DrawnWidth, BitmapFont.Width(Title(p, o))), 2 * BitmapFont.Width(Number(p.Scale.RawHi)) + 40);

    private static int PanelHeight(Panel p) =>
        BitmapFont.LineHeight + 4 + p.DrawnHeight + 6 + BarHeight + 4 + BitmapFont.LineHeight;

    private static void DrawPanel(Canvas canvas, int x, int y, Panel p, PatternImageOptions o, CancellationToken cancel)
    {
        canvas.Text(x, y, Title(p, o), Ink);
        int y0 = y + BitmapFont.LineHeight + 4;
        for (int yy = 0; yy < p.Map.Height; yy++)
        {
            cancel.ThrowIfCancellationRequested();
            for (int xx = 0; xx < p.Map.Width; xx++)
                canvas.FillRect(x + xx * p.Zoom, y0 + yy * p.Zoom, p.Zoom, p.Zoom, ColorMaps.Color(o.ColorMap, p.Scale.T(p.Map.Pixels[yy * p.Map.Width + xx])));
        }
        canvas.Frame(x - 1, y0 - 1, p.DrawnWidth + 2, p.DrawnHeight + 2, Ink);
        int barY = y0 + p.DrawnHeight + 6;
        int barWidth = Math.Max(p.DrawnWidth, 2 * BitmapFont.Width(Number(p.Scale.RawHi)) + 40);
        canvas.ColorBar(x, barY, barWidth, BarHeight, o.ColorMap, vertical: false, Ink);
        string lo = Number(p.Scale.RawLo), hi = Number(p.Scale.RawHi);
        canvas.Text(x, barY + BarHeight + 3, lo, Ink);
        canvas.Text(x + barWidth - BitmapFont.Width(hi), barY + BarHeight + 3, hi, Ink);
    }
}
