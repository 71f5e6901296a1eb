namespace SpatialSim.TorchCore.IO.Spots;

/// <summary>Where each spot lands on the raster: integer pixel coordinates before binning, and what was inferred.</summary>
/// <param name="X">Pixel column per spot; <see cref="Unplaced"/> for a spot without a position.</param>
/// <param name="Y">Pixel row per spot.</param>
/// <param name="PixelSize">One pixel in the coordinates' units (the lattice pitch; -PixelSize when binning by it).</param>
/// <param name="Label">Short, for a raster's Processing: e.g. "hexagonal lattice, offset rows".</param>
/// <param name="Description">One sentence for the user: which lattice, from which columns, how it maps to pixels.</param>
internal sealed record SpotPlacement(int[] X, int[] Y, double PixelSize, string Label, string Description)
{
    public const int Unplaced = int.MinValue;
}

/// <summary>
/// Maps spot coordinates to raster pixels. Spots of spatial-barcoding arrays sit on a lattice — square (ST, Visium HD
/// bins) or hexagonal (Visium) — and their float positions (image pixels, or array units with alignment jitter) must go to
/// their lattice site, not be floored: flooring merges neighbours and leaves holes.
/// </summary>
/// <remarks>
/// <para><b>Lattice indices</b> (<c>array_col</c>, <c>array_row</c>) are used as they are, except that a hexagonal
/// lattice in Visium's "doubled columns" (every spot has <c>array_row + array_col</c> of one parity, both column parities
/// occur) is drawn in <b>offset rows</b>: pixel x = ⌊array_col / 2⌋, y = array_row. Each pixel is then one spot and the
/// raster has no empty checkerboard holes; the price is that alternate rows are drawn half a spot to the left of where
/// they are (a hexagon's six neighbours become the two beside it and two above and below, which lean one way on alternate
/// rows). A pixel is one spot pitch wide and √3/2 of it high (100 µm × 87 µm on Visium).</para>
/// <para><b>Positions</b> (x, y; pxl_col/row_in_fullres; imagecol/row) are fitted: the median nearest-neighbour
/// distance gives a first pitch; the directions to all neighbours within 1.3 pitches give the lattice (square when their
/// angles agree modulo 90°, hexagonal modulo 60°: the larger of the two order parameters |mean e^{4iθ}|, |mean e^{6iθ}|)
/// and its rotation; the pitch is the mean length of the neighbour vectors within 15° of a lattice direction (out to 1.6
/// first-estimate pitches); positions are rotated to the lattice's axes, rounded to sites, and the origin and pitch refined by
/// least squares until the sites no longer change. The fit is accepted when every spot is within
/// <see cref="MaxOffset"/> pitches of its site and no two spots share a site; hexagonal sites then go to offset rows
/// as above, counting doubled columns and rows from the lowest occupied one; square sites keep their numbers from
/// coordinate 0, so positions in array units (ST's x, y) land on their array indices.</para>
/// <para>With -PixelSize the positions are instead binned as a long table's are: pixel = ⌊coordinate / PixelSize⌋.</para>
/// </remarks>
internal static class SpotLattice
{
    /// <summary>The largest distance of a spot from its lattice site, in pitches, for the positions to count as a lattice.</summary>
    public const double MaxOffset = 0.3;
    /// <summary>Neighbours are the spots within this many (first-estimate) pitches.</summary>
    private const double NeighbourRadius = 1.3;
    /// <summary>Vectors out to this many first-estimate pitches measure the pitch.</summary>
    private const double WideRadius = 1.6;
    /// <summary>A vector within this angle (radians, 15°) of a lattice direction measures the pitch.</summary>
    private const double DirectionTolerance = Math.PI / 12;
    /// <summary>Spots sampled for the pitch and directions.</summary>
    private const int Sample = 20_000;
    /// <summary>The smallest order parameter (see remarks) accepted as a lattice direction signal.</summary>
    private const double MinOrder = 0.5;

