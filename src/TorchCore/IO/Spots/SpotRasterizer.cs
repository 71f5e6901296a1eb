using SpatialSim.TorchCore.IO.Formats;

namespace SpatialSim.TorchCore.IO.Spots;

/// <summary>
/// Turns spot × gene counts and spot placements into gene rasters on one canvas, as a long table of the same counts at
/// the same pixels gives them (<see cref="CountTableReader"/>): the canvas is the bounding box of the placed spots (or
/// -Region), -BinSize sums b×b pixels, spots on one pixel are summed, -MinTotal drops genes by raw total. Then, per raster
/// pixel ("spot"): quality control (pixels whose raw total over every gene of the file is below the minimum are dropped,
/// with a warning naming their spots) and normalisation (<see cref="SpotNormalization"/>).
/// </summary>
/// <remarks>
/// Memory: each gene's column (8 bytes per non-zero count) becomes its raster's sparse pixels in place, one gene at a time
/// as the rasters are enumerated, so the counts are held once. Per spot: 3 ints and a double.
/// </remarks>
internal static class SpotRasterizer
{
    /// <summary>At most this many spot names in a warning.</summary>
    private const int NamesShown = 10;

    public static IEnumerable<GeneRaster> Rasterize(SpotCounts counts, SpotPlacement placement, ImportRequest request, ImportContext context,
        double? pixelSize = null, string? unit = null)
    {
        var options = request.Table;
        string source = counts.Source;
        int n = counts.SpotIds.Count, b = options.BinSize;
        var px = placement.X;
        var py = placement.Y;

        // Canvas: the bounding box of the placed spots, or the region (pixels before binning).
        long x0, y0, x1, y1;
        var inside = new bool[n];
        if (options.Region is { } r)
        {
            (x0, y0, x1, y1) = (r.X0, r.Y0, r.X1, r.Y1);
            for (int i = 0; i < n; i++) inside[i] = px[i] != SpotPlacement.Unplaced && px[i] >= x0 && px[i] < x1 && py[i] >= y0 && py[i] < y1;
        }
        else
        {
            (x0, y0, x1, y1) = (long.MaxValue, long.MaxValue, long.MinValue, long.MinValue);
            for (int i = 0; i < n; i++)
            {
                if (px[i] == SpotPlacement.Unplaced) continue;
                inside[i] = true;
                x0 = Math.Min(x0, px[i]); y0 = Math.Min(y0, py[i]);
                x1 = Math.Max(x1, px[i] + 1L); y1 = Math.Max(y1, py[i] + 1L);
            }
        }
        var (width, height) = CountTableReader.CheckCanvas(source, options, x1 - x0, y1 - y0, x0, y0, fromRegion: options.Region is not null);
        int outside = inside.Count(v => !v) - px.Count(v => v == SpotPlacement.Unplaced);

        // Raster pixel of every spot, and the raw total of every occupied pixel (over every gene of the file).
        var pixelOf = new int[n];
        for (int i = 0; i < n; i++)
            pixelOf[i] = inside[i] ? (int)((py[i] - y0) / b * width + (px[i] - x0) / b) : -1;
        var totals = new Dictionary<int, double>();
        for (int i = 0; i < n; i++)
            if (pixelOf[i] >= 0) totals[pixelOf[i]] = totals.GetValueOrDefault(pixelOf[i]) + counts.SpotTotals[i];

        // Quality control and normalisation factors per pixel.
        var spotOptions = request.Spots;
        var normalization = spotOptions.EffectiveNormalization;
        double median = Median(totals.Values);
        double minTotal = spotOptions.MinSpotTotal ?? (normalization == SpotNormalization.None ? 0 : SpotReadOptions.DefaultMinSpotFraction * median);
        var dropped = new HashSet<int>(totals.Where(t => t.Value < minTotal).Select(t => t.Key));
        if (dropped.Count > 0)
        {
            var names = Enumerable.Range(0, n).Where(i => pixelOf[i] >= 0 && dropped.Contains(pixelOf[i])).Select(i => counts.SpotIds[i]).ToList();
            string why = spotOptions.MinSpotTotal is null ? $"{SpotReadOptions.DefaultMinSpotFraction:P0} of the median {median:g4}, the default when normalising" : "-MinSpotTotal";
            string what = b == 1 ? $"{dropped.Count} spot(s)" : $"{dropped.Count} pixel(s) at bin {b} ({names.Count} spots)";
            context.Warning($"{what} of '{Path.GetFileName(source)}' have a total count below {minTotal:g4} ({why}) and were dropped: " +
                            $"{string.Join(", ", names.Take(NamesShown).Select(s => $"'{s}'"))}{(names.Count > NamesShown ? $", … ({names.Count} spots)" : "")}. " +
                            "Set -MinSpotTotal to change this.");
        }
        if (normalization != SpotNormalization.None && spotOptions.MinSpotTotal is { } given && given < SpotReadOptions.DefaultMinSpotFraction * median)
        {
            var weak = totals.Where(t => !dropped.Contains(t.Key) && t.Value > 0 && t.Value < SpotReadOptions.DefaultMinSpotFraction * median).ToList();
            if (weak.Count > 0)
                context.Warning($"{weak.Count} kept spot(s) of '{Path.GetFileName(source)}' have under {SpotReadOptions.DefaultMinSpotFraction:P0} of the median total ({median:g4}); " +
                                $"normalising multiplies their counts up to {median / weak.Min(t => t.Value):g3}× a typical spot's, so genes seen there can look alike. Raise -MinSpotTotal to drop them.");
        }

        string unitText = unit is null ? "" : $" {unit}";
        double size = (pixelSize ?? placement.PixelSize) * b;
        string processing = $"{placement.Label}" + normalization switch
        {
            SpotNormalization.Total => $"; normalised: counts per {spotOptions.TargetSum:g6} per spot",
            SpotNormalization.LogTotal => $"; normalised: ln(1 + counts per {spotOptions.TargetSum:g6} per spot)",
            _ => "",
        };
        context.Verbose($"'{source}': {n:N0} spots × {counts.GenesSeen:N0} genes ({counts.Count:N0} kept). {placement.Description} " +
                        $"Canvas {width}×{height} pixels at bin {b} (pixel {size:g4}{unitText}), origin {x0},{y0}; " +
                        $"{(outside > 0 ? $"{outside} spots outside -Region; " : "")}{dropped.Count} spots dropped by quality control (total < {minTotal:g4}); " +
                        $"normalisation {normalization}{(normalization == SpotNormalization.None ? "" : $", target sum {spotOptions.TargetSum:g6}")}.");

        // Per spot: dropped spots leave the canvas; the normalisation factor is that of the spot's pixel (linear, so it can be
        // applied before spots of one pixel are summed; the logarithm of LogTotal comes after).
        double target = spotOptions.TargetSum;
        var factor = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (pixelOf[i] < 0) continue;
            if (dropped.Contains(pixelOf[i])) { pixelOf[i] = -1; continue; }
            double total = totals[pixelOf[i]];
            factor[i] = normalization == SpotNormalization.None ? 1 : total > 0 ? target / total : 0;
        }
        if (counts.Count == 0)
            context.Warning($"No gene of '{source}' passed the filters (-Gene, -MinTotal {options.MinTotal}).");
        // Genes are made in batches on all cores (map, sort, normalise), then handed out in file order.
        var batch = new GeneRaster?[GenesPerBatch];
        for (int first = 0; first < counts.Count; first += GenesPerBatch)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(GenesPerBatch, counts.Count - first);
            Parallel.For(0, count, new ParallelOptions { CancellationToken = context.CancellationToken }, () => new PixelSort(), (k, _, sorter) =>
            {
                batch[k] = Make(counts.Gene(first + k), counts.Take(first + k), pixelOf, factor, width, height, normalization, options.MinTotal, b, source, size,
                    request, processing, sorter);
                return sorter;
            }, _ => { });
            for (int k = 0; k < count; k++)
            {
                if (batch[k] is { } raster) yield return raster;
                batch[k] = null;
            }
        }
    }

    /// <summary>Genes made at once on all cores before they are handed out.</summary>
    private const int GenesPerBatch = 256;

    /// <summary>One gene's raster from its column, in place: spot → pixel, sorted, spots of one pixel summed, normalised; null below MinTotal.</summary>
    private static GeneRaster? Make(string gene, (int[] Spots, float[] Values) column, int[] pixelOf, double[] factor, int width, int height,
        SpotNormalization normalization, double minTotal, int binSize, string source, double size, ImportRequest request, string processing,
        PixelSort sorter)
    {
        var (index, values) = column;
        int m = 0;
        double raw = 0;
        for (int k = 0; k < index.Length; k++)
        {
            int spot = index[k], p = pixelOf[spot];
            if (p < 0 || values[k] == 0) continue;
            raw += values[k];
            index[m] = p;
            values[m] = normalization == SpotNormalization.None ? values[k] : (float)(values[k] * factor[spot]);
            m++;
        }
        if (raw < minTotal) return null;
        bool sorted = true;
        for (int k = 1; k < m; k++)
            if (index[k] <= index[k - 1]) { sorted = false; break; }
        if (!sorted)
        {
            sorter.Sort(index, values, m, width * height - 1);
            int w = 0;
            for (int k = 0; k < m; k++)
            {
                if (w > 0 && index[w - 1] == index[k]) values[w - 1] += values[k];
                else { index[w] = index[k]; values[w] = values[k]; w++; }
            }
            m = w;
        }
        if (m != index.Length)
        {
            index = index.AsSpan(0, m).ToArray();
            values = values.AsSpan(0, m).ToArray();
        }
        if (normalization == SpotNormalization.LogTotal)
            for (int k = 0; k < m; k++) values[k] = (float)Math.Log(1 + (double)values[k]);
        var pixels = SparsePixels.FromEntries(width, height, index, values);
        return GeneRaster.FromSparse(gene, pixels, binSize, source, size, request.Device, raw, processing);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.ToArray();
        if (sorted.Length == 0) return 0;
        Array.Sort(sorted);
        int h = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
    }
}
