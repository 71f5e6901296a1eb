namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// What <see cref="SinkhornSolver.Solve"/> returns: the entropic transport cost OT_ε(a, b) = ⟨a, f⟩ + ⟨b, g⟩ in px², the
/// iterations and marginal error of the full-resolution level, whether that error reached the tolerance, and the ε used.
/// </summary>
internal readonly record struct SinkhornResult(double Value, int Iterations, double Error, bool Converged, double Epsilon);
