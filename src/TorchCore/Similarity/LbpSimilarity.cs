using SpatialSim.TorchCore.Ranking;
using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>Local-binary-pattern texture histograms compared tile by tile (1 − χ²/2), weighted by expression.</summary>
/// <remarks>
/// <para>Texture similarity from local binary patterns (Ojala, Pietikäinen &amp; Mäenpää 2002, IEEE TPAMI 24(7):971–987;
/// codes exactly as scikit-image's <c>local_binary_pattern</c>, see <see cref="LocalBinaryPattern"/>), compared
/// tile by tile so that <em>where</em> a texture occurs counts, not only which textures occur.</para>
/// <para><b>Descriptor</b> (<see cref="Prepare"/>, once per gene): the map is divided by its largest |value| (float32),
/// its LBP codes are computed (defaults P = 24 points on a circle of R = 8 pixels, method 'uniform': P + 2 = 26 codes),
/// the canvas is cut into <c>Tiles × Tiles</c> tiles (tile of pixel (y, x) = (⌊y·T/H⌋, ⌊x·T/W⌋)) and each tile gets the
/// normalised histogram h_t of the codes of its <em>foreground</em> pixels, plus its weight m_t = Σ_tile |x| / Σ |x|
/// (the tile's share of the gene's expression).</para>
/// <para><b>Background.</b> A pixel whose centre and P samples are all 0 (empty tissue) has a degenerate code (all
/// neighbours ≥ centre) that says nothing about the gene; such pixels are left out of every histogram, so shared
/// empty background cannot make two genes look alike. Pixels at the rim of the expression (centre 0 but some sample
/// &gt; 0) are kept: they describe the shape of the pattern's edge. A tile with no foreground pixel has an all-zero histogram.</para>
/// <para><b>Score.</b> Per tile t, with normalised histograms a, b:
/// <code>s_t = 1 − ½ Σ_k (a_k − b_k)² / (a_k + b_k)     (terms with a_k + b_k = 0 omitted)</code>
/// = 1 − ½χ², in [0, 1], 1 = identical code distributions, 0 = disjoint; equivalently s_t = Σ_k 2·a_k·b_k / (a_k + b_k)
/// (a sum of harmonic means, convenient for an all-pairs engine). A tile where one gene has foreground and the other has
/// none scores 0; a tile where neither has any is skipped. Tiles are pooled as
/// <code>Score = Σ_t w_t s_t / Σ_t w_t,   w_t = (m_a,t + m_b,t) / 2</code>
/// (<see cref="LbpOptions.WeightByExpression"/>, default), or with w_t = 1 for every tile where either gene has
/// foreground. Score is in [0, 1], 1 = the same textures in the same places, symmetric in a and b.</para>
/// <para><b>'var'</b> values (variance of the samples of the max-normalised map, ≤ 0.25 for non-negative maps) are
/// binned on a log scale: bin ⌊(log10 v + 10) / 10 · VarBins⌋ clamped to 0 … VarBins − 1 (VarBins = 16 by default: bins of
/// 0.625 decades from 1e-10 to 1); v = 0 (scikit-image's NaN: a flat neighbourhood), v ≤ 1e-10 and round-off
/// negatives go to bin 0. <b>'default'</b> and <b>'ror'</b> have one bin per code (2^P, resp. the number of binary
/// necklaces of length P, numbered in increasing code order); that limits them to P ≤ 16, resp. P ≤ 20 (≤ 65536 bins).</para>
/// <para><b>Scale invariance.</b> The comparisons value_i ≥ centre are invariant to multiplying the map by c &gt; 0,
/// but bilinear sampling in floating point is not exactly; codes are therefore computed on x / max|x|, which is bit for
/// bit the same for x and c·x whenever c·x is exact in float32 (e.g. integer counts times 37.5), and tile weights are
/// shares of the total. 'var' becomes the variance of the relative map, hence scale invariant too.</para>
/// <para>All-zero or constant genes have no texture: Score NaN with a note naming the gene. Device: the codes are
/// computed by our vectorised, multithreaded CPU kernel; rasters on CUDA are copied to the CPU for it.</para>
/// <para>References (also in <see cref="MeasureFacts.References"/>, from which the README and about_SpatialSim list them):</para>
/// <list type="bullet">
/// <item>T. Ojala, M. Pietikäinen, T. Mäenpää (2002). Multiresolution gray-scale and rotation invariant texture classification with local binary patterns. IEEE Trans. Pattern Anal. Mach. Intell. 24:971–987. <see href="https://doi.org/10.1109/TPAMI.2002.1017623">doi:10.1109/TPAMI.2002.1017623</see></item>
/// </list>
/// </remarks>
public sealed class LbpSimilarity : IPreparedMeasure<LbpPrepared>
{
    public const string Name = "Lbp";

