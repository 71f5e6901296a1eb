namespace SpatialSim.TorchCore.Ranking;

/// <summary>Which pairs a streamed ranking keeps (<see cref="PairSelection"/>).</summary>
public sealed record PairSelectionRequest
{
    /// <summary>Keep every pair that is among the k best of either of its genes (NaN scores are never among a gene's best).</summary>
    public int? TopPerGene { get; init; }
    /// <summary>Keep the N best pairs (after <see cref="Focus"/> and <see cref="MinScore"/>); ignored with <see cref="TopPerGene"/>,
    /// whose pairs are few and are filtered afterwards by <see cref="PairListRanking"/>.</summary>
    public int? Top { get; init; }
    /// <summary>Keep only pairs with Score ≥ this (NaN never passes).</summary>
    public double? MinScore { get; init; }
    /// <summary>Keep only the pairs of this gene (input position); ignored with <see cref="TopPerGene"/> (its pairs need every gene's best).</summary>
    public int? Focus { get; init; }
}

/// <summary>
/// Keeps the pairs a ranking will output while the scores stream past, in memory that does not grow with the number of
/// pairs: with <see cref="PairSelectionRequest.TopPerGene"/> k, a bounded heap of k partners per gene (O(G·k)); with
/// <see cref="PairSelectionRequest.Top"/> N, one bounded heap of N pairs; otherwise the pairs that pass -Gene and
/// -MinScore. The order is <see cref="PairListRanking.Compare"/>'s (Score descending, NaN last, ties by input positions),
/// so what is kept — then ranked and filtered by <see cref="PairListRanking.Rank"/> — is exactly what ranking every pair
/// would output, for the whole ranking and for any shard merged with the others.
/// </summary>
public sealed class PairSelection
{
    private readonly int _genes;
    private readonly PairSelectionRequest _request;
    private readonly int _k;
    // Per-gene heaps (TopPerGene): gene g's slots [g·k, g·k + count[g]), a min-heap whose root is g's worst kept partner.
    private readonly double[]? _heapScore;
    private readonly int[]? _heapPartner;
    private readonly int[]? _heapCount;
    // Top N: a heap whose root is the worst kept pair.
    private readonly PriorityQueue<(int I, int J, double S), (int I, int J, double S)>? _top;
    private readonly List<(int I, int J, double S)>? _all;

    public PairSelection(int genes, PairSelectionRequest request)
    {
        _genes = genes;
        _request = request;
        if (request.TopPerGene is int k)
        {
            if (k < 1) throw new ArgumentOutOfRangeException(nameof(request), k, "TopPerGene must be at least 1.");
            _k = (int)Math.Min(k, Math.Max(1, genes - 1));
            _heapScore = new double[(long)genes * _k];
            _heapPartner = new int[(long)genes * _k];
            _heapCount = new int[genes];
        }
        else if (request.Top is int top)
            _top = new PriorityQueue<(int, int, double), (int, int, double)>(Comparer<(int I, int J, double S)>.Create((x, y) => -Compare(x.S, x.I, x.J, y.S, y.I, y.J)));
        else _all = new List<(int, int, double)>();
    }

    /// <summary>Bytes the selection holds at most for <paramref name="genes"/> genes (null when it keeps every passing pair: unbounded).</summary>
    public static long? BoundBytes(int genes, PairSelectionRequest request) =>
        request.TopPerGene is int k ? 16L * genes * Math.Min(k, Math.Max(1, genes - 1)) + 64L * genes * Math.Min(k, Math.Max(1, genes - 1))
        : request.Top is int top ? 64L * Math.Min(top, PairShard.PairCount(genes)) : null;

    /// <summary>Pairs kept so far (an upper bound with TopPerGene, where a pair can sit in both its genes' heaps).</summary>
    public long Count => _heapCount is not null ? _heapCount.Sum(c => (long)c) : _top?.Count ?? _all!.Count;

    /// <summary>Offers the pair (i, j), i &lt; j, with its score.</summary>
    public void Add(int i, int j, double score)
    {
        if (_request.MinScore is double min && !(score >= min)) return;
        if (_heapCount is not null)
        {
            if (double.IsNaN(score)) return;
            Offer(i, j, i, j, score);
            Offer(j, i, i, j, score);
            return;
        }
        if (_request.Focus is int f && i != f && j != f) return;
        if (_top is not null)
        {
            int top = _request.Top!.Value;
            if (_top.Count < top) _top.Enqueue((i, j, score), (i, j, score));
            else if (_top.TryPeek(out var worst, out _) && Compare(score, i, j, worst.S, worst.I, worst.J) < 0)
                _top.EnqueueDequeue((i, j, score), (i, j, score));
            return;
        }
        _all!.Add((i, j, score));
    }

