using System.Text;
using System.Text.Json.Nodes;

namespace SpatialSim.Bench;

/// <summary>
/// Deterministic synthetic inputs that look like spatial-transcriptomics data, the same bytes on every machine
/// for the same spec. Each gene's expression rate is a sum of Gaussian blobs over a low background; genes follow
/// one of a few shared spatial "programs" (with their own amplitudes and two blobs of their own), so gene pairs
/// range from strongly to weakly correlated. Spec kinds (from bench/Workloads.psd1):
/// <list type="bullet">
/// <item><c>counts</c>: sparse transcript counts (1–3) with about <c>density</c> of the pixels non-zero, [planes,] size, size;</item>
/// <item><c>maps</c>: smooth maps in [0, 1] plus uniform noise of amplitude <c>noise</c>, [planes,] size, size;</item>
/// <item><c>gem</c>: a Stereo-seq GEM table (geneID, x, y, MIDCount) of <c>rows</c> rows over <c>genes</c> genes on a size × size chip;</item>
/// <item><c>xenium</c>: a Xenium transcripts.parquet (see <see cref="XeniumTranscripts"/>) of <c>rows</c> molecules over <c>genes</c> genes on a size × size µm section;</item>
/// <item><c>h5ad</c>: an AnnData file of <c>spots</c> × <c>genes</c> counts in CSR, about <c>density</c> non-zero, spots on a
/// square lattice <c>size</c> wide (see <see cref="SyntheticAnnData"/>).</item>
/// </list>
/// A spec without <c>planes</c> gives a 2-D array. Every spec has a <c>seed</c>.
/// </summary>
internal static class SyntheticData
{
    private const int Programs = 6;
    private const int BlobsPerProgram = 4;
    private const int OwnBlobs = 2;

    private readonly record struct Blob(double Y, double X, double Radius, double Amplitude);

    /// <summary>Writes the input described by <paramref name="spec"/> to <paramref name="path"/>; returns its size in bytes.</summary>
    public static long Generate(JsonObject spec, string path)
    {
        string kind = (string)spec["kind"]!;
        int size = (int)spec["size"]!;
        ulong seed = (ulong)spec["seed"]!;
        bool stack = spec["planes"] is not null;
        int planes = stack ? (int)spec["planes"]! : 1;
        return kind switch
        {
            "counts" => NpyFloat32.Write(path, planes, size, size, stack, (p, plane) => FillCounts(plane, size, p, (double)spec["density"]!, seed)),
            "maps" => NpyFloat32.Write(path, planes, size, size, stack, (p, plane) => FillMap(plane, size, p, (double)spec["noise"]!, seed)),
            "gem" => WriteGem(path, (long)spec["rows"]!, (int)spec["genes"]!, size, seed),
            "h5ad" => SyntheticAnnData.Write(path, (int)spec["spots"]!, (int)spec["genes"]!, (double)spec["density"]!, size, seed),
            "xenium" => XeniumTranscripts.Write(path, (long)spec["rows"]!, (int)spec["genes"]!, size, seed),
            _ => throw new ArgumentException($"Unknown input kind '{kind}'."),
        };
    }

    /// <summary>Gene <paramref name="gene"/>'s counts: pixel values 0–3, about <paramref name="density"/> of them non-zero.</summary>
    public static void FillCounts(float[] plane, int size, int gene, double density, ulong seed)
    {
        FillRate(plane, size, gene, seed);
        double mean = plane.Sum(v => (double)v) / plane.Length;
        double scale = density / mean;
        Parallel.For(0, size, y =>
        {
            var random = new SplitMix64(Mix(seed, (ulong)gene, (ulong)y, 1));
            var row = plane.AsSpan(y * size, size);
            for (int x = 0; x < size; x++)
            {
                double p = scale * row[x], u = random.NextDouble();
                row[x] = u < p / 16 ? 3 : u < p / 4 ? 2 : u < p ? 1 : 0;
            }
        });
    }

    /// <summary>Map <paramref name="index"/>: the blob pattern scaled to [0.1, 0.9], plus noise, clamped to [0, 1].</summary>
    public static void FillMap(float[] plane, int size, int index, double noise, ulong seed)
    {
        FillRate(plane, size, index, seed);
        float max = plane.Max();
        Parallel.For(0, size, y =>
        {
            var random = new SplitMix64(Mix(seed, (ulong)index, (ulong)y, 2));
            var row = plane.AsSpan(y * size, size);
            for (int x = 0; x < size; x++)
                row[x] = (float)Math.Clamp(0.1 + 0.8 * row[x] / max + noise * (random.NextDouble() - 0.5), 0.0, 1.0);
        });
    }

