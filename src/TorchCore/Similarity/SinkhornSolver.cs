using System.Numerics;
using System.Runtime.CompilerServices;
using SpatialSim.TorchCore.Smoothing;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// The log-domain Sinkhorn solver behind <see cref="SinkhornSimilarity"/>: multiscale (coarse-to-fine on a pyramid of
/// 2×2-pooled masses), ε-scaled and Anderson-accelerated (over-relaxed with a dual-ascent safeguard on levels above
/// 1024², where the history would not fit). Every result is that of the full-resolution problem: the coarser levels only provide the
/// starting potentials.
/// </summary>
/// <remarks>
/// Schedule (Schmitzer 2019 ε-scaling, run coarse-to-fine as Feydy's GeomLoss does on images): ε starts at the squared
/// diameter of the canvas and halves each step down to the target; each step runs on the coarsest level whose pixels are
/// no wider than the entropic blur √ε (2^L ≤ √ε), ten Sinkhorn iterations a step on the coarser levels and one at full
/// resolution. At the target ε the solver iterates to convergence on that level (to half the tolerance), then carries the
/// potentials to each finer level by bilinear interpolation and iterates there, the full-resolution level to the
/// tolerance itself. Each level's iterations are Anderson-accelerated (Walker &amp; Ni 2011). Levels above 1024² are
/// over-relaxed instead, f ← (1 − ω) f + ω T(g), ω = 1.9 (Thibault et al. 2017; same
/// fixed point, far fewer iterations) with the safeguard of Lehmann et al. (2022): a step is taken only when it
/// increases the dual objective, which for the f-block is Σ a_i φ(x_i) + const, φ(x) = x − eˣ, x = (f − T(g))/ε;
/// otherwise ω is halved towards plain Sinkhorn (ω = 1 always increases it), so the iteration converges from any start.
/// References: B. Schmitzer (2019) "Stabilized sparse scaling algorithms for entropy regularized transport problems",
/// SIAM J. Sci. Comput. 41(3):A1443–A1481; J. Feydy (2020) "Geometric data analysis, beyond convolutions", PhD thesis;
/// A. Thibault, L. Chizat, C. Dossal, N. Papadakis (2017) "Overrelaxed Sinkhorn–Knopp algorithm for regularized optimal
/// transport", arXiv:1711.01851; T. Lehmann, M.-K. von Renesse, A. Sambale, A. Uschmajew (2022) "A note on overrelaxation
/// in the Sinkhorn algorithm", Optim. Lett. 16:2209–2220; H. F. Walker, P. Ni (2011) "Anderson acceleration for fixed-point
/// iterations", SIAM J. Numer. Anal. 49(4):1715–1735.
/// </remarks>
internal sealed class SinkhornSolver
{
    /// <summary>The target over-relaxation (1 = plain Sinkhorn, below 2 for convergence).</summary>
    internal const double OverRelaxation = 1.9;
    /// <summary>
    /// Coarser levels stop at this multiple of the tolerance: their solution only starts the next level, but a finer level
    /// needs fewer of its costlier iterations from a tightly converged start (a 256² count map at the default ε took
    /// 165 ms at 0.5, 174 ms at 1, 316 ms at 4 and 191 ms at 0.25).
    /// </summary>
    private const double CoarseToleranceFactor = 0.5;
    /// <summary>Most iterations on a coarser level at the target ε.</summary>
    private const int CoarseMaxIterations = 1000;
    /// <summary>Differences kept by the Anderson acceleration of the full-resolution level.</summary>
    private const int AndersonMemory = 5;
    /// <summary>Levels up to this many pixels are Anderson-accelerated (its history of one potential takes 2·(5 + 1) doubles a pixel, 100 MB at 1024²); larger ones are over-relaxed.</summary>
    private const int AndersonMaxPixels = 1024 * 1024;
    /// <summary>Iterations of each ε-scaling step on the coarser levels (cheap there; a closer start for the target ε).</summary>
    private const int CoarseStepIterations = 10;
    /// <summary>The pyramid stops before a level's shorter side would fall under this many pixels.</summary>
    private const int MinimumLevelSide = 16;

    private readonly SinkhornGrid[] _levels; // [0] = full resolution
    private readonly double _epsilon;
    private readonly SinkhornOptions _options;

    public readonly record struct Result(double Value, int Iterations, double Error, bool Converged, double Epsilon);

    public SinkhornSolver(int height, int width, SinkhornOptions options)
    {
        _options = options;
        _epsilon = options.EpsilonFor(height, width);
        bool precise = options.Tolerance < SinkhornGrid.PreciseBelowTolerance;
        var levels = new List<SinkhornGrid> { new(height, width, precise) };
        while (Math.Min(levels[^1].Height, levels[^1].Width) / 2 >= MinimumLevelSide)
            levels.Add(new SinkhornGrid((levels[^1].Height + 1) / 2, (levels[^1].Width + 1) / 2, precise));
        _levels = levels.ToArray();
    }