    private LbpSimilarity() { }

    static SimilarityMethod ISimilarityMeasure.Method => SimilarityMethod.Lbp;
    static MeasureFacts ISimilarityMeasure.Facts { get; } = new("Local-binary-pattern texture histograms compared tile by tile (1 − χ²/2), weighted by expression.")
    {
        Minimum = 0, Maximum = 1, SelfScore = 1, AllPairs = AllPairsPath.Prepared,
        Parameters = FormattableString.Invariant($"-Points {LbpOptions.DefaultPoints}, -Radius {LbpOptions.DefaultRadius}, -LbpMethod {LbpOptions.DefaultMethod}, -Tiles {LbpOptions.DefaultTiles}"),
        Guidance = "Texture: local binary patterns exactly as scikit-image computes them, histogrammed tile by tile over "
            + "a Tiles x Tiles grid so that where a texture occurs counts too. Score = 1 - chi-square/2 per tile, "
            + "in [0, 1], averaged over tiles weighted by expression. Empty background is left out of the "
            + "histograms. Useful for patterns of the same kind (punctate, layered, diffuse) rather than exactly "
            + "co-located ones.",
        CheckedAgainst = "skimage local_binary_pattern (exact codes)",
        References = new[]
        {
            new MeasureReference("T. Ojala, M. Pietikäinen, T. Mäenpää (2002). Multiresolution gray-scale and rotation invariant texture classification with local binary patterns. IEEE Trans. Pattern Anal. Mach. Intell. 24:971–987", "doi:10.1109/TPAMI.2002.1017623"),
        },
    };
    static string ISimilarityMeasure.Describe(SimilarityOptions options) =>
        $"P={options.Lbp.Points} R={options.Lbp.Radius:g4} {options.Lbp.Method} tiles={options.Lbp.Tiles}";
    static double ISimilarityMeasure.Scale(SimilarityOptions options) => options.Lbp.Radius;
    static SimilarityScore ISimilarityMeasure.Compare(GeneRaster a, GeneRaster b, SimilarityOptions options) => Compare(a, b, options.Lbp);
    static LbpPrepared IPreparedMeasure<LbpPrepared>.Prepare(GeneRaster gene, SimilarityOptions options) => Prepare(gene, options.Lbp);
    static SimilarityScore IPreparedMeasure<LbpPrepared>.Compare(LbpPrepared a, LbpPrepared b, SimilarityOptions options) => Compare(a, b, options.Lbp);
    /// <summary>The histograms are small; preparing holds about one float32 map of codes.</summary>
    static long IPreparedMeasure<LbpPrepared>.PreparedBytes(int width, int height, SimilarityOptions options) => (long)width * height * 4;
    /// <summary>Largest number of histogram bins per tile ('default' with P ≤ 16, 'ror' with P ≤ 20).</summary>
    public const int MaxBins = 1 << 16;
    /// <summary>Smallest variance with its own 'var' bins; the bins span 10^-10 … 10^0 on a log scale.</summary>
    public const double VarFloorLog10 = -10;

