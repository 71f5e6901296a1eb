@{
    Synopsis    = 'Writes gene rasters to .npy, 16-bit PNG or float32 TIFF files.'
    Description = @'
Export-GeneRaster writes rasters so smoothed or binned maps can be looked at and handed to other tools. The format follows the extension: .npy (float32, exact; several rasters to one path become one 3-D stack genes×height×width), .png (16-bit grayscale: exact for integer counts 0..65535, otherwise scaled so the maximum is 65535, with a warning) and .tif/.tiff (32-bit float, exact).

Put {Gene} in the path to write one file per gene. Every file is written to a temporary file first and renamed into place, so an interrupted export leaves no half-written file. An existing file is never overwritten without -Force.
'@
    Parameters  = @{
        InputObject = 'The rasters to write, usually from the pipeline.'
        Path        = 'The output file. {Gene} in it is replaced by each gene''s name (characters a file name cannot hold become _).'
        Force       = 'Overwrite an existing file.'
        PassThru    = 'Output a FileInfo for each file written.'
    }
    Inputs      = @('SpatialSim.TorchCore.GeneRaster')
    Outputs     = @('None, or System.IO.FileInfo with -PassThru.')
    Examples    = @(
        @{
            Title   = 'Save a smoothed map as a float TIFF'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$out = Join-Path ([IO.Path]::GetTempPath()) 'Apoe_smoothed.tif'
Import-GeneRaster $gem -Gene Apoe -BinSize 5 | Invoke-Smoothing -Sigma 2 | Export-GeneRaster -Path $out -Force -PassThru
'@
            Remarks = 'Smooths Apoe with σ = 2 pixels and writes the exact float values to a TIFF.'
        }
        @{
            Title   = 'One .npy stack for Python'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$out = Join-Path ([IO.Path]::GetTempPath()) 'genes.npy'
Import-GeneRaster $gem -MinTotal 500 -BinSize 10 | Export-GeneRaster -Path $out -Force -PassThru -Verbose
'@
            Remarks = 'Writes all genes with at least 500 counts into one (genes, height, width) float32 array; -Verbose lists the gene order. In Python: numpy.load(path).'
        }
    )
    Links       = @('Import-GeneRaster')
}
