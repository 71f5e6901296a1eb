using System.Collections;
using System.Globalization;
using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>
/// Puts the outputs of Get-RankedPairs -Shard i/n back together into the ranking one run gives: checks that every pair
/// is there once, re-ranks (a consensus over all pairs), and applies -Gene, -MinScore and -Top.
/// </summary>
[Cmdlet(VerbsData.Merge, "RankedPairs", DefaultParameterSetName = PipelineSet)]
[OutputType(typeof(RankedPair))]
public sealed class MergeRankedPairsCommand : SpatialSimCmdlet
{
    private const string PipelineSet = "Pipeline", PathSet = "Path", LiteralPathSet = "LiteralPath";
    private readonly List<ShardPair> _rows = new();
    private long _item;

    /// <summary>RankedPair objects of the shards, live or read back by Import-Clixml / Import-Csv.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0, ParameterSetName = PipelineSet)]
    public PSObject[] InputObject { get; set; } = Array.Empty<PSObject>();

    /// <summary>Files written by Export-Clixml or Export-Csv from shards; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [SupportsWildcards]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Files written by Export-Clixml or Export-Csv from shards, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Top { get; set; }

    [Parameter]
    public string? Gene { get; set; }

    /// <summary>Keep only the pairs among the k best partners of either gene (as Get-RankedPairs -TopPerGene), before -Gene, -MinScore and -Top.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int TopPerGene { get; set; }

