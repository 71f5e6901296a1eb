using System.Management.Automation;

namespace SpatialSim.Cmdlets;

/// <summary>Get-RankedPairs -FullResolution: opt out of the working grid (<see cref="SpatialSim.TorchCore.Defaults.WorkingGrid"/>).</summary>
public sealed partial class GetRankedPairsCommand
{
    /// <summary>Compute on the canvas' own pixels even when σ is large enough for a coarser working grid (slower; for checking the grid).</summary>
    [Parameter]
    public SwitchParameter FullResolution { get; set; }

    protected override long? MemoryBudgetBytes => MyInvocation.BoundParameters.ContainsKey(nameof(MaxMemoryGB)) ? (long)(MaxMemoryGB * 1e9) : null;
}