    public static SpotPlacement Place(SpotPositions positions, IReadOnlyList<string> spotIds, string source, bool pixelSizeGiven, double pixelSize)
    {
        int n = positions.X.Length;
        var px = new int[n];
        var py = new int[n];
        Array.Fill(px, SpotPlacement.Unplaced);
        Array.Fill(py, SpotPlacement.Unplaced);
        var placed = Enumerable.Range(0, n).Where(i => double.IsFinite(positions.X[i]) && double.IsFinite(positions.Y[i])).ToArray();
        string columns = $"{positions.XName},{positions.YName}";
        if (placed.Length == 0)
            throw new SpatialSimException(ErrorKind.InvalidData, $"No spot of '{source}' has a position (from {positions.From}).") { FilePath = source };

        if (pixelSizeGiven)
        {
            foreach (int i in placed)
            {
                px[i] = ToPixel(Floor(positions.X[i], pixelSize), source, columns);
                py[i] = ToPixel(Floor(positions.Y[i], pixelSize), source, columns);
            }
            return new SpotPlacement(px, py, pixelSize, $"binned by PixelSize {pixelSize:g4}",
                $"Spots placed by ⌊{columns} / PixelSize {pixelSize:g6}⌋, as a long table's rows are (no lattice fitted).");
        }

        if (positions.AreIndices && placed.All(i => IsWhole(positions.X[i]) && IsWhole(positions.Y[i])))
            return FromIndices(positions, placed, px, py, spotIds, source);
        return Fit(positions, placed, px, py, spotIds, source);
    }

    private static double Floor(double v, double pixelSize)
    {
        double q = v / pixelSize, r = Math.Round(q);
        return Math.Abs(q - r) <= 1e-9 * Math.Max(1.0, Math.Abs(r)) ? r : Math.Floor(q);
    }

    private static bool IsWhole(double v) => v == Math.Floor(v) && Math.Abs(v) < 1e9;

    private static int ToPixel(double v, string source, string columns)
    {
        if (Math.Abs(v) > 1e9)
            throw new SpatialSimException(ErrorKind.InvalidData, $"A spot of '{source}' lies at {v:g6} pixels ({columns}): too far out. Check the coordinates and -PixelSize.") { FilePath = source };
        return (int)v;
    }

    private static SpotPlacement FromIndices(SpotPositions p, int[] placed, int[] px, int[] py, IReadOnlyList<string> ids, string source)
    {
        int parity = -1;
        bool oneParity = true, evenColumns = false, oddColumns = false;
        var rows = new HashSet<long>();
        foreach (int i in placed)
        {
            long c = (long)p.X[i], r = (long)p.Y[i];
            int k = (int)((c + r) & 1);
            if (parity < 0) parity = k;
            else if (k != parity) oneParity = false;
            if ((c & 1) == 0) evenColumns = true; else oddColumns = true;
            rows.Add(r);
        }
        bool hexagonal = oneParity && evenColumns && oddColumns && rows.Count > 1;
        foreach (int i in placed)
        {
            long c = (long)p.X[i], r = (long)p.Y[i];
            px[i] = ToPixel(hexagonal ? Math.Floor(c / 2.0) : c, source, $"{p.XName},{p.YName}");
            py[i] = ToPixel(r, source, $"{p.XName},{p.YName}");
        }
        RequireDistinctSites(px, py, placed, ids, source, p);
        string cols = $"{p.XName},{p.YName}";
        return hexagonal
            ? new SpotPlacement(px, py, 1, "hexagonal lattice, offset rows",
                $"Hexagonal lattice from {cols} (doubled columns, as Visium's): drawn in offset rows, pixel x = ⌊{p.XName}/2⌋, y = {p.YName}; alternate rows sit half a spot left of their true place.")
            : new SpotPlacement(px, py, 1, "square lattice",
                $"Square lattice from {cols}: pixel x = {p.XName}, y = {p.YName}.");
    }