    /// <summary>OT_ε(a, b) = ⟨a, f⟩ + ⟨b, g⟩ at the solution; iterations and marginal error at full resolution.</summary>
    public Result Solve(double[] a, double[] b)
    {
        var massA = Pyramid(a);
        var massB = Pyramid(b);
        var logA = massA.Select(LogOf).ToArray();
        var logB = massB.Select(LogOf).ToArray();
        int target = LevelFor(_epsilon);
        var state = new LevelState(this, StartLevel(target), 2);
        foreach (var (e, level) in Schedule())
        {
            state.MoveTo(level);
            double eps = e / Scale(level);
            var (f, g) = (state.Potentials[0], state.Potentials[1]);
            for (int step = 0; step < (level > 0 ? CoarseStepIterations : 1); step++)
            {
                _levels[level].Softmin(eps, logB[level], g, f);
                _levels[level].Softmin(eps, logA[level], f, g);
            }
        }
        int iterations = 0;
        double error = double.PositiveInfinity;
        bool converged = false;
        for (int level = target; level >= 0; level--)
        {
            state.MoveTo(level);
            bool full = level == 0;
            (iterations, error, converged) = Iterate(level, massA[level], logA[level], massB[level], logB[level],
                state.Potentials[0], state.Potentials[1], state.Scratch,
                full ? _options.Tolerance : _options.Tolerance * CoarseToleranceFactor,
                full ? _options.MaxIterations : Math.Min(_options.MaxIterations, CoarseMaxIterations));
        }
        var (ff, gg) = (state.Potentials[0], state.Potentials[1]);
        _levels[0].Softmin(_epsilon, logB[0], gg, ff); // rows sum to a exactly: the dual value is then ⟨a, f⟩ + ⟨b, g⟩
        return new Result(Dot(a, ff) + Dot(b, gg), iterations, error, converged, _epsilon);
    }

    /// <summary>½ OT_ε(a, a) = ⟨a, f⟩ with Feydy's symmetric update f ← ½(f + T_a(f)), on the same schedule and levels.</summary>
    public (double Half, int Iterations, double Error) SolveSymmetric(double[] a)
    {
        var mass = Pyramid(a);
        var log = mass.Select(LogOf).ToArray();
        int target = LevelFor(_epsilon);
        var state = new LevelState(this, StartLevel(target), 1);
        bool first = true;
        foreach (var (e, level) in Schedule())
        {
            state.MoveTo(level);
            var (f, t) = (state.Potentials[0], state.Scratch);
            _levels[level].Softmin(e / Scale(level), log[level], f, t);
            for (int i = 0; i < f.Length; i++) f[i] = first ? t[i] : 0.5 * (f[i] + t[i]);
            first = false;
        }
        int iterations = 0;
        double error = double.PositiveInfinity;
        for (int level = target; level >= 0; level--)
        {
            state.MoveTo(level);
            bool full = level == 0;
            double eps = _epsilon / Scale(level);
            double tolerance = full ? _options.Tolerance : _options.Tolerance * CoarseToleranceFactor;
            int cap = full ? _options.MaxIterations : Math.Min(_options.MaxIterations, CoarseMaxIterations);
            var (f, t) = (state.Potentials[0], state.Scratch);
            for (iterations = 0; iterations < cap;)
            {
                _levels[level].Softmin(eps, log[level], f, t);
                iterations++;
                if (first)
                {
                    Array.Copy(t, f, f.Length);
                    first = false;
                    continue;
                }
                error = MarginalError(mass[level], f, t, eps);
                for (int i = 0; i < f.Length; i++) f[i] = 0.5 * (f[i] + t[i]);
                if (error < tolerance) break;
            }
        }
        return (Dot(a, state.Potentials[0]), iterations, error);
    }

    /// <summary>
    /// Sinkhorn at the target ε on one level until the column marginal error is below the tolerance: Anderson-accelerated
    /// when the level's history fits in memory, over-relaxed otherwise.
    /// </summary>
    private (int Iterations, double Error, bool Converged) Iterate(int level, double[] a, double[] logA, double[] b, double[] logB,
        double[] f, double[] g, double[] t, double tolerance, int maxIterations)
    {
        double eps = _epsilon / Scale(level);
        if (_levels[level].Length <= AndersonMaxPixels)
            return IterateAccelerated(level, logA, b, logB, f, g, eps, tolerance, maxIterations);
        var grid = _levels[level];
        double error = double.PositiveInfinity;
        for (int iteration = 1; iteration <= maxIterations; iteration++)
        {
            grid.Softmin(eps, logB, g, t);
            Relax(a, f, t, eps);
            grid.Softmin(eps, logA, f, t);
            error = MarginalError(b, g, t, eps); // the column sums of the plan of (f, g) against b
            Relax(b, g, t, eps);
            if (error < tolerance) return (iteration, error, true);
        }
        return (maxIterations, error, false);
    }

    /// <summary>
    /// Plain Sinkhorn steps on the second potential alone, G(g) = T_a(T_b(g)) (the first, f = T_b(g), follows from it),
    /// with Anderson acceleration (type II, memory 5; Walker &amp; Ni 2011, "Anderson acceleration for fixed-point
    /// iterations", SIAM J. Numer. Anal. 49(4):1715–1735): the next state is G(x_k) − ΔG γ with γ minimising
    /// ‖r_k − ΔR γ‖ over the last differences of residuals r = G(x) − x. Near the solution Sinkhorn is almost linear and
    /// this behaves like GMRES on it. Accelerating g alone matters: with (f, g) as the state, the extrapolated f is never
    /// used by the next step but weighs in the fit, and a 256² pair at ε = 1 px² needed 64–92 iterations instead of 35.
    /// Safeguard: when the marginal error exceeds twice the best so far, the history is dropped and the iteration
    /// restarts from the last plain step.
    /// </summary>
    private (int Iterations, double Error, bool Converged) IterateAccelerated(int level, double[] logA, double[] b, double[] logB,
        double[] f, double[] g, double eps, double tolerance, int maxIterations)
    {
        var grid = _levels[level];
        var history = new AndersonHistory(g.Length, AndersonMemory);
        var x = (double[])g.Clone();
        double error = double.PositiveInfinity, best = double.PositiveInfinity;
        for (int iteration = 1; iteration <= maxIterations; iteration++)
        {
            grid.Softmin(eps, logB, x, f);
            grid.Softmin(eps, logA, f, g);
            error = MarginalError(b, x, g, eps);
            if (error < tolerance) return (iteration, error, true);
            if (!(error <= 2 * best)) history.Clear();
            best = Math.Min(best, error);
            history.Step(x, g);
        }
        return (maxIterations, error, false);
    }

