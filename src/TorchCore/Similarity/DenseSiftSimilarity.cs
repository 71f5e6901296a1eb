using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Smoothing;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Parameters of <see cref="DenseSiftSimilarity"/> (defaults of VLFeat's <c>vl_phow</c>, except the step).</summary>
public sealed record DenseSiftOptions
{
    public const double DefaultMagnif = 6;
    public const int DefaultStep = 4;
    /// <summary>The default bin sizes (PHOW's), a new array each time.</summary>
    public static int[] DefaultBinSizes => new[] { 4, 6, 8, 10 };

    /// <summary>Spatial bin (cell) sizes in pixels; one descriptor layer per size (PHOW: 4, 6, 8, 10).</summary>
    public int[] BinSizes { get; init; } = DefaultBinSizes;
    /// <summary>Each layer is smoothed with σ = binSize / Magnif before gradients are taken (PHOW: 6).</summary>
    public double Magnif { get; init; } = DefaultMagnif;
    /// <summary>Distance in pixels between neighbouring descriptor frames, along x and y (PHOW: 2; 4 here to halve memory).</summary>
    public int Step { get; init; } = DefaultStep;
}

/// <summary>Mean cosine similarity of dense multi-scale SIFT descriptors at the same points, weighted by gradient energy.</summary>
/// <remarks>
/// <para>Dense SIFT (PHOW) similarity: the two maps are described on the same dense grid of frames by SIFT
/// descriptors at several bin sizes, and the score is the energy-weighted mean cosine similarity of the
/// descriptors at matching frames.</para>
/// <para><b>Descriptor</b> (Lowe 2004, IJCV 60:91–110; dense layout of Bosch, Zisserman &amp; Muñoz 2007 and
/// VLFeat's <c>vl_dsift</c>/<c>vl_phow</c>, Vedaldi &amp; Fulkerson 2010). For bin size b:</para>
/// <list type="number">
/// <item>the map divided by its maximum is smoothed with a Gaussian σ = b / Magnif (scipy conventions, mode 'reflect';
/// VLFeat smooths with √(σ² − 0.25), assuming the image is already smoothed by 0.5 px — we do not);</item>
/// <item>gradients by central differences (one-sided on the border rows/columns, as <c>numpy.gradient</c> and
/// <c>vl_imgradient</c>); y points down the rows; angle θ = atan2(gy, gx) ∈ [0, 2π);</item>
/// <item>orientation binning is bilinear over 8 bins: with t = 8θ/2π, bin ⌊t⌋ mod 8 gets |∇|(1 − (t − ⌊t⌋)) and the next
/// bin |∇|(t − ⌊t⌋); a gradient along +x falls entirely into bin 0, one at 45° entirely into bin 1;</item>
/// <item>spatial binning is bilinear (each pixel feeds the cell centres within b pixels with the triangular weight
/// (1 − |dx|/b)(1 − |dy|/b)) under a <i>flat</i> window, as <c>vl_dsift</c> in its 'fast' mode, which <c>vl_phow</c>
/// uses — but without the per-cell factor (mean of the Gaussian window over the cell) that <c>vl_dsift</c> applies
/// afterwards in that mode: all 16 cells weigh the same. Gradients outside the raster count as zero;</item>
/// <item>4×4 cells × 8 orientations = 128 values, index (row cell·4 + column cell)·8 + orientation; the cell centres
/// of a frame at (cx, cy) are at cx + i·b − ⌊3b/2⌋, i = 0..3 (so, for odd b, the frame's true centre is half a pixel
/// left/up of (cx, cy), like <c>vl_phow</c>'s half-pixel frame centres for odd sizes);</item>
/// <item>the raw norm ‖h‖ is kept as the frame's gradient energy; h is L2-normalised, clamped at 0.2 and
/// renormalised (Lowe 2004 §6.1). An all-zero h stays zero.</item>
/// </list>
/// <para><b>Frames</b>: one grid shared by all bin sizes and both maps: cx = ⌊3B/2⌋ + k·Step for all k with
/// cx + ⌈3B/2⌉ ≤ Width − 1 (B = largest bin size), likewise cy; so every cell centre of every size lies inside
/// the raster, a border margin of ⌊3B/2⌋ pixels (15 px with the defaults) carries no frame centre.</para>
/// <para><b>Score</b>: for each bin size, S_b = Σ_k w_k cos(d_a,k, d_b,k) / Σ_k w_k over the frames k, with the
/// weight w_k = √(‖h_a,k‖·‖h_b,k‖), the geometric mean of both raw norms (zero where either map has no gradient:
/// a region empty in one map says nothing about the descriptor). S_b = 0 when no frame has gradient in both maps.
/// Score = mean of S_b over the bin sizes (each size reported in Details as "bin{b}"). Descriptors are non-negative,
/// so Score ∈ [0, 1]; 1 = identical maps (up to a positive factor).</para>
/// <para><b>Scale invariance</b>: each map is divided by its maximum first (and the descriptor normalisation and the
/// weighted mean are scale free anyway). An all-zero or constant gene is Undefined (NaN, note names the gene).</para>
/// <para>No exact VLFeat reference exists here: the descriptor is checked against a loop-based numpy implementation of
/// this definition (tests/reference/make_sift_fixtures.py, agreement ~3e-8) and analytic cases.</para>
/// <para><b>Cost</b>: per gene and bin size O(H·W·b) time (1000×1000, default options, 2 cores: ≈ 5 s to prepare a
/// gene, ≈ 0.2 s per comparison); memory about H·W·(3 + 4) floats during preparation
/// plus 129 floats per frame with gradient (frames with no gradient are not stored): with Step 4, a 1000×1000
/// raster stores up to 4 sizes × 62 500 × 129 floats ≈ 129 MB — use binned rasters for all-pairs runs.</para>
/// <para>References (also in <see cref="MeasureFacts.References"/>, from which the README and about_SpatialSim list them):</para>
/// <list type="bullet">
/// <item>D. G. Lowe (2004). Distinctive image features from scale-invariant keypoints. Int. J. Comput. Vis. 60:91–110. <see href="https://doi.org/10.1023/B:VISI.0000029664.99615.94">doi:10.1023/B:VISI.0000029664.99615.94</see></item>
/// <item>A. Bosch, A. Zisserman, X. Muñoz (2007). Image classification using random forests and ferns. Proc. IEEE ICCV 2007. <see href="https://doi.org/10.1109/ICCV.2007.4409066">doi:10.1109/ICCV.2007.4409066</see></item>
/// </list>
/// </remarks>
public sealed class DenseSiftSimilarity : IPreparedMeasure<DenseSiftPrepared>
{
    public const string Name = "DenseSift";

    private DenseSiftSimilarity() { }

    static SimilarityMethod ISimilarityMeasure.Method => SimilarityMethod.DenseSift;
    static MeasureFacts ISimilarityMeasure.Facts { get; } = new("Mean cosine similarity of dense multi-scale SIFT descriptors at the same points, weighted by gradient energy.")
    {
        Minimum = -1, Maximum = 1, SelfScore = 1, AllPairs = AllPairsPath.Prepared,
        Parameters = FormattableString.Invariant($"-BinSizes {string.Join(",", DenseSiftOptions.DefaultBinSizes)}, -Magnif {DenseSiftOptions.DefaultMagnif}, -Step {DenseSiftOptions.DefaultStep}"),
        Guidance = "Dense SIFT descriptors as VLFeat's PHOW computes them (each scale smoothed with sigma = bin size / "
            + "Magnif; 4x4 cells x 8 orientations) on one grid of points in both maps; Score = mean cosine "
            + "similarity of the descriptors at matching points, weighted by gradient energy so empty regions say "
            + "nothing. Compares local shape (edges, layers, orientation) at several scales. Memory grows with the "
            + "grid: bin large rasters first.",
        CheckedAgainst = "numpy reference implementation",
        References = new[]
        {
            new MeasureReference("D. G. Lowe (2004). Distinctive image features from scale-invariant keypoints. Int. J. Comput. Vis. 60:91–110", "doi:10.1023/B:VISI.0000029664.99615.94"),
            new MeasureReference("A. Bosch, A. Zisserman, X. Muñoz (2007). Image classification using random forests and ferns. Proc. IEEE ICCV 2007", "doi:10.1109/ICCV.2007.4409066"),
        },
    };
    static string ISimilarityMeasure.Describe(SimilarityOptions options) =>
        $"bins={string.Join(",", options.DenseSift.BinSizes)} magnif={options.DenseSift.Magnif:g4} step={options.DenseSift.Step}";
    static double ISimilarityMeasure.Scale(SimilarityOptions options) => 2.0 * options.DenseSift.BinSizes.Max();
    static SimilarityScore ISimilarityMeasure.Compare(GeneRaster a, GeneRaster b, SimilarityOptions options) => Compare(a, b, options.DenseSift);
    static DenseSiftPrepared IPreparedMeasure<DenseSiftPrepared>.Prepare(GeneRaster gene, SimilarityOptions options) => Prepare(gene, options.DenseSift);
    static SimilarityScore IPreparedMeasure<DenseSiftPrepared>.Compare(DenseSiftPrepared a, DenseSiftPrepared b, SimilarityOptions options) => Compare(a, b);
    /// <summary>One descriptor of 128 floats (plus its norm and frame) per grid point and bin size, and one float32 map while preparing.</summary>
    static long IPreparedMeasure<DenseSiftPrepared>.PreparedBytes(int width, int height, SimilarityOptions options)
    {
        var o = options.DenseSift;
        long cells = (long)Math.Ceiling((double)width / o.Step) * (long)Math.Ceiling((double)height / o.Step);
        return cells * o.BinSizes.Length * 132 * 4 + (long)width * height * 4;
    }
    internal const int Cells = 4, Orientations = 8, Length = Cells * Cells * Orientations;
    private const float Clamp = 0.2f;

    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, DenseSiftOptions options)
    {
        RasterChecks.RequireSameCanvas(a.Gene, a.Width, a.Height, b.Gene, b.Width, b.Height);
        return Compare(Prepare(a, options), Prepare(b, options));
    }

    /// <summary>Descriptors and weights of one gene, computed once for an all-pairs run.</summary>
    public static DenseSiftPrepared Prepare(GeneRaster gene, DenseSiftOptions options)
    {
        Validate(options);
        return Prepare(gene.ToArray(), gene.Width, gene.Height, gene.Gene, options);
    }

    /// <summary>Compares two prepared genes (same raster size and options).</summary>
    public static SimilarityScore Compare(DenseSiftPrepared a, DenseSiftPrepared b)
    {
        RasterChecks.RequireSameCanvas(a.Gene, a.Width, a.Height, b.Gene, b.Width, b.Height);
        if (!a.BinSizes.SequenceEqual(b.BinSizes) || a.Step != b.Step || a.Magnif != b.Magnif)
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"Genes '{a.Gene}' and '{b.Gene}' were prepared with different DenseSift options; prepare both with the same options.") { Gene = b.Gene };
        if (a.Undefined is not null) return SimilarityScore.Undefined(a.Undefined);
        if (b.Undefined is not null) return SimilarityScore.Undefined(b.Undefined);

        var details = new Dictionary<string, double>();
        double total = 0;
        bool anyShared = false;
        for (int s = 0; s < a.Layers.Length; s++)
        {
            var (score, shared) = CompareLayer(a.Layers[s], b.Layers[s]);
            anyShared |= shared;
            details[$"bin{a.BinSizes[s]}"] = score;
            total += score;
        }
        details["frames"] = a.FrameCount;
        double result = total / a.Layers.Length;
        string? note = anyShared ? null : $"genes '{a.Gene}' and '{b.Gene}' have no region where both have gradient structure: score 0";
        return new SimilarityScore(result, note, details);
    }

    private static (double Score, bool Shared) CompareLayer(DenseSiftLayer la, DenseSiftLayer lb)
    {
        double num = 0, den = 0;
        int i = 0, j = 0;
        // Merge-join over the stored (non-empty) frames of each gene, both in ascending frame order.
        while (i < la.Frames.Length && j < lb.Frames.Length)
        {
            int fa = la.Frames[i], fb = lb.Frames[j];
            if (fa < fb) { i++; continue; }
            if (fb < fa) { j++; continue; }
            var da = la.Descriptors.AsSpan(i * Length, Length);
            var db = lb.Descriptors.AsSpan(j * Length, Length);
            double dot = 0;
            for (int k = 0; k < Length; k++) dot += (double)da[k] * db[k];
            double w = Math.Sqrt((double)la.Norms[i] * lb.Norms[j]);
            num += w * dot; // descriptors are unit length: dot = cosine
            den += w;
            i++; j++;
        }
        if (den <= 0) return (0, false);
        return (Math.Clamp(num / den, -1.0, 1.0), true);
    }

    internal static DenseSiftPrepared Prepare(float[] pixels, int width, int height, string gene, DenseSiftOptions options)
    {
        Validate(options);
        int maxBin = options.BinSizes.Max();
        var grid = FrameGrid.Create(width, height, maxBin, options.Step);
        if (grid.Count == 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"Gene '{gene}' is {width}×{height} pixels, too small for DenseSift descriptors of bin size {maxBin} " +
                $"(a frame spans {3 * maxBin + 1} pixels); use smaller -BinSizes or a finer raster.") { Gene = gene };

        var (min, max) = CpuReductions.MinMax(pixels);
        string? undefined = null;
        if (max == min)
            undefined = max == 0 ? $"gene '{gene}' is all zero: it has no gradient, dense SIFT is undefined"
                                 : $"gene '{gene}' is constant (all {max:g4}): it has no gradient, dense SIFT is undefined";
        var layers = new DenseSiftLayer[options.BinSizes.Length];
        if (undefined is null)
        {
            float scale = Math.Max(Math.Abs(max), Math.Abs(min));
            var normalised = new float[pixels.Length];
            for (int k = 0; k < pixels.Length; k++) normalised[k] = pixels[k] / scale;
            for (int s = 0; s < layers.Length; s++)
            {
                int bin = options.BinSizes[s];
                var (desc, norms) = ComputeLayer(normalised, width, height, bin, bin / options.Magnif, grid);
                layers[s] = Sparsify(desc, norms, grid.Count);
            }
        }
        else
        {
            for (int s = 0; s < layers.Length; s++) layers[s] = new DenseSiftLayer(Array.Empty<int>(), Array.Empty<float>(), Array.Empty<float>());
        }
        return new DenseSiftPrepared(gene, width, height, options.BinSizes.ToArray(), options.Magnif, options.Step, grid.Count, layers, undefined);
    }

    private static DenseSiftLayer Sparsify(float[] desc, float[] norms, int frames)
    {
        int kept = 0;
        for (int f = 0; f < frames; f++) if (norms[f] > 0) kept++;
        var idx = new int[kept];
        var d = new float[kept * Length];
        var n = new float[kept];
        int k = 0;
        for (int f = 0; f < frames; f++)
        {
            if (!(norms[f] > 0)) continue;
            idx[k] = f;
            n[k] = norms[f];
            Array.Copy(desc, f * Length, d, k * Length, Length);
            k++;
        }
        return new DenseSiftLayer(idx, d, n);
    }

    /// <summary>
    /// Descriptors of every frame of <paramref name="grid"/> for one bin size: [frame, 128] (normalised and clamped)
    /// and the raw norms. <paramref name="image"/> is the (already max-normalised) map.
    /// </summary>
    internal static (float[] Descriptors, float[] Norms) ComputeLayer(float[] image, int width, int height, int bin, double sigma, FrameGrid grid)
    {
        var smooth = new float[image.Length];
        CpuGaussianBlur.Blur(image, smooth, width, height, sigma);
        var (obin, w0, w1) = OrientationEnergy(smooth, width, height);
        smooth = null!;

        // Cell-centre columns and rows needed by the frames: cx + i·b − ⌊3b/2⌋.
        int half = 3 * bin / 2;
        var colIndex = new int[width];
        Array.Fill(colIndex, -1);
        var cols = new List<int>();
        foreach (int cx in grid.Xs)
            for (int i = 0; i < Cells; i++) { int x = cx + i * bin - half; if (colIndex[x] < 0) { colIndex[x] = 0; } }
        for (int x = 0; x < width; x++) if (colIndex[x] == 0) { colIndex[x] = cols.Count; cols.Add(x); }
        var rowIndex = new int[height];
        Array.Fill(rowIndex, -1);
        var rows = new List<int>();
        foreach (int cy in grid.Ys)
            for (int j = 0; j < Cells; j++) { int y = cy + j * bin - half; if (rowIndex[y] < 0) { rowIndex[y] = 0; } }
        for (int y = 0; y < height; y++) if (rowIndex[y] == 0) { rowIndex[y] = rows.Count; rows.Add(y); }

        // Horizontal triangular pass at the needed columns, every row: hx[y, col, o].
        int nc = cols.Count, nr = rows.Count;
        var tri = new double[2 * bin - 1];
        for (int d = -(bin - 1); d <= bin - 1; d++) tri[d + bin - 1] = 1.0 - Math.Abs(d) / (double)bin;
        var hx = new float[(long)height * nc * Orientations];
        Parallel.For(0, height, y =>
        {
            Span<double> acc = stackalloc double[Orientations];
            int rowBase = y * width;
            for (int c = 0; c < nc; c++)
            {
                acc.Clear();
                int x0 = cols[c];
                int lo = Math.Max(0, x0 - bin + 1), hi = Math.Min(width - 1, x0 + bin - 1);
                for (int x = lo; x <= hi; x++)
                {
                    int p = rowBase + x;
                    double t = tri[x - x0 + bin - 1];
                    int o = obin[p];
                    acc[o] += t * w0[p];
                    acc[(o + 1) & (Orientations - 1)] += t * w1[p];
                }
                long dst = ((long)y * nc + c) * Orientations;
                for (int o = 0; o < Orientations; o++) hx[dst + o] = (float)acc[o];
            }
        });

        // Vertical triangular pass at the needed rows: cells[row, col, o].
        var cells = new float[(long)nr * nc * Orientations];
        Parallel.For(0, nr, r =>
        {
            Span<double> acc = stackalloc double[Orientations];
            int y0 = rows[r];
            int lo = Math.Max(0, y0 - bin + 1), hi = Math.Min(height - 1, y0 + bin - 1);
            for (int c = 0; c < nc; c++)
            {
                acc.Clear();
                for (int y = lo; y <= hi; y++)
                {
                    double t = tri[y - y0 + bin - 1];
                    long src = ((long)y * nc + c) * Orientations;
                    for (int o = 0; o < Orientations; o++) acc[o] += t * hx[src + o];
                }
                long dst = ((long)r * nc + c) * Orientations;
                for (int o = 0; o < Orientations; o++) cells[dst + o] = (float)acc[o];
            }
        });

        // Assemble, normalise, clamp, renormalise.
        int frames = grid.Count;
        var desc = new float[(long)frames * Length];
        var norms = new float[frames];
        int nx = grid.Xs.Length;
        Parallel.For(0, frames, f =>
        {
            int cy = grid.Ys[f / nx], cx = grid.Xs[f % nx];
            var d = desc.AsSpan(f * Length, Length);
            for (int j = 0; j < Cells; j++)
            {
                int r = rowIndex[cy + j * bin - half];
                for (int i = 0; i < Cells; i++)
                {
                    int c = colIndex[cx + i * bin - half];
                    long src = ((long)r * nc + c) * Orientations;
                    for (int o = 0; o < Orientations; o++) d[(j * Cells + i) * Orientations + o] = cells[src + o];
                }
            }
            norms[f] = (float)NormaliseClamp(d);
        });
        return (desc, norms);
    }

    /// <summary>L2-normalise, clamp at 0.2, renormalise (Lowe 2004); returns the raw norm (0 leaves d zero).</summary>
    internal static double NormaliseClamp(Span<float> d)
    {
        double ss = 0;
        foreach (float v in d) ss += (double)v * v;
        double norm = Math.Sqrt(ss);
        if (!(norm > 0)) { d.Clear(); return 0; }
        double ss2 = 0;
        for (int k = 0; k < d.Length; k++)
        {
            float v = (float)Math.Min(d[k] / norm, Clamp);
            d[k] = v;
            ss2 += (double)v * v;
        }
        double n2 = Math.Sqrt(ss2);
        for (int k = 0; k < d.Length; k++) d[k] = (float)(d[k] / n2);
        return norm;
    }

    /// <summary>Per pixel: lower orientation bin and the magnitude shares of it and the next bin (bilinear in angle).</summary>
    internal static (byte[] Bin, float[] W0, float[] W1) OrientationEnergy(float[] s, int width, int height)
    {
        var obin = new byte[s.Length];
        var w0 = new float[s.Length];
        var w1 = new float[s.Length];
        Parallel.For(0, height, y =>
        {
            int row = y * width;
            for (int x = 0; x < width; x++)
            {
                double gx = width == 1 ? 0
                    : x == 0 ? s[row + 1] - s[row]
                    : x == width - 1 ? s[row + x] - s[row + x - 1]
                    : 0.5 * ((double)s[row + x + 1] - s[row + x - 1]);
                double gy = height == 1 ? 0
                    : y == 0 ? (double)s[width + x] - s[x]
                    : y == height - 1 ? (double)s[row + x] - s[row - width + x]
                    : 0.5 * ((double)s[row + width + x] - s[row - width + x]);
                double m = Math.Sqrt(gx * gx + gy * gy);
                int p = row + x;
                if (m == 0) { obin[p] = 0; w0[p] = 0; w1[p] = 0; continue; }
                double theta = Math.Atan2(gy, gx);
                if (theta < 0) theta += 2 * Math.PI;
                double t = theta * Orientations / (2 * Math.PI);
                double fl = Math.Floor(t);
                double frac = t - fl;
                obin[p] = (byte)(((int)fl) & (Orientations - 1));
                w0[p] = (float)(m * (1 - frac));
                w1[p] = (float)(m * frac);
            }
        });
        return (obin, w0, w1);
    }

    internal static void Validate(DenseSiftOptions options)
    {
        if (options.BinSizes is null || options.BinSizes.Length == 0 || options.BinSizes.Any(b => b < 1))
            throw new SpatialSimException(ErrorKind.InvalidArgument, "DenseSift needs at least one bin size, each ≥ 1 pixel (PHOW uses 4, 6, 8, 10).");
        if (!(options.Magnif > 0) || double.IsInfinity(options.Magnif))
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"DenseSift Magnif must be a positive number (got {options.Magnif}); PHOW uses 6.");
        if (options.Step < 1)
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"DenseSift Step must be ≥ 1 pixel (got {options.Step}).");
    }

}

