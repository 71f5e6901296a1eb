using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

// Get-RankedPairs: scoring (one method or a consensus of several) and the output filters, kept apart from the
// cmdlet's input handling.
public sealed partial class GetRankedPairsCommand
{
    /// <summary>Only the pairs whose Score is at least this value; NaN scores never pass.</summary>
    [Parameter]
    [ValidateNotNaN]
    public double? MinScore { get; set; }

    /// <summary>Compute only shard i of n ("i/n", 1-based) of the pair matrix (<see cref="PairShard"/>); Merge-RankedPairs puts shards together.</summary>
    [Parameter]
    [ValidateShard]
    public string? Shard { get; set; }

    /// <summary>Scores the pairs by every method and ranks them (by the consensus of the methods' ranks when there are several).</summary>
    /// <param name="genes">The genes' names in input order, as the output names them (made unique with -Force).</param>
    private IEnumerable<RankedPair> Rank(SimilarityOptions options, IReadOnlyList<string> genes)
    {
        var methods = Methods;
        CheckStreamingArguments(methods);
        if (Streams(methods, options)) return RankStreamed(options, genes);
        if (Significance == SignificanceTest.Analytic)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                "-Significance Analytic needs the streamed Gram path: one -Sigma and no -Pyramid. Give one σ, or use -Significance Permutation.");
        var shard = Shard is null ? PairShard.All : PairShard.Parse(Shard);
        int n = _rasters.Count;
        string? filter = null;
        if (Shard is not null)
        {
            if (methods.Length > 1 && (Top > 0 || MinScore is not null))
                throw new SpatialSimException(ErrorKind.InvalidArgument,
                    $"-Top and -MinScore cannot be used with -Shard and several methods: a consensus ranks each method over all pairs, which shard {shard} " +
                    "does not see. Run the shards without them and give -Top and -MinScore to Merge-RankedPairs.");
            var parts = new List<string>();
            if (TopPerGene > 0) parts.Add($"-TopPerGene {TopPerGene}");
            if (Top > 0) parts.Add($"-Top {Top}");
            if (MinScore is double min) parts.Add($"-MinScore {min.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
            if (Gene is not null) parts.Add($"-Gene {Gene}");
            filter = parts.Count > 0 ? string.Join(" ", parts) : null;
            var (start, end) = shard.Range(n);
            WriteVerbose($"Shard {shard}: pairs {start}…{end - 1} of {PairShard.PairCount(n)} ({end - start} pairs, row-major upper triangle of {n} genes).");
        }
        long? budget = MyInvocation.BoundParameters.ContainsKey(nameof(MaxMemoryGB)) ? (long)(MaxMemoryGB * 1e9) : null;
        var perMethod = new ShardScores[methods.Length];
        for (int m = 0; m < methods.Length; m++)
        {
            var method = methods[m];
            var methodOptions = ForMethod(options, method);
            bool gram = AllPairsSimilarity.HasGramPath(method, methodOptions);
            string path = gram ? "as a Gram matrix"
                : PreparedAllPairs.Supports(method, methodOptions) ? "with each gene prepared once, then pair by pair" : "pair by pair";
            WriteVerbose($"Ranking {n} genes ({PairShard.PairCount(n)} pairs{(Shard is null ? "" : $", shard {shard}")}) by {method} {methodOptions.Describe(method, _rasters[0].Height, _rasters[0].Width)} " +
                         $"{path} on {_rasters[0].Device}.");
            var progress = new ProgressReporter(this, 1, methods.Length == 1 ? $"Ranking gene pairs by {method}" : $"Ranking gene pairs by {method} ({m + 1} of {methods.Length} methods)");
            if (gram)
                WriteVerbose("Gram path: " + CorrelationGram.Plan(_rasters, AllPairsSimilarity.GramSigma(method, methodOptions), budget).Describe());
            perMethod[m] = PairBlockSimilarity.Compute(_rasters, method, methodOptions, shard,
                new InlineProgress<(int Done, int Total, string Step)>(p =>
                    progress.Report(p.Total == 0 ? 1 : (double)p.Done / p.Total, p.Step.Length > 0 ? $"{p.Done + 1}/{p.Total}: {p.Step}" : "finishing")),
                StopToken, budget);
            progress.Complete();
        }
        for (int g = 0; g < n; g++)
        {
            var undefinedBy = Enumerable.Range(0, methods.Length).Where(m => perMethod[m].UndefinedGenes[g]).Select(m => methods[m].ToString()).ToList();
            if (undefinedBy.Count == 0) continue;
            WriteWarning(methods.Length == 1
                ? $"Gene '{genes[g]}' is constant over the raster (e.g. all zero): its pairs have Score NaN and are ranked last."
                : $"Gene '{genes[g]}' is undefined for {string.Join(", ", undefinedBy)} (e.g. constant or all zero): its pairs have Score NaN there and take those methods' worst rank.");
        }
        var pairs = new List<ScoredPair>();
        long k = 0;
        foreach (var (i, j) in shard.Pairs(n))
        {
            var scores = new double[methods.Length];
            for (int m = 0; m < methods.Length; m++) scores[m] = perMethod[m].Scores[k];
            pairs.Add(new ScoredPair(i, j, scores));
            k++;
        }
        if (MatrixPath is not null) WriteMatrix(perMethod[0], genes, methods[0], ForMethod(options, methods[0]).Describe(methods[0]));
        SignificanceResult? significance = null;
        if (ShiftCount > 0)
        {
            if (methods.Length > 1 || Shard is not null)
                throw new SpatialSimException(ErrorKind.InvalidArgument,
                    "-Permutations tests the pairs of one whole ranking by one method: it cannot be combined with several methods or with -Shard " +
                    "(run it with one -Method and without -Shard).");
            var matrix = new double[n, n];
            for (int g = 0; g < n; g++) matrix[g, g] = perMethod[0].UndefinedGenes[g] ? double.NaN : 1;
            foreach (var p in pairs) { matrix[p.I, p.J] = p.Scores[0]; matrix[p.J, p.I] = p.Scores[0]; }
            significance = TestSignificance(matrix, methods[0], ForMethod(options, methods[0]));
        }
        var request = new RankingRequest
        {
            Genes = genes,
            Methods = methods.Select(m => m.ToString()).ToList(),
            Parameters = methods.Length == 1 ? ForMethod(options, methods[0]).Describe(methods[0], _rasters[0].Height, _rasters[0].Width)
                : string.Join("; ", methods.Select(m => (m, d: ForMethod(options, m).Describe(m, _rasters[0].Height, _rasters[0].Width))).Where(x => x.d.Length > 0).Select(x => $"{x.m}: {x.d}")),
            Top = Top > 0 ? Top : null,
            TopPerGene = TopPerGene > 0 ? TopPerGene : null,
            Gene = Gene,
            MinScore = MinScore,
            Shard = Shard is null ? null : shard.ToString(),
            Filter = filter,
            Significance = significance,
        };
        return PairListRanking.Rank(pairs, request);
    }
}

/// <summary>Checks -Shard "i/n" at binding, so a wrong task id fails before any raster is read.</summary>
public sealed class ValidateShardAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        try { PairShard.Parse(arguments?.ToString()); }
        catch (SpatialSimException e) { throw new ValidationMetadataException(e.Message, e); }
    }
}
