using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Tiff.Constants;
using SixLabors.ImageSharp.PixelFormats;
using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Runs alone, so that the allocation bound it checks is not polluted by other tests.</summary>
[CollectionDefinition(nameof(InputFuzzCollection), DisableParallelization = true)]
public sealed class InputFuzzCollection;

/// <summary>
/// Seeded mutation fuzz of every input reader (PNG, TIFF, GEM/CSV plain and gzip, Parquet, GEF, .npy, AnnData, 10x .h5,
/// wide spot tables): each damaged file must end
/// in a result or a <see cref="SpatialSimException"/> naming the file — never another exception, a hang, or an
/// allocation beyond what the pixel limit allows.
/// </summary>
[Collection(nameof(InputFuzzCollection))]
public sealed class InputFuzzTests : IDisposable
{
    /// <summary>Pixel limit given to the readers; a result may hold at most this many pixels.</summary>
    private const long MaxPixels = 1_000_000;
    /// <summary>No single read may allocate more than this (the limit's planes and the decoders' buffers, with margin).</summary>
    private const long MaxAllocatedBytes = 512L << 20;
    private static readonly TimeSpan MaxTimePerFile = TimeSpan.FromSeconds(20);

    private readonly string _dir = Directory.CreateTempSubdirectory("spatialsim-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void DamagedImages_EndInAResultOrACleanError() =>
        Fuzz("image", ImageSeeds(), cases: 1600, seed: 101, (path, i) =>
        {
            var plane = ImageRasterReader.Read(path, new ImageReadOptions { Channel = i % 3 == 0 ? 0 : null, MaxPixels = MaxPixels });
            return (long)plane.Width * plane.Height == plane.Pixels.Length ? plane.Pixels.Length : -1;
        });

    [Fact]
    public void DamagedTables_EndInAResultOrACleanError() =>
        Fuzz("table", TableSeeds(), cases: 1600, seed: 202, (path, i) =>
        {
            var table = CountTableReader.Read(path, new TableReadOptions { MaxPixels = MaxPixels, BinSize = 1 + i % 2 });
            long pixels = 0;
            foreach (var gene in table.Genes)
            {
                var plane = table.ToPlane(gene);
                if ((long)plane.Width * plane.Height != plane.Pixels.Length || plane.Pixels.Any(v => !float.IsFinite(v) || v < 0)) return -1;
                pixels += plane.Pixels.Length;
            }
            return pixels;
        });

    [Fact]
    public void DamagedNpyFiles_EndInAResultOrACleanError() =>
        Fuzz("npy", NpySeeds(), cases: 1000, seed: 303, (path, _) =>
        {
            long pixels = 0;
            foreach (var plane in NpyFormat.ReadPlanes(path, null, MaxPixels))
            {
                if ((long)plane.Width * plane.Height != plane.Pixels.Length) return -1;
                pixels += plane.Pixels.Length;
            }
            return pixels;
        });

    [Fact]
    public void DamagedSpotInputs_EndInAResultOrACleanError() =>
        // AnnData (CSR gzip, dense), 10x .h5 (positions from an intact spot table) and wide tables, read through the format registry.
        Fuzz("spots", SpotSeeds(), cases: 1200, seed: 404, (path, i) =>
        {
            var request = SpotReaderTests.Raw(binSize: 1 + i % 2) with { Table = new TableReadOptions { BinSize = 1 + i % 2, MaxPixels = MaxPixels } };
            if (path.EndsWith(".h5")) request = request with { Spots = request.Spots with { SpotTable = SpotReaderTests.Spots("visium_outs", "spatial", "tissue_positions.csv") } };
            long pixels = 0;
            foreach (var raster in SpotReaderTests.Import(path, request))
            {
                var values = raster.ToArray();
                if (values.Length != (long)raster.Width * raster.Height || values.Any(v => !float.IsFinite(v) || v < 0)) return -1;
                pixels += values.Length;
            }
            return pixels;
        });

    private static IReadOnlyList<(string, byte[])> SpotSeeds() =>
    [
        ("csr.h5ad", File.ReadAllBytes(SpotReaderTests.Spots("visium_csr_gzip.h5ad"))),
        ("dense.h5ad", File.ReadAllBytes(SpotReaderTests.Spots("visium_dense.h5ad"))),
        ("matrix.h5", File.ReadAllBytes(SpotReaderTests.Spots("visium_outs", "filtered_feature_bc_matrix.h5"))),
        ("wide.csv", File.ReadAllBytes(SpotReaderTests.Spots("st_counts_xy.csv"))),
        ("ids.csv", File.ReadAllBytes(SpotReaderTests.Spots("st_counts.csv"))),
    ];

    [Fact]
    public void DamagedParquetFiles_EndInAResultOrACleanError() =>
        Fuzz("parquet", ParquetSeeds(), cases: 600, seed: 404, (path, i) =>
            Pixels(TranscriptParquetReader.Read(path, new TableReadOptions { MaxPixels = MaxPixels, BinSize = 1 + i % 2, MinQuality = i % 3 == 0 ? 0 : 20 })));

    [Fact]
    public void DamagedGefFiles_EndInAResultOrACleanError() =>
        Fuzz("gef", GefSeeds(), cases: 600, seed: 505, (path, i) =>
            Pixels(GefReader.Read(path, new TableReadOptions { MaxPixels = MaxPixels, BinSize = i % 3 == 0 ? 20 : 1 })));

    /// <summary>
    /// The pixels of one raster of the table (the limit applies per plane), or −1 when a gene's pixels are inconsistent
    /// (outside the canvas, negative or non-finite). Checked on the sparse pixels: files of hundreds of genes would
    /// otherwise allocate a dense plane per gene.
    /// </summary>
    private static long Pixels(CountTable table)
    {
        long canvas = (long)table.Width * table.Height;
        foreach (var gene in table.Genes)
        {
            var sparse = table.ToSparse(gene);
            if (sparse.Width != table.Width || sparse.Height != table.Height) return -1;
            foreach (float v in sparse.Values) if (!float.IsFinite(v) || v < 0) return -1;
            foreach (int i in sparse.Index) if (i < 0 || i >= canvas) return -1;
        }
        return canvas;
    }

    /// <summary>
    /// Mutates the seeds <paramref name="cases"/> times and reads each result. <paramref name="read"/> returns the number of pixels
    /// it produced, or −1 when the result is inconsistent.
    /// </summary>
    private void Fuzz(string kind, IReadOnlyList<(string Name, byte[] Bytes)> seeds, int cases, int seed, Func<string, int, long> read)
    {
        // Every seed must read cleanly: otherwise the fuzz would only exercise error paths.
        for (int s = 0; s < seeds.Count; s++)
        {
            string p = Path.Combine(_dir, $"seed{s}{Path.GetExtension(seeds[s].Name)}");
            File.WriteAllBytes(p, seeds[s].Bytes);
            Assert.True(read(p, 0) > 0, $"seed {seeds[s].Name} does not read");
        }
        var rng = new Random(seed);
        int results = 0, errors = 0;
        var failures = new List<string>();
        for (int i = 0; i < cases && failures.Count < 5; i++)
        {
            var (name, original) = seeds[i % seeds.Count];
            byte[] mutated = Mutate(original, rng, isText: (kind == "table" && !name.EndsWith(".gz")) || name.EndsWith(".csv"));
            string path = Path.Combine(_dir, $"{kind}{i}{Path.GetExtension(name)}");
            File.WriteAllBytes(path, mutated);
            string where = $"case {i} (seed {name}, {mutated.Length} bytes)";
            var outcome = Task.Run(() =>
            {
                long before = GC.GetTotalAllocatedBytes(precise: false);
                try
                {
                    long pixels = read(path, i);
                    long allocated = GC.GetTotalAllocatedBytes(precise: false) - before;
                    if (pixels < 0) return "inconsistent result";
                    if (pixels > MaxPixels * 4) return $"{pixels} pixels returned, above the limit";
                    if (allocated > MaxAllocatedBytes) return $"allocated {allocated >> 20} MiB";
                    Interlocked.Increment(ref results);
                    return null;
                }
                catch (SpatialSimException e)
                {
                    long allocated = GC.GetTotalAllocatedBytes(precise: false) - before;
                    if (allocated > MaxAllocatedBytes) return $"allocated {allocated >> 20} MiB before failing";
                    if (e.FilePath != path) return $"error does not name the file: {e.Message}";
                    if (string.IsNullOrWhiteSpace(e.Message)) return "error without a message";
                    Interlocked.Increment(ref errors);
                    return null;
                }
                catch (Exception e)
                {
                    return $"{e.GetType().Name}: {e.Message}";
                }
            });
            if (!outcome.Wait(MaxTimePerFile)) failures.Add($"{where}: no answer after {MaxTimePerFile.TotalSeconds} s (hang?)");
            else if (outcome.Result is { } problem) failures.Add($"{where}: {problem}");
            File.Delete(path);
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        // Both outcomes must occur: a fuzz that only ever fails (or only succeeds) tests too little.
        Assert.True(results > cases / 50 && errors > cases / 50, $"{results} results, {errors} errors of {cases}");
    }

    /// <summary>One to four of: byte overwrites, truncation, an inserted or deleted run, a duplicated block; text also gets field edits.</summary>
    private static byte[] Mutate(byte[] original, Random rng, bool isText)
    {
        var b = new List<byte>(original);
        int edits = rng.Next(1, 5);
        for (int e = 0; e < edits && b.Count > 0; e++)
        {
            switch (rng.Next(isText ? 7 : 5))
            {
                case 0: // overwrite a few bytes
                    for (int k = rng.Next(1, 4); k > 0; k--) b[rng.Next(b.Count)] = (byte)rng.Next(256);
                    break;
                case 1: // truncate
                    int cut = rng.Next(b.Count);
                    b.RemoveRange(cut, b.Count - cut);
                    break;
                case 2: // insert random bytes
                    int at = rng.Next(b.Count + 1);
                    b.InsertRange(at, Enumerable.Range(0, rng.Next(1, 16)).Select(_ => (byte)rng.Next(256)));
                    break;
                case 3: // delete a run
                    int from = rng.Next(b.Count);
                    b.RemoveRange(from, Math.Min(b.Count - from, rng.Next(1, 64)));
                    break;
                case 4: // set a byte to an extreme value (sizes and counts in headers)
                    b[rng.Next(b.Count)] = rng.Next(2) == 0 ? (byte)0xFF : (byte)0x00;
                    break;
                default: // text: replace a field with something a broken pipeline writes
                    string[] junk = ["-3", "NaN", "1e999", "", "x", "99999999999", "-0", "\t\t", ",", "\"", "\r\n", "4.5", "#", "１"];
                    int pos = rng.Next(b.Count);
                    while (pos < b.Count && b[pos] != (byte)'\t' && b[pos] != (byte)',') pos++;
                    b.InsertRange(Math.Min(pos + 1, b.Count), Encoding.UTF8.GetBytes(junk[rng.Next(junk.Length)]));
                    break;
            }
        }
        return b.ToArray();
    }

    // ------------------------------------------------------------------ seeds

    private static float[] Counts(int w, int h, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, w * h).Select(i => rng.Next(6) == 0 ? rng.Next(1, 200) : 0f).ToArray();
    }

    private static byte[] Encode(Image image, SixLabors.ImageSharp.Formats.IImageEncoder encoder)
    {
        using var ms = new MemoryStream();
        image.Save(ms, encoder);
        image.Dispose();
        return ms.ToArray();
    }

    private IReadOnlyList<(string, byte[])> ImageSeeds()
    {
        const int w = 37, h = 23;
        var c = Counts(w, h, 1);
        var l8 = Image.LoadPixelData(c.Select(v => new L8((byte)v)).ToArray(), w, h);
        var l16 = Image.LoadPixelData(c.Select(v => new L16((ushort)(v * 300))).ToArray(), w, h);
        var rgb = Image.LoadPixelData<Rgb24>(c.Select(v => new Rgb24((byte)v, 0, (byte)(255 - v))).ToArray(), w, h);
        var plane = new RasterPlane("g", w, h, c, "fuzz");
        string f32 = Path.Combine(_dir, "f32.tif"), p16 = Path.Combine(_dir, "p16.png");
        ImageRasterWriter.WriteTiffFloat32(f32, plane);
        ImageRasterWriter.WritePng16(p16, plane);
        return
        [
            ("l8.png", Encode(l8.Clone(), new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 })),
            ("l16.png", Encode(l16.Clone(), new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 })),
            ("rgb.png", Encode(rgb.Clone(), new PngEncoder { ColorType = PngColorType.Rgb })),
            ("pal.png", Encode(rgb, new PngEncoder { ColorType = PngColorType.Palette })),
            ("lzw.tif", Encode(l8.Clone(), new TiffEncoder { BitsPerPixel = TiffBitsPerPixel.Bit8, Compression = TiffCompression.Lzw })),
            ("deflate.tif", Encode(l16.Clone(), new TiffEncoder { BitsPerPixel = TiffBitsPerPixel.Bit16, Compression = TiffCompression.Deflate })),
            ("raw8.tif", Encode(l8, new TiffEncoder { BitsPerPixel = TiffBitsPerPixel.Bit8, Compression = TiffCompression.None })),
            ("p16b.png", File.ReadAllBytes(p16)),
            ("f32.tif", File.ReadAllBytes(f32)),
        ];
    }

    private static IReadOnlyList<(string, byte[])> TableSeeds()
    {
        var rng = new Random(2);
        string[] genes = ["Actb", "Gfap", "Mbp", "Snap25"];
        var gem = new StringBuilder("#FileFormat=GEMv0.1\n#OffsetX=0\ngeneID\tx\ty\tMIDCount\tExonCount\n");
        var csv = new StringBuilder("transcript_id,feature_name,x_location,y_location,qv\n");
        for (int i = 0; i < 120; i++)
        {
            string g = genes[i * genes.Length / 120];
            gem.Append($"{g}\t{rng.Next(100, 160)}\t{rng.Next(200, 240)}\t{rng.Next(1, 4)}\t1\n");
            csv.Append($"{i},\"{g}\",{rng.NextDouble() * 50 + 10:F3},{rng.NextDouble() * 40:F3},{rng.Next(20, 40)}\n");
        }
        byte[] Gzip(string text)
        {
            using var ms = new MemoryStream();
            using (var gz = new GZipStream(ms, CompressionLevel.Optimal)) gz.Write(Encoding.UTF8.GetBytes(text));
            return ms.ToArray();
        }
        return
        [
            ("a.gem", Encoding.UTF8.GetBytes(gem.ToString())),
            ("b.csv", Encoding.UTF8.GetBytes(csv.ToString())),
            ("c.tsv", Encoding.UTF8.GetBytes(gem.ToString().Replace("#FileFormat=GEMv0.1\n#OffsetX=0\n", ""))),
            ("d.gem.gz", Gzip(gem.ToString())),
            ("e.csv.gz", Gzip(csv.ToString())),
        ];
    }

    /// <summary>Small Xenium-like tables written by Parquet.Net (string and binary names, a count column) and the hyparquet-writer fixture.</summary>
    private IReadOnlyList<(string, byte[])> ParquetSeeds()
    {
        var rng = new Random(4);
        string[] genes = ["Gad1", "Sst", "BLANK_0001", "Vip"];
        byte[] Write(bool binary, bool counts)
        {
            string path = Path.Combine(_dir, $"seed-{binary}-{counts}.parquet");
            var name = binary ? (Parquet.Schema.DataField)new Parquet.Schema.DataField<byte[]>("feature_name") : new Parquet.Schema.DataField<string>("feature_name");
            var x = new Parquet.Schema.DataField<float>("x_location");
            var y = new Parquet.Schema.DataField<double>("y_location");
            var qv = new Parquet.Schema.DataField<float>("qv");
            var count = new Parquet.Schema.DataField<int>("count");
            var fields = counts ? new Parquet.Schema.Field[] { name, x, y, qv, count } : [name, x, y, qv];
            Task.Run(async () =>
            {
                await using var stream = File.Create(path);
                await using var writer = await Parquet.ParquetWriter.CreateAsync(new Parquet.Schema.ParquetSchema(fields), stream);
                for (int g = 0; g < 2; g++)
                {
                    int n = 80;
                    var names = Enumerable.Range(0, n).Select(i => genes[rng.Next(genes.Length)]).ToArray();
                    using var rg = writer.CreateRowGroup();
                    if (binary) await rg.WriteAsync(name, names.Select(Encoding.UTF8.GetBytes).ToArray());
                    else await rg.WriteAsync(name, names);
                    await rg.WriteAsync<float>(x, Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 60 + 5)).ToArray());
                    await rg.WriteAsync<double>(y, Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 40).ToArray());
                    await rg.WriteAsync<float>(qv, Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 40)).ToArray());
                    if (counts) await rg.WriteAsync<int>(count, Enumerable.Range(0, n).Select(_ => rng.Next(1, 4)).ToArray());
                }
            }).GetAwaiter().GetResult();
            return File.ReadAllBytes(path);
        }
        return
        [
            ("strings.parquet", Write(binary: false, counts: false)),
            ("binary.parquet", Write(binary: true, counts: true)),
            ("hyparquet.parquet", File.ReadAllBytes(Fixtures.PathOf("parquet", "xenium_hyparquet.parquet"))),
        ];
    }

    /// <summary>GEF files written by h5py (make_gef_fixtures.py): contiguous uint16 counts with bin1 and bin20 levels, and a version-2 file.</summary>
    private static IReadOnlyList<(string, byte[])> GefSeeds() =>
    [
        ("corner.gef", File.ReadAllBytes(Fixtures.PathOf("gef", "corner.gef"))),
        ("shifted.gef", File.ReadAllBytes(Fixtures.PathOf("gef", "shifted.gef"))),
    ];

    private IReadOnlyList<(string, byte[])> NpySeeds()
    {
        var c = Counts(19, 11, 3);
        string single = Path.Combine(_dir, "one.npy"), stack = Path.Combine(_dir, "stack.npy");
        NpyFormat.WriteFloat32(single, new RasterPlane("a", 19, 11, c, "fuzz"));
        NpyFormat.WriteFloat32Stack(stack, [new RasterPlane("a", 19, 11, c, "fuzz"), new RasterPlane("b", 19, 11, c.Reverse().ToArray(), "fuzz")]);
        // A little-endian uint16 2-D array, as numpy writes it.
        string header = "{'descr': '<u2', 'fortran_order': False, 'shape': (7, 5), }";
        header = header.PadRight(64 - 10 - 1) + "\n";
        var u2 = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0 };
        u2.AddRange(Encoding.ASCII.GetBytes(header));
        for (int i = 0; i < 35; i++) u2.AddRange(BitConverter.GetBytes((ushort)(i * 7 % 13)));
        return [("one.npy", File.ReadAllBytes(single)), ("stack.npy", File.ReadAllBytes(stack)), ("u2.npy", u2.ToArray())];
    }
}
