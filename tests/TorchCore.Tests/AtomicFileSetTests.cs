using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Output;
using SpatialSim.TorchCore.Similarity;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Files written as a set (a .npy matrix and its gene list) land together or not at all, and an earlier set survives a failure.</summary>
public sealed class AtomicFileSetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spatialsim-set-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static Action<FileStream> Text(string text) => fs => fs.Write(System.Text.Encoding.UTF8.GetBytes(text));

    [Fact]
    public void WritesEveryFile_AndReplacesAnEarlierSetWithOverwrite()
    {
        AtomicFileSet.Write(new[] { (P("a"), Text("a1")), (P("b"), Text("b1")) }, overwrite: false);
        AtomicFileSet.Write(new[] { (P("a"), Text("a2")), (P("b"), Text("b2")) }, overwrite: true);
        Assert.Equal("a2", File.ReadAllText(P("a")));
        Assert.Equal("b2", File.ReadAllText(P("b")));
        Assert.Equal(new[] { "a", "b" }, Directory.GetFiles(_dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void AFailedWrite_LeavesTheEarlierSet_AndNoTemporaryFile()
    {
        AtomicFileSet.Write(new[] { (P("a"), Text("a1")), (P("b"), Text("b1")) }, overwrite: false);
        var e = Assert.Throws<SpatialSimException>(() => AtomicFileSet.Write(new[]
        {
            (P("a"), Text("a2")),
            (P("b"), (Action<FileStream>)(fs => { fs.Write(new byte[10]); throw new IOException("No space left on device"); })),
        }, overwrite: true));
        Assert.Equal(ErrorKind.ResourceUnavailable, e.Kind);
        Assert.Contains("No space left on device", e.Message);
        Assert.Contains("None of", e.Message);
        Assert.Equal("a1", File.ReadAllText(P("a")));
        Assert.Equal("b1", File.ReadAllText(P("b")));
        Assert.Equal(new[] { "a", "b" }, Directory.GetFiles(_dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void AFailedRename_PutsTheEarlierFilesBack()
    {
        AtomicFileSet.Write(new[] { (P("a"), Text("a1")), (P("b"), Text("b1")) }, overwrite: false);
        // While the set is written, "b" becomes a folder: "a" is renamed into place first, then "b" cannot be.
        var e = Assert.Throws<SpatialSimException>(() => AtomicFileSet.Write(new[]
        {
            (P("a"), Text("a2")),
            (P("b"), (Action<FileStream>)(fs => { fs.Write(new byte[3]); File.Delete(P("b")); Directory.CreateDirectory(P("b")); })),
        }, overwrite: true));
        Assert.Equal("a1", File.ReadAllText(P("a")));
        Assert.True(Directory.Exists(P("b")));
        Assert.Equal(new[] { "a" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
        Assert.Contains("'" + P("b") + "'", e.Message);
    }

    [Fact]
    public void WithoutOverwrite_AnExistingFile_StopsTheWholeSet()
    {
        File.WriteAllText(P("b"), "keep");
        var e = Assert.Throws<SpatialSimException>(() => AtomicFileSet.Write(new[] { (P("a"), Text("a")), (P("b"), Text("b")) }, overwrite: false));
        Assert.Equal(ErrorKind.WriteConflict, e.Kind);
        Assert.False(File.Exists(P("a")));
        Assert.Equal("keep", File.ReadAllText(P("b")));
    }

    [Fact]
    public void Cancellation_LeavesNothing()
    {
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => AtomicFileSet.Write(new[]
        {
            (P("a"), Text("a")),
            (P("b"), (Action<FileStream>)(fs => cts.Cancel())),
        }, overwrite: false, cts.Token));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir));
    }

    [Fact]
    public void SimilarityMatrixNpy_KeepsTheEarlierPair_WhenTheGeneListCannotBeWritten()
    {
        var old = SimilarityMatrix.FromPairs(new[] { new RankedPair { GeneA = "x", GeneB = "y", Score = 0.25, Method = "Pearson" } });
        string npy = P("m.npy");
        old.WriteNpy(npy, overwrite: false);
        byte[] oldMatrix = File.ReadAllBytes(npy), oldGenes = File.ReadAllBytes(P("m.genes.txt"));
        // A gene name with a line break cannot go into the gene list: refused before either file changes.
        var bad = SimilarityMatrix.FromPairs(new[] { new RankedPair { GeneA = "p", GeneB = "q\nr", Score = 0.5, Method = "Pearson" } });
        Assert.Throws<SpatialSimException>(() => bad.WriteNpy(npy, overwrite: true));
        Assert.Equal(oldMatrix, File.ReadAllBytes(npy));
        Assert.Equal(oldGenes, File.ReadAllBytes(P("m.genes.txt")));
        Assert.Equal(2, Directory.GetFiles(_dir).Length);
    }
}