    public static SimilarityScore Compare(GeneRaster a, GeneRaster b, LbpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RasterChecks.RequireSameCanvas(a.Gene, a.Width, a.Height, b.Gene, b.Width, b.Height);
        var da = Prepare(a, options);
        if (da.Undefined is not null) return SimilarityScore.Undefined(da.Undefined);
        var db = ReferenceEquals(a, b) ? da : Prepare(b, options);
        if (db.Undefined is not null) return SimilarityScore.Undefined(db.Undefined);
        return Compare(da, db, options);
    }

    /// <summary>Compares two prepared genes (same options, same canvas).</summary>
    public static SimilarityScore Compare(LbpPrepared a, LbpPrepared b, LbpOptions options)
    {
        if (a.Undefined is not null) return SimilarityScore.Undefined(a.Undefined);
        if (b.Undefined is not null) return SimilarityScore.Undefined(b.Undefined);
        if (a.Tiles != b.Tiles || a.Bins != b.Bins || a.Width != b.Width || a.Height != b.Height)
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"The LBP descriptors of '{a.Gene}' ({a.Width}×{a.Height}, {a.Tiles}² tiles × {a.Bins} bins) and '{b.Gene}' " +
                $"({b.Width}×{b.Height}, {b.Tiles}² tiles × {b.Bins} bins) were made differently; prepare both with the same options and canvas.") { Gene = b.Gene };
        double score = Pool(a.Histograms, a.Weights, b.Histograms, b.Weights, a.Bins, options.WeightByExpression);
        return double.IsNaN(score)
            ? SimilarityScore.Undefined($"genes '{a.Gene}' and '{b.Gene}' have no foreground pixels in any tile")
            : new SimilarityScore(score);
    }

    /// <summary>
    /// s_t for one tile: 1 − ½ Σ (a − b)² / (a + b) over normalised histograms; 0 when exactly one is empty, NaN when both are.
    /// </summary>
    public static double TileSimilarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("Histograms of different lengths.");
        double chi = 0, sumA = 0, sumB = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double x = a[k], y = b[k];
            sumA += x;
            sumB += y;
            double s = x + y;
            if (s > 0) chi += (x - y) * (x - y) / s;
        }
        bool emptyA = sumA == 0, emptyB = sumB == 0;
        if (emptyA && emptyB) return double.NaN;
        if (emptyA || emptyB) return 0;
        return Math.Clamp(1 - 0.5 * chi, 0.0, 1.0);
    }

    /// <summary>Σ_t w_t s_t / Σ_t w_t over the tiles (see the class remarks); NaN if no tile has foreground in either gene.</summary>
    internal static double Pool(float[] histA, float[] weightA, float[] histB, float[] weightB, int bins, bool weighted)
    {
        double numerator = 0, denominator = 0;
        for (int t = 0; t < weightA.Length; t++)
        {
            double s = TileSimilarity(histA.AsSpan(t * bins, bins), histB.AsSpan(t * bins, bins));
            if (double.IsNaN(s)) continue;
            double w = weighted ? 0.5 * ((double)weightA[t] + weightB[t]) : 1.0;
            numerator += w * s;
            denominator += w;
        }
        return denominator > 0 ? numerator / denominator : double.NaN;
    }

    /// <summary>Histogram bins per tile for these options (P + 2 for 'uniform', VarBins for 'var', 2^P for 'default', necklaces for 'ror').</summary>
    public static int BinCount(LbpOptions options)
    {
        Validate(options);
        return options.Method switch
        {
            LbpMethod.Uniform => options.Points + 2,
            LbpMethod.Var => options.VarBins,
            LbpMethod.Default => 1 << options.Points,
            LbpMethod.Ror => (int)NecklaceCount(options.Points),
            _ => throw new SpatialSimException(ErrorKind.InvalidArgument, $"Unknown LBP method '{options.Method}'."),
        };
    }

    /// <summary>Checks the options; errors say what to change.</summary>
    public static void Validate(LbpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Points < 1 || options.Points > LocalBinaryPattern.MaxPoints)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"LBP needs 1 to {LocalBinaryPattern.MaxPoints} points, got {options.Points}. Usual choices: 8 (radius 1), 16 (radius 2), 24 (radius 3 or more).");
        if (!double.IsFinite(options.Radius) || (float)options.Radius <= 0 || options.Radius > LocalBinaryPattern.MaxRadius)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"The LBP radius must be a number of pixels > 0 and ≤ {LocalBinaryPattern.MaxRadius}, got {options.Radius}. Textures are local: 1 to 16 pixels is usual (default 8).");
        if (options.Tiles < 1 || options.Tiles > 256)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"LBP tiles must be 1 to 256 per axis, got {options.Tiles}. 1 compares whole-map texture histograms; the default 4 cuts the map into 4×4 tiles.");
        if (options.Method == LbpMethod.Var && (options.VarBins < 1 || options.VarBins > 4096))
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"VarBins must be 1 to 4096, got {options.VarBins}.");
        if (options.Method == LbpMethod.Default && options.Points > 16)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"LBP method Default with {options.Points} points has {1L << options.Points:N0} codes, too many for per-tile histograms (at most {MaxBins:N0}). " +
                "Use 16 points or fewer with Default, or the rotation-invariant Uniform method (P + 2 codes).");
        if (options.Method == LbpMethod.Ror && NecklaceCount(options.Points) > MaxBins)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"LBP method Ror with {options.Points} points has {NecklaceCount(options.Points):N0} codes, too many for per-tile histograms (at most {MaxBins:N0}). " +
                "Use 20 points or fewer with Ror, or the Uniform method (P + 2 codes).");
        if (options.Method is not (LbpMethod.Default or LbpMethod.Ror or LbpMethod.Uniform or LbpMethod.Var))
            throw new SpatialSimException(ErrorKind.InvalidArgument, $"Unknown LBP method '{options.Method}'.");
    }

    /// <summary>
    /// The gene's descriptor: per-tile normalised code histograms and tile weights, computed once per gene so an
    /// all-pairs engine can compare every pair from descriptors alone. All-zero and constant genes give a descriptor
    /// whose <see cref="LbpPrepared.Undefined"/> says why.
    /// </summary>
    public static LbpPrepared Prepare(GeneRaster gene, LbpOptions options, int maxDegreeOfParallelism = -1)
    {
        int bins = BinCount(options);
        int tiles = options.Tiles;
        using var scope = torch.NewDisposeScope();
        var cpu = (gene.Device.IsCpu ? gene.Values : gene.Values.cpu()).contiguous();
        var pixels = TensorMemory.AsFloatSpan(cpu);
        var (min, max) = CpuReductions.MinMax(pixels);
        if (min == 0 && max == 0)
            return LbpPrepared.Degenerate(gene, tiles, bins, $"gene '{gene.Gene}' is all zero: it has no texture");
        if (min == max)
            return LbpPrepared.Degenerate(gene, tiles, bins, $"gene '{gene.Gene}' is constant ({max:g4}) over the raster: it has no texture");
        float divisor = Math.Max(Math.Abs(min), Math.Abs(max));

        var geometry = new LocalBinaryPattern.Geometry(options.Points, options.Radius);
        int[]? necklaceIndex = options.Method == LbpMethod.Ror ? NecklaceIndex(options.Points) : null;
        int width = gene.Width, height = gene.Height;
        var counts = new long[tiles * tiles * bins];
        var mass = new double[tiles * tiles];
        var gate = new object();
        unsafe
        {
            fixed (float* source = pixels)
            {
                nint image = (nint)source;
                LocalBinaryPattern.Run(source, width, height, divisor, geometry, options.Method, markBackground: true, maxDegreeOfParallelism,
                    () => new HistogramSink((float*)image, width, height, tiles, bins, options, necklaceIndex),
                    sink =>
                    {
                        lock (gate)
                        {
                            for (int k = 0; k < counts.Length; k++) counts[k] += sink.Counts[k];
                            for (int k = 0; k < mass.Length; k++) mass[k] += sink.Mass[k];
                        }
                    });
            }
        }

        var histograms = new float[counts.Length];
        var weights = new float[mass.Length];
        double totalMass = mass.Sum();
        for (int t = 0; t < mass.Length; t++)
        {
            weights[t] = (float)(mass[t] / totalMass);
            long n = 0;
            for (int k = 0; k < bins; k++) n += counts[t * bins + k];
            if (n == 0) continue;
            for (int k = 0; k < bins; k++) histograms[t * bins + k] = (float)((double)counts[t * bins + k] / n);
        }
        return new LbpPrepared(gene.Gene, width, height, tiles, bins, histograms, weights, null);
    }

    /// <summary>Per-worker tile histograms and tile masses.</summary>
    private sealed unsafe class HistogramSink : LocalBinaryPattern.IRowSink
    {
        public readonly long[] Counts;
        public readonly double[] Mass;
        private readonly float* _image;
        private readonly int _width, _height, _tiles, _bins, _varBins;
        private readonly LbpMethod _method;
        private readonly int[]? _necklaceIndex;
        private readonly int[] _tileOfColumn;

        public HistogramSink(float* image, int width, int height, int tiles, int bins, LbpOptions options, int[]? necklaceIndex)
        {
            _image = image;
            _width = width;
            _height = height;
            _tiles = tiles;
            _bins = bins;
            _varBins = options.VarBins;
            _method = options.Method;
            _necklaceIndex = necklaceIndex;
            Counts = new long[tiles * tiles * bins];
            Mass = new double[tiles * tiles];
            _tileOfColumn = new int[width];
            for (int x = 0; x < width; x++) _tileOfColumn[x] = (int)((long)x * tiles / width);
        }

        public void Row(int y, double* codes)
        {
            int tileRow = (int)((long)y * _tiles / _height) * _tiles;
            float* raw = _image + (long)y * _width;
            for (int x = 0; x < _width; x++)
            {
                int tile = tileRow + _tileOfColumn[x];
                Mass[tile] += Math.Abs(raw[x]);
                double code = codes[x];
                if (double.IsNegativeInfinity(code)) continue; // background: centre and all samples 0
                int bin = _method switch
                {
                    LbpMethod.Var => VarBin(code, _varBins),
                    LbpMethod.Ror => _necklaceIndex![(int)code],
                    _ => (int)code,
                };
                Counts[tile * _bins + bin]++;
            }
        }
    }

    /// <summary>The 'var' bin of a variance v: ⌊(log10 v + 10)/10 · bins⌋ clamped to 0 … bins − 1; NaN (flat) and v ≤ 1e-10 → 0.</summary>
    public static int VarBin(double variance, int bins)
    {
        if (!(variance > 0)) return 0;
        double position = (Math.Log10(variance) - VarFloorLog10) / -VarFloorLog10 * bins;
        if (!(position > 0)) return 0;
        return position >= bins ? bins - 1 : (int)position;
    }

    /// <summary>Number of binary necklaces of length P (rotation classes of P-bit codes): (1/P) Σ_{d|P} φ(d) 2^{P/d}.</summary>
    public static long NecklaceCount(int points)
    {
        long sum = 0;
        for (int d = 1; d <= points; d++)
            if (points % d == 0) sum += Totient(d) * (1L << (points / d));
        return sum / points;

        static long Totient(int n)
        {
            long result = n;
            for (int p = 2; p * p <= n; p++)
            {
                if (n % p != 0) continue;
                while (n % p == 0) n /= p;
                result -= result / p;
            }
            if (n > 1) result -= result / n;
            return result;
        }
    }

    private static readonly ConcurrentDictionary<int, int[]> NecklaceTables = new();

    /// <summary>For each P-bit code that is its own minimum rotation (a 'ror' code), its bin: the rank among such codes; −1 otherwise.</summary>
    internal static int[] NecklaceIndex(int points) => NecklaceTables.GetOrAdd(points, p =>
    {
        var index = new int[1 << p];
        int next = 0;
        int mask = (1 << p) - 1;
        for (int v = 0; v <= mask; v++)
        {
            bool minimal = true;
            int r = v;
            for (int k = 1; k < p && minimal; k++)
            {
                r = (r >> 1) | ((r & 1) << (p - 1));
                if (r < v) minimal = false;
            }
            index[v] = minimal ? next++ : -1;
        }
        return index;
    });
}

