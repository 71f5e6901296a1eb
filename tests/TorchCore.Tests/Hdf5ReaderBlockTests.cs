using SpatialSim.TorchCore.IO.Hdf5;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>Hdf5Reader.NumbersInto (block reads into a reused buffer) against Numbers, on anndata-written files.</summary>
public class Hdf5ReaderBlockTests
{
    [Theory]
    [InlineData("visium_csr_gzip.h5ad")]
    [InlineData("visium_csc_lzf.h5ad")]
    public void BlocksReadIntoOneReusedBufferEqualFreshReads(string file)
    {
        using var h5 = Hdf5Reader.Open(Fixtures.PathOf("spots", file));
        foreach (var name in new[] { "X/indices", "X/data" })
        {
            var set = h5.Dataset(name, name);
            long n = h5.Length(set, name);
            Assert.True(n > 10);
            var whole = h5.Numbers<double>(set, name);
            // The stored type (int32 indices, float32 data) is read in place; double goes through the conversion path.
            var asInt = new int[7];
            var asFloat = new float[7];
            var asDouble = new double[7];
            for (long start = 0; start < n; start += 5)
            {
                int count = (int)Math.Min(5, n - start);
                h5.NumbersInto(set, name, start, count, asDouble);
                for (int k = 0; k < count; k++) Assert.Equal(whole[start + k], asDouble[k]);
                if (name == "X/indices")
                {
                    h5.NumbersInto(set, name, start, count, asInt);
                    for (int k = 0; k < count; k++) Assert.Equal(whole[start + k], asInt[k]);
                }
                else
                {
                    h5.NumbersInto(set, name, start, count, asFloat);
                    for (int k = 0; k < count; k++) Assert.Equal((float)whole[start + k], asFloat[k]);
                }
            }
            var error = Assert.Throws<SpatialSimException>(() => h5.NumbersInto(set, name, n - 2, 5, asDouble));
            Assert.Contains(name, error.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => h5.NumbersInto(set, name, 0, 8, asDouble));
        }
    }
}
