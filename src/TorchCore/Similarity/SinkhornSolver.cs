using System.Runtime.CompilerServices;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// The log-domain Sinkhorn solver behind <see cref="SinkhornSimilarity"/>: the entropic transport problem between two
/// unit masses a, b on one H×W grid with the squared-distance cost in px²,
/// <code>OT_ε(a, b) = max_{f, g} ⟨a, f⟩ + ⟨b, g⟩ − ε ⟨a⊗b, exp((f ⊕ g − C)/ε) − 1⟩,   C_ij = |x_i − x_j|²</code>
/// solved by alternating soft c-transforms f = T_b(g), g = T_a(f) (<see cref="SinkhornGrid.Softmin"/>), multiscale
/// (<see cref="SinkhornPyramid"/>), ε-scaled and Anderson-accelerated (<see cref="AndersonAcceleration"/>; over-relaxed
/// with a dual-ascent safeguard on levels above 1024², where the history would not fit). Every result is that of the
/// full-resolution problem: the coarser levels only provide the starting potentials.
/// </summary>
/// <remarks>
/// Schedule (Schmitzer 2019 ε-scaling, run coarse-to-fine as Feydy's GeomLoss does on images): ε starts at the squared
/// diameter of the canvas and halves each step down to the target; each step runs on the coarsest level whose pixels are
/// no wider than the entropic blur √ε (2^L ≤ √ε), ten Sinkhorn iterations a step on the coarser levels and one at full
/// resolution. At the target ε the solver iterates to convergence on that level (to half the tolerance), then carries the
/// potentials to each finer level by bilinear interpolation and iterates there, the full-resolution level to the
/// tolerance itself. Each level's iterations are Anderson-accelerated (memory <see cref="AndersonMemory"/>). Levels above
/// 1024² are over-relaxed instead, f ← (1 − ω) f + ω T(g), ω = <see cref="OverRelaxation"/> (Thibault et al. 2017; same
/// fixed point, far fewer iterations) with the safeguard of Lehmann et al. (2022): a step is taken only when it
/// increases the dual objective, which for the f-block is Σ a_i φ(x_i) + const, φ(x) = x − eˣ, x = (f − T(g))/ε;
/// otherwise ω is halved towards plain Sinkhorn (ω = 1 always increases it), so the iteration converges from any start.
/// A last half-step makes the first marginal exact, so that OT_ε(a, b) = ⟨a, f⟩ + ⟨b, g⟩.
/// <para>
/// Defaults come from <see cref="SinkhornOptions"/>: the target ε (automatic max(1, (L/64)²) px²), the tolerance on the
/// 2-norm of the column-marginal error (1e-4, POT's stopThr) and the iteration cap at full resolution (10,000); coarser
/// levels stop at half the tolerance or <see cref="CoarseMaxIterations"/>. Memory: the mass pyramids (4/3 of the canvas
/// each, float64), two potentials and a scratch array, and the Anderson history of one potential, 2·(5 + 1) float64 a
/// pixel (6 MB at 256²).
/// </para>
/// References: B. Schmitzer (2019) "Stabilized sparse scaling algorithms for entropy regularized transport problems",
/// SIAM J. Sci. Comput. 41(3):A1443–A1481, doi:10.1137/16M1106018; J. Feydy (2020) "Geometric data analysis, beyond
/// convolutions", PhD thesis, ENS Paris-Saclay; A. Thibault, L. Chizat, C. Dossal, N. Papadakis (2021) "Overrelaxed
/// Sinkhorn–Knopp algorithm for regularized optimal transport", Algorithms 14(5):143, doi:10.3390/a14050143
/// (arXiv:1711.01851, 2017); T. Lehmann, M.-K. von Renesse, A. Sambale, A. Uschmajew (2022) "A note on overrelaxation in
/// the Sinkhorn algorithm", Optim. Lett. 16:2209–2220, doi:10.1007/s11590-021-01830-0; H. F. Walker, P. Ni (2011)
/// "Anderson acceleration for fixed-point iterations", SIAM J. Numer. Anal. 49(4):1715–1735, doi:10.1137/10078356X.
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

    private readonly SinkhornPyramid _pyramid;
    private readonly double _epsilon;
    private readonly SinkhornOptions _options;

    public SinkhornSolver(int height, int width, SinkhornOptions options)
    {
        _options = options;
        _epsilon = options.EpsilonFor(height, width);
        _pyramid = new SinkhornPyramid(height, width, options.Tolerance < SinkhornGrid.PreciseBelowTolerance);
    }

    /// <summary>OT_ε(a, b) = ⟨a, f⟩ + ⟨b, g⟩ at the solution; iterations and marginal error at full resolution.</summary>
    public SinkhornResult Solve(double[] a, double[] b)
    {
        var massA = _pyramid.Masses(a);
        var massB = _pyramid.Masses(b);
        var logA = massA.Select(SinkhornPyramid.LogOf).ToArray();
        var logB = massB.Select(SinkhornPyramid.LogOf).ToArray();
        int target = _pyramid.LevelFor(_epsilon);
        var state = new SinkhornLevelPotentials(_pyramid, StartLevel(target), 2);
        foreach (var (e, level) in Schedule())
        {
            state.MoveTo(level);
            double eps = e / SinkhornPyramid.Scale(level);
            var (f, g) = (state.Potentials[0], state.Potentials[1]);
            for (int step = 0; step < (level > 0 ? CoarseStepIterations : 1); step++)
            {
                _pyramid[level].Softmin(eps, logB[level], g, f);
                _pyramid[level].Softmin(eps, logA[level], f, g);
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
        _pyramid[0].Softmin(_epsilon, logB[0], gg, ff); // rows sum to a exactly: the dual value is then ⟨a, f⟩ + ⟨b, g⟩
        return new SinkhornResult(Dot(a, ff) + Dot(b, gg), iterations, error, converged, _epsilon);
    }

    /// <summary>½ OT_ε(a, a) = ⟨a, f⟩ with Feydy's symmetric update f ← ½(f + T_a(f)), on the same schedule and levels.</summary>
    public (double Half, int Iterations, double Error) SolveSymmetric(double[] a)
    {
        var mass = _pyramid.Masses(a);
        var log = mass.Select(SinkhornPyramid.LogOf).ToArray();
        int target = _pyramid.LevelFor(_epsilon);
        var state = new SinkhornLevelPotentials(_pyramid, StartLevel(target), 1);
        bool first = true;
        foreach (var (e, level) in Schedule())
        {
            state.MoveTo(level);
            var (f, t) = (state.Potentials[0], state.Scratch);
            _pyramid[level].Softmin(e / SinkhornPyramid.Scale(level), log[level], f, t);
            for (int i = 0; i < f.Length; i++) f[i] = first ? t[i] : 0.5 * (f[i] + t[i]);
            first = false;
        }
        int iterations = 0;
        double error = double.PositiveInfinity;
        for (int level = target; level >= 0; level--)
        {
            state.MoveTo(level);
            bool full = level == 0;
            double eps = _epsilon / SinkhornPyramid.Scale(level);
            double tolerance = full ? _options.Tolerance : _options.Tolerance * CoarseToleranceFactor;
            int cap = full ? _options.MaxIterations : Math.Min(_options.MaxIterations, CoarseMaxIterations);
            var (f, t) = (state.Potentials[0], state.Scratch);
            for (iterations = 0; iterations < cap;)
            {
                _pyramid[level].Softmin(eps, log[level], f, t);
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
        double eps = _epsilon / SinkhornPyramid.Scale(level);
        if (_pyramid[level].Length <= AndersonMaxPixels)
            return IterateAccelerated(level, logA, b, logB, f, g, eps, tolerance, maxIterations);
        var grid = _pyramid[level];
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
    /// with Anderson acceleration (<see cref="AndersonAcceleration"/>, memory <see cref="AndersonMemory"/>). Near the
    /// solution Sinkhorn is almost linear and this behaves like GMRES on it. Accelerating g alone matters: with (f, g) as
    /// the state, the extrapolated f is never used by the next step but weighs in the fit, and a 256² pair at ε = 1 px²
    /// needed 64–92 iterations instead of 35. Safeguard: when the marginal error exceeds twice the best so far, the history
    /// is dropped and the iteration restarts from the last plain step.
    /// </summary>
    private (int Iterations, double Error, bool Converged) IterateAccelerated(int level, double[] logA, double[] b, double[] logB,
        double[] f, double[] g, double eps, double tolerance, int maxIterations)
    {
        var grid = _pyramid[level];
        var history = new AndersonAcceleration(g.Length, AndersonMemory);
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
        var full = _pyramid[0];
        double e = Math.Max((double)(full.Height - 1) * (full.Height - 1) + (double)(full.Width - 1) * (full.Width - 1), 1.0);
        for (; e > _epsilon; e *= 0.5) yield return (e, _pyramid.LevelFor(e));
    }

    /// <summary>The level of the first ε-scaling step, or the target's when there is none (ε above the squared diameter).</summary>
    private int StartLevel(int target)
    {
        foreach (var (_, level) in Schedule()) return level;
        return target;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Dot(double[] mass, double[] potential)
    {
        double s = 0;
        for (int i = 0; i < mass.Length; i++)
            if (mass[i] > 0) s += mass[i] * potential[i];
        return s;
    }
}
