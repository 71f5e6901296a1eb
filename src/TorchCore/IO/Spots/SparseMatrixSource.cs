using PureHDF;
using SpatialSim.TorchCore.IO.Formats;
using SpatialSim.TorchCore.IO.Hdf5;

namespace SpatialSim.TorchCore.IO.Spots;

/// <summary>
/// Reads a spot × gene count matrix stored in HDF5 — dense, or compressed sparse by spot (CSR: AnnData X of spots × genes;
/// 10x's matrix, whose "columns" are barcodes) or by gene (CSC) — into <see cref="SpotCounts"/>, streaming: the sparse
/// arrays are read in blocks of <see cref="BlockEntries"/> entries, never whole; spot-major data is first counted per gene
/// (one pass over the indices) so that every gene's column is allocated once at its exact size.
/// </summary>
internal static class SparseMatrixSource
{
    /// <summary>Entries (or dense values) read per block: 4 Mi, 16–32 MB of indices and values.</summary>
    private const long BlockEntries = 4L << 20;

    /// <summary>Where the sparse arrays are and how they are laid out.</summary>
    /// <param name="Group">Path of the group holding data, indices, indptr (e.g. "X", "matrix").</param>
    /// <param name="BySpot">True when indptr runs over spots (CSR of spots × genes; 10x), false when over genes (CSC).</param>
    public sealed record Sparse(string Group, bool BySpot);

    public static void ReadSparse(Hdf5Reader h5, Sparse layout, SpotCounts counts, string[] genes, bool[] keep, ImportContext context, string role,
        bool[]? inTotals = null)
    {
        string g = layout.Group;
        var data = h5.Dataset($"{g}/data", $"{role} values");
        var indices = h5.Dataset($"{g}/indices", $"{role} indices");
        var indptrSet = h5.Dataset($"{g}/indptr", $"{role} index pointers");
        long nnz = h5.Length(data, $"{g}/data");
        long nIndices = h5.Length(indices, $"{g}/indices");
        int spots = counts.SpotIds.Count;
        int majors = layout.BySpot ? spots : genes.Length, minors = layout.BySpot ? genes.Length : spots;
        var indptr = h5.Numbers<long>(indptrSet, $"{g}/indptr");
        if (nIndices != nnz)
            throw Bad(h5, $"'{g}/indices' has {nIndices:N0} entries but '{g}/data' {nnz:N0}; they must match (a damaged or cut file?).");
        if (indptr.Length != majors + 1)
            throw Bad(h5, $"'{g}/indptr' has {indptr.Length:N0} entries; {majors + 1:N0} were expected ({majors:N0} {(layout.BySpot ? "spots" : "genes")} + 1).");
        if (indptr[0] != 0 || indptr[^1] != nnz)
            throw Bad(h5, $"'{g}/indptr' runs from {indptr[0]:N0} to {indptr[^1]:N0}; it must run from 0 to the {nnz:N0} entries of '{g}/data'.");
        for (int i = 0; i < majors; i++)
            if (indptr[i + 1] < indptr[i])
                throw Bad(h5, $"'{g}/indptr' decreases at position {i + 1:N0} ({indptr[i]:N0} → {indptr[i + 1]:N0}); it must not.");
        var (kind, _) = h5.TypeOf(data, $"{g}/data");
        if (kind == '?') throw Bad(h5, $"'{g}/data' holds {h5.Describe(data)}; counts must be numbers.");

        if (layout.BySpot) ReadBySpot(h5, g, data, indices, indptr, nnz, counts, genes, keep, inTotals, context, role);
        else ReadByGene(h5, g, data, indices, indptr, counts, genes, keep, inTotals, context, role);
    }

