using System.IO.Compression;
using System.Text;
using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// Issue #15, reader-side weak spots: inputs that were read wrongly or silently (CR-only line ends, UTF-16 text, a
/// duplicated column, bytes after the data of a .npy or a gzip stream, an image -Region) or could hang (a named pipe).
/// </summary>
[Collection(nameof(CountTableParallelReadTests))]
public sealed class InputMistakesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spatialsim-mistakes-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string Write(string name, byte[] bytes, bool gzip)
    {
        string path = Path.Combine(_dir, name + (gzip ? ".gz" : ""));
        if (!gzip) { File.WriteAllBytes(path, bytes); return path; }
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(bytes);
        return path;
    }

    private static SpatialSimException Fails(ErrorKind kind, string path, Action read)
    {
        var e = Assert.Throws<SpatialSimException>(read);
        Assert.Equal(kind, e.Kind);
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        return e;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CrOnlyLineEnds_AreNamed(bool gzip)
    {
        var text = new StringBuilder("geneID\tx\ty\tMIDCount\r");
        for (int i = 0; i < 2000; i++) text.Append($"G{i % 7}\t{i % 50}\t{i / 50}\t1\r");
        string path = Write("mac.tsv", Encoding.ASCII.GetBytes(text.ToString()), gzip);
        var e = Fails(ErrorKind.InvalidData, path, () => CountTableReader.Read(path, new TableReadOptions()));
        Assert.Contains("carriage return", e.Message);
        // CRLF stays fine.
        string crlf = Write("dos.tsv", Encoding.ASCII.GetBytes(text.ToString().Replace("\r", "\r\n")), gzip);
        Assert.Equal(7, CountTableReader.Read(crlf, new TableReadOptions()).Genes.Count);
    }

    [Theory]
    [InlineData("utf-16", false)]
    [InlineData("utf-16", true)]
    [InlineData("utf-16BE", false)]
    [InlineData("utf-16-nobom", true)]
    public void Utf16Tables_AreNamed(string encoding, bool gzip)
    {
        const string text = "gene,x,y\nGapdh,1,2\nActb,3,4\n";
        byte[] bytes = encoding switch
        {
            "utf-16" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)],
            "utf-16BE" => [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)],
            _ => Encoding.Unicode.GetBytes(text),
        };
        string path = Write($"u16-{encoding}.csv", bytes, gzip);
        var e = Fails(ErrorKind.NotSupported, path, () => CountTableReader.Read(path, new TableReadOptions()));
        Assert.Contains("UTF-16", e.Message);
        Assert.Contains("UTF-8", e.Message);
    }

    [Theory]
    [InlineData("gene,x,y,x", "'x' twice (columns 2 and 4)")]
    [InlineData("gene,X,y,count,Y", "'y' twice (columns 3 and 5)")]
    [InlineData("geneID,x,y,MIDCount,midcount", "'MIDCount' twice (columns 4 and 5)")]
    public void ADuplicatedColumn_IsNamed(string header, string expected)
    {
        string path = Write("dup.csv", Encoding.ASCII.GetBytes(header + "\nA,1,2,3,4\n"), gzip: false);
        var e = Fails(ErrorKind.InvalidData, path, () => CountTableReader.Read(path, new TableReadOptions()));
        Assert.Contains(expected, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void BytesAfterNpyData_AreRefused()
    {
        byte[] npy = NpyFormatTests.BuildNpy("<f4", [2, 3], new byte[24]);
        string ok = Write("ok.npy", npy, gzip: false);
        Assert.Equal(6, NpyFormat.Read(ok).Data.Length);
        string two = Write("two.npy", [.. npy, .. npy], gzip: false); // np.save twice into one open file
        var e = Fails(ErrorKind.InvalidData, two, () => NpyFormat.ReadPlanes(two, null).ToList());
        Assert.Contains("after the 24 bytes of data", e.Message);
        Fails(ErrorKind.InvalidData, two, () => NpyFormat.Read(two));
    }

    [Theory]
    [InlineData("junk after the stream\n")]
    [InlineData("\n")]
    [InlineData("\0\0\0\0\0\0\0\0\0\0\0\0")]
    public void BytesAfterAGzipStream_AreRefused(string junk)
    {
        string path = Write("junk.csv", Encoding.ASCII.GetBytes("gene,x,y\nA,1,2\nB,3,4\n"), gzip: true);
        Assert.Equal(2, CountTableReader.Read(path, new TableReadOptions()).Genes.Count);
        File.AppendAllText(path, junk);
        var e = Fails(ErrorKind.InvalidData, path, () => CountTableReader.Read(path, new TableReadOptions()));
        Assert.Contains("gzip", e.Message);
    }

    [Fact]
    public void ANamedPipe_IsRefusedAtOnce_NotWaitedOn()
    {
        if (!OperatingSystem.IsLinux()) return;
        string fifo = Path.Combine(_dir, "pipe.gem");
        using (var mk = System.Diagnostics.Process.Start("mkfifo", fifo)) mk.WaitForExit();
        Assert.True(File.Exists(fifo));
        // Before: the open blocked until a writer came, out of reach of Ctrl+C. Now refused before opening.
        var table = Task.Run(() => Assert.Throws<SpatialSimException>(() => CountTableReader.Read(fifo, new TableReadOptions())));
        var image = Task.Run(() => Assert.Throws<SpatialSimException>(() => ImageRasterReader.Read(fifo)));
        Assert.True(Task.WaitAll([table, image], TimeSpan.FromSeconds(30)), "reading a pipe without a writer hung");
        foreach (var e in new[] { table.Result, image.Result })
        {
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.Contains("named pipe", e.Message);
        }
    }

    [Fact]
    public void RegionCropsAnImage_AsItCropsATable()
    {
        var pixels = Enumerable.Range(0, 6 * 4).Select(i => (float)i).ToArray();
        var plane = new RasterPlane("g", 6, 4, pixels, "src");
        var crop = RasterRegion.Crop(plane, (1, 1, 4, 3));
        Assert.Equal((3, 2), (crop.Width, crop.Height));
        Assert.Equal(new float[] { 7, 8, 9, 13, 14, 15 }, crop.Pixels);
        var beyond = RasterRegion.Crop(plane, (4, -1, 8, 1)); // parts outside the image are 0
        Assert.Equal(new float[] { 0, 0, 0, 0, 4, 5, 0, 0 }, beyond.Pixels);
        var e = Assert.Throws<SpatialSimException>(() => RasterRegion.Crop(plane, (10, 10, 20, 20)));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("x 0..5, y 0..3", e.Message);
    }
}
