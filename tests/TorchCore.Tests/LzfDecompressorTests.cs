using SpatialSim.TorchCore.IO.Hdf5;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>
/// LZF decoding against streams built by hand from the format's definition (liblzf's lzf_d.c), and damaged streams.
/// Files compressed by h5py's own LZF filter (liblzf's compressor) are decoded in SpotReaderTests (visium_csc_lzf.h5ad).
/// </summary>
public class LzfDecompressorTests
{
    [Fact]
    public void LiteralRuns_AreCopied()
    {
        var output = new byte[5];
        int n = LzfDecompressor.Decompress([4, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o'], output);
        Assert.Equal(5, n);
        Assert.Equal("hello"u8.ToArray(), output);
    }

    [Fact]
    public void BackReferences_CopyFromBehind_OverlappingToo()
    {
        // "ab" literal, then a reference of length 2 + 2 = 4 at distance 2 ("abab"), then length 7 + 3 + 2 = 12 at distance 1.
        byte[] stream = [1, (byte)'a', (byte)'b', (2 << 5) | 0, 1, (7 << 5) | 0, 3, 0];
        var output = new byte[18];
        int n = LzfDecompressor.Decompress(stream, output);
        Assert.Equal(18, n);
        Assert.Equal("abababbbbbbbbbbbbb"u8.ToArray(), output);
    }

    [Fact]
    public void LongDistances_UseTheHighBits()
    {
        var expected = new byte[300];
        for (int i = 0; i < 256; i++) expected[i] = (byte)i;
        for (int i = 256; i < 300; i++) expected[i] = expected[i - 256];
        // Literals of 32 bytes (control 31) ×8, then a reference of 44 bytes at distance 256 = (1 << 8) + 0 − … : D − 1 = 255.
        var stream = new List<byte>();
        for (int r = 0; r < 8; r++) { stream.Add(31); for (int i = 0; i < 32; i++) stream.Add((byte)(r * 32 + i)); }
        stream.Add((7 << 5) | 0); stream.Add(44 - 2 - 7); stream.Add(255);
        var output = new byte[300];
        Assert.Equal(300, LzfDecompressor.Decompress(stream.ToArray(), output));
        Assert.Equal(expected, output);
    }

    [Theory]
    [InlineData(new byte[] { 4, 1, 2 })]                   // literal run past the end
    [InlineData(new byte[] { 0, 7, (2 << 5) | 0, 5 })]    // reference before the start
    [InlineData(new byte[] { 0, 7, (7 << 5) | 0 })]       // length byte missing
    [InlineData(new byte[] { 0, 7, (2 << 5) | 0 })]       // distance byte missing
    public void DamagedStreams_AreRefused(byte[] stream) =>
        Assert.Throws<InvalidDataException>(() => LzfDecompressor.Decompress(stream, new byte[64]));

    [Fact]
    public void OutputOverflow_IsRefused() =>
        Assert.Throws<InvalidDataException>(() => LzfDecompressor.Decompress([0, 7, (7 << 5) | 0, 200, 0], new byte[16]));
}