    private static SpotPlacement Fit(SpotPositions p, int[] placed, int[] px, int[] py, IReadOnlyList<string> ids, string source)
    {
        string cols = $"{p.XName},{p.YName}";
        if (placed.Length == 1)
        {
            px[placed[0]] = 0;
            py[placed[0]] = 0;
            return new SpotPlacement(px, py, 1, "one spot", $"One spot ({cols}): a 1×1 raster.");
        }
        var xs = placed.Select(i => p.X[i]).ToArray();
        var ys = placed.Select(i => p.Y[i]).ToArray();
        var grid = new PointGrid(xs, ys);
        var (pitch0, vectors) = grid.Neighbours(Sample, NeighbourRadius);
        if (!(pitch0 > 0))
            throw NoLattice(source, p, "several spots share one position");

        // Directions: order parameters of the neighbour angles for 4-fold (square) and 6-fold (hexagonal) symmetry.
        double c4 = 0, s4 = 0, c6 = 0, s6 = 0;
        foreach (var (a, b) in vectors)
        {
            double t = Math.Atan2(b, a);
            c4 += Math.Cos(4 * t); s4 += Math.Sin(4 * t);
            c6 += Math.Cos(6 * t); s6 += Math.Sin(6 * t);
        }
        double r4 = Math.Sqrt(c4 * c4 + s4 * s4) / Math.Max(1, vectors.Count), r6 = Math.Sqrt(c6 * c6 + s6 * s6) / Math.Max(1, vectors.Count);
        bool hexagonal = r6 > r4;
        if (Math.Max(r4, r6) < MinOrder)
            throw NoLattice(source, p, $"the directions between neighbouring spots agree neither modulo 90° nor 60° (order {Math.Max(r4, r6):F2})");
        double theta = hexagonal ? Math.Atan2(s6, c6) / 6 : Math.Atan2(s4, c4) / 4;
        double cos = Math.Cos(theta), sin = Math.Sin(theta);

        // Pitch from the neighbour vectors along the lattice's directions (within 15° of one), out to 1.6 first-estimate pitches:
        // the nearest-neighbour distance alone is biased low by jitter (it is the least of several jittered distances).
        var (_, wide) = grid.Neighbours(Sample, WideRadius);
        double sum = 0;
        int used = 0;
        double symmetry = hexagonal ? Math.PI / 3 : Math.PI / 2;
        foreach (var (a, b) in wide)
        {
            double u = a * cos + b * sin, v = -a * sin + b * cos;
            double angle = Math.Atan2(v, u);
            double off = Math.Abs(Math.IEEERemainder(angle, symmetry));
            if (off > DirectionTolerance) continue;
            sum += Math.Sqrt(u * u + v * v);
            used++;
        }
        if (used == 0)
            throw NoLattice(source, p, "no two spots are neighbours along the lattice's directions");
        double pitch = sum / used;

        int m = xs.Length;
        var us = new double[m];
        var vs = new double[m];
        for (int k = 0; k < m; k++)
        {
            us[k] = xs[k] * cos + ys[k] * sin;
            vs[k] = -xs[k] * sin + ys[k] * cos;
        }
        // Sites: square, column pitch = row pitch = pitch; hexagonal, doubled columns of pitch/2 and rows of pitch·√3/2.
        double stepU = hexagonal ? pitch / 2 : pitch, stepV = hexagonal ? pitch * Math.Sqrt(3) / 2 : pitch;
        var (cu, _, maxU, fittedU) = Axis(us, stepU);
        var (cv, _, maxV, fittedV) = Axis(vs, stepV);
        double worst = Math.Max(maxU * fittedU, maxV * fittedV) / pitch;
        // The pitch as fitted by least squares over all spots (the neighbour estimate is biased by jitter).
        pitch = hexagonal ? 2 * fittedU : (fittedU + fittedV) / 2;
        if (worst > MaxOffset)
            throw NoLattice(source, p, $"a spot is {worst:F2} pitches from its nearest {(hexagonal ? "hexagonal" : "square")} lattice site (pitch {pitch:g4})");
        long minU = cu.Min(), minV = cv.Min();
        if (hexagonal)
        {
            int parity = (int)(((cu[0] - minU) + (cv[0] - minV)) & 1);
            for (int k = 0; k < m; k++)
                if ((int)(((cu[k] - minU) + (cv[k] - minV)) & 1) != parity)
                    throw NoLattice(source, p, $"the spots fit a hexagonal lattice's rows but not its columns (pitch {pitch:g4})");
        }
        // Square sites keep their numbers from coordinate 0 (so positions in array units keep their array indices, and
        // -Region means the same as for the indices); hexagonal ones count from the lowest occupied site (see remarks).
        if (!hexagonal) minU = minV = 0;
        for (int k = 0; k < m; k++)
        {
            long c = cu[k] - minU, r = cv[k] - minV;
            px[placed[k]] = ToPixel(hexagonal ? c >> 1 : c, source, cols);
            py[placed[k]] = ToPixel(r, source, cols);
        }
        RequireDistinctSites(px, py, placed, ids, source, p);
        double degrees = theta * 180 / Math.PI;
        string rotated = Math.Abs(degrees) >= 0.05 ? $", rotated {degrees:F1}°" : "";
        string fit = $"pitch {pitch:g5} in {cols}{rotated}, spots at most {worst:F2} pitch from their sites";
        return hexagonal
            ? new SpotPlacement(px, py, pitch, "hexagonal lattice, offset rows",
                $"Hexagonal lattice inferred ({fit}): drawn in offset rows, pixel x = ⌊doubled column/2⌋, y = row; alternate rows sit half a spot left of their true place.")
            : new SpotPlacement(px, py, pitch, "square lattice",
                $"Square lattice inferred ({fit}): each spot is the pixel of its site.");
    }