    /// <summary>The expression rate of one gene: a background of 0.05 plus its blobs, evaluated within 3 radii of each centre.</summary>
    private static void FillRate(float[] plane, int size, int gene, ulong seed)
    {
        var blobs = BlobsOf(gene, size, seed);
        var profiles = blobs.Select(b => Profile(b.X, b.Radius, size)).ToArray();
        Parallel.For(0, size, y =>
        {
            var row = plane.AsSpan(y * size, size);
            row.Fill(0.05f);
            for (int k = 0; k < blobs.Length; k++)
            {
                var b = blobs[k];
                double dy = (y - b.Y) / b.Radius;
                if (Math.Abs(dy) > 3) continue;
                float weight = (float)(b.Amplitude * Math.Exp(-0.5 * dy * dy));
                var (start, values) = profiles[k];
                for (int i = 0; i < values.Length; i++) row[start + i] += weight * values[i];
            }
        });
    }

    /// <summary>exp(−½((x − centre)/radius)²) for x within 3 radii of the centre, clipped to the canvas.</summary>
    private static (int Start, float[] Values) Profile(double centre, double radius, int size)
    {
        int start = Math.Max(0, (int)Math.Floor(centre - 3 * radius));
        int end = Math.Min(size - 1, (int)Math.Ceiling(centre + 3 * radius));
        var values = new float[Math.Max(0, end - start + 1)];
        for (int i = 0; i < values.Length; i++)
        {
            double d = (start + i - centre) / radius;
            values[i] = (float)Math.Exp(-0.5 * d * d);
        }
        return (start, values);
    }

    /// <summary>The blobs of one gene: its program's (shared with other genes, own amplitudes) and two of its own.</summary>
    private static Blob[] BlobsOf(int gene, int size, ulong seed)
    {
        var program = new SplitMix64(Mix(seed, (ulong)(gene % Programs), 0, 3));
        var own = new SplitMix64(Mix(seed, (ulong)gene, 0, 4));
        var blobs = new Blob[BlobsPerProgram + OwnBlobs];
        for (int k = 0; k < blobs.Length; k++)
        {
            var random = k < BlobsPerProgram ? program : own;
            double y = random.NextDouble() * size, x = random.NextDouble() * size;
            double radius = size * (0.02 + 0.08 * random.NextDouble());
            blobs[k] = new Blob(y, x, radius, 0.5 + own.NextDouble());
        }
        return blobs;
    }

    /// <summary>
    /// A GEM table: '#' metadata lines, the header, then one row per (gene, DNB). Gene i is drawn with probability
    /// falling with i; 70% of its rows lie near one of its three centres, the rest anywhere on the chip.
    /// </summary>
    private static long WriteGem(string path, long rows, int genes, int size, ulong seed)
    {
        var random = new SplitMix64(Mix(seed, 0, 0, 5));
        var centres = new (double Y, double X)[genes * 3];
        for (int i = 0; i < centres.Length; i++) centres[i] = (random.NextDouble() * size, random.NextDouble() * size);
        var names = Enumerable.Range(0, genes).Select(g => $"G{g:D5}").ToArray();
        double spread = size * 0.05;
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20))
        {
            writer.Write("#FileFormat=GEMv0.1\n#SortedBy=None\n#BinSize=1\n#Omics=Transcriptomics\n#Stereo-seqChip=SYNTHETIC\n#OffsetX=0\n#OffsetY=0\n");
            writer.Write("geneID\tx\ty\tMIDCount\n");
            for (long r = 0; r < rows; r++)
            {
                double g = random.NextDouble();
                int gene = (int)(g * g * genes);
                double x, y;
                if (random.NextDouble() < 0.7)
                {
                    var c = centres[gene * 3 + (int)(random.NextDouble() * 3)];
                    // Sum of three uniforms: a cheap bell shape around the centre.
                    x = c.X + spread * (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5);
                    y = c.Y + spread * (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5);
                }
                else
                {
                    x = random.NextDouble() * size;
                    y = random.NextDouble() * size;
                }
                double u = random.NextDouble();
                int count = u < 0.8 ? 1 : u < 0.95 ? 2 : 3;
                writer.Write(names[gene]);
                writer.Write('\t');
                writer.Write(Math.Clamp((int)x, 0, size - 1));
                writer.Write('\t');
                writer.Write(Math.Clamp((int)y, 0, size - 1));
                writer.Write('\t');
                writer.Write(count);
                writer.Write('\n');
            }
        }
        return new FileInfo(path).Length;
    }

    internal static ulong Mix(ulong seed, ulong a, ulong b, ulong stream)
    {
        return new SplitMix64(seed ^ (a * 0x9E3779B97F4A7C15UL) ^ (b * 0xC2B2AE3D27D4EB4FUL) ^ (stream * 0x165667B19E3779F9UL)).Next();
    }

    /// <summary>SplitMix64 (Steele, Lea, Flood 2014): a small, fast generator with a fixed definition on every platform.</summary>
    internal sealed class SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
    }
}
