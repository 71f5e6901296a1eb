using System.Management.Automation;
using SpatialSim.TorchCore.Devices;

namespace SpatialSim.Cmdlets;

/// <summary>
/// Runs on Import-Module. Every data cmdlet needs libtorch, whose loading (≈0.5 GB of native libraries, thousands of
/// operator registrations) is the largest part of a first command's time. Import-Module itself stays quick: libtorch
/// is loaded on a background thread, overlapping with PowerShell's own work (binding, reading the input) until the
/// first command needs a tensor, which then waits only for what is left.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    public void OnImport() => TorchRuntime.PreloadInBackground();
}
