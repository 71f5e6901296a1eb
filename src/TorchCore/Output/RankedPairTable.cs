using ParquetSharp;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.TorchCore.Output;

/// <summary>
/// Ranked pairs gathered column by column (about 40 bytes a pair instead of a <see cref="RankedPair"/> object each) and
/// written as an Apache Parquet edge list that pandas (<c>read_parquet</c>), polars, R's arrow and DuckDB read without help.
/// </summary>
/// <remarks>
/// Columns, in order: <c>Rank</c> int32; <c>GeneA</c>, <c>GeneB</c> UTF-8 strings (dictionary-encoded); <c>Score</c>
/// float64 (NaN where undefined); <c>PValue</c>, <c>QValue</c> float64, null where not computed (Get-RankedPairs without
/// -Permutations); with a consensus (-Method A,B) one float64 column per measure, <c>Score_A</c>, <c>Score_B</c>, …;
/// <c>Method</c> and <c>Parameters</c> strings. The key-value metadata repeats the measure and parameters
/// (<c>spatialsim.method</c>, <c>spatialsim.parameters</c>). Snappy-compressed row groups of 1M pairs; written with
/// ParquetSharp through a temporary file renamed into place.
/// </remarks>
public sealed class RankedPairTable
{
    private const int RowGroupRows = 1 << 20;
    private readonly Dictionary<string, int> _geneIndex = new(StringComparer.Ordinal);
    private readonly List<string> _genes = [];
    private readonly List<int> _rank = [], _a = [], _b = [];
    private readonly List<double> _score = [], _p = [], _q = [];
    private readonly List<double[]> _methodScores = [];
    private string[]? _methods;
    private RankedPair? _first;

    /// <summary>Pairs added.</summary>
    public int Count => _rank.Count;

    /// <summary>The measure of the pairs (null before the first).</summary>
    public string? Method => _first?.Method;

    /// <summary>Adds a pair. Pairs of another measure or parameters than the first are refused: one file holds one ranking.</summary>
    public void Add(RankedPair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        if (_first is null)
        {
            _first = pair;
            _methods = pair.Scores?.Keys.ToArray();
        }
        else if (!string.Equals(pair.Method, _first.Method, StringComparison.Ordinal) || !string.Equals(pair.Parameters, _first.Parameters, StringComparison.Ordinal))
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"The pairs come from different rankings: {_first.Method} ({_first.Parameters}) and {pair.Method} ({pair.Parameters}) (pair {pair.GeneA}–{pair.GeneB}). " +
                "One edge list holds one ranking; export each separately.") { Gene = pair.GeneA };
        if (Count == int.MaxValue) throw new SpatialSimException(ErrorKind.LimitExceeded, $"More than {int.MaxValue:N0} pairs; export them in shards.");
        _rank.Add(pair.Rank);
        _a.Add(Gene(pair.GeneA));
        _b.Add(Gene(pair.GeneB));
        _score.Add(pair.Score);
        _p.Add(pair.PValue ?? double.NaN);
        _q.Add(pair.QValue ?? double.NaN);
        if (_methods is { Length: > 0 } methods)
        {
            var s = new double[methods.Length];
            for (int m = 0; m < methods.Length; m++)
                s[m] = pair.Scores is { } d && d.TryGetValue(methods[m], out double v) ? v : double.NaN;
            _methodScores.Add(s);
        }
    }

    private int Gene(string name)
    {
        if (!_geneIndex.TryGetValue(name, out int i))
        {
            i = _genes.Count;
            _geneIndex[name] = i;
            _genes.Add(name);
        }
        return i;
    }

    /// <summary>Writes the pairs to <paramref name="path"/> (never over an existing file unless <paramref name="overwrite"/>).</summary>
    public void WriteParquet(string path, bool overwrite, CancellationToken cancellationToken = default)
    {
        if (_first is null) throw new SpatialSimException(ErrorKind.InvalidArgument, "No ranked pairs were given. Pipe the output of Get-RankedPairs.") { FilePath = path };
        var methods = _methods ?? [];
        var columns = new List<Column>
        {
            new Column<int>("Rank"), new Column<string>("GeneA"), new Column<string>("GeneB"), new Column<double>("Score"),
            new Column<double?>("PValue"), new Column<double?>("QValue"),
        };
        columns.AddRange(methods.Select(m => new Column<double>("Score_" + m)));
        columns.Add(new Column<string>("Method"));
        columns.Add(new Column<string>("Parameters"));
        var metadata = new Dictionary<string, string>
        {
            ["spatialsim.method"] = _first.Method,
            ["spatialsim.parameters"] = _first.Parameters,
        };
        RasterFileIo.WriteAtomically(path, overwrite, fs =>
        {
            using var properties = new WriterPropertiesBuilder().Compression(Compression.Snappy).CreatedBy("SpatialSim").Build();
            using var writer = new ParquetFileWriter(fs, columns.ToArray(), LogicalTypeFactory.Default, properties, metadata, leaveOpen: true);
            for (int start = 0; start < Count; start += RowGroupRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = Math.Min(RowGroupRows, Count - start);
                using var group = writer.AppendRowGroup();
                Write(group, _rank.GetRange(start, n).ToArray());
                Write(group, Names(_a, start, n));
                Write(group, Names(_b, start, n));
                Write(group, _score.GetRange(start, n).ToArray());
                Write(group, _p.GetRange(start, n).Select(v => double.IsNaN(v) ? (double?)null : v).ToArray());
                Write(group, _q.GetRange(start, n).Select(v => double.IsNaN(v) ? (double?)null : v).ToArray());
                for (int m = 0; m < methods.Length; m++)
                    Write(group, _methodScores.GetRange(start, n).Select(s => s[m]).ToArray());
                Write(group, Enumerable.Repeat(_first.Method, n).ToArray());
                Write(group, Enumerable.Repeat(_first.Parameters, n).ToArray());
            }
            writer.Close();
        }, cancellationToken);
    }

    private string[] Names(List<int> index, int start, int n)
    {
        var names = new string[n];
        for (int i = 0; i < n; i++) names[i] = _genes[index[start + i]];
        return names;
    }

    private static void Write<T>(RowGroupWriter group, T[] values)
    {
        using var column = group.NextColumn().LogicalWriter<T>();
        column.WriteBatch(values);
    }
}
