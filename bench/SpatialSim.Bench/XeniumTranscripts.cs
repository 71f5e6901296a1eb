using ParquetSharp;

namespace SpatialSim.Bench;

/// <summary>
/// A synthetic Xenium <c>transcripts.parquet</c>: Xenium's columns (transcript_id uint64, cell_id, overlaps_nucleus,
/// feature_name, x_location, y_location, z_location in µm as float32, qv float32), Snappy-compressed row groups of 1M
/// rows, molecules in file order of a scan (not grouped by gene). Gene i is drawn with a probability falling with i;
/// 70% of its molecules lie near one of its three centres; 4% of molecules are control codewords (NegControlProbe_*,
/// BLANK_*, UnassignedCodeword_*); 10% have qv below 20. Deterministic for a seed (SplitMix64).
/// </summary>
internal static class XeniumTranscripts
{
    private const int RowGroupRows = 1 << 20;

    public static long Write(string path, long rows, int genes, int size, ulong seed)
    {
        var random = new SyntheticData.SplitMix64(SyntheticData.Mix(seed, 0, 0, 6));
        var names = Enumerable.Range(0, genes).Select(g => $"Gene{g:D4}")
            .Concat(Enumerable.Range(0, 20).Select(i => $"NegControlProbe_{i:D5}"))
            .Concat(Enumerable.Range(0, 20).Select(i => $"BLANK_{i:D4}"))
            .Concat(Enumerable.Range(0, 10).Select(i => $"UnassignedCodeword_{i:D4}")).ToArray();
        var centres = new (double X, double Y)[genes * 3];
        for (int i = 0; i < centres.Length; i++) centres[i] = (random.NextDouble() * size, random.NextDouble() * size);
        var cells = Enumerable.Range(0, 1 << 16).Select(c => $"cell{c:x5}-1").ToArray();
        double spread = size * 0.05;

        var columns = new Column[]
        {
            new Column<ulong>("transcript_id"), new Column<string>("cell_id"), new Column<byte>("overlaps_nucleus"),
            new Column<string>("feature_name"), new Column<float>("x_location"), new Column<float>("y_location"),
            new Column<float>("z_location"), new Column<float>("qv"),
        };
        using var properties = new WriterPropertiesBuilder().Compression(Compression.Snappy).Build();
        using (var writer = new ParquetFileWriter(path, columns, properties))
        {
            var id = new ulong[RowGroupRows];
            var cell = new string[RowGroupRows];
            var nucleus = new byte[RowGroupRows];
            var feature = new string[RowGroupRows];
            float[] x = new float[RowGroupRows], y = new float[RowGroupRows], z = new float[RowGroupRows], qv = new float[RowGroupRows];
            for (long done = 0; done < rows;)
            {
                int n = (int)Math.Min(RowGroupRows, rows - done);
                for (int i = 0; i < n; i++)
                {
                    id[i] = 281474976710656UL + (ulong)(done + i);
                    double u = random.NextDouble();
                    string name;
                    double px, py;
                    if (u < 0.04)
                    {
                        name = names[genes + (int)(random.NextDouble() * (names.Length - genes))];
                        px = random.NextDouble() * size;
                        py = random.NextDouble() * size;
                    }
                    else
                    {
                        double g = random.NextDouble();
                        int gene = (int)(g * g * genes);
                        name = names[gene];
                        if (random.NextDouble() < 0.7)
                        {
                            var c = centres[gene * 3 + (int)(random.NextDouble() * 3)];
                            px = c.X + spread * (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5);
                            py = c.Y + spread * (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5);
                        }
                        else
                        {
                            px = random.NextDouble() * size;
                            py = random.NextDouble() * size;
                        }
                    }
                    feature[i] = name;
                    x[i] = (float)Math.Clamp(px, 0, size - 0.01);
                    y[i] = (float)Math.Clamp(py, 0, size - 0.01);
                    z[i] = (float)(random.NextDouble() * 20);
                    qv[i] = random.NextDouble() < 0.1 ? (float)(random.NextDouble() * 20) : (float)(20 + random.NextDouble() * 20);
                    bool inCell = random.NextDouble() < 0.8;
                    cell[i] = inCell ? cells[(int)(random.NextDouble() * cells.Length)] : "UNASSIGNED";
                    nucleus[i] = (byte)(inCell && random.NextDouble() < 0.4 ? 1 : 0);
                }
                using var group = writer.AppendRowGroup();
                Write(group, id, n);
                Write(group, cell, n);
                Write(group, nucleus, n);
                Write(group, feature, n);
                Write(group, x, n);
                Write(group, y, n);
                Write(group, z, n);
                Write(group, qv, n);
                done += n;
            }
            writer.Close();
        }
        return new FileInfo(path).Length;
    }

    private static void Write<T>(RowGroupWriter group, T[] values, int n)
    {
        using var column = group.NextColumn().LogicalWriter<T>();
        column.WriteBatch(values, 0, n);
    }
}