/// <summary>The frame centres shared by all bin sizes: Xs × Ys, frame index = row·Xs.Length + column.</summary>
internal sealed record FrameGrid(int[] Xs, int[] Ys)
{
    public int Count => Xs.Length * Ys.Length;

    public static FrameGrid Create(int width, int height, int maxBin, int step)
    {
        int lo = 3 * maxBin / 2, hiOff = 3 * maxBin - lo;
        static int[] Axis(int n, int lo, int hiOff, int step)
        {
            var list = new List<int>();
            for (int c = lo; c + hiOff <= n - 1; c += step) list.Add(c);
            return list.ToArray();
        }
        return new FrameGrid(Axis(width, lo, hiOff, step), Axis(height, lo, hiOff, step));
    }
}

/// <summary>One bin size of a prepared gene: the frames with gradient, their unit descriptors [kept, 128] and raw norms.</summary>
public sealed record DenseSiftLayer(int[] Frames, float[] Descriptors, float[] Norms);

/// <summary>A gene's dense SIFT descriptors for all bin sizes (see <see cref="DenseSiftSimilarity"/>).</summary>
public sealed record DenseSiftPrepared(string Gene, int Width, int Height, int[] BinSizes, double Magnif, int Step,
    int FrameCount, DenseSiftLayer[] Layers, string? Undefined) : IPreparedGene
{
    /// <summary>Managed arrays only: nothing to release.</summary>
    public void Dispose() { }
}
