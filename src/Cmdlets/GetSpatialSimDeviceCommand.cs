using System.Management.Automation;
using SpatialSim.TorchCore.Devices;

namespace SpatialSim.Cmdlets;

/// <summary>What SpatialSim computes with: torch version, devices available, threads in use.</summary>
[Cmdlet(VerbsCommon.Get, "SpatialSimDevice")]
[OutputType(typeof(SpatialSimDeviceInfo))]
public sealed class GetSpatialSimDeviceCommand : SpatialSimCmdlet
{
    protected override void EndProcessing()
    {
        try
        {
            WriteObject(SpatialSimDeviceInfo.Current());
        }
        catch (Exception e)
        {
            ThrowFailure(e, null, "DeviceQueryFailed");
        }
    }
}