    /// <summary>
    /// p ← (1 − ω) p + ω t with the largest ω of 1.9, 1.45, 1.225, … (down to 1) whose step increases the dual objective:
    /// Σ w_i [φ((1 − ω) x_i) − φ(x_i)] &gt; 0 with φ(x) = x − eˣ and x = (p − t)/ε.
    /// </summary>
    private static void Relax(double[] mass, double[] p, double[] t, double eps)
    {
        double omega = OverRelaxation;
        while (omega > 1 && !(DualGain(mass, p, t, eps, omega) > 0))
            omega = omega - 1 < 0.02 ? 1 : 1 + (omega - 1) / 2;
        for (int i = 0; i < p.Length; i++) p[i] = (1 - omega) * p[i] + omega * t[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double DualGain(double[] mass, double[] p, double[] t, double eps, double omega)
    {
        double gain = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (mass[i] == 0) continue;
            double x = (p[i] - t[i]) / eps, y = (1 - omega) * x;
            gain += mass[i] * ((y - Math.Exp(y)) - (x - Math.Exp(x)));
        }
        return gain;
    }

    /// <summary>‖w ⊙ exp((p − t)/ε) − w‖₂: how far the plan's sums on this side are from the masses w.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double MarginalError(double[] mass, double[] p, double[] t, double eps)
    {
        double sq = 0;
        for (int i = 0; i < mass.Length; i++)
        {
            if (mass[i] == 0) continue;
            double d = mass[i] * Math.Exp((p[i] - t[i]) / eps) - mass[i];
            sq += d * d;
        }
        return Math.Sqrt(sq);
    }

    /// <summary>The ε of each ε-scaling step (full-resolution px²) with the level it runs on; the target itself is not included.</summary>
    private IEnumerable<(double Epsilon, int Level)> Schedule()
    {
        var full = _levels[0];
        double e = Math.Max((double)(full.Height - 1) * (full.Height - 1) + (double)(full.Width - 1) * (full.Width - 1), 1.0);
        for (; e > _epsilon; e *= 0.5) yield return (e, LevelFor(e));
    }

    /// <summary>The level of the first ε-scaling step, or the target's when there is none (ε above the squared diameter).</summary>
    private int StartLevel(int target)
    {
        foreach (var (_, level) in Schedule()) return level;
        return target;
    }

    /// <summary>The coarsest level whose pixel (2^L full-resolution pixels wide) is no wider than the blur √ε.</summary>
    private int LevelFor(double epsilon)
    {
        int level = 0;
        while (level + 1 < _levels.Length && epsilon >= Scale(level + 1)) level++;
        return level;
    }

    /// <summary>The area of one pixel of <paramref name="level"/> in full-resolution px² (4^L).</summary>
    private static double Scale(int level) => Math.Pow(4, level);

    private double[][] Pyramid(double[] mass)
    {
        var pyramid = new double[_levels.Length][];
        pyramid[0] = mass;
        for (int level = 1; level < _levels.Length; level++)
            pyramid[level] = Pool(pyramid[level - 1], _levels[level - 1], _levels[level]);
        return pyramid;
    }

    /// <summary>Sums of 2×2 blocks (the last row or column alone when the side is odd): masses stay normalised.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double[] Pool(double[] fine, SinkhornGrid from, SinkhornGrid to)
    {
        var coarse = new double[to.Length];
        for (int y = 0; y < from.Height; y++)
        {
            int row = (y >> 1) * to.Width;
            for (int x = 0; x < from.Width; x++) coarse[row + (x >> 1)] += fine[y * from.Width + x];
        }
        return coarse;
    }

    /// <summary>
    /// A potential carried one level finer: bilinear between coarse pixel centres (fine coordinate 2I + ½), clamped at
    /// the edges, times 4 (a coarse px² is 4 fine px²).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double[] Upsample(double[] coarse, SinkhornGrid from, SinkhornGrid to)
    {
        var fine = new double[to.Length];
        int ch = from.Height, cw = from.Width;
        for (int y = 0; y < to.Height; y++)
        {
            double cy = Math.Clamp((y - 0.5) / 2, 0, ch - 1);
            int y0 = (int)cy, y1 = Math.Min(y0 + 1, ch - 1);
            double fy = cy - y0;
            for (int x = 0; x < to.Width; x++)
            {
                double cx = Math.Clamp((x - 0.5) / 2, 0, cw - 1);
                int x0 = (int)cx, x1 = Math.Min(x0 + 1, cw - 1);
                double fx = cx - x0;
                double top = (1 - fx) * coarse[y0 * cw + x0] + fx * coarse[y0 * cw + x1];
                double bottom = (1 - fx) * coarse[y1 * cw + x0] + fx * coarse[y1 * cw + x1];
                fine[y * to.Width + x] = 4 * ((1 - fy) * top + fy * bottom);
            }
        }
        return fine;
    }

    private static double[] LogOf(double[] mass)
    {
        var log = new double[mass.Length];
        for (int i = 0; i < mass.Length; i++) log[i] = mass[i] > 0 ? Math.Log(mass[i]) : double.NegativeInfinity;
        return log;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Dot(double[] mass, double[] potential)
    {
        double s = 0;
        for (int i = 0; i < mass.Length; i++)
            if (mass[i] > 0) s += mass[i] * potential[i];
        return s;
    }

    /// <summary>
    /// The last differences of states and residuals of an Anderson-accelerated iteration, in buffers allocated once
    /// (memory + 1 of each, reused in turn: a 256² level would otherwise allocate 2 MB an iteration).
    /// </summary>
    internal sealed class AndersonHistory
    {
        private readonly int _length, _memory;
        private readonly List<double[]> _stepDifferences = new(), _residualDifferences = new();
        private readonly Stack<double[]> _free = new();
        private double[]? _lastStep, _lastResidual;

        public AndersonHistory(int length, int memory)
        {
            _length = length;
            _memory = memory;
        }

        public void Clear()
        {
            foreach (var buffer in _stepDifferences.Concat(_residualDifferences)) _free.Push(buffer);
            if (_lastStep is not null) _free.Push(_lastStep);
            if (_lastResidual is not null) _free.Push(_lastResidual);
            _stepDifferences.Clear();
            _residualDifferences.Clear();
            _lastStep = _lastResidual = null;
        }

        private double[] Rent() => _free.Count > 0 ? _free.Pop() : new double[_length];

        /// <summary>x ← the accelerated next state, given the plain step <paramref name="next"/> = G(x) just taken from x.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Step(double[] x, double[] next)
        {
            var step = Rent();
            next.CopyTo(step, 0);
            var residual = Rent();
            for (int i = 0; i < _length; i++) residual[i] = step[i] - x[i];
            if (_lastStep is not null)
            {
                // The previous step and residual become the newest differences, in place.
                var ds = _lastStep;
                var dr = _lastResidual!;
                for (int i = 0; i < _length; i++)
                {
                    ds[i] = step[i] - ds[i];
                    dr[i] = residual[i] - dr[i];
                }
                _stepDifferences.Add(ds);
                _residualDifferences.Add(dr);
                if (_stepDifferences.Count > _memory)
                {
                    _free.Push(_stepDifferences[0]);
                    _free.Push(_residualDifferences[0]);
                    _stepDifferences.RemoveAt(0);
                    _residualDifferences.RemoveAt(0);
                }
            }
            _lastStep = step;
            _lastResidual = residual;
            int m = _residualDifferences.Count;
            var gamma = m == 0 ? Array.Empty<double>() : LeastSquares(residual, m);
            if (!gamma.All(double.IsFinite)) // a degenerate fit: take the plain step and start the history anew
            {
                step.CopyTo(x, 0);
                Clear();
                return;
            }
            step.CopyTo(x, 0);
            for (int k = 0; k < m; k++)
            {
                double c = gamma[k];
                var d = _stepDifferences[k];
                for (int i = 0; i < _length; i++) x[i] -= c * d[i];
            }
        }

        /// <summary>γ = argmin ‖r − ΔR γ‖ by the normal equations, with a tiny ridge for collinear differences.</summary>
        private double[] LeastSquares(double[] residual, int m)
        {
            var normal = new double[m, m];
            var rhs = new double[m];
            double trace = 0;
            for (int p = 0; p < m; p++)
            {
                for (int q = 0; q <= p; q++) normal[p, q] = normal[q, p] = DotAll(_residualDifferences[p], _residualDifferences[q]);
                rhs[p] = DotAll(_residualDifferences[p], residual);
                trace += normal[p, p];
            }
            for (int p = 0; p < m; p++) normal[p, p] += 1e-10 * trace + 1e-300;
            // Gaussian elimination with partial pivoting on the small m×m system.
            for (int c = 0; c < m; c++)
            {
                int pivot = c;
                for (int r = c + 1; r < m; r++) if (Math.Abs(normal[r, c]) > Math.Abs(normal[pivot, c])) pivot = r;
                for (int j = 0; j < m; j++) (normal[c, j], normal[pivot, j]) = (normal[pivot, j], normal[c, j]);
                (rhs[c], rhs[pivot]) = (rhs[pivot], rhs[c]);
                for (int r = c + 1; r < m; r++)
                {
                    double factor = normal[r, c] / normal[c, c];
                    for (int j = c; j < m; j++) normal[r, j] -= factor * normal[c, j];
                    rhs[r] -= factor * rhs[c];
                }
            }
            var gamma = new double[m];
            for (int c = m - 1; c >= 0; c--)
            {
                double sum = rhs[c];
                for (int j = c + 1; j < m; j++) sum -= normal[c, j] * gamma[j];
                gamma[c] = sum / normal[c, c];
            }
            return gamma;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static double DotAll(double[] x, double[] y)
        {
            var sum = Vector<double>.Zero;
            int i = 0, vc = Vector<double>.Count;
            for (; i <= x.Length - vc; i += vc) sum += new Vector<double>(x, i) * new Vector<double>(y, i);
            double s = Vector.Sum(sum);
            for (; i < x.Length; i++) s += x[i] * y[i];
            return s;
        }
    }

    /// <summary>The potentials on the current level, carried to finer levels as the solve proceeds.</summary>
    private sealed class LevelState
    {
        private readonly SinkhornSolver _solver;
        public int Level { get; private set; }
        public double[][] Potentials { get; }
        public double[] Scratch { get; private set; }

        public LevelState(SinkhornSolver solver, int level, int count)
        {
            _solver = solver;
            Level = level;
            int n = solver._levels[level].Length;
            Potentials = Enumerable.Range(0, count).Select(_ => new double[n]).ToArray();
            Scratch = new double[n];
        }

        public void MoveTo(int level)
        {
            for (; Level > level; Level--)
            {
                var from = _solver._levels[Level];
                var to = _solver._levels[Level - 1];
                for (int k = 0; k < Potentials.Length; k++) Potentials[k] = Upsample(Potentials[k], from, to);
                Scratch = new double[to.Length];
            }
        }
    }
}

/// <summary>
/// The soft c-transform on one H×W grid with the squared-distance cost in pixels²,
/// T_w(p)_i = −ε log Σ_j w_j exp((p_j − |x_i − x_j|²)/ε), as a pass along the rows then one along the columns (the Gibbs
/// kernel is separable: Solomon et al. 2015), each a 1-D log-sum-exp per line computed in the log domain so that ε far
/// below the squared canvas size works.
/// </summary>
/// <remarks>
/// Per line of terms h_j (−∞ where the mass is 0): the exact maximum top_i = max_j (h_j − (i − j)²/ε) of every output
/// comes first, in O(n) from the upper envelope of the parabolas (Felzenszwalb &amp; Huttenlocher 2012, "Distance
/// transforms of sampled functions", Theory of Computing 8:415–428); then Σ_j exp(h_j − (i − j)²/ε − top_i) over the
/// blocks of 8 terms whose upper bound, max_j (h_j − (j − e)²/ε) − (i − e)²/ε with e the block's edge nearest i, lies within a margin of
/// top_i, eight outputs at a time in SIMD lanes; nearby blocks (all of them within the margin unless ε is far below
/// 1 px²) as float64 products of exponentials computed once, a multiply-add a term (<see cref="FactoredSpanNats"/>),
/// farther ones with an exponential a term. Default precision: terms within 20 nats, the far terms' exp and sums in
/// float32 (a relative 3e-7 on each sum, so 3e-7·ε on the potentials); below a tolerance of 1e-6 the solver asks for the
/// precise kernel: terms within 40 nats, every exp in float64 to a relative 1e-14.
/// </remarks>
internal sealed class SinkhornGrid
{
    /// <summary>Tolerances below this need the float64 kernel: the float32 one cannot resolve marginal errors that small.</summary>
    internal const double PreciseBelowTolerance = 1e-6;
    internal const int Block = 8;
    /// <summary>Grids with fewer pixels run their lines on one thread (the pass is shorter than the fork; a 64² pass takes 0.2 ms).</summary>
    private const int ParallelPixels = 64 * 64;

    private readonly double[] _transposed; // the row pass's output, [W, H]
    private readonly bool _precise;
    private readonly double _margin;
    public int Height { get; }
    public int Width { get; }
    public int Length => Height * Width;

    public SinkhornGrid(int height, int width, bool precise)
    {
        Height = height;
        Width = width;
        _precise = precise;
        _margin = precise ? 40 : 20;
        _transposed = new double[(long)height * width];
    }

    /// <summary>result = T_w(potential) with log-weights <paramref name="logW"/> (−∞ where the mass is 0).</summary>
    public void Softmin(double eps, double[] logW, double[] potential, double[] result)
    {
        double invEps = 1 / eps;
        int h = Height, w = Width;
        var transposed = _transposed;
        int threads = Length >= ParallelPixels ? Environment.ProcessorCount : 1;
        ParallelRanges.For(h, threads, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (start, end) =>
        {
            var line = new LineScratch(w);
            for (int y = start; y < end; y++)
            {
                int row = y * w;
                for (int x = 0; x < w; x++) line.H[x] = logW[row + x] + potential[row + x] * invEps;
                LogSumExpLine(line, w, eps, transposed, y, h, 1.0);
            }
        });
        ParallelRanges.For(w, threads, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (start, end) =>
        {
            var line = new LineScratch(h);
            for (int x = start; x < end; x++)
            {
                Array.Copy(transposed, (long)x * h, line.H, 0, h);
                LogSumExpLine(line, h, eps, result, x, w, -eps);
            }
        });
    }

    internal sealed class LineScratch
    {
        public readonly double[] H, Top, Intercepts, BlockMax, FromLeft, FromRight, LeftMax, RightMax, Boundaries;
        public readonly int[] Parabolas;

        public LineScratch(int n)
        {
            int blocks = (n + Block - 1) / Block;
            H = new double[blocks * Block];
            Array.Fill(H, double.NegativeInfinity);
            Top = new double[blocks * Block];
            Intercepts = new double[blocks * Block];
            BlockMax = new double[blocks];
            FromLeft = new double[blocks];
            FromRight = new double[blocks];
            LeftMax = new double[blocks];
            RightMax = new double[blocks];
            Boundaries = new double[n + 1];
            Parabolas = new int[n];
            Scaled = new double[blocks * Block];
        }

        /// <summary>u_j = exp(h_j − c_k), c_k the largest h of j's block (0 where h is −∞): the factored sums' first factor.</summary>
        public readonly double[] Scaled;
        /// <summary>K(d) = exp(−d²/ε) at index d + KernelRadius, for |d| ≤ KernelRadius (+7 padding): the Gibbs kernel of <see cref="KernelEpsilon"/>.</summary>
        public double[] Kernel = Array.Empty<double>();
        public int KernelRadius;
        private double KernelEpsilon = double.NaN;
        private int _factoredBlocks;

        /// <summary>
        /// How many blocks apart a pair may be and still be summed factored at this ε (−1: none), with the kernel table
        /// for it, made once per ε and line length.
        /// </summary>
        public int PrepareFactored(double eps, int blocks)
        {
            if (eps == KernelEpsilon) return Math.Min(_factoredBlocks, blocks - 1);
            // (8Δ + 7)² ≤ 600 ε: the largest distance within a pair Δ blocks apart.
            double reach = Math.Sqrt(FactoredSpanNats * eps);
            int apart = reach < Block - 1 ? -1 : (int)Math.Min((reach - (Block - 1)) / Block, blocks - 1);
            KernelEpsilon = eps;
            _factoredBlocks = apart;
            if (apart < 0) return -1;
            KernelRadius = Block * apart + Block - 1;
            if (Kernel.Length < 2 * KernelRadius + Block) Kernel = new double[2 * KernelRadius + Block];
            for (int i = 0; i < 2 * KernelRadius + Block; i++)
            {
                double d = i - KernelRadius;
                Kernel[i] = Math.Exp(-d * d / eps);
            }
            return apart;
        }

        /// <summary>Fills <see cref="Scaled"/> from H and BlockMax.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void ScaleByBlockMax(int blocks, bool precise)
        {
            int vc = Vector<double>.Count;
            for (int k = 0; k < blocks; k++)
            {
                double c = BlockMax[k];
                int j0 = k * Block;
                if (c == double.NegativeInfinity)
                {
                    Array.Clear(Scaled, j0, Block);
                    continue;
                }
                var cv = new Vector<double>(c);
                for (int v = 0; v < Block; v += vc)
                    ExpDouble(new Vector<double>(H, j0 + v) - cv, precise).CopyTo(Scaled, j0 + v);
            }
        }
    }

    /// <summary>
    /// top[p] = max_q (h_q − (p − q)²/ε) for p &lt; n, exactly: the upper envelope of the parabolas rooted at every finite
    /// h_q; false when every h is −∞.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool Envelope(double[] h, int n, double eps, double[] top, int[] parabolas, double[] boundaries)
    {
        int k = -1;
        for (int q = 0; q < n; q++)
        {
            if (h[q] == double.NegativeInfinity) continue;
            double fq = -eps * h[q] + (double)q * q;
            if (k < 0)
            {
                k = 0;
                parabolas[0] = q;
                boundaries[0] = double.NegativeInfinity;
                boundaries[1] = double.PositiveInfinity;
                continue;
            }
            double s = Intersection(h, eps, q, fq, parabolas[k]);
            while (s <= boundaries[k]) s = Intersection(h, eps, q, fq, parabolas[--k]); // boundaries[0] = −∞ ends it
            k++;
            parabolas[k] = q;
            boundaries[k] = s;
            boundaries[k + 1] = double.PositiveInfinity;
        }
        if (k < 0) return false;
        double invEps = 1 / eps;
        for (int p = 0, m = 0; p < n; p++)
        {
            while (boundaries[m + 1] < p) m++;
            int r = parabolas[m];
            top[p] = h[r] - (double)(p - r) * (p - r) * invEps;
        }
        return true;
    }

    /// <summary>Where q's parabola (fq = −ε h_q + q²) overtakes r's.</summary>
    private static double Intersection(double[] h, double eps, int q, double fq, int r) =>
        (fq - (-eps * h[r] + (double)r * r)) / (2.0 * (q - r));

    private static readonly Vector<double> Lanes = MakeLanes();

    private static Vector<double> MakeLanes()
    {
        var l = new double[Vector<double>.Count];
        for (int i = 0; i < l.Length; i++) l[i] = i;
        return new Vector<double>(l);
    }

    /// <summary>dst[offset + i·stride] = scale · log Σ_j exp(h_j − (i − j)²/ε) for i &lt; n, h = s.H[0..n) (−∞ allowed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void LogSumExpLine(LineScratch s, int n, double eps, double[] dst, int offset, int stride, double scale)
    {
        var h = s.H;
        var top = s.Top;
        if (!Envelope(h, n, eps, top, s.Parabolas, s.Boundaries))
        {
            for (int i = 0; i < n; i++) dst[offset + (long)i * stride] = scale * double.NegativeInfinity;
            return;
        }
        int blocks = (n + Block - 1) / Block;
        for (int i = n; i < blocks * Block; i++) top[i] = double.PositiveInfinity; // padding lanes: never within the margin
        var blockMax = s.BlockMax;
        var fromLeft = s.FromLeft;
        var fromRight = s.FromRight;
        var leftMax = s.LeftMax;
        var rightMax = s.RightMax;
        double invEps = 1 / eps;
        // Bounds of a block's terms seen from outside it: for an output i left of block k (i ≤ j0), (i − j)² ≥ (j0 − i)²
        // + (j − j0)², so every term is at most fromLeft_k − (j0 − i)²/ε with fromLeft_k = max_j (h_j − (j − j0)²/ε);
        // fromRight likewise from the block's last pixel. Tighter than the block's largest h on steep lines (a potential
        // far from the optimum, small ε), where far blocks would otherwise be visited for nothing.
        for (int k = 0; k < blocks; k++)
        {
            double m = double.NegativeInfinity, left = double.NegativeInfinity, right = double.NegativeInfinity;
            for (int q = 0, j = k * Block; q < Block; q++, j++)
            {
                if (h[j] > m) m = h[j];
                left = Math.Max(left, h[j] - (double)q * q * invEps);
                right = Math.Max(right, h[j] - (double)(Block - 1 - q) * (Block - 1 - q) * invEps);
            }
            blockMax[k] = m;
            fromLeft[k] = left;
            fromRight[k] = right;
        }
        // Each term as a line in i: h_j − (i − j)²/ε − top_i = (h_j − j²/ε) + (2j/ε)·i + (−i²/ε − top_i), a multiply and an add per lane.
        var intercepts = s.Intercepts;
        for (int j = 0; j < blocks * Block; j++) intercepts[j] = h[j] - (double)j * j * invEps;
        // The bounds of every block from k outwards, for stopping the walk away from the outputs.
        double run = double.NegativeInfinity;
        for (int k = 0; k < blocks; k++) leftMax[k] = run = Math.Max(run, fromRight[k]);
        run = double.NegativeInfinity;
        for (int k = blocks - 1; k >= 0; k--) rightMax[k] = run = Math.Max(run, fromLeft[k]);

        // Block pairs up to `factored` blocks apart are summed as products of exponentials computed once (SumBlockFactored).
        int factored = s.PrepareFactored(eps, blocks);
        if (factored >= 0) s.ScaleByBlockMax(blocks, _precise);

        int vc = Vector<double>.Count; // Block = 2 vectors of doubles on 256-bit SIMD; more vectors on narrower hardware
        int vectors = Block / vc;
        var inv = new Vector<double>(invEps);
        var floor = new Vector<double>(-_margin);
        Span<Vector<double>> lanes = stackalloc Vector<double>[vectors];
        Span<Vector<double>> tops = stackalloc Vector<double>[vectors];
        Span<Vector<double>> offsets = stackalloc Vector<double>[vectors];
        Span<Vector<double>> sums = stackalloc Vector<double>[vectors];
        for (int g = 0; g < blocks; g++)
        {
            int i0 = g * Block;
            for (int v = 0; v < vectors; v++)
            {
                lanes[v] = new Vector<double>(i0 + v * vc) + Lanes;
                tops[v] = new Vector<double>(top, i0 + v * vc);
                offsets[v] = -(lanes[v] * lanes[v] * inv) - tops[v];
                sums[v] = Vector<double>.Zero;
            }
            SumPair(s, g, g, factored, invEps, lanes, offsets, tops, sums);
            for (int k = g - 1; k >= 0; k--)
            {
                var nearest = new Vector<double>(k * Block + Block - 1);
                if (AllBelow(leftMax[k], lanes, nearest, tops, inv, floor)) break;
                if (!AllBelow(fromRight[k], lanes, nearest, tops, inv, floor)) SumPair(s, g, k, factored, invEps, lanes, offsets, tops, sums);
            }
            for (int k = g + 1; k < blocks; k++)
            {
                var nearest = new Vector<double>(k * Block);
                if (AllBelow(rightMax[k], lanes, nearest, tops, inv, floor)) break;
                if (!AllBelow(fromLeft[k], lanes, nearest, tops, inv, floor)) SumPair(s, g, k, factored, invEps, lanes, offsets, tops, sums);
            }
            int count = Math.Min(Block, n - i0);
            for (int l = 0; l < count; l++)
                dst[offset + (long)(i0 + l) * stride] = scale * (top[i0 + l] + Math.Log(sums[l / vc][l % vc]));
        }
    }

    /// <summary>
    /// Block pairs whose every term's squared distance is at most this many ε apart, (|i0 − j0| + 7)²/ε ≤ 600, are summed
    /// factored: exp(h_j − (i − j)²/ε − top_i) = exp(h_j − c_k) · exp(−(i − j)²/ε) · exp(c_k − top_i) with c_k the largest
    /// h of input block k. The first factor is computed once per input pixel (at most 1), the second is a table of the
    /// Gibbs kernel (at least e^−600), the third once per pair of blocks (at most e^600, since top_i ≥ c_k − (i − j*)²/ε);
    /// a term then costs a float64 multiply-add instead of an exponential, and every factor is within float64's range
    /// (e^±708). What underflows there is below e^(−708 + 600) of the largest term: nothing that counts. Farther pairs, and
    /// every pair at ε below 0.082 px² (the blocks' own span is too wide), take <see cref="SumBlock"/>.
    /// </summary>
    internal const double FactoredSpanNats = 600;

    /// <summary>Adds the terms of input block k to the sums of output block g.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SumPair(LineScratch s, int g, int k, int factored, double invEps, ReadOnlySpan<Vector<double>> lanes,
        ReadOnlySpan<Vector<double>> offsets, ReadOnlySpan<Vector<double>> tops, Span<Vector<double>> sums)
    {
        if (Math.Abs(g - k) <= factored) SumBlockFactored(s, g, k, _precise, tops, sums);
        else SumBlock(s.Intercepts, k, invEps, lanes, offsets, sums);
    }

    /// <summary>sums_i += exp(c_k − top_i) · Σ_j u_j K(i − j) over input block k, u_j = exp(h_j − c_k) (see <see cref="FactoredSpanNats"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SumBlockFactored(LineScratch s, int g, int k, bool precise, ReadOnlySpan<Vector<double>> tops, Span<Vector<double>> sums)
    {
        double c = s.BlockMax[k];
        if (c == double.NegativeInfinity) return;
        var u = s.Scaled;
        var kernel = s.Kernel;
        int j0 = k * Block, start = g * Block - j0 + s.KernelRadius, vc = Vector<double>.Count;
        var cv = new Vector<double>(c);
        for (int v = 0; v < tops.Length; v++)
        {
            var acc = Vector<double>.Zero;
            for (int m = 0; m < Block; m++) // no test for u = 0: a branch a term costs more than the multiply-add
                acc += new Vector<double>(u[j0 + m]) * new Vector<double>(kernel, start - m + v * vc);
            sums[v] += acc * ExpDouble(cv - tops[v], precise);
        }
    }

    /// <summary>Whether bound − (i − nearest)²/ε − top_i is below the margin for every output lane i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AllBelow(double bound, ReadOnlySpan<Vector<double>> lanes, Vector<double> nearest,
        ReadOnlySpan<Vector<double>> tops, Vector<double> inv, Vector<double> floor)
    {
        var b = new Vector<double>(bound);
        for (int v = 0; v < lanes.Length; v++)
        {
            var d = lanes[v] - nearest;
            if (!Vector.LessThanAll(b - d * d * inv - tops[v], floor)) return false;
        }
        return true;
    }

    /// <summary>
    /// sums_i += Σ over block k's terms exp(h_j − (i − j)²/ε − top_i), every term at most 1, each term computed as
    /// intercept_j + (2j/ε)·i + offset_i with intercept_j = h_j − j²/ε and offset_i = −i²/ε − top_i (float64: the parts
    /// reach 1e5 nats at small ε, their sum is within the margin).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SumBlock(double[] intercepts, int k, double invEps, ReadOnlySpan<Vector<double>> lanes,
        ReadOnlySpan<Vector<double>> offsets, Span<Vector<double>> sums)
    {
        var floor = new Vector<double>(-_margin);
        bool narrow = !_precise && lanes.Length % 2 == 0;
        Span<Vector<float>> partial = stackalloc Vector<float>[lanes.Length / 2];
        partial.Clear();
        for (int j = k * Block, end = j + Block; j < end; j++)
        {
            double intercept = intercepts[j];
            if (intercept == double.NegativeInfinity) continue;
            var a = new Vector<double>(intercept);
            var slope = new Vector<double>(2.0 * j * invEps);
            if (narrow)
            {
                for (int v = 0; v < lanes.Length; v += 2)
                {
                    var t0 = slope * lanes[v] + (a + offsets[v]);
                    var t1 = slope * lanes[v + 1] + (a + offsets[v + 1]);
                    if (Vector.LessThanAll(t0, floor) && Vector.LessThanAll(t1, floor)) continue;
                    partial[v / 2] += ExpFloat(Vector.Narrow(t0, t1));
                }
            }
            else
            {
                for (int v = 0; v < lanes.Length; v++)
                {
                    var t = slope * lanes[v] + (a + offsets[v]);
                    if (!Vector.LessThanAll(t, floor)) sums[v] += ExpDouble(t);
                }
            }
        }
        if (!narrow) return;
        for (int v = 0; v < lanes.Length; v += 2)
        {
            Vector.Widen(partial[v / 2], out var low, out var high);
            sums[v] += low;
            sums[v + 1] += high;
        }
    }

