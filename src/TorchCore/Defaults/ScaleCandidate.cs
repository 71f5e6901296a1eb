namespace SpatialSim.TorchCore.Defaults;

/// <summary>One candidate σ of <see cref="CountSplitScale"/> and how the genes scored it: a row of the table -Verbose shows.</summary>
/// <param name="Sigma">σ in the rasters' pixels, as applied to a half of the counts.</param>
/// <param name="SigmaAtBin1">The same σ in pixels of bin 1 (σ × the rasters' bin size): the physical scale, the same whatever the binning.</param>
/// <param name="Genes">Genes whose held-out error was evaluated at this σ (the search stops once a gene's error has risen past its minimum).</param>
/// <param name="Optima">Genes whose own optimum is nearer this candidate than any other.</param>
/// <param name="MedianLoss">
/// Median over the evaluated genes of (E(σ) − E_min) / (E_flat − E_min): the share of the gain over a flat map (no
/// spatial pattern) that this σ loses against the gene's best candidate; 0 at a gene's optimum.
/// </param>
public sealed record ScaleCandidate(double Sigma, double SigmaAtBin1, int Genes, int Optima, double MedianLoss);
