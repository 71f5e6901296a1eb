using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Output;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>How Get-RankedPairs tests each pair.</summary>
public enum SignificanceTest
{
    /// <summary>No p-values (or the toroidal-shift test when -Permutations is given).</summary>
    None,
    /// <summary>The modified t-test (Clifford–Richardson–Hémon / Dutilleul): n_eff from the two maps' autocorrelation, no permutations.</summary>
    Analytic,
    /// <summary>The toroidal-shift permutation test (-Permutations N shifts, default 199).</summary>
    Permutation,
}

// Get-RankedPairs for many genes: each gene's k best partners, the matrix written to a file, and analytic p-values, with the
// correlation matrix streamed in bands (StreamedRanking) for Pearson and SmoothedPearson; the other measures and consensus
// rankings keep the pair list of Rank.
public sealed partial class GetRankedPairsCommand
{
    /// <summary>The default number of shifts of -Significance Permutation without -Permutations.</summary>
    private const int DefaultPermutations = 199;

    /// <summary>Keep only the pairs among the k best partners of either of their genes (each pair once).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int TopPerGene { get; set; }

    /// <summary>Also write the whole gene × gene score matrix to this file (.npy float32 with a .genes.txt list), streamed as it is computed.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MatrixPath { get; set; }

    /// <summary>P- and q-values for every pair: Analytic (modified t-test, no permutations) or Permutation (toroidal shifts).</summary>
    [Parameter]
    public SignificanceTest Significance { get; set; }

    /// <summary>-Permutations as asked for by -Significance and -Permutations together.</summary>
    private int ShiftCount => Permutations > 0 ? Permutations : Significance == SignificanceTest.Permutation ? DefaultPermutations : 0;