    [Parameter]
    [ValidateNotNaN]
    public double? MinScore { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            if (ParameterSetName == LiteralPathSet)
            {
                foreach (var literal in LiteralPath)
                {
                    string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(literal, out var provider, out _);
                    if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase) || !File.Exists(file))
                        throw new SpatialSimException(ErrorKind.NotFound, $"File '{literal}' does not exist.") { FilePath = literal };
                    ReadFile(file);
                }
            }
            else if (ParameterSetName == PathSet)
            {
                foreach (var pattern in Path)
                {
                    var files = GetResolvedProviderPathFromPSPath(pattern, out _);
                    if (files.Count == 0)
                        throw new SpatialSimException(ErrorKind.NotFound, $"No file matches '{pattern}'.") { FilePath = pattern };
                    foreach (var file in files.OrderBy(f => f, StringComparer.Ordinal)) ReadFile(file);
                }
            }
            else
                foreach (var o in InputObject)
                    if (o is not null) _rows.Add(ToShardPair(o, $"pipeline item {++_item}"));
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e) { ThrowFailure(e, null, "MergeInputFailed"); }
    }

    protected override void EndProcessing()
    {
        try
        {
            var merged = ShardMerge.Merge(_rows);
            foreach (var w in merged.Warnings) WriteWarning(w);
            WriteVerbose($"Merged {merged.Pairs.Count} pairs of {merged.Genes.Count} genes ranked by {string.Join(", ", merged.Methods)}.");
            var request = new RankingRequest
            {
                Genes = merged.Genes, Methods = merged.Methods, Parameters = merged.Parameters,
                Top = Top > 0 ? Top : null, TopPerGene = TopPerGene > 0 ? TopPerGene : null, Gene = Gene, MinScore = MinScore,
            };
            foreach (var pair in PairListRanking.Rank(merged.Pairs, request)) WriteObject(pair);
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e) { ThrowFailure(e, Gene, "MergeFailed"); }
    }

    /// <summary>A Clixml file (from Export-Clixml) or a CSV file (from Export-Csv), told apart by content.</summary>
    private void ReadFile(string file)
    {
        string name = System.IO.Path.GetFileName(file);
        byte[] bytes = File.ReadAllBytes(file);
        if (LooksBinary(bytes))
            throw new SpatialSimException(ErrorKind.InvalidData,
                $"'{file}' is not a text file (it starts with the bytes {string.Join(' ', bytes.Take(8).Select(b => b.ToString("X2")))}): it has binary content. " +
                "Merge-RankedPairs reads the files that Export-Clixml or Export-Csv wrote from Get-RankedPairs -Shard.") { FilePath = file };
        string text;
        using (var reader = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
            text = reader.ReadToEnd();
        IEnumerable objects;
        if (text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n').StartsWith("<Objs", StringComparison.Ordinal))
        {
            try { objects = PSSerializer.DeserializeAsList(text); }
            catch (Exception e)
            {
                throw new SpatialSimException(ErrorKind.InvalidData, $"'{file}' looks like an Export-Clixml file but cannot be read: {e.Message}", e) { FilePath = file };
            }
        }
        else
            objects = InvokeCommand.InvokeScript("Import-Csv -LiteralPath $args[0]", file);
        long row = 0;
        foreach (var o in objects)
        {
            StopToken.ThrowIfCancellationRequested();
            row++;
            if (o is null) continue;
            _rows.Add(ToShardPair(PSObject.AsPSObject(o), $"{name} item {row}", file));
        }
    }

    /// <summary>
    /// Whether <paramref name="bytes"/> cannot be the text of Export-Clixml or Export-Csv: without a UTF-16 byte-order mark,
    /// a NUL byte or a sequence that is not UTF-8 among the first 64 KB.
    /// </summary>
    private static bool LooksBinary(byte[] bytes)
    {
        if (bytes.Length >= 2 && (bytes[0] == 0xFF && bytes[1] == 0xFE || bytes[0] == 0xFE && bytes[1] == 0xFF)) return false;
        var head = bytes.AsSpan(0, Math.Min(bytes.Length, 1 << 16));
        if (head.IndexOf((byte)0) >= 0) return true;
        // A character cut at the 64 KB boundary is not an error: decode without flushing then.
        var decoder = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        try { _ = decoder.GetCharCount(head, flush: head.Length == bytes.Length); return false; }
        catch (System.Text.DecoderFallbackException) { return true; }
    }

    /// <summary>Text from a file, fit for a message: control characters as '?', at most <paramref name="max"/> characters.</summary>
    private static string Printable(string text, int max = 40)
    {
        var chars = text.Select(c => char.IsControl(c) || c == '\uFFFD' ? '?' : c).Take(max + 1).ToArray();
        return chars.Length > max ? new string(chars, 0, max) + "…" : new string(chars);
    }

    /// <summary>A RankedPair, or an object with its properties (deserialized, or CSV text), as a ShardPair.</summary>
    private static ShardPair ToShardPair(PSObject o, string source, string? file = null)
    {
        if (o.BaseObject is RankedPair p)
            return new ShardPair
            {
                GeneA = p.GeneA, GeneB = p.GeneB, IndexA = p.IndexA, IndexB = p.IndexB, GeneCount = p.GeneCount, Method = p.Method,
                Parameters = p.Parameters, Score = p.Score, Scores = p.Scores, Shard = p.Shard, Filter = p.Filter, Source = source,
            };
        T Get<T>(string property, bool required = true)
        {
            var value = o.Properties[property]?.Value;
            if (value is PSObject pso) value = pso.BaseObject;
            if (value is null || (value is string s && s.Length == 0 && typeof(T) != typeof(string)))
            {
                if (!required) return default!;
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"{source} has no {property}: it is not a ranked pair of Get-RankedPairs -Shard (properties: {string.Join(", ", o.Properties.Select(x => Printable(x.Name)).Take(12))}).") { FilePath = file };
            }
            try { return (T)LanguagePrimitives.ConvertTo(value, typeof(T), CultureInfo.InvariantCulture); }
            catch (PSInvalidCastException e)
            {
                throw new SpatialSimException(ErrorKind.InvalidData, $"{source}: {property} '{Printable(value.ToString() ?? "")}' is not a {typeof(T).Name}.", e) { FilePath = file };
            }
        }
        return new ShardPair
        {
            GeneA = Get<string>("GeneA"), GeneB = Get<string>("GeneB"), IndexA = Get<int>("IndexA"), IndexB = Get<int>("IndexB"),
            GeneCount = Get<int>("GeneCount"), Method = Get<string>("Method"), Parameters = Get<string>("Parameters", false) ?? "",
            Score = Get<double>("Score"), Scores = ScoresOf(o.Properties["Scores"]?.Value, source, file),
            Shard = NullIfEmpty(Get<string>("Shard", false)), Filter = NullIfEmpty(Get<string>("Filter", false)), Source = source,
        };
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>Scores as RankedPair has it, as a hashtable (Export-Clixml) or as text "A=0.9;B=0.8" (Export-Csv).</summary>
    private static IReadOnlyDictionary<string, double>? ScoresOf(object? value, string source, string? file)
    {
        if (value is PSObject pso) value = pso.BaseObject;
        switch (value)
        {
            case null: return null;
            case IReadOnlyDictionary<string, double> d: return d;
            case string s: return s.Length == 0 ? null : MethodScores.Parse(s);
            case IDictionary d:
                var scores = new MethodScores();
                foreach (DictionaryEntry e in d)
                    scores[e.Key.ToString()!] = (double)LanguagePrimitives.ConvertTo(e.Value, typeof(double), CultureInfo.InvariantCulture);
                return scores;
            default:
                throw new SpatialSimException(ErrorKind.InvalidData, $"{source}: Scores '{value}' is neither a dictionary nor text of the form Method=score;….") { FilePath = file };
        }
    }
}
