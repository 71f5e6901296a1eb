using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Smoothing;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Parameters of <see cref="KeypointsSimilarity"/> (detector defaults of Lowe 2004).</summary>
public sealed record KeypointsOptions
{
    public const double DefaultMaxShift = 3;
    public const double DefaultRatio = 0.8;

    /// <summary>Largest distance in pixels between the positions of two matched keypoints for the match to count.</summary>
    public double MaxShift { get; init; } = DefaultMaxShift;
    /// <summary>Lowe's ratio test: nearest / second-nearest descriptor distance must be below this (Lowe 2004: 0.8).</summary>
    public double Ratio { get; init; } = DefaultRatio;
    /// <summary>Smallest |DoG| of a keypoint, relative to the map's maximum (Lowe 2004: 0.03 for images in [0, 1]).</summary>
    public double ContrastThreshold { get; init; } = 0.03;
    /// <summary>Edge rejection: principal-curvature ratio r of the DoG Hessian (Lowe 2004: 10); ≤ 0 keeps edge responses.</summary>
    public double EdgeRatio { get; init; } = 10;
    /// <summary>Octaves of the scale space (each halves the image); fewer are used when the image gets below 8 pixels.</summary>
    public int Octaves { get; init; } = 4;
    /// <summary>DoG levels searched per octave (Lowe 2004: 3).</summary>
    public int ScalesPerOctave { get; init; } = 3;
    /// <summary>Blur of the first level of each octave, in that octave's pixels (Lowe 2004: 1.6).</summary>
    public double Sigma0 { get; init; } = 1.6;
    /// <summary>Keep at most this many keypoints per map (the strongest |DoG|); matching costs O(n_a·n_b·128).</summary>
    public int MaxKeypoints { get; init; } = 2000;
}

/// <summary>Share of difference-of-Gaussians keypoints matched by SIFT descriptors within MaxShift pixels.</summary>
/// <remarks>
/// <para>Keypoint (SIFT detector + descriptor) similarity: the share of keypoints that match between the two maps at
/// consistent positions.</para>
/// <para><b>Detection</b> (Lowe 2004, IJCV 60:91–110): the map divided by its maximum is put in a Gaussian scale
/// space of <c>Octaves</c> octaves × (<c>ScalesPerOctave</c> + 3) levels, σ_i = Sigma0·2^(i/S) in octave pixels (the
/// input is assumed unblurred and is not upsampled; the next octave starts from level S subsampled by 2);
/// keypoints are the strict extrema of the difference-of-Gaussians over their 26 neighbours (maxima and minima)
/// with |DoG| ≥ ContrastThreshold (relative to the map's maximum) and, unless EdgeRatio ≤ 0, a DoG Hessian with
/// tr²/det &lt; (r+1)²/r. No sub-pixel refinement: a keypoint sits on its octave's pixel grid (2^o input pixels).
/// At most MaxKeypoints (strongest |DoG|) are kept. With D = G(kσ) − G(σ), a bright blob is a DoG <i>minimum</i>
/// (negative <see cref="Keypoint.Response"/>), a hole between bright regions a maximum.</para>
/// <para><b>Description</b>: a SIFT 4×4×8 descriptor at the keypoint's scale σ on its Gaussian level: cells of 3σ
/// pixels, Gaussian window of σ = 2 cell widths (half the descriptor width), bilinear spatial and orientation
/// binning, L2-normalised, clamped at 0.2 and renormalised. <b>No orientation assignment</b>: the maps share one
/// frame (same canvas), so descriptors are taken in the canvas' axes and rotation invariance would only lose
/// information.</para>
/// <para><b>Matching and score</b>: mutual nearest neighbours in Euclidean descriptor distance that pass Lowe's ratio
/// test (nearest &lt; Ratio × second nearest) in both directions; a match is consistent when the two keypoint
/// positions are at most MaxShift pixels apart. Score = consistent matches / ((n_a + n_b)/2) ∈ [0, 1]; symmetric.
/// Descriptor sets of different sizes cannot be compared with a norm — matching can.</para>
/// <para><b>Scale invariance</b>: each map is divided by its maximum first, so the contrast threshold is relative.
/// Undefined (NaN) for an all-zero or constant gene, and when either map has fewer than 2 keypoints.</para>
/// <para><b>Where it fails</b>: thin layers and long ridges give edge responses that the edge test rejects (few or no
/// keypoints; set EdgeRatio ≤ 0 to keep them, at the price of unstable positions along the ridge); diffuse or
/// smoothly varying patterns have few DoG extrema; noisy sparse count maps give many single-pixel keypoints in the
/// first octave (smooth or bin the rasters first); with few keypoints the score moves in large steps
/// (1/n). Repeated, near-identical motifs (periodic patterns, many equal spots) fail the ratio test, so such a map
/// scores below 1 even against itself (a 1000×1000 map of 400 equal Gaussian spots: 0.94).</para>
/// <para><b>Cost</b>: 1000×1000 on 2 cores ≈ 0.9 s to prepare a gene (mostly the Gaussian levels), ≈ 0.2 s to match
/// ~400 keypoints each; matching is O(n_a·n_b·128) time and O(n_a·n_b) memory (MaxKeypoints bounds it).</para>
/// <para>References (also in <see cref="MeasureFacts.References"/>, from which the README and about_SpatialSim list them):</para>
/// <list type="bullet">
/// <item>D. G. Lowe (2004). Distinctive image features from scale-invariant keypoints. Int. J. Comput. Vis. 60:91–110. <see href="https://doi.org/10.1023/B:VISI.0000029664.99615.94">doi:10.1023/B:VISI.0000029664.99615.94</see></item>
/// </list>
/// </remarks>
public sealed class KeypointsSimilarity : IPreparedMeasure<KeypointsPrepared>
{
    public const string Name = "Keypoints";

