namespace SpatialSim.TorchCore.IO;

/// <summary>
/// The non-gene codewords that imaging platforms write into their transcript tables beside the real genes, and the
/// default decoding-quality floor. Xenium writes <c>NegControlProbe_*</c>, <c>NegControlCodeword_*</c>,
/// <c>BLANK_*</c>, <c>UnassignedCodeword_*</c> and <c>DeprecatedCodeword_*</c>; MERSCOPE writes <c>Blank-*</c>;
/// CosMx writes <c>NegPrb*</c> and <c>FalseCode*</c>. They are excluded by default because they carry no expression
/// pattern, only the noise floor of the decoding.
/// </summary>
public static class ControlProbes
{
    /// <summary>Gene-name prefixes of control codewords (matched case-insensitively).</summary>
    public static readonly string[] Prefixes = ["NegControl", "BLANK", "Unassigned", "DeprecatedCodeword", "NegPrb", "FalseCode"];

    /// <summary>Xenium's recommended floor on the Phred-scaled decoding quality value (qv ≥ 20: at most 1 % wrong calls).</summary>
    public const double DefaultMinQuality = 20;

    /// <summary>Whether <paramref name="gene"/> names a control codeword rather than a gene.</summary>
    public static bool IsControl(string gene)
    {
        foreach (var prefix in Prefixes)
            if (gene.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