    /// <summary>
    /// Rounds coordinates to sites of spacing <paramref name="step"/>: the phase from the circular mean, then origin and
    /// spacing refined by least squares on the rounded sites until they are stable. Returns the sites, origin and the largest
    /// distance from a site (in steps).
    /// </summary>
    private static (long[] Sites, double Origin, double MaxOff, double Step) Axis(double[] values, double step)
    {
        double c = 0, s = 0;
        foreach (double v in values) { double t = 2 * Math.PI * v / step; c += Math.Cos(t); s += Math.Sin(t); }
        double origin = Math.Atan2(s, c) / (2 * Math.PI) * step;
        var sites = new long[values.Length];
        for (int iteration = 0; iteration < 8; iteration++)
        {
            bool changed = false;
            for (int k = 0; k < values.Length; k++)
            {
                long site = (long)Math.Round((values[k] - origin) / step);
                if (site != sites[k]) changed = true;
                sites[k] = site;
            }
            if (!changed && iteration > 0) break;
            // Least squares v = origin + step·site (when the sites span more than one value).
            double n = values.Length, sx = 0, sy = 0, sxx = 0, sxy = 0;
            for (int k = 0; k < values.Length; k++) { sx += sites[k]; sy += values[k]; sxx += (double)sites[k] * sites[k]; sxy += sites[k] * values[k]; }
            double det = n * sxx - sx * sx;
            if (det > 0)
            {
                double slope = (n * sxy - sx * sy) / det;
                if (slope > 0.5 * step && slope < 1.5 * step) step = slope;
                origin = (sy - step * sx) / n;
            }
        }
        // Number the sites so that site 0 lies within half a step of coordinate 0.
        long shift = (long)Math.Round(origin / step);
        if (shift != 0)
        {
            for (int k = 0; k < sites.Length; k++) sites[k] += shift;
            origin -= shift * step;
        }
        double max = 0;
        for (int k = 0; k < values.Length; k++) max = Math.Max(max, Math.Abs(values[k] - origin - step * sites[k]) / step);
        return (sites, origin, max, step);
    }

    private static void RequireDistinctSites(int[] px, int[] py, int[] placed, IReadOnlyList<string> ids, string source, SpotPositions p)
    {
        var seen = new Dictionary<long, int>(placed.Length);
        foreach (int i in placed)
        {
            long key = ((long)px[i] << 32) ^ (uint)py[i];
            if (seen.TryAdd(key, i)) continue;
            int j = seen[key];
            throw new SpatialSimException(ErrorKind.InvalidData,
                Short($"Spots '{ids[j]}' and '{ids[i]}' of '{source}' fall on one site ({p.XName} {p.X[i]:g6}, {p.YName} {p.Y[i]:g6}). " +
                      "Repeated spots? Give -PixelSize to bin positions instead."))
            { FilePath = source };
        }
    }