    private KeypointsSimilarity() { }

    static SimilarityMethod ISimilarityMeasure.Method => SimilarityMethod.Keypoints;
    static MeasureFacts ISimilarityMeasure.Facts { get; } = new("Share of difference-of-Gaussians keypoints matched by SIFT descriptors within MaxShift pixels.")
    {
        Minimum = 0, Maximum = 1, SelfScore = 1, AllPairs = AllPairsPath.Prepared,
        Parameters = FormattableString.Invariant($"-MaxShift {KeypointsOptions.DefaultMaxShift}, -Ratio {KeypointsOptions.DefaultRatio}"),
        Guidance = "Blob keypoints (difference-of-Gaussians extrema) described by SIFT descriptors and matched by mutual "
            + "nearest neighbours with Lowe's ratio test; Score = share of keypoints matched within MaxShift "
            + "pixels. Good for blob-like, punctate patterns; fails for thin layers and diffuse patterns (few "
            + "keypoints: Score NaN or coarse steps).",
        CheckedAgainst = "numpy reference implementation",
        References = new[]
        {
            new MeasureReference("D. G. Lowe (2004). Distinctive image features from scale-invariant keypoints. Int. J. Comput. Vis. 60:91–110", "doi:10.1023/B:VISI.0000029664.99615.94"),
        },
    };
    static string ISimilarityMeasure.Describe(SimilarityOptions options) => $"maxshift={options.Keypoints.MaxShift:g4} ratio={options.Keypoints.Ratio:g3}";
    static double ISimilarityMeasure.Scale(SimilarityOptions options) => 4 * options.Keypoints.Sigma0;
    static SimilarityScore ISimilarityMeasure.Compare(GeneRaster a, GeneRaster b, SimilarityOptions options) => Compare(a, b, options.Keypoints);
    static KeypointsPrepared IPreparedMeasure<KeypointsPrepared>.Prepare(GeneRaster gene, SimilarityOptions options) => Prepare(gene, options.Keypoints);
    static SimilarityScore IPreparedMeasure<KeypointsPrepared>.Compare(KeypointsPrepared a, KeypointsPrepared b, SimilarityOptions options) => Compare(a, b);
    /// <summary>At most MaxKeypoints descriptors; preparing holds about one float32 map.</summary>
    static long IPreparedMeasure<KeypointsPrepared>.PreparedBytes(int width, int height, SimilarityOptions options) => (long)width * height * 4;
    private const int L = DenseSiftSimilarity.Length, Ori = DenseSiftSimilarity.Orientations;

    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, KeypointsOptions options)
    {
        RasterChecks.RequireSameCanvas(a.Gene, a.Width, a.Height, b.Gene, b.Width, b.Height);
        return Compare(Prepare(a, options), Prepare(b, options));
    }

    /// <summary>Keypoints and descriptors of one gene, computed once for an all-pairs run.</summary>
    public static KeypointsPrepared Prepare(GeneRaster gene, KeypointsOptions options) =>
        Prepare(gene.ToArray(), gene.Width, gene.Height, gene.Gene, options);

    /// <summary>Matches two prepared genes (same raster size and options).</summary>
    public static SimilarityScore Compare(KeypointsPrepared a, KeypointsPrepared b)
    {
        RasterChecks.RequireSameCanvas(a.Gene, a.Width, a.Height, b.Gene, b.Width, b.Height);
        if (a.Options != b.Options)
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"Genes '{a.Gene}' and '{b.Gene}' were prepared with different Keypoints options; prepare both with the same options.") { Gene = b.Gene };
        if (a.Undefined is not null) return SimilarityScore.Undefined(a.Undefined);
        if (b.Undefined is not null) return SimilarityScore.Undefined(b.Undefined);
        foreach (var s in new[] { a, b })
            if (s.Count < 2)
                return SimilarityScore.Undefined(
                    $"gene '{s.Gene}' has {s.Count} keypoint{(s.Count == 1 ? "" : "s")} (at least 2 needed): its pattern has too few blobs above the " +
                    $"contrast threshold {a.Options.ContrastThreshold:g3} — lower -ContrastThreshold, or use a dense measure");

        var (matches, consistent) = Match(a, b, a.Options.Ratio, a.Options.MaxShift);
        double score = consistent / ((a.Count + b.Count) / 2.0);
        return new SimilarityScore(Math.Clamp(score, 0.0, 1.0), null, new Dictionary<string, double>
        {
            ["keypointsA"] = a.Count, ["keypointsB"] = b.Count, ["matches"] = matches, ["consistent"] = consistent,
        });
    }

    internal static (int Matches, int Consistent) Match(KeypointsPrepared a, KeypointsPrepared b, double ratio, double maxShift)
    {
        int na = a.Count, nb = b.Count;
        var bestA = new int[na]; var d1A = new double[na]; var d2A = new double[na];
        var bestB = new int[nb]; var d1B = new double[nb]; var d2B = new double[nb];
        Array.Fill(d1A, double.PositiveInfinity); Array.Fill(d2A, double.PositiveInfinity);
        Array.Fill(d1B, double.PositiveInfinity); Array.Fill(d2B, double.PositiveInfinity);
        var dist = new double[(long)na * nb];
        Parallel.For(0, na, i =>
        {
            var da = a.Descriptors.AsSpan(i * L, L);
            for (int j = 0; j < nb; j++)
            {
                var db = b.Descriptors.AsSpan(j * L, L);
                double s = 0;
                for (int k = 0; k < L; k++) { double d = da[k] - db[k]; s += d * d; }
                dist[(long)i * nb + j] = s;
            }
        });
        for (int i = 0; i < na; i++)
            for (int j = 0; j < nb; j++)
            {
                double s = dist[(long)i * nb + j];
                if (s < d1A[i]) { d2A[i] = d1A[i]; d1A[i] = s; bestA[i] = j; } else if (s < d2A[i]) d2A[i] = s;
                if (s < d1B[j]) { d2B[j] = d1B[j]; d1B[j] = s; bestB[j] = i; } else if (s < d2B[j]) d2B[j] = s;
            }
        double r2 = ratio * ratio; // squared distances
        int matches = 0, consistent = 0;
        for (int i = 0; i < na; i++)
        {
            int j = bestA[i];
            if (bestB[j] != i) continue;
            if (!(d1A[i] < r2 * d2A[i]) || !(d1B[j] < r2 * d2B[j])) continue;
            matches++;
            double dx = a.Keypoints[i].X - b.Keypoints[j].X, dy = a.Keypoints[i].Y - b.Keypoints[j].Y;
            if (Math.Sqrt(dx * dx + dy * dy) <= maxShift) consistent++;
        }
        return (matches, consistent);
    }

    internal static KeypointsPrepared Prepare(float[] pixels, int width, int height, string gene, KeypointsOptions options)
    {
        Validate(options);
        var (min, max) = CpuReductions.MinMax(pixels);
        if (max == min)
        {
            string why = max == 0 ? $"gene '{gene}' is all zero: it has no keypoints" : $"gene '{gene}' is constant (all {max:g4}): it has no keypoints";
            return new KeypointsPrepared(gene, width, height, options, Array.Empty<Keypoint>(), Array.Empty<float>(), why);
        }
        float scale = Math.Max(Math.Abs(max), Math.Abs(min));
        var img = new float[pixels.Length];
        for (int k = 0; k < img.Length; k++) img[k] = pixels[k] / scale;

        var found = new List<(Keypoint K, float[] D)>();
        int S = options.ScalesPerOctave, levels = S + 3;
        var sig = Enumerable.Range(0, levels).Select(i => options.Sigma0 * Math.Pow(2, i / (double)S)).ToArray();
        int w = width, h = height;
        float[] baseImg = img;
        double prior = 0;
        for (int o = 0; o < options.Octaves && Math.Min(w, h) >= 8; o++)
        {
            var g = new float[levels][];
            for (int i = 0; i < levels; i++)
            {
                g[i] = new float[w * h];
                double s = Math.Sqrt(Math.Max(0, sig[i] * sig[i] - prior * prior));
                CpuGaussianBlur.Blur(baseImg, g[i], w, h, s);
            }
            var dog = new float[levels - 1][];
            for (int i = 0; i < levels - 1; i++)
            {
                dog[i] = new float[w * h];
                for (int p = 0; p < w * h; p++) dog[i][p] = g[i + 1][p] - g[i][p];
            }
            for (int i = 1; i <= S; i++)
                foreach (var (x, y, resp) in Extrema(dog[i - 1], dog[i], dog[i + 1], w, h, options.ContrastThreshold, options.EdgeRatio))
                {
                    double f = 1 << o;
                    var kp = new Keypoint(x * f, y * f, sig[i] * f, o, i, resp);
                    found.Add((kp, Describe(g[i], w, h, x, y, sig[i])));
                }
            // Next octave: level S (blur 2·Sigma0) subsampled by 2 → blur Sigma0 in the new pixels.
            int w2 = (w + 1) / 2, h2 = (h + 1) / 2;
            var next = new float[w2 * h2];
            for (int y = 0; y < h2; y++)
                for (int x = 0; x < w2; x++) next[y * w2 + x] = g[S][(2 * y) * w + 2 * x];
            baseImg = next; w = w2; h = h2; prior = options.Sigma0;
        }

        var kept = found.OrderByDescending(t => Math.Abs(t.K.Response)).ThenBy(t => t.K.Y).ThenBy(t => t.K.X).ThenBy(t => t.K.Sigma)
            .Take(options.MaxKeypoints).ToList();
        var desc = new float[kept.Count * L];
        for (int k = 0; k < kept.Count; k++) kept[k].D.CopyTo(desc, k * L);
        return new KeypointsPrepared(gene, width, height, options, kept.Select(t => t.K).ToArray(), desc, null);
    }

    /// <summary>Strict 26-neighbour extrema of the middle DoG level passing the contrast and edge tests.</summary>
    internal static List<(int X, int Y, float Response)> Extrema(float[] below, float[] mid, float[] above, int w, int h, double contrast, double edgeRatio)
    {
        var list = new List<(int, int, float)>();
        double edgeLimit = edgeRatio > 0 ? (edgeRatio + 1) * (edgeRatio + 1) / edgeRatio : double.PositiveInfinity;
        for (int y = 1; y < h - 1; y++)
            for (int x = 1; x < w - 1; x++)
            {
                int p = y * w + x;
                float v = mid[p];
                if (!(Math.Abs(v) >= contrast)) continue;
                bool isMax = true, isMin = true;
                for (int dy = -1; dy <= 1 && (isMax || isMin); dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int q = p + dy * w + dx;
                        float b = below[q], a = above[q];
                        if (b >= v || a >= v) isMax = false;
                        if (b <= v || a <= v) isMin = false;
                        if (q != p) { float m = mid[q]; if (m >= v) isMax = false; if (m <= v) isMin = false; }
                    }
                if (!isMax && !isMin) continue;
                if (edgeRatio > 0)
                {
                    double dxx = mid[p + 1] + mid[p - 1] - 2.0 * v;
                    double dyy = mid[p + w] + mid[p - w] - 2.0 * v;
                    double dxy = (mid[p + w + 1] - mid[p + w - 1] - mid[p - w + 1] + mid[p - w - 1]) / 4.0;
                    double tr = dxx + dyy, det = dxx * dyy - dxy * dxy;
                    if (!(det > 0) || !(tr * tr / det < edgeLimit)) continue;
                }
                list.Add((x, y, v));
            }
        return list;
    }

    /// <summary>
    /// SIFT descriptor at (x, y) of Gaussian level <paramref name="g"/> (its σ in the level's pixels): cells of 3σ,
    /// Gaussian window σ_w = 2 cell widths, bilinear spatial and orientation binning, no rotation.
    /// </summary>
    internal static float[] Describe(float[] g, int w, int h, int x0, int y0, double sigma)
    {
        double bw = 3 * sigma, sw = 2 * bw;
        int radius = (int)Math.Ceiling(2.5 * bw);
        var d = new float[L];
        var acc = new double[L];
        for (int y = Math.Max(0, y0 - radius); y <= Math.Min(h - 1, y0 + radius); y++)
            for (int x = Math.Max(0, x0 - radius); x <= Math.Min(w - 1, x0 + radius); x++)
            {
                double gx = x == 0 ? (w > 1 ? g[y * w + 1] - g[y * w] : 0) : x == w - 1 ? g[y * w + x] - g[y * w + x - 1]
                    : 0.5 * ((double)g[y * w + x + 1] - g[y * w + x - 1]);
                double gy = y == 0 ? (h > 1 ? (double)g[w + x] - g[x] : 0) : y == h - 1 ? (double)g[y * w + x] - g[(y - 1) * w + x]
                    : 0.5 * ((double)g[(y + 1) * w + x] - g[(y - 1) * w + x]);
                double m = Math.Sqrt(gx * gx + gy * gy);
                if (m == 0) continue;
                double dx = x - x0, dy = y - y0;
                m *= Math.Exp(-(dx * dx + dy * dy) / (2 * sw * sw));
                double theta = Math.Atan2(gy, gx);
                if (theta < 0) theta += 2 * Math.PI;
                double t = theta * Ori / (2 * Math.PI), fl = Math.Floor(t), frac = t - fl;
                int o0 = ((int)fl) & (Ori - 1), o1 = (o0 + 1) & (Ori - 1);
                // continuous cell coordinate: cell c has its centre at (c − 1.5)·bw
                double cxf = dx / bw + 1.5, cyf = dy / bw + 1.5;
                for (int j = (int)Math.Floor(cyf); j <= (int)Math.Floor(cyf) + 1; j++)
                {
                    if (j < 0 || j > 3) continue;
                    double wy = 1 - Math.Abs(cyf - j);
                    if (wy <= 0) continue;
                    for (int i = (int)Math.Floor(cxf); i <= (int)Math.Floor(cxf) + 1; i++)
                    {
                        if (i < 0 || i > 3) continue;
                        double wx = 1 - Math.Abs(cxf - i);
                        if (wx <= 0) continue;
                        int c = (j * 4 + i) * Ori;
                        acc[c + o0] += m * wy * wx * (1 - frac);
                        acc[c + o1] += m * wy * wx * frac;
                    }
                }
            }
        for (int k = 0; k < L; k++) d[k] = (float)acc[k];
        DenseSiftSimilarity.NormaliseClamp(d);
        return d;
    }

    internal static void Validate(KeypointsOptions o)
    {
        void Bad(string what) => throw new SpatialSimException(ErrorKind.InvalidArgument, $"Keypoints: {what}");
        if (!(o.MaxShift >= 0)) Bad($"MaxShift must be ≥ 0 pixels (got {o.MaxShift}).");
        if (!(o.Ratio > 0 && o.Ratio <= 1)) Bad($"Ratio must be in (0, 1] (got {o.Ratio}); Lowe uses 0.8.");
        if (!(o.ContrastThreshold >= 0)) Bad($"ContrastThreshold must be ≥ 0 (got {o.ContrastThreshold}); Lowe uses 0.03.");
        if (o.Octaves < 1 || o.ScalesPerOctave < 1) Bad("Octaves and ScalesPerOctave must be ≥ 1.");
        if (!(o.Sigma0 > 0)) Bad($"Sigma0 must be > 0 (got {o.Sigma0}).");
        if (o.MaxKeypoints < 2) Bad($"MaxKeypoints must be ≥ 2 (got {o.MaxKeypoints}).");
    }
}

/// <summary>A DoG keypoint in input pixels: position, scale σ, octave, level and DoG response (map max = 1).</summary>
public readonly record struct Keypoint(double X, double Y, double Sigma, int Octave, int Level, float Response);

/// <summary>A gene's keypoints and their 128-D descriptors ([Count, 128], row k = keypoint k).</summary>
public sealed record KeypointsPrepared(string Gene, int Width, int Height, KeypointsOptions Options, Keypoint[] Keypoints, float[] Descriptors, string? Undefined)
    : IPreparedGene
{
    public int Count => Keypoints.Length;

    /// <summary>Managed arrays only: nothing to release.</summary>
    public void Dispose() { }
}