    /// <summary>Spot-major (CSR of spots, 10x): count entries per gene, allocate, then fill; spot totals on the way.</summary>
    private static void ReadBySpot(Hdf5Reader h5, string g, IH5Dataset data, IH5Dataset indices, long[] indptr, long nnz,
        SpotCounts counts, string[] genes, bool[] keep, bool[]? inTotals, ImportContext context, string role)
    {
        int nGenes = genes.Length;
        var perGene = new int[nGenes];
        // One pair of block buffers for both passes (see Hdf5Reader.NumbersInto).
        int blockLength = (int)Math.Min(BlockEntries, Math.Max(1, nnz));
        var idx = new int[blockLength];
        var val = new float[blockLength];
        for (long start = 0; start < nnz; start += BlockEntries)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            long count = Math.Min(BlockEntries, nnz - start);
            h5.NumbersInto(indices, $"{g}/indices", start, count, idx);
            for (int k = 0; k < count; k++)
            {
                int gene = idx[k];
                if ((uint)gene >= (uint)nGenes)
                    throw Bad(h5, $"'{g}/indices' holds gene index {gene:N0} at entry {start + k:N0}; there are {nGenes:N0} genes.");
                perGene[gene]++;
            }
            context.Progress(0.3 * (start + count) / Math.Max(1, nnz), $"counting {start + count:N0} of {nnz:N0} entries");
        }
        var columns = new int[nGenes][];
        var values = new float[nGenes][];
        for (int j = 0; j < nGenes; j++)
        {
            columns[j] = keep[j] ? SpotColumnBuilder.Column<int>(perGene[j]) : [];
            values[j] = keep[j] ? SpotColumnBuilder.Column<float>(perGene[j]) : [];
        }
        var fill = new int[nGenes];
        var totals = counts.SpotTotals;
        bool fractions = false;
        // The transpose (each entry written to its gene's column) is memory-bound: the genes are split between the cores,
        // each of which walks the whole block and writes its own genes' entries.
        int parts = Math.Clamp(Environment.ProcessorCount, 1, 8);
        var rowOf = new int[(int)Math.Min(BlockEntries, Math.Max(1, nnz))];
        int spot = 0;
        for (long start = 0; start < nnz; start += BlockEntries)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            int count = (int)Math.Min(BlockEntries, nnz - start);
            h5.NumbersInto(indices, $"{g}/indices", start, count, idx);
            h5.NumbersInto(data, $"{g}/data", start, count, val);
            // One sequential pass: the spot of every entry, the checks and the spot totals.
            for (int k = 0; k < count; k++)
            {
                long entry = start + k;
                while (indptr[spot + 1] <= entry) spot++;
                rowOf[k] = spot;
                float v = val[k];
                if (!(v >= 0) || !float.IsFinite(v)) SpotCounts.Check(v, counts.Source, $"'{g}/data' ({role}) entry {entry:N0}", counts.SpotIds[spot], genes[idx[k]]);
                if (!fractions && v != MathF.Floor(v)) fractions = true;
                if (inTotals is null || inTotals[idx[k]]) totals[spot] += v;
            }
            Parallel.For(0, parts, part =>
            {
                int lo = (int)((long)nGenes * part / parts), hi = (int)((long)nGenes * (part + 1) / parts);
                for (int k = 0; k < count; k++)
                {
                    int gene = idx[k];
                    float v = val[k];
                    if (gene < lo || gene >= hi || v == 0 || !keep[gene]) continue;
                    int at = fill[gene]++;
                    columns[gene][at] = rowOf[k];
                    values[gene][at] = v;
                }
            });
            context.Progress(0.3 + 0.7 * (start + count) / Math.Max(1, nnz), $"reading {start + count:N0} of {nnz:N0} entries");
        }
        WarnFractions(fractions, h5, role, context);
        for (int j = 0; j < nGenes; j++)
        {
            if (!keep[j]) continue;
            var col = columns[j];
            var vals = values[j];
            if (fill[j] != col.Length)
            {
                Array.Resize(ref col, fill[j]);
                Array.Resize(ref vals, fill[j]);
            }
            counts.Add(genes[j], col, vals);
        }
    }

    /// <summary>Gene-major (CSC of spots × genes): each gene's entries are contiguous; read in blocks of whole genes.</summary>
    private static void ReadByGene(Hdf5Reader h5, string g, IH5Dataset data, IH5Dataset indices, long[] indptr,
        SpotCounts counts, string[] genes, bool[] keep, bool[]? inTotals, ImportContext context, string role)
    {
        int nGenes = genes.Length, nSpots = counts.SpotIds.Count;
        var totals = counts.SpotTotals;
        long nnz = indptr[^1];
        bool fractions = false;
        int gene = 0;
        // Block buffers reused from block to block (see Hdf5Reader.NumbersInto); grown only for a gene longer than a block.
        var idx = new int[(int)Math.Min(BlockEntries, Math.Max(1, nnz))];
        var val = new float[idx.Length];
        while (gene < nGenes)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            int last = gene;
            while (last + 1 < nGenes && indptr[last + 2] - indptr[gene] <= BlockEntries) last++;
            long start = indptr[gene], count = indptr[last + 1] - start;
            if (count > idx.Length)
            {
                idx = new int[checked((int)count)];
                val = new float[idx.Length];
            }
            h5.NumbersInto(indices, $"{g}/indices", start, count, idx);
            h5.NumbersInto(data, $"{g}/data", start, count, val);
            for (int j = gene; j <= last; j++)
            {
                int from = (int)(indptr[j] - start), to = (int)(indptr[j + 1] - start);
                var col = keep[j] ? SpotColumnBuilder.Column<int>(to - from) : null;
                var vals = keep[j] ? SpotColumnBuilder.Column<float>(to - from) : null;
                int m = 0;
                for (int k = from; k < to; k++)
                {
                    int spot = idx[k];
                    if ((uint)spot >= (uint)nSpots)
                        throw Bad(h5, $"'{g}/indices' holds spot index {spot:N0} at entry {start + k:N0}; there are {nSpots:N0} spots.");
                    float v = val[k];
                    if (!(v >= 0) || !float.IsFinite(v)) SpotCounts.Check(v, counts.Source, $"'{g}/data' ({role}) entry {start + k:N0}", counts.SpotIds[spot], genes[j]);
                    if (v == 0) continue;
                    if (!fractions && v != MathF.Floor(v)) fractions = true;
                    if (inTotals is null || inTotals[j]) totals[spot] += v;
                    if (col is null) continue;
                    col[m] = spot;
                    vals![m] = v;
                    m++;
                }
                if (col is null) continue;
                if (m != col.Length)
                {
                    Array.Resize(ref col, m);
                    Array.Resize(ref vals, m);
                }
                counts.Add(genes[j], col, vals!);
            }
            context.Progress((double)indptr[last + 1] / Math.Max(1, nnz), $"{last + 1:N0} of {nGenes:N0} genes");
            gene = last + 1;
        }
        WarnFractions(fractions, h5, role, context);
    }

    /// <summary>A dense spots × genes matrix, read in blocks of whole rows.</summary>
    public static void ReadDense(Hdf5Reader h5, string path, SpotCounts counts, string[] genes, bool[] keep, ImportContext context, string role)
    {
        var set = h5.Dataset(path, $"{role} matrix");
        var dims = h5.Dimensions(set, path);
        int nSpots = counts.SpotIds.Count, nGenes = genes.Length;
        if (dims.Length != 2 || (long)dims[0] != nSpots || (long)dims[1] != nGenes)
            throw Bad(h5, $"'{path}' is {string.Join(" × ", dims)}; {nSpots:N0} spots × {nGenes:N0} genes were expected (obs × var).");
        if (h5.TypeOf(set, path).Kind == '?') throw Bad(h5, $"'{path}' holds {h5.Describe(set)}; counts must be numbers.");
        var builder = new SpotColumnBuilder(keep);
        var totals = counts.SpotTotals;
        long rowsPerBlock = Math.Max(1, BlockEntries / Math.Max(1, nGenes));
        bool fractions = false;
        for (long row = 0; row < nSpots; row += rowsPerBlock)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            long rows = Math.Min(rowsPerBlock, nSpots - row);
            var block = h5.Rows(set, path, row, rows);
            for (int r = 0; r < rows; r++)
            {
                int spot = (int)(row + r);
                var line = block.AsSpan(r * nGenes, nGenes);
                for (int j = 0; j < nGenes; j++)
                {
                    float v = line[j];
                    if (v == 0) continue;
                    if (!(v >= 0) || !float.IsFinite(v)) SpotCounts.Check(v, counts.Source, $"'{path}' ({role}) row {spot:N0}", counts.SpotIds[spot], genes[j]);
                    if (!fractions && v != MathF.Floor(v)) fractions = true;
                    totals[spot] += v;
                    builder.Add(j, spot, v);
                }
            }
            context.Progress((double)(row + rows) / nSpots, $"{row + rows:N0} of {nSpots:N0} spots");
        }
        WarnFractions(fractions, h5, role, context);
        builder.MoveTo(counts, genes);
    }

    private static void WarnFractions(bool fractions, Hdf5Reader h5, string role, ImportContext context)
    {
        if (fractions)
            context.Warning($"The {role} of '{h5.FileName}' holds fractional values, not raw counts (already normalised?). " +
                            "Read the raw counts if the file has them (AnnData: -Layer counts); -Normalize None keeps the values as they are.");
    }

    internal static SpatialSimException Bad(Hdf5Reader h5, string message) =>
        new(ErrorKind.InvalidData, $"{message} In '{h5.FileName}'.") { FilePath = h5.Path };
}
