using System.Text;
using SpatialSim.TorchCore.IO;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

/// <summary>The slabs a table's rows were read into serve the next table (process-wide: run alone, with the pool's tests).</summary>
[Collection(nameof(LargeBufferPoolCollection))]
public class RowSlabPoolTests
{
    private static string WriteTable(int seed, int rows)
    {
        var random = new Random(seed);
        var text = new StringBuilder("geneID\tx\ty\tMIDCount\n");
        for (int r = 0; r < rows; r++)
            text.Append("g").Append(random.Next(40)).Append('\t').Append(random.Next(300)).Append('\t').Append(random.Next(200)).Append('\t').Append(1 + random.Next(5)).Append('\n');
        string path = Path.Combine(Path.GetTempPath(), $"spatialsim-slabs-{Guid.NewGuid():N}.gem");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static Dictionary<string, (int[] Index, float[] Values)> Contents(CountTable table) =>
        table.Genes.ToDictionary(g => g, g => { var s = table.ToSparse(g); return (s.Index.ToArray(), s.Values.ToArray()); });

    [Fact]
    public void ATableReadOnKeptSlabsEqualsOneReadOnNewOnes_AndTrimDropsThem()
    {
        string first = WriteTable(1, 50_000), second = WriteTable(2, 80_000);
        try
        {
            LargeBufferPool.Trim();
            Assert.Equal(0, RowSlabPool.KeptBytes);
            var fresh = Contents(CountTableReader.Read(second, new TableReadOptions()));   // on new slabs
            Assert.True(RowSlabPool.KeptBytes >= 12L * RowArena.SlabRows, "the slabs are kept once the table is built");

            CountTableReader.Read(first, new TableReadOptions());
            long kept = RowSlabPool.KeptBytes;
            var reused = Contents(CountTableReader.Read(second, new TableReadOptions()));   // on the first table's slabs
            Assert.Equal(kept, RowSlabPool.KeptBytes);   // taken and given back: no new slab
            Assert.Equal(fresh.Keys.Order(), reused.Keys.Order());
            foreach (var (gene, (index, values)) in fresh)
            {
                Assert.Equal(index, reused[gene].Index);
                Assert.Equal(values, reused[gene].Values);
            }

            LargeBufferPool.Trim();
            Assert.Equal(0, RowSlabPool.KeptBytes);
        }
        finally
        {
            File.Delete(first);
            File.Delete(second);
        }
    }

    [Fact]
    public void AnArenaTakesNoRowsAfterItsSlabsAreHandedOn()
    {
        var arena = new RowArena(hasCounts: true);
        arena.Take(16);
        arena.Recycle();
        Assert.Throws<InvalidOperationException>(() => arena.Take(16));
        LargeBufferPool.Trim();
    }
}
