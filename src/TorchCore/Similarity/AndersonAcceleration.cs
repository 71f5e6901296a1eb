using System.Numerics;
using System.Runtime.CompilerServices;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// Anderson acceleration (type II) of a fixed-point iteration x ← G(x) on float64 vectors: the last differences of
/// states and residuals, and the extrapolated next state.
/// </summary>
/// <remarks>
/// With the residual r_k = G(x_k) − x_k and the differences ΔG = [G(x_{i+1}) − G(x_i)] and ΔR = [r_{i+1} − r_i] of the
/// last m steps, the next state is
/// <code>x_{k+1} = G(x_k) − ΔG γ,   γ = argmin_γ ‖r_k − ΔR γ‖₂</code>
/// (Walker &amp; Ni 2011: Anderson's method with mixing parameter 1, in its unconstrained least-squares form). Near a
/// solution of a nearly linear map this is GMRES on the linearised problem, so a slowly contracting iteration (Sinkhorn
/// at small ε) converges in far fewer steps. γ comes from the m×m normal equations, ΔRᵀΔR γ = ΔRᵀ r_k, with a ridge of 1e−10 of the trace for
/// nearly collinear differences; a fit that is not finite takes the plain step and drops the history.
/// <para>
/// Defaults: the caller chooses the memory m (the Sinkhorn solver keeps 5). Memory: 2·(m + 1) vectors of the state's
/// length, allocated once and reused in turn (a 256² level would otherwise allocate 2 MB an iteration).
/// </para>
/// Reference: H. F. Walker, P. Ni (2011) "Anderson acceleration for fixed-point iterations", SIAM J. Numer. Anal.
/// 49(4):1715–1735, doi:10.1137/10078356X.
/// </remarks>
internal sealed class AndersonAcceleration
{
    private readonly int _length, _memory;
    private readonly List<double[]> _stepDifferences = new(), _residualDifferences = new();
    private readonly Stack<double[]> _free = new();
    private double[]? _lastStep, _lastResidual;

    public AndersonAcceleration(int length, int memory)
    {
        _length = length;
        _memory = memory;
    }

    /// <summary>Forgets the history (buffers are kept for reuse): the next step is the plain one.</summary>
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
