using System.Globalization;
using System.Text;

namespace SpatialSim.TorchCore.Defaults;

/// <summary>What <see cref="CountSplitScale.Choose"/> found: the σ, how it was reached, and the table behind it.</summary>
public sealed record ScaleSelection
{
    /// <summary>The chosen σ in the rasters' pixels (for all the counts).</summary>
    public required double Sigma { get; init; }
    /// <summary>The median over the genes of each gene's optimum for a half of its counts, before the 2^(−1/6) rescaling.</summary>
    public required double HalfSigma { get; init; }
    /// <summary>The rasters' bin size: σ × BinSize is the scale in pixels of bin 1.</summary>
    public required int BinSize { get; init; }
    /// <summary>Smallest and largest candidate σ (pixels).</summary>
    public required double Floor { get; init; }
    public required double Ceiling { get; init; }
    /// <summary>Stride of the coarsest grid the criterion was evaluated on at the floor (1 = the rasters' own pixels).</summary>
    public required int EvaluationStride { get; init; }
    /// <summary>The genes evaluated (a sample spread over the range of total counts), and each one's optimum in pixels.</summary>
    public required IReadOnlyList<string> Genes { get; init; }
    public required IReadOnlyList<double> GeneOptima { get; init; }
    /// <summary>Genes whose optimum is the floor (the data would bear less smoothing than evaluated) or the ceiling (no pattern the halves share).</summary>
    public required int AtFloor { get; init; }
    public required int AtCeiling { get; init; }
    /// <summary>Genes with counts that were too few to split (fewer than <see cref="CountSplitScale.MinGeneCounts"/>).</summary>
    public required int TooSparse { get; init; }
    public required IReadOnlyList<ScaleCandidate> Candidates { get; init; }
    /// <summary>Why the fixed default was used instead (no gene could be split), or null.</summary>
    public string? Fallback { get; init; }
    public required TimeSpan Elapsed { get; init; }

    /// <summary>σ in pixels of bin 1.</summary>
    public double SigmaAtBin1 => Sigma * BinSize;

    /// <summary>One line: the σ and how it was found.</summary>
    public string Summary() => Fallback is not null
        ? $"Automatic scale: {Fallback}; σ = {F(Sigma)} px (the fixed default)."
        : $"Automatic scale by Poisson count splitting: {Genes.Count} genes' counts split into halves; each gene's σ minimising the error of one " +
          $"smoothed half predicting the other, median {F(HalfSigma)} px, × 2^(−1/6) for the full counts → σ = {F(Sigma)} px" +
          (BinSize != 1 ? $" (= {F(SigmaAtBin1)} px at bin 1)" : "") +
          $"; candidates {F(Floor)}–{F(Ceiling)} px" + (EvaluationStride > 1 ? $" on grids of ≥ {EvaluationStride} px" : "") +
          (AtFloor > 0 ? $"; {AtFloor} gene(s) at the floor" : "") + (AtCeiling > 0 ? $"; {AtCeiling} gene(s) without a shared pattern (at the ceiling)" : "") +
          (TooSparse > 0 ? $"; {TooSparse} gene(s) too sparse to split" : "") + $"; {Elapsed.TotalSeconds:0.00} s. Give -Sigma to override.";

    /// <summary>The candidate table, one line per candidate σ.</summary>
    public IEnumerable<string> Table()
    {
        if (Candidates.Count == 0) yield break;
        yield return "  σ (px)   σ at bin 1   genes evaluated   optima here   median loss";
        foreach (var c in Candidates)
        {
            var line = new StringBuilder();
            line.Append(F(c.Sigma).PadLeft(8)).Append(F(c.SigmaAtBin1).PadLeft(13)).Append(c.Genes.ToString(CultureInfo.InvariantCulture).PadLeft(18))
                .Append(c.Optima.ToString(CultureInfo.InvariantCulture).PadLeft(14)).Append((double.IsNaN(c.MedianLoss) ? "" : c.MedianLoss.ToString("P1", CultureInfo.InvariantCulture)).PadLeft(14));
            yield return line.ToString();
        }
    }

    private static string F(double v) => v.ToString("g4", CultureInfo.InvariantCulture);
}