    private static SpatialSimException NoLattice(string source, SpotPositions p, string why) =>
        new(ErrorKind.InvalidData,
            Short($"The spots of '{source}' ({p.XName},{p.YName}) are on no lattice: {why}. Give -PixelSize to bin positions as a long table's."))
        { FilePath = source };

    /// <summary>Keeps a message within 300 characters by shortening the file name in it.</summary>
    internal static string Short(string message) => message.Length <= 300 ? message : message[..297] + "…";
}

/// <summary>Points bucketed in square cells about one spacing wide, for nearest-neighbour look-ups.</summary>
internal sealed class PointGrid
{
    private readonly double[] _x, _y;
    private readonly double _minX, _minY, _cell;
    private readonly long _columns;
    private readonly Dictionary<long, List<int>> _cells = new();

    public PointGrid(double[] x, double[] y)
    {
        _x = x;
        _y = y;
        _minX = x.Min();
        _minY = y.Min();
        double w = x.Max() - _minX, h = y.Max() - _minY;
        double area = Math.Max(w, 1e-12) * Math.Max(h, 1e-12);
        _cell = Math.Max(Math.Sqrt(area / x.Length), Math.Max(w, h) / 1e6);
        if (!(_cell > 0)) _cell = 1;
        _columns = (long)(w / _cell) + 3;
        for (int i = 0; i < x.Length; i++)
        {
            long key = Key(CellX(x[i]), CellY(y[i]));
            if (!_cells.TryGetValue(key, out var list)) _cells[key] = list = new List<int>(4);
            list.Add(i);
        }
    }

    private long CellX(double x) => (long)((x - _minX) / _cell);
    private long CellY(double y) => (long)((y - _minY) / _cell);
    private long Key(long cx, long cy) => cy * _columns + cx;

    /// <summary>
    /// The median nearest-neighbour distance over a sample of points (0 when points coincide), and the vectors from the
    /// sampled points to every point within <paramref name="radius"/> times that distance.
    /// </summary>
    public (double Pitch, List<(double X, double Y)> Vectors) Neighbours(int sample, double radius)
    {
        int n = _x.Length, stride = Math.Max(1, n / sample);
        var nearest = new List<double>();
        for (int i = 0; i < n; i += stride)
        {
            double best = double.PositiveInfinity;
            for (int ring = 1; ring <= 64 && double.IsPositiveInfinity(best); ring *= 2)
                best = Nearest(i, ring);
            if (double.IsFinite(best)) nearest.Add(best);
        }
        nearest.Sort();
        double pitch = nearest.Count == 0 ? 0 : nearest[nearest.Count / 2];
        var vectors = new List<(double, double)>();
        if (!(pitch > 0)) return (0, vectors);
        double r = radius * pitch;
        int rings = (int)Math.Ceiling(r / _cell);
        for (int i = 0; i < n; i += stride)
            foreach (var (a, b, d) in Neighbours(i, rings))
                if (d > 0 && d <= r) vectors.Add((a, b));
        return (pitch, vectors);
    }

    /// <summary>Every other spot in the (2·rings + 1)² cells around spot <paramref name="i"/>: its offset and distance.</summary>
    private IEnumerable<(double Dx, double Dy, double Distance)> Neighbours(int i, int rings)
    {
        long cx = CellX(_x[i]), cy = CellY(_y[i]);
        for (long dy = -rings; dy <= rings; dy++)
            for (long dx = -rings; dx <= rings; dx++)
            {
                if (!_cells.TryGetValue(Key(cx + dx, cy + dy), out var list)) continue;
                foreach (int j in list)
                {
                    if (j == i) continue;
                    double a = _x[j] - _x[i], b = _y[j] - _y[i];
                    yield return (a, b, Math.Sqrt(a * a + b * b));
                }
            }
    }

    private double Nearest(int i, int rings)
    {
        double best = double.PositiveInfinity;
        foreach (var (_, _, d) in Neighbours(i, rings))
            if (d < best) best = d;
        // Only a distance within the searched square is sure to be the nearest.
        return best <= rings * _cell ? best : double.PositiveInfinity;
    }
}
