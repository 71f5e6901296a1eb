using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Output;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Cmdlets;

/// <summary>
/// Writes ranked pairs as an Apache Parquet edge list (Rank, GeneA, GeneB, Score, PValue, QValue, …) that pandas,
/// polars, R and DuckDB read without help. Never overwrites without -Force.
/// </summary>
[Cmdlet(VerbsData.Export, "RankedPairs", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportRankedPairsCommand : FileExportCmdlet
{
    private readonly RankedPairTable _table = new();
    private bool _failed;

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public RankedPair[] InputObject { get; set; } = Array.Empty<RankedPair>();

    protected override IReadOnlyList<string> Extensions { get; } = new[] { ".parquet" };

    protected override void ProcessRecord()
    {
        if (_failed) return;
        try
        {
            foreach (var p in InputObject)
                if (p is not null) _table.Add(p);
        }
        catch (SpatialSimException e)
        {
            _failed = true;
            WriteFailure(e, Path, "ExportFailed");
        }
    }

    protected override void EndProcessing()
    {
        if (_failed) return;
        string target = Target;
        try
        {
            if (!ShouldProcess(target, $"Write {_table.Count:N0} ranked pairs ({_table.Method}) as a Parquet edge list")) return;
            _table.WriteParquet(target, Force, StopToken);
            WriteVerbose($"'{target}': {_table.Count:N0} pairs, columns Rank, GeneA, GeneB, Score, PValue, QValue, Method, Parameters.");
            if (PassThru) WriteObject(new FileInfo(target));
        }
        catch (OperationCanceledException) { throw new PipelineStoppedException(); }
        catch (Exception e) { WriteFailure(e, target, "ExportFailed"); }
    }
}