/// <summary>Parameters of <see cref="LbpSimilarity"/>; the defaults are the seed's (P = 24, R = 8, uniform) and a 4×4 tile grid.</summary>
public sealed record LbpOptions
{
    public const int DefaultPoints = 24;
    public const double DefaultRadius = 8;
    public const LbpMethod DefaultMethod = LbpMethod.Uniform;
    public const int DefaultTiles = 4;
    public const int DefaultVarBins = 16;

    /// <summary>P, sampling points on the circle (1 … 31; ≤ 16 for Default, ≤ 20 for Ror).</summary>
    public int Points { get; init; } = DefaultPoints;
    /// <summary>R, circle radius in pixels (used as float32, like scikit-image; ≤ 256).</summary>
    public double Radius { get; init; } = DefaultRadius;
    /// <summary>How codes are formed; Uniform (P + 2 rotation-invariant codes) by default.</summary>
    public LbpMethod Method { get; init; } = DefaultMethod;
    /// <summary>Tiles per axis: the map is cut into Tiles × Tiles tiles compared one by one (1 = whole-map histograms).</summary>
    public int Tiles { get; init; } = DefaultTiles;
    /// <summary>Log-spaced variance bins between 1e-10 and 1 for <see cref="LbpMethod.Var"/>.</summary>
    public int VarBins { get; init; } = DefaultVarBins;
    /// <summary>Weight tiles by their share of both genes' expression (true, default), or equally over tiles with foreground.</summary>
    public bool WeightByExpression { get; init; } = true;
}