    private void CheckStreamingArguments(SimilarityMethod[] methods)
    {
        if (Significance == SignificanceTest.Analytic && Permutations > 0)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                "-Significance Analytic computes p-values without permutations; drop -Permutations, or use -Significance Permutation -Permutations N for the toroidal-shift test.");
        if (Significance == SignificanceTest.Analytic && (methods.Length > 1 || methods[0] is not (SimilarityMethod.Pearson or SimilarityMethod.SmoothedPearson)))
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"-Significance Analytic tests correlations (a modified t-test on r), so it needs one -Method Pearson or SmoothedPearson, not {string.Join(", ", methods)}. " +
                "For other measures use -Significance Permutation (toroidal shifts).");
        if (Shard is not null && TopPerGene > 0 && (Top > 0 || Gene is not null))
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                "-TopPerGene with -Shard keeps each gene's best partners within the shard; -Top and -Gene would cut pairs that the merge needs. " +
                "Run the shards with -TopPerGene only and give -Top and -Gene to Merge-RankedPairs -TopPerGene.");
        if (Shard is not null && MatrixPath is not null)
            throw new SpatialSimException(ErrorKind.InvalidArgument, "-MatrixPath writes the whole matrix; a shard holds only some pairs. Run it without -Shard.");
        if (Shard is not null && Significance == SignificanceTest.Analytic)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                "-Significance Analytic computes q-values over all pairs, which a shard does not see. Run it without -Shard (it streams in bounded memory), with -TopPerGene or -Top to keep the output small.");
        if (MatrixPath is not null && methods.Length > 1)
            throw new SpatialSimException(ErrorKind.InvalidArgument, "-MatrixPath writes one measure's scores; give one -Method.");
    }

    /// <summary>Whether this ranking streams the correlation matrix in bands (one Pearson-family measure on its Gram path, no permutations).</summary>
    private bool Streams(SimilarityMethod[] methods, SimilarityOptions options) =>
        methods.Length == 1 && (methods[0] is SimilarityMethod.Pearson || methods[0] is SimilarityMethod.SmoothedPearson)
        && AllPairsSimilarity.HasGramPath(methods[0], ForMethod(options, methods[0])) && ShiftCount == 0;

    /// <summary>The streamed ranking of <see cref="StreamedRanking"/>: the pairs the filters keep, never a G × G matrix in memory.</summary>
    private IEnumerable<RankedPair> RankStreamed(SimilarityOptions options, IReadOnlyList<string> genes)
    {
        var method = Methods[0];
        var methodOptions = ForMethod(options, method);
        int n = _rasters.Count;
        var shard = Shard is null ? PairShard.All : PairShard.Parse(Shard);
        long? budget = MyInvocation.BoundParameters.ContainsKey(nameof(MaxMemoryGB)) ? (long)(MaxMemoryGB * 1e9) : null;
        int? focus = null;
        if (Gene is not null)
        {
            int f = genes.ToList().FindIndex(g => string.Equals(g, Gene, StringComparison.Ordinal));
            if (f >= 0) focus = f;
            else   // before any work: PairListRanking says it is not there, with the genes there are
                _ = PairListRanking.Rank(Array.Empty<ScoredPair>(), new RankingRequest { Genes = genes, Methods = new[] { method.ToString() }, Gene = Gene }).ToList();
        }
        var selection = new PairSelectionRequest
        {
            TopPerGene = TopPerGene > 0 ? TopPerGene : null,
            Top = Top > 0 ? Top : null,
            MinScore = MinScore,
            Focus = focus,
        };
        double sigma = method == SimilarityMethod.SmoothedPearson ? methodOptions.Sigmas[0] : 0;
        ModifiedTTest? test = null;
        if (Significance == SignificanceTest.Analytic)
        {
            var prepare = new ProgressReporter(this, 2, "Autocorrelation of each gene (analytic significance)");
            test = ModifiedTTest.Prepare(_rasters, sigma, methodOptions.Mask, methodOptions.SmoothingMethod,
                new InlineProgress<(int Done, int Total, string Step)>(p => prepare.Report(p.Total == 0 ? 1 : (double)p.Done / p.Total, p.Step.Length > 0 ? $"gene {p.Step}" : "finishing")), StopToken);
            prepare.Complete();
            WriteVerbose($"Significance: modified t-test (Clifford–Richardson–Hémon / Dutilleul); each gene's autocovariance on a {test.GridWidth} × {test.GridHeight} grid " +
                         $"of {test.CellSize}-pixel cells, {test.Lags} lags (up to half the grid each way); n_eff = 1 + 1/Var(r) from one more product over the genes' profiles; " +
                         $"one-sided p (positive association), q-values by Benjamini–Hochberg over the {(focus is null ? PairShard.PairCount(n) : n - 1)} pairs tested (before -Top).");
        }
        ISimilarityMatrixSink? sink = null;
        try
        {
            if (MatrixPath is not null)
            {
                string target = GetUnresolvedProviderPathFromPSPath(MatrixPath);
                sink = SimilarityMatrixSinks.Create(target, Force);
            }
            var streamed = new StreamedRankingOptions
            {
                Sigma = sigma,
                SmoothingMethod = methodOptions.SmoothingMethod,
                Mask = methodOptions.Mask,
                Shard = shard,
                Selection = selection,
                Matrix = sink,
                Significance = test,
                MaxMemoryBytes = budget,
            };
            if (StreamedRanking.ReservedBytes(n, streamed) is null)
            {
                long all = StreamedRanking.AllPairsBytes(n, shard);
                long limit = budget ?? CorrelationGram.DefaultMemoryBudget;
                if (all > limit)
                    throw new SpatialSimException(ErrorKind.LimitExceeded,
                        $"Outputting all {PairShard.PairCount(n):N0} pairs of {n:N0} genes{(shard.IsAll ? "" : $" (shard {shard})")} as objects needs about {all / 1e9:0.#} GB, " +
                        $"more than the memory budget of {limit / 1e9:0.#} GB (-MaxMemoryGB). Keep fewer pairs: -TopPerGene k (each gene's k best partners), -Top N, " +
                        "-MinScore or -Gene; write the whole matrix with -MatrixPath file.npy (streamed to disk); or split the run with -Shard i/n.");
            }
            var plan = StreamedRanking.Plan(_rasters, streamed);
            WriteVerbose($"Ranking {n} genes ({PairShard.PairCount(n)} pairs{(shard.IsAll ? "" : $", shard {shard}")}) by {method} {methodOptions.Describe(method)}, " +
                         $"streamed in bands on {_rasters[0].Device}: {plan.Describe()}");
            WriteVerbose("Gram path: " + plan.Strips.Describe());
            WriteVerbose(selection.TopPerGene is int k ? $"Keeping each gene's {k} best partners: at most {(long)n * Math.Min(k, n - 1):N0} pairs in memory."
                : selection.Top is int top ? $"Keeping the {top} best pairs as they stream past."
                : $"Keeping every pair{(focus is null ? "" : $" of '{Gene}'")}{(MinScore is null ? "" : $" with Score ≥ {MinScore}")}.");
            if (sink is not null)
                WriteVerbose($"Writing the {n} × {n} matrix to '{sink.Path}' (float32, {NpyMatrixSink.FileBytes(n) / 1e6:0.#} MB for .npy) band by band; genes in " +
                             string.Join(", ", sink.CompanionPaths.Select(p => $"'{p}'")) + ".");
            var progress = new ProgressReporter(this, 1, $"Ranking gene pairs by {method}");
            var result = StreamedRanking.Run(_rasters, genes, method.ToString(), methodOptions.Describe(method), streamed, plan,
                new InlineProgress<(int Done, int Total, string Step)>(p =>
                    progress.Report(p.Total == 0 ? 1 : (double)p.Done / p.Total, p.Step.Length > 0 ? p.Step : "finishing")),
                StopToken);
            progress.Complete();
            for (int g = 0; g < n; g++)
                if (result.UndefinedGenes[g])
                    WriteWarning($"Gene '{genes[g]}' is constant over the raster (e.g. all zero): its pairs have Score NaN and are ranked last.");
            var parts = new List<string>();
            if (Shard is not null)
            {
                if (TopPerGene > 0) parts.Add($"-TopPerGene {TopPerGene}");
                if (Top > 0) parts.Add($"-Top {Top}");
                if (MinScore is double min) parts.Add($"-MinScore {min.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
                if (Gene is not null) parts.Add($"-Gene {Gene}");
            }
            var request = new RankingRequest
            {
                Genes = genes,
                Methods = new[] { method.ToString() },
                Parameters = methodOptions.Describe(method),
                Top = Top > 0 ? Top : null,
                TopPerGene = TopPerGene > 0 ? TopPerGene : null,
                Gene = Gene,
                MinScore = MinScore,
                Shard = Shard is null ? null : shard.ToString(),
                Filter = parts.Count > 0 ? string.Join(" ", parts) : null,
                PairSignificance = result.Significance,
            };
            return PairListRanking.Rank(result.Pairs, request);
        }
        finally
        {
            sink?.Dispose();
        }
    }

    /// <summary>-MatrixPath on the pair-list path (measures without a Gram path): the whole matrix of one method, written through the same sink.</summary>
    private void WriteMatrix(ShardScores scores, IReadOnlyList<string> genes, SimilarityMethod method, string parameters)
    {
        int n = genes.Count;
        var values = new double[(long)n * n];
        long k = 0;
        foreach (var (i, j) in PairShard.All.Pairs(n))
        {
            values[(long)i * n + j] = values[(long)j * n + i] = scores.Scores[k++];
        }
        for (int g = 0; g < n; g++) values[(long)g * n + g] = scores.UndefinedGenes[g] ? double.NaN : SelfScore(method);
        using var sink = SimilarityMatrixSinks.Create(GetUnresolvedProviderPathFromPSPath(MatrixPath!), Force);
        WriteVerbose($"Writing the {n} × {n} {method} matrix to '{sink.Path}' (float32); genes in {string.Join(", ", sink.CompanionPaths.Select(p => $"'{p}'"))}.");
        sink.Begin(genes, method.ToString(), parameters);
        MatrixBands.Write(new CorrelationBlock(n, 0, n, values, scores.UndefinedGenes), sink, StopToken);
        sink.Complete();
    }

    /// <summary>A gene's score with itself as the matrix shows it: 1 for the measures scored 1 on identical maps, NaN otherwise (as Export-SimilarityMatrix does).</summary>
    private static double SelfScore(SimilarityMethod method) =>
        SimilarityMatrix.UnitSelfScoreMethods.Contains(method.ToString()) ? 1.0 : double.NaN;
}
