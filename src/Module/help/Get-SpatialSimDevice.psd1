@{
    Synopsis    = 'Shows what SpatialSim computes with: torch version, devices available, threads in use.'
    Description = 'Get-SpatialSimDevice loads libtorch if needed and reports its version, the TorchSharp version, the devices usable on this machine (Cpu, and Cuda:N where a CUDA build of libtorch and a GPU are present), and the number of threads torch uses.'
    Parameters  = @{}
    Outputs     = @('SpatialSim.TorchCore.Devices.SpatialSimDeviceInfo')
    Examples    = @(
        @{ Title = 'What is available'; Code = 'Get-SpatialSimDevice'; Remarks = 'Lists torch version, devices and threads.' }
        @{ Title = 'Use CUDA when there is one'; Code = '$device = if ((Get-SpatialSimDevice).CudaAvailable) { ''Cuda'' } else { ''Cpu'' }; $device'; Remarks = 'Picks the device to pass to Import-GeneRaster -Device.' }
    )
    Links       = @('Import-GeneRaster')
}
