namespace SpatialSim.TorchCore.Clustering;

/// <summary>One merge of a dendrogram, as a row of SciPy's linkage matrix Z: clusters <see cref="Left"/> &lt; <see cref="Right"/>
/// (ids 0..n−1 are the genes, n + i the cluster made by merge i) joined at <see cref="Height"/>, holding <see cref="Size"/> genes.</summary>
public readonly record struct Merge(int Left, int Right, double Height, int Size);

/// <summary>
/// Hierarchical clustering with average linkage (UPGMA, Sokal &amp; Michener 1958): the distance between two clusters is
/// the mean distance between their members; the two closest clusters are merged until one is left. Computed with the
/// nearest-neighbour-chain algorithm (Murtagh 1983, doi:10.1093/comjnl/26.4.354; Müllner 2011, arXiv:1109.2378) on the
/// condensed distances (<see cref="CondensedDistances"/>), updated in place by the Lance–Williams formula
/// d(k, i∪j) = (|i|·d(k,i) + |j|·d(k,j)) / (|i| + |j|): O(n²) time and O(n) memory beyond the distances. The merges are
/// then sorted by height and numbered exactly as <c>scipy.cluster.hierarchy.linkage(y, 'average')</c> does (its nn_chain,
/// same tie-breaking), so merges, heights and leaf order match SciPy's.
/// </summary>
public static class AverageLinkage
{
    /// <summary>Clusters <paramref name="distance"/> (symmetric, finite, non-negative, zero diagonal; not modified).</summary>
    public static Dendrogram Build(double[,] distance, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(distance);
        int n = distance.GetLength(0);
        if (distance.GetLength(1) != n)
            throw new ArgumentException($"The distance matrix must be square; it is {n}×{distance.GetLength(1)}.", nameof(distance));
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double d = distance[i, j];
                if (i != j && (!double.IsFinite(d) || d < 0))
                    throw new ArgumentException($"Distance [{i}, {j}] = {d} is not a finite non-negative number.", nameof(distance));
                if (d != distance[j, i]) throw new ArgumentException($"The distance matrix is not symmetric at [{i}, {j}].", nameof(distance));
            }
        var condensed = new CondensedDistances(n);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) condensed[i, j] = distance[i, j];
        return Build(condensed, cancel);
    }

    /// <summary>
    /// Clusters the condensed distances in place (they are overwritten by the cluster distances): finite, non-negative.
    /// Besides the distances it holds O(n): cluster sizes, the chain, the n − 1 merges and the union-find of the numbering.
    /// </summary>
    public static Dendrogram Build(CondensedDistances distances, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(distances);
        int n = distances.Count;
        var d = distances.Values;
        for (long k = 0; k < d.LongLength; k++)
            if (!double.IsFinite(d[k]) || d[k] < 0)
            {
                var (a, b) = distances.PairAt(k);
                throw new ArgumentException($"Distance [{a}, {b}] = {d[k]} is not a finite non-negative number.", nameof(distances));
            }
        if (n < 2) return new Dendrogram(n, Array.Empty<Merge>());

        var size = Enumerable.Repeat(1, n).ToArray();
        var raw = new (int X, int Y, double H)[n - 1];
        var chain = new int[n];
        int chainLength = 0;
        // Row starts of the condensed layout: d(i, j) for i < j at rowStart[i] + j − i − 1.
        var rowStart = new long[n];
        for (int i = 0; i < n; i++) rowStart[i] = (long)n * i - (long)i * (i + 1) / 2;
        long At(int i, int j) => i < j ? rowStart[i] + (j - i - 1) : rowStart[j] + (i - j - 1);

        for (int k = 0; k < n - 1; k++)
        {
            cancel.ThrowIfCancellationRequested();
            int x = 0, y = 0;
            double current;
            if (chainLength == 0)
            {
                for (int i = 0; i < n; i++)
                    if (size[i] > 0) { chain[0] = i; chainLength = 1; break; }
            }
            while (true)
            {
                x = chain[chainLength - 1];
                // Prefer the previous element of the chain among equal distances, so the chain cannot cycle.
                if (chainLength > 1)
                {
                    y = chain[chainLength - 2];
                    current = d[At(x, y)];
                }
                else current = double.PositiveInfinity;
                for (int i = 0; i < x; i++)
                {
                    if (size[i] == 0) continue;
                    double dist = d[rowStart[i] + (x - i - 1)];
                    if (dist < current) { current = dist; y = i; }
                }
                long row = rowStart[x] - x - 1;
                for (int i = x + 1; i < n; i++)
                {
                    if (size[i] == 0) continue;
                    double dist = d[row + i];
                    if (dist < current) { current = dist; y = i; }
                }
                if (chainLength > 1 && y == chain[chainLength - 2]) break;
                chain[chainLength++] = y;
            }
            chainLength -= 2;
            if (x > y) (x, y) = (y, x);
            int nx = size[x], ny = size[y];
            raw[k] = (x, y, current);
            size[x] = 0;
            size[y] = nx + ny;
            for (int i = 0; i < n; i++)
            {
                if (size[i] == 0 || i == y) continue;
                long iy = At(i, y);
                d[iy] = (nx * d[At(i, x)] + ny * d[iy]) / (nx + ny);
            }
        }

        // SciPy: stable sort by height, then number the clusters with a union-find in that order.
        var order = Enumerable.Range(0, n - 1).OrderBy(i => raw[i].H).ToArray(); // OrderBy is stable
        var parent = new int[2 * n - 1];
        var clusterSize = new int[2 * n - 1];
        for (int i = 0; i < parent.Length; i++) { parent[i] = i; clusterSize[i] = 1; }
        var nextLabel = n;
        int Find(int v)
        {
            int root = v;
            while (parent[root] != root) root = parent[root];
            while (parent[v] != root) (v, parent[v]) = (parent[v], root);
            return root;
        }
        // Slots are the original leaf indices; each slot's current cluster id is found through the union-find.
        var merges = new Merge[n - 1];
        for (int m = 0; m < n - 1; m++)
        {
            var (x, y, h) = raw[order[m]];
            int a = Find(x), b = Find(y);
            if (a > b) (a, b) = (b, a);
            int id = nextLabel++;
            parent[a] = id;
            parent[b] = id;
            clusterSize[id] = clusterSize[a] + clusterSize[b];
            merges[m] = new Merge(a, b, h, clusterSize[id]);
        }
        return new Dendrogram(n, merges);
    }
}