/// <summary>
/// One gene's LBP descriptor (<see cref="LbpSimilarity.Prepare"/>): for tile t = tileRow·Tiles + tileColumn,
/// <c>Histograms[t·Bins … t·Bins + Bins − 1]</c> is the normalised code histogram of its foreground pixels (sums to 1,
/// or all 0 without foreground) and <c>Weights[t]</c> its share of the gene's total |expression| (sums to 1) —
/// i.e. a [Tiles², Bins] and a [Tiles²] array, ready to stack into [genes, Tiles², Bins] tensors for all pairs.
/// </summary>
public sealed class LbpPrepared : IPreparedGene
{
    public string Gene { get; }
    public int Width { get; }
    public int Height { get; }
    public int Tiles { get; }
    public int Bins { get; }
    public float[] Histograms { get; }
    public float[] Weights { get; }
    /// <summary>Why the gene has no texture (all zero, constant), or null.</summary>
    public string? Undefined { get; }

    internal LbpPrepared(string gene, int width, int height, int tiles, int bins, float[] histograms, float[] weights, string? undefined)
    {
        Gene = gene;
        Width = width;
        Height = height;
        Tiles = tiles;
        Bins = bins;
        Histograms = histograms;
        Weights = weights;
        Undefined = undefined;
    }

    internal static LbpPrepared Degenerate(GeneRaster gene, int tiles, int bins, string why) =>
        new(gene.Gene, gene.Width, gene.Height, tiles, bins, Array.Empty<float>(), Array.Empty<float>(), why);

    /// <summary>Managed arrays only: nothing to release.</summary>
    public void Dispose() { }
}
