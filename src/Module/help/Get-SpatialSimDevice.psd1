@{
    Synopsis    = 'Shows what SpatialSim computes with: torch version, devices available, threads in use.'
    Description = 'Get-SpatialSimDevice loads libtorch if needed and reports its version, the TorchSharp version, the devices usable on this machine (Cpu, and Cuda:N where a CUDA build of libtorch and a GPU are present), and the number of threads torch uses.

ComputePaths says plainly what runs where. On the CPU, blur, SSIM and MS-SSIM, the spatial lags, Sinkhorn, LBP, SIFT and keypoints are SpatialSim''s own vectorised, multi-threaded code; libtorch supplies BLAS (the Gram products of the all-pairs rankings), FFT (the shift test) and tensor storage. CUDA branches exist for the blur, SSIM, the spatial lags and the Gram products, but the module is built against TorchSharp-cpu and the project''s machines have no GPU and no CUDA libtorch: those branches are run on CPU tensors by the tests and compared with the CPU kernels, never on a GPU. Sinkhorn, LBP, SIFT and keypoints are CPU only.'
    Parameters  = @{}
    Outputs     = @('SpatialSim.TorchCore.Devices.SpatialSimDeviceInfo')
    Examples    = @(
        @{ Title = 'What is available'; Code = 'Get-SpatialSimDevice'; Remarks = 'Lists torch version, devices and threads.' }
        @{ Title = 'What runs where'; Code = '(Get-SpatialSimDevice).ComputePaths | Format-List'; Remarks = 'For each kind of work: what computes it on the CPU and for rasters on CUDA.' }
        @{ Title = 'Use CUDA when there is one'; Code = '$device = if ((Get-SpatialSimDevice).CudaAvailable) { ''Cuda'' } else { ''Cpu'' }; $device'; Remarks = 'Picks the device to pass to Import-GeneRaster -Device.' }
    )
    Links       = @('Import-GeneRaster')
}
