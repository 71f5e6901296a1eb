namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// A paper a measure follows (<see cref="MeasureFacts.References"/>): the citation, and its DOI ("doi:10.…") or, for a paper
/// without one, its arXiv identifier ("arXiv:…").
/// </summary>
/// <param name="Citation">Authors (year), title, venue — as the README and about_SpatialSim show it.</param>
/// <param name="Id">"doi:…" or "arXiv:…".</param>
public sealed record MeasureReference(string Citation, string Id)
{
    /// <summary>The DOI or arXiv resolver address of <see cref="Id"/>.</summary>
    public string Url => Id.StartsWith("doi:", StringComparison.Ordinal) ? "https://doi.org/" + Id[4..]
        : Id.StartsWith("arXiv:", StringComparison.Ordinal) ? "https://arxiv.org/abs/" + Id[6..]
        : throw new InvalidOperationException($"Reference id '{Id}' is neither doi:… nor arXiv:….");
}
