using System.Globalization;
using SpatialSim.TorchCore.Clustering;

namespace SpatialSim.TorchCore.Output;

/// <summary>
/// Draws a gene × gene score matrix as a heat map.
/// <para>Rows and columns are in the leaf order of the average-linkage dendrogram (<see cref="AverageLinkage"/> on the
/// distances of <see cref="GeneModules.Distances"/>), so modules of alike genes show as blocks on the diagonal. Colours
/// span the lowest to the highest pair score (the colour bar's tick labels); the diagonal (a gene with itself) is drawn
/// in the top colour; NaN scores are grey. Gene names label the rows (left) and columns (top, read upwards) when there
/// are at most <see cref="MaxLabelledGenes"/> genes, each cut to <see cref="MaxLabelChars"/> characters. The matrix takes
/// at most <c>maxSize</c> pixels per side: with more genes than that, each pixel is the mean of the cells it covers.</para>
/// </summary>
public static class SimilarityHeatmap
{
    public const int MaxLabelledGenes = 100;
    public const int MaxLabelChars = 16;
    private const int Pad = 8;
    private const int BarWidth = 16;
    private static readonly Rgb Background = new(255, 255, 255);
    private static readonly Rgb Ink = new(0, 0, 0);

    /// <summary>The dendrogram leaf order of the genes of <paramref name="matrix"/> (indices into its gene list).</summary>
    public static int[] Order(SimilarityMatrix matrix, DistanceRule rule, CancellationToken cancel = default)
    {
        if (matrix.Count < 2) return Enumerable.Range(0, matrix.Count).ToArray();
        var d = GeneModules.Distances(matrix, GeneModules.Resolve(rule, matrix.Method), out _);
        return AverageLinkage.Build(d, cancel).LeafOrder();
    }

    /// <summary>The pixel size of one matrix cell (0 = several cells per pixel) for <paramref name="n"/> genes.</summary>
    public static int CellSize(int n, int maxSize)
    {
        if (n < 1 || n > maxSize) return 0;
        int wanted = n <= MaxLabelledGenes ? Math.Clamp(800 / n, 10, 24) : Math.Min(8, 1024 / n);
        return Math.Max(1, Math.Min(wanted, maxSize / n));
    }

    /// <summary>Renders the heat map of <paramref name="matrix"/> with rows and columns in <paramref name="order"/>.</summary>
    public static Canvas Render(SimilarityMatrix matrix, int[] order, ColorMap map, int maxSize = 2048, CancellationToken cancel = default) =>
        Render(matrix, order, map, maxSize, out _, cancel);

    /// <summary>As <see cref="Render(SimilarityMatrix, int[], ColorMap, int, CancellationToken)"/>; <paramref name="area"/> = where the
    /// matrix is drawn: its top-left pixel and the cell size (0 when cells are averaged into pixels).</summary>
    public static Canvas Render(SimilarityMatrix matrix, int[] order, ColorMap map, int maxSize, out (int X, int Y, int Cell) area, CancellationToken cancel = default)
    {
        int n = matrix.Count;
        if (order.Length != n || order.Distinct().Count() != n || order.Any(i => (uint)i >= (uint)n))
            throw new ArgumentException("The order must list every gene index once.", nameof(order));
        if (maxSize < 16) throw new ArgumentOutOfRangeException(nameof(maxSize), maxSize, "At least 16 pixels.");

        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double v = matrix.Scores[i, j];
                if (double.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
            }
        bool any = lo <= hi;
        double T(double v) => !double.IsFinite(v) ? double.NaN : hi > lo ? (v - lo) / (hi - lo) : 0.5;

        int cell = CellSize(n, maxSize);
        int side = cell > 0 ? n * cell : maxSize;
        bool labels = n <= MaxLabelledGenes && cell >= 10;
        int scale = labels && cell >= 20 ? 2 : 1;
        var names = order.Select(i => BitmapFont.Fit(matrix.Genes[i], MaxLabelChars)).ToArray();
        int labelSpace = labels ? names.Max(s => BitmapFont.Width(s, scale)) + Pad : 0;
        string title = BitmapFont.Fit(string.IsNullOrEmpty(matrix.Parameters) ? matrix.Method : $"{matrix.Method} {matrix.Parameters}", 60);
        string top = any ? hi.ToString("G3", CultureInfo.InvariantCulture) : "NaN";
        string bottom = any ? lo.ToString("G3", CultureInfo.InvariantCulture) : "NaN";
        int tickWidth = Math.Max(BitmapFont.Width(top), BitmapFont.Width(bottom));

        int x0 = Pad + labelSpace;
        int y0 = Pad + BitmapFont.LineHeight + Pad + labelSpace;
        int width = Math.Max(x0 + side + Pad + BarWidth + 4 + tickWidth + Pad, Pad + BitmapFont.Width(title) + Pad);
        int height = y0 + side + Pad;
        var canvas = new Canvas(width, height, Background);
        area = (x0, y0, cell);
        canvas.Text(Pad, Pad, title, Ink);

        if (cell > 0)
        {
            for (int r = 0; r < n; r++)
            {
                cancel.ThrowIfCancellationRequested();
                for (int c = 0; c < n; c++)
                {
                    var colour = r == c ? ColorMaps.Color(map, 1) : ColorMaps.Color(map, T(matrix.Scores[order[r], order[c]]));
                    canvas.FillRect(x0 + c * cell, y0 + r * cell, cell, cell, colour);
                }
            }
        }
        else
        {
            // More genes than pixels: each pixel is the mean of the finite cells it covers (the diagonal counts as the top).
            for (int py = 0; py < side; py++)
            {
                cancel.ThrowIfCancellationRequested();
                int r0 = (int)((long)py * n / side), r1 = Math.Max(r0 + 1, (int)((long)(py + 1) * n / side));
                for (int px = 0; px < side; px++)
                {
                    int c0 = (int)((long)px * n / side), c1 = Math.Max(c0 + 1, (int)((long)(px + 1) * n / side));
                    double sum = 0;
                    int count = 0;
                    for (int r = r0; r < r1; r++)
                        for (int c = c0; c < c1; c++)
                        {
                            double t = r == c ? 1 : T(matrix.Scores[order[r], order[c]]);
                            if (!double.IsNaN(t)) { sum += t; count++; }
                        }
                    canvas.Set(x0 + px, y0 + py, ColorMaps.Color(map, count > 0 ? sum / count : double.NaN));
                }
            }
        }

        if (labels)
        {
            int glyph = BitmapFont.GlyphHeight * scale;
            for (int k = 0; k < n; k++)
            {
                int offset = k * cell + (cell - glyph + 1) / 2;
                canvas.Text(x0 - Pad / 2 - BitmapFont.Width(names[k], scale), y0 + offset, names[k], Ink, scale);
                canvas.TextUp(x0 + offset, y0 - Pad / 2, names[k], Ink, scale);
            }
        }

        int barX = x0 + side + Pad;
        canvas.ColorBar(barX, y0, BarWidth, side, map, vertical: true, Ink);
        canvas.Text(barX + BarWidth + 4, y0, top, Ink);
        canvas.Text(barX + BarWidth + 4, y0 + side - BitmapFont.GlyphHeight, bottom, Ink);
        return canvas;
    }
}
