using SpatialSim.TorchCore.IO;

namespace SpatialSim.TorchCore.Output;

/// <summary>
/// An 8-bit RGB picture in memory (row-major, 3 bytes per pixel) with the few drawing operations the picture cmdlets
/// need: rectangles, colour bars and <see cref="BitmapFont"/> text. Drawing outside the canvas is clipped.
/// Saved as PNG by <see cref="PngStreamWriter"/> (a stop takes effect within one row), through a temporary file renamed into place.
/// </summary>
public sealed class Canvas
{
    public int Width { get; }
    public int Height { get; }
    /// <summary>The pixels: R, G, B of (x, y) at 3·(y·Width + x).</summary>
    public byte[] Pixels { get; }

    /// <summary>Largest canvas side; pictures are laid out well below it.</summary>
    public const int MaxSide = 32_768;

    public Canvas(int width, int height, Rgb background)
    {
        if (width < 1 || height < 1 || width > MaxSide || height > MaxSide || (long)width * height > 200_000_000)
            throw new SpatialSimException(ErrorKind.LimitExceeded, $"A {width}×{height} picture is too large to draw (at most {MaxSide} pixels per side).");
        Width = width;
        Height = height;
        Pixels = new byte[3L * width * height];
        FillRect(0, 0, width, height, background);
    }

    public Rgb this[int x, int y]
    {
        get
        {
            long i = 3L * ((long)y * Width + x);
            return new Rgb(Pixels[i], Pixels[i + 1], Pixels[i + 2]);
        }
    }

    public void Set(int x, int y, Rgb c)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) return;
        long i = 3L * ((long)y * Width + x);
        Pixels[i] = c.R;
        Pixels[i + 1] = c.G;
        Pixels[i + 2] = c.B;
    }

    public void FillRect(int x, int y, int w, int h, Rgb c)
    {
        int x0 = Math.Max(0, x), y0 = Math.Max(0, y), x1 = Math.Min(Width, x + w), y1 = Math.Min(Height, y + h);
        for (int yy = y0; yy < y1; yy++)
            for (int xx = x0; xx < x1; xx++)
                Set(xx, yy, c);
    }

    /// <summary>A one-pixel rectangle outline.</summary>
    public void Frame(int x, int y, int w, int h, Rgb c)
    {
        FillRect(x, y, w, 1, c);
        FillRect(x, y + h - 1, w, 1, c);
        FillRect(x, y, 1, h, c);
        FillRect(x + w - 1, y, 1, h, c);
    }

    /// <summary>Draws <paramref name="text"/> left to right with its top-left corner at (x, y).</summary>
    public void Text(int x, int y, string text, Rgb c, int scale = 1)
    {
        for (int i = 0; i < text.Length; i++)
            for (int gy = 0; gy < BitmapFont.GlyphHeight; gy++)
                for (int gx = 0; gx < BitmapFont.GlyphWidth; gx++)
                    if (BitmapFont.Ink(text[i], gx, gy))
                        FillRect(x + (i * BitmapFont.Advance + gx) * scale, y + gy * scale, scale, scale, c);
    }

    /// <summary>
    /// Draws <paramref name="text"/> turned 90° anticlockwise (read bottom to top, as column labels are), starting at
    /// the bottom: the text's first character sits just above (x, bottom), the glyph tops face left.
    /// </summary>
    public void TextUp(int x, int bottom, string text, Rgb c, int scale = 1)
    {
        for (int i = 0; i < text.Length; i++)
            for (int gy = 0; gy < BitmapFont.GlyphHeight; gy++)
                for (int gx = 0; gx < BitmapFont.GlyphWidth; gx++)
                    if (BitmapFont.Ink(text[i], gx, gy))
                        FillRect(x + gy * scale, bottom - (i * BitmapFont.Advance + gx + 1) * scale, scale, scale, c);
    }

    /// <summary>A colour bar: <paramref name="vertical"/> = highest value at the top; otherwise lowest value at the left.</summary>
    public void ColorBar(int x, int y, int w, int h, ColorMap map, bool vertical, Rgb frame)
    {
        if (vertical)
        {
            for (int yy = 0; yy < h; yy++)
            {
                var c = ColorMaps.Color(map, h == 1 ? 1 : 1 - (double)yy / (h - 1));
                FillRect(x, y + yy, w, 1, c);
            }
        }
        else
        {
            for (int xx = 0; xx < w; xx++)
            {
                var c = ColorMaps.Color(map, w == 1 ? 1 : (double)xx / (w - 1));
                FillRect(x + xx, y, 1, h, c);
            }
        }
        Frame(x - 1, y - 1, w + 2, h + 2, frame);
    }

    /// <summary>Throws the error writing <paramref name="path"/> would meet (missing folder, existing file without <paramref name="overwrite"/>), before any drawing.</summary>
    public static void CheckTarget(string path, bool overwrite) => RasterFileIo.CheckTarget(path, overwrite);

    /// <summary>Writes the canvas as an 8-bit RGB PNG: to a temporary file first, renamed into place; never over an existing file unless <paramref name="overwrite"/>. Stops within one row once <paramref name="cancel"/> is cancelled.</summary>
    public void SavePng(string path, bool overwrite, CancellationToken cancel = default)
    {
        RasterFileIo.CheckTarget(path, overwrite);
        cancel.ThrowIfCancellationRequested();
        int rowBytes = 3 * Width;
        RasterFileIo.WriteAtomically(path, overwrite, fs => PngStreamWriter.Write(fs, Width, Height, PngPixelLayout.Rgb8,
            (y, row) => Pixels.AsSpan(y * rowBytes, rowBytes).CopyTo(row), cancellationToken: cancel), cancel);
    }
}