    /// <summary>Offers every pair of a band whose pair number lies in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public void Add(CorrelationBlock block, long start, long end)
    {
        int n = block.GeneCount;
        for (int i = block.RowStart; i < block.RowEnd; i++)
        {
            if (i >= n - 1) break;
            long rowStart = PairShard.PairNumber(i, i + 1, n);
            long first = Math.Max(start, rowStart), last = Math.Min(end, rowStart + (n - i - 1));
            if (first >= last) continue;
            var row = block.Row(i);
            for (long k = first; k < last; k++)
            {
                int j = (int)(k - rowStart) + i + 1;
                Add(i, j, row[j - block.RowStart]);
            }
        }
    }

    /// <summary>The kept pairs, each once (unordered; <see cref="PairListRanking.Rank"/> orders them).</summary>
    public List<ScoredPair> Result()
    {
        if (_all is not null) return _all.Select(p => new ScoredPair(p.I, p.J, new[] { p.S })).ToList();
        if (_top is not null) return _top.UnorderedItems.Select(p => new ScoredPair(p.Element.I, p.Element.J, new[] { p.Element.S })).ToList();
        var seen = new HashSet<long>();
        var pairs = new List<ScoredPair>();
        for (int g = 0; g < _genes; g++)
            for (int s = 0; s < _heapCount![g]; s++)
            {
                int h = _heapPartner![(long)g * _k + s];
                int i = Math.Min(g, h), j = Math.Max(g, h);
                if (seen.Add((long)i * _genes + j)) pairs.Add(new ScoredPair(i, j, new[] { _heapScore![(long)g * _k + s] }));
            }
        return pairs;
    }

    /// <summary>Puts partner h of gene g (the pair (i, j)) into g's heap if it is among g's k best so far.</summary>
    private void Offer(int g, int h, int i, int j, double score)
    {
        long b = (long)g * _k;
        var scores = _heapScore!;
        var partners = _heapPartner!;
        int count = _heapCount![g];
        if (count < _k)
        {
            // Append and sift up (the root is the worst).
            int c = count;
            while (c > 0)
            {
                int parent = (c - 1) / 2;
                if (!IsWorse(score, g, h, scores[b + parent], partners[b + parent])) break;
                scores[b + c] = scores[b + parent];
                partners[b + c] = partners[b + parent];
                c = parent;
            }
            scores[b + c] = score;
            partners[b + c] = h;
            _heapCount[g] = count + 1;
            return;
        }
        if (!IsWorse(scores[b], g, partners[b], score, h)) return;  // not better than g's worst kept partner
        // Replace the root and sift down.
        int p = 0;
        while (true)
        {
            int l = 2 * p + 1;
            if (l >= _k) break;
            int r = l + 1, worst = l;
            if (r < _k && IsWorse(scores[b + r], g, partners[b + r], scores[b + l], partners[b + l])) worst = r;
            if (!IsWorse(scores[b + worst], g, partners[b + worst], score, h)) break;
            scores[b + p] = scores[b + worst];
            partners[b + p] = partners[b + worst];
            p = worst;
        }
        scores[b + p] = score;
        partners[b + p] = h;
    }

    /// <summary>Whether gene g's pair with partner a (score sa) ranks below its pair with partner b (score sb).</summary>
    private static bool IsWorse(double sa, int g, int a, double sb, int b) =>
        Compare(sa, Math.Min(g, a), Math.Max(g, a), sb, Math.Min(g, b), Math.Max(g, b)) > 0;

    /// <summary><see cref="PairListRanking.Compare"/> on bare values: most similar first, NaN last, ties by (I, J).</summary>
    public static int Compare(double sx, int ix, int jx, double sy, int iy, int jy)
    {
        bool nx = double.IsNaN(sx), ny = double.IsNaN(sy);
        if (nx != ny) return nx ? 1 : -1;
        int c = nx ? 0 : sy.CompareTo(sx);
        if (c != 0) return c;
        c = ix.CompareTo(iy);
        return c != 0 ? c : jx.CompareTo(jy);
    }
}
