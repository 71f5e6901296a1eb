using PureHDF;

namespace SpatialSim.Bench;

/// <summary>
/// A spatial AnnData file (.h5ad, anndata's on-disk format 0.8) written with PureHDF: X as csr_matrix (float32 data, int32
/// indices, int64 indptr, uncompressed, anndata's default), obs with array_row/array_col on a square lattice <c>size</c>
/// spots wide (in a shuffled order, as barcodes sort), var with gene names. Each spot has about <c>density</c> of the genes
/// non-zero (geometric gaps between them), counts 1–4. Deterministic for a seed.
/// </summary>
internal static class SyntheticAnnData
{
    public static long Write(string path, int spots, int genes, double density, int size, ulong seed)
    {
        var random = new SyntheticData.SplitMix64(SyntheticData.Mix(seed, 0, 0, 7));
        // Spot order: a random permutation of the lattice sites.
        var site = Enumerable.Range(0, spots).ToArray();
        for (int i = spots - 1; i > 0; i--)
        {
            int j = (int)(random.Next() % (ulong)(i + 1));
            (site[i], site[j]) = (site[j], site[i]);
        }
        var indptr = new long[spots + 1];
        var indices = new List<int>((int)(spots * (double)genes * density * 1.05));
        var data = new List<float>(indices.Capacity);
        double logKeep = Math.Log(1 - density);
        for (int s = 0; s < spots; s++)
        {
            int g = -1;
            while (true)
            {
                g += 1 + (int)(Math.Log(1 - random.NextDouble()) / logKeep);
                if (g >= genes) break;
                indices.Add(g);
                double u = random.NextDouble();
                data.Add(u < 0.6 ? 1 : u < 0.85 ? 2 : u < 0.95 ? 3 : 4);
            }
            indptr[s + 1] = indices.Count;
        }
        var file = new H5File
        {
            Attributes = new() { ["encoding-type"] = "anndata", ["encoding-version"] = "0.1.0" },
            ["X"] = new H5Group
            {
                Attributes = new() { ["encoding-type"] = "csr_matrix", ["encoding-version"] = "0.1.0", ["shape"] = new long[] { spots, genes } },
                ["data"] = data.ToArray(),
                ["indices"] = indices.ToArray(),
                ["indptr"] = indptr,
            },
            ["obs"] = new H5Group
            {
                Attributes = new() { ["encoding-type"] = "dataframe", ["encoding-version"] = "0.2.0", ["_index"] = "_index" },
                ["_index"] = site.Select(i => $"s_{i / size:D5}_{i % size:D5}-1").ToArray(),
                ["array_row"] = site.Select(i => (long)(i / size)).ToArray(),
                ["array_col"] = site.Select(i => (long)(i % size)).ToArray(),
            },
            ["var"] = new H5Group
            {
                Attributes = new() { ["encoding-type"] = "dataframe", ["encoding-version"] = "0.2.0", ["_index"] = "_index" },
                ["_index"] = Enumerable.Range(0, genes).Select(g => $"Gene{g:D5}").ToArray(),
            },
        };
        file.Write(path);
        return new FileInfo(path).Length;
    }
}
