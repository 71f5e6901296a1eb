using System.Text;
using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// Gene names are untrusted (they come from input files): <see cref="GeneFileName.Of"/> must give one file-name component that
/// stays in its folder, on every platform, and distinct names must give distinct file names. Includes a seeded fuzz over
/// hostile names, written to disk.
/// </summary>
public sealed class GeneFileNameTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spatialsim-names-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("Apoe", "Apoe")]
    [InlineData("HLA-DRB1", "HLA-DRB1")]
    [InlineData("gene[1]", "gene[1]")]
    [InlineData("Gene_2.1", "Gene_2.1")]
    [InlineData("Ccl21a;Gm21541", "Ccl21a;Gm21541")]
    [InlineData("Δ-gene", "Δ-gene")]
    [InlineData("chr1:100-200", "chr1%3A100-200")]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("a_b", "a_b")]
    [InlineData("a\\b", "a%5Cb")]
    [InlineData("..", "%2E%2E")]
    [InlineData(".", "%2E")]
    [InlineData(".hidden", "%2Ehidden")]
    [InlineData("~", "%7E")]
    [InlineData("~user", "%7Euser")]
    [InlineData("a~b", "a~b")]
    [InlineData("Temp:evil", "Temp%3Aevil")]
    [InlineData("50%", "50%25")]
    [InlineData("%41", "%2541")]
    [InlineData("", "%")]
    [InlineData(" x ", "%20x%20")]
    [InlineData("x.", "x%2E")]
    [InlineData("CON", "%43ON")]
    [InlineData("nul.txt", "%6Eul.txt")]
    [InlineData("com1", "%63om1")]
    [InlineData("CONSOLE", "CONSOLE")]
    [InlineData("a*b?c\"d<e>f|g", "a%2Ab%3Fc%22d%3Ce%3Ef%7Cg")]
    [InlineData("tab\there", "tab%09here")]
    [InlineData("nul\0byte", "nul%00byte")]
    [InlineData("\u007F", "%7F")]
    public void Maps_AsDocumented(string gene, string expected) => Assert.Equal(expected, GeneFileName.Of(gene));

    [Fact]
    public void LoneSurrogates_AreEncoded_PairsKept()
    {
        Assert.Equal("a%uD800b", GeneFileName.Of("a\uD800b"));
        Assert.Equal("%uDC00", GeneFileName.Of("\uDC00"));
        Assert.Equal("x😀", GeneFileName.Of("x😀"));
        Assert.NotEqual(GeneFileName.Of("\uD800"), GeneFileName.Of("\uFFFD"));
    }

    [Fact]
    public void LongNames_AreCutWithAHash_AndStayDistinct()
    {
        string a = new string('L', 300), b = new string('L', 299) + "M";
        string fa = GeneFileName.Of(a), fb = GeneFileName.Of(b);
        Assert.True(Encoding.UTF8.GetByteCount(fa) <= GeneFileName.MaxBytes);
        Assert.Matches("^L+%~[0-9A-F]{16}$", fa);
        Assert.NotEqual(fa, fb);
        // Never cut inside an escape or between the halves of a character.
        string escapes = GeneFileName.Of(string.Concat(Enumerable.Repeat(":😀", 100)));
        Assert.True(Encoding.UTF8.GetByteCount(escapes) <= GeneFileName.MaxBytes);
        Assert.Matches("^(%3A😀)+(%3A)?%~[0-9A-F]{16}$", escapes);
        Assert.Equal(new string('L', 200), GeneFileName.Of(new string('L', 200)));
    }

    [Fact]
    public void HostileNames_StayInTheirFolder_AreDistinct_AndCanBeWritten()
    {
        // Characters chosen to hurt: separators, drive colons, wildcard and device letters, dots, tildes, spaces, controls,
        // the escape character itself, non-ASCII and surrogates.
        const string alphabet = "./\\:~ %*?\"<>|[]`$'\t\n\0\u007FaAbCoOnNuUlLpPtT1239éΔ😀\uD800\uDC00-_";
        var random = new Random(4242);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        string folder = Path.GetFullPath(_dir) + Path.DirectorySeparatorChar;
        for (int i = 0; i < 4000; i++)
        {
            int length = random.Next(0, i % 50 == 0 ? 400 : 12);
            var sb = new StringBuilder();
            while (sb.Length < length) sb.Append(alphabet[random.Next(alphabet.Length)]);
            string gene = sb.ToString(0, length);
            if (!names.TryAdd(gene, "")) continue;
            string name = GeneFileName.Of(gene);
            names[gene] = name;

            Assert.True(name.Length > 0);
            Assert.True(Encoding.UTF8.GetByteCount(name) <= GeneFileName.MaxBytes, $"'{name}' is too long");
            Assert.DoesNotContain(name, c => c < 0x20 || c == 0x7F || "/\\:*?\"<>|".Contains(c));
            Assert.False(name.StartsWith('.') || name.StartsWith('~') || name.StartsWith(' ') || name.EndsWith('.') || name.EndsWith(' '), name);
            string full = Path.GetFullPath(Path.Combine(_dir, name + ".npy"));
            Assert.StartsWith(folder, full);
            Assert.Equal(_dir, Path.GetDirectoryName(full));
            // Distinct genes, distinct file names (the cmdlet refuses what a case-insensitive file system would merge).
            Assert.True(files.TryAdd(name, gene), $"'{gene}' and '{(files.TryGetValue(name, out var other) ? other : "")}' both map to '{name}'");
            if (i % 10 == 0)
            {
                File.WriteAllBytes(full, new byte[] { 1 });
                Assert.True(File.Exists(Path.Combine(_dir, name + ".npy")));
            }
        }
        Assert.Equal(Directory.GetFiles(_dir).Length, Directory.EnumerateFileSystemEntries(_dir).Count());
    }
}