    /// <summary>exp(x) for x ≤ 0 in float32 to a relative 2e−7 (0 below −87): x = k ln2 + r, |r| ≤ ln2/2, degree-7 Taylor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ExpFloat(Vector<float> x)
    {
        x = Vector.Max(x, new Vector<float>(-87f));
        var k = Vector.Floor(x * new Vector<float>(1.44269504f) + new Vector<float>(0.5f));
        var r = x - k * new Vector<float>(0.693359375f) - k * new Vector<float>(-2.12194440e-4f);
        var p = new Vector<float>(1f / 5040f);
        p = p * r + new Vector<float>(1f / 720f);
        p = p * r + new Vector<float>(1f / 120f);
        p = p * r + new Vector<float>(1f / 24f);
        p = p * r + new Vector<float>(1f / 6f);
        p = p * r + new Vector<float>(0.5f);
        p = p * r + Vector<float>.One;
        p = p * r + Vector<float>.One;
        var bits = Vector.ShiftLeft(Vector.ConvertToInt32(k) + new Vector<int>(127), 23);
        return p * Vector.AsVectorSingle(bits);
    }

    /// <summary>
    /// exp(x) for x ≤ 709 in float64 (0 below −708): x = k ln 2 + r, |r| ≤ ln2/2 (Cody–Waite), exp(r) by its Taylor
    /// polynomial, times 2^k built in the exponent bits. Degree 13 by default, to about 2 ulp (truncation below 1e−17);
    /// <paramref name="precise"/> false cuts it at degree 8, a relative 3e−10 ((ln2/2)⁹/9! = 2e−10) for half the work,
    /// which the default precision's factored sums (a relative 3e−7 overall) use.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> ExpDouble(Vector<double> x, bool precise = true)
    {
        var underflow = Vector.LessThan(x, new Vector<double>(-708.0));
        x = Vector.Max(x, new Vector<double>(-708.0));
        var k = Vector.Floor(x * new Vector<double>(1.4426950408889634) + new Vector<double>(0.5));
        var r = x - k * new Vector<double>(0.693145751953125) - k * new Vector<double>(1.42860682030941723212e-6);
        var p = new Vector<double>(1.0 / 40320.0);
        if (precise)
        {
            var high = new Vector<double>(1.0 / 6227020800.0);
            high = high * r + new Vector<double>(1.0 / 479001600.0);
            high = high * r + new Vector<double>(1.0 / 39916800.0);
            high = high * r + new Vector<double>(1.0 / 3628800.0);
            high = high * r + new Vector<double>(1.0 / 362880.0);
            p = high * r + p;
        }
        p = p * r + new Vector<double>(1.0 / 5040.0);
        p = p * r + new Vector<double>(1.0 / 720.0);
        p = p * r + new Vector<double>(1.0 / 120.0);
        p = p * r + new Vector<double>(1.0 / 24.0);
        p = p * r + new Vector<double>(1.0 / 6.0);
        p = p * r + new Vector<double>(0.5);
        p = p * r + Vector<double>.One;
        p = p * r + Vector<double>.One;
        var bits = Vector.ShiftLeft(Vector.ConvertToInt64(k) + new Vector<long>(1023), 52);
        return Vector.ConditionalSelect(underflow, Vector<double>.Zero, p * Vector.AsVectorDouble(bits));
    }
}