/// <summary>The result of <see cref="AverageLinkage.Build"/>: <see cref="LeafCount"/> leaves and n − 1 merges by increasing height.</summary>
public sealed class Dendrogram
{
    public int LeafCount { get; }
    public IReadOnlyList<Merge> Merges { get; }

    public Dendrogram(int leafCount, IReadOnlyList<Merge> merges)
    {
        LeafCount = leafCount;
        Merges = merges;
    }

    /// <summary>The leaves left to right as the dendrogram draws them (SciPy's <c>leaves_list</c>): each merge's
    /// <see cref="Merge.Left"/> subtree first.</summary>
    public int[] LeafOrder()
    {
        int n = LeafCount;
        if (n == 0) return Array.Empty<int>();
        if (n == 1) return new[] { 0 };
        var order = new List<int>(n);
        var stack = new Stack<int>();
        stack.Push(2 * n - 2);
        while (stack.Count > 0)
        {
            int node = stack.Pop();
            if (node < n) { order.Add(node); continue; }
            var m = Merges[node - n];
            stack.Push(m.Right);
            stack.Push(m.Left);
        }
        return order.ToArray();
    }

    /// <summary>Flat clusters whose members are joined at heights ≤ <paramref name="height"/> (SciPy fcluster criterion
    /// 'distance'). Returns a cluster number 0..k−1 per leaf, numbered by first appearance in <see cref="LeafOrder"/>.</summary>
    public int[] CutAtHeight(double height)
    {
        if (double.IsNaN(height)) throw new ArgumentException("The cut height is NaN.", nameof(height));
        int n = LeafCount;
        var parent = Enumerable.Range(0, Math.Max(0, 2 * n - 1)).ToArray();
        int Find(int v) { while (parent[v] != v) v = parent[v] = parent[parent[v]]; return v; }
        for (int m = 0; m < Merges.Count; m++)
        {
            if (Merges[m].Height > height) break; // merges are sorted by height (average linkage has no inversions)
            parent[Find(Merges[m].Left)] = n + m;
            parent[Find(Merges[m].Right)] = n + m;
        }
        var labels = new int[n];
        var number = new Dictionary<int, int>();
        foreach (int leaf in LeafOrder())
        {
            int root = Find(leaf);
            if (!number.TryGetValue(root, out int c)) number[root] = c = number.Count;
            labels[leaf] = c;
        }
        return labels;
    }

    /// <summary>
    /// At most <paramref name="count"/> flat clusters, cut at the lowest merge height that gives no more than that
    /// (SciPy fcluster criterion 'maxclust'). When several merges tie at that height they are all made, so fewer
    /// clusters than asked for can result.
    /// </summary>
    public int[] CutIntoCount(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Ask for at least one cluster.");
        int n = LeafCount;
        if (count >= n) return CutAtHeight(double.NegativeInfinity);
        return CutAtHeight(Merges[n - count - 1].Height);
    }
}
