using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Output;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>
/// Writes the symmetric gene × gene score matrix of ranked pairs to .csv, .tsv, .npy (+ a .genes.txt gene list) or
/// AnnData .h5ad (names in obs/var, p- and q-values as layers when the pairs carry them).
/// Pairs not given are NaN, with a warning naming them. Never overwrites without -Force.
/// </summary>
[Cmdlet(VerbsData.Export, "SimilarityMatrix", SupportsShouldProcess = true, DefaultParameterSetName = FileExportCmdlet.PathSet)]
[OutputType(typeof(FileInfo))]
public sealed class ExportSimilarityMatrixCommand : FileExportCmdlet
{
    private readonly List<RankedPair> _pairs = new();

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public RankedPair[] InputObject { get; set; } = Array.Empty<RankedPair>();

    protected override IReadOnlyList<string> Extensions { get; } = new[] { ".csv", ".tsv", ".npy", ".h5ad" };

    protected override void ProcessRecord()
    {
        foreach (var p in InputObject)
            if (p is not null) _pairs.Add(p);
    }

    protected override void EndProcessing()
    {
        string target = Target;
        try
        {
            var matrix = SimilarityMatrix.FromPairs(_pairs);
            if (matrix.MissingPairs.Count > 0)
                WriteWarning($"{matrix.MissingPairs.Count} of the {matrix.Count * (matrix.Count - 1) / 2} pairs of these {matrix.Count} genes were not given " +
                             $"({matrix.DescribeMissing()}); their cells are NaN. Pass all pairs (Get-RankedPairs without -Top or -Gene) for a full matrix.");
            string extra = Extension == ".npy" ? $" and its gene list '{SimilarityMatrix.GenesFileOf(target)}'" : "";
            if (!ShouldProcess(target + extra, $"Write the {matrix.Count}×{matrix.Count} {matrix.Method} score matrix")) return;
            switch (Extension)
            {
                case ".npy":
                    matrix.WriteNpy(target, Force, StopToken);
                    WriteVerbose($"'{target}': float64 ({matrix.Count}, {matrix.Count}); gene order in '{SimilarityMatrix.GenesFileOf(target)}'.");
                    if (PassThru)
                    {
                        WriteObject(new FileInfo(target));
                        WriteObject(new FileInfo(SimilarityMatrix.GenesFileOf(target)));
                    }
                    return;
                case ".h5ad":
                    matrix.WriteH5ad(target, Force, _pairs, StopToken);
                    WriteVerbose($"'{target}': AnnData, X float64 ({matrix.Count}, {matrix.Count}), gene names in obs_names and var_names; " +
                                 $"uns['method'] = {matrix.Method}{(_pairs.Any(p => p.PValue is not null) ? "; layers 'pvalue' and 'qvalue'" : "")}.");
                    if (PassThru) WriteObject(new FileInfo(target));
                    return;
                default:
                    matrix.WriteText(target, Extension == ".tsv" ? '\t' : ',', Force, StopToken);
                    if (PassThru) WriteObject(new FileInfo(target));
                    return;
            }
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e) { WriteFailure(e, target, "ExportFailed"); }
    }
}
