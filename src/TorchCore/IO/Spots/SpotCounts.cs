namespace SpatialSim.TorchCore.IO.Spots;

/// <summary>
/// Spot × gene counts as the spot readers deliver them: the spots (ids, raw totals over every gene of the file) and,
/// for each gene kept by the gene filter, its non-zero spots and counts (a sparse column). 8 bytes per stored count;
/// the rasterizer turns the columns into raster pixels in place, gene by gene.
/// </summary>
internal sealed class SpotCounts
{
    private readonly List<string> _genes = [];
    private readonly List<int[]> _spots = [];
    private readonly List<float[]> _values = [];

    public SpotCounts(string source, string[] spotIds) : this(source, spotIds.Length, () => spotIds) { }

    /// <summary>Counts of <paramref name="spots"/> spots whose ids are read by <paramref name="ids"/> only if a message needs them.</summary>
    public SpotCounts(string source, int spots, Func<string[]> ids)
    {
        Source = source;
        SpotIds = new LazySpotIds(spots, ids);
        SpotTotals = new double[spots];
    }

    /// <summary>The file the counts came from.</summary>
    public string Source { get; }
    /// <summary>Spot ids (barcodes), in file order; read on first use where the reader made them lazy.</summary>
    public IReadOnlyList<string> SpotIds { get; }
    /// <summary>Each spot's raw total over every gene of the file, also the genes the filter left out.</summary>
    public double[] SpotTotals { get; }
    /// <summary>Genes of the file, including those the filter left out.</summary>
    public int GenesSeen { get; set; }

    public int Count => _genes.Count;
    public string Gene(int i) => _genes[i];
    public IReadOnlyList<string> Genes => _genes;

    /// <summary>Adds a gene's column: spot indices (any order, unique) and their counts. The arrays are taken, not copied.</summary>
    public void Add(string gene, int[] spots, float[] values)
    {
        _genes.Add(gene);
        _spots.Add(spots);
        _values.Add(values);
    }

    /// <summary>Gives gene <paramref name="i"/>'s column to the caller and forgets it (so its memory goes with the raster made from it).</summary>
    public (int[] Spots, float[] Values) Take(int i)
    {
        var column = (_spots[i], _values[i]);
        _spots[i] = [];
        _values[i] = [];
        return column;
    }

    /// <summary>Checks a count read from the file: finite and not negative; the message names the file, the part and the spot and gene.</summary>
    public static void Check(float value, string source, string part, string spot, string gene)
    {
        if (float.IsFinite(value) && value >= 0) return;
        string what = float.IsNaN(value) ? "NaN" : float.IsFinite(value) ? $"negative ({value})" : "infinite";
        throw new SpatialSimException(ErrorKind.InvalidData,
            $"{part} of '{source}' has a {what} count for spot '{spot}', gene '{gene}'; counts must be finite and not negative " +
            "(scaled or log data? read the raw counts).") { FilePath = source, Gene = gene };
    }
}

/// <summary>Spot ids read on first use (AnnData's obs index of 100,000 strings takes seconds, and is only needed for messages).</summary>
internal sealed class LazySpotIds(int count, Func<string[]> load) : IReadOnlyList<string>
{
    private readonly Lazy<string[]> _ids = new(() =>
    {
        var ids = load();
        if (ids.Length != count) throw new InvalidOperationException($"{ids.Length} spot ids for {count} spots.");
        return ids;
    });

    public int Count => count;
    public string this[int index] => _ids.Value[index];
    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)_ids.Value).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// Collects a spot × gene matrix that arrives spot by spot (a wide CSV row, a dense or CSR block) into per-gene columns:
/// growable arrays per gene, trimmed at the end.
/// </summary>
internal sealed class SpotColumnBuilder
{
    private readonly int[][] _spots;
    private readonly float[][] _values;
    private readonly int[] _lengths;
    private readonly bool[] _keep;

    public SpotColumnBuilder(bool[] keep)
    {
        _keep = keep;
        _spots = new int[keep.Length][];
        _values = new float[keep.Length][];
        _lengths = new int[keep.Length];
        for (int g = 0; g < keep.Length; g++) { _spots[g] = []; _values[g] = []; }
    }

    /// <summary>Adds count <paramref name="value"/> (non-zero) of gene <paramref name="gene"/> at spot <paramref name="spot"/>, if the gene is kept.</summary>
    public void Add(int gene, int spot, float value)
    {
        if (!_keep[gene]) return;
        int n = _lengths[gene];
        if (n == _spots[gene].Length)
        {
            int size = Math.Max(16, n * 2);
            _spots[gene] = Grow(_spots[gene], size, n);
            _values[gene] = Grow(_values[gene], size, n);
        }
        _spots[gene][n] = spot;
        _values[gene][n] = value;
        _lengths[gene] = n + 1;
    }

    private static T[] Grow<T>(T[] array, int size, int used) where T : unmanaged
    {
        var grown = Column<T>(size);
        array.AsSpan(0, used).CopyTo(grown);
        return grown;
    }

    /// <summary>
    /// A gene's column, on the pinned-object heap: columns live as long as their rasters (they become the sparse pixels), and
    /// the garbage collector would otherwise copy hundreds of MB of them from generation to generation.
    /// </summary>
    public static T[] Column<T>(int length) where T : unmanaged =>
        length == 0 ? [] : GC.AllocateUninitializedArray<T>(length, pinned: true);

    /// <summary>Moves the kept genes' columns, trimmed, into <paramref name="counts"/> under <paramref name="names"/>.</summary>
    public void MoveTo(SpotCounts counts, IReadOnlyList<string> names)
    {
        for (int g = 0; g < _keep.Length; g++)
        {
            if (!_keep[g]) continue;
            int n = _lengths[g];
            var spots = _spots[g];
            var values = _values[g];
            if (spots.Length != n)
            {
                spots = Grow(spots, n, n);
                values = Grow(values, n, n);
            }
            _spots[g] = [];
            _values[g] = [];
            counts.Add(names[g], spots, values);
        }
    }
}
