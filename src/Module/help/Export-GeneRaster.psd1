@{
    Synopsis    = 'Writes gene rasters to .npy, 16-bit PNG or float32 TIFF files.'
    Description = @'
Export-GeneRaster writes rasters so smoothed or binned maps can be looked at and handed to other tools. The format follows the extension: .npy (float32, exact; several rasters to one path become one 3-D stack genes×height×width), .png (16-bit grayscale: exact for integer counts 0..65535, otherwise scaled so the maximum is 65535, with a warning) and .tif/.tiff (32-bit float, exact).

Put {Gene} in the path to write one file per gene. Every file is written to a temporary file first and renamed into place, so an interrupted export leaves no half-written file. An existing file is never overwritten without -Force, and one export never writes two rasters to one file: a second raster of the same gene is refused with an error (with or without -Force).

Gene names come from input files, so they never choose a folder or a drive: the path is resolved first (relative to the current location; it must be a file-system path, not Variable: or Env:), then each gene's name is put in as one file name, percent-encoded where needed (as in URLs: each UTF-8 byte as %XX). Always encoded: / \ : * ? " < > | and % itself, and control characters; at the start also . ~ and a space, at the end . and a space; the first letter of a Windows device name (CON, PRN, AUX, NUL, COM0-9, LPT0-9). So chr1:100-200 becomes chr1%3A100-200.npy, a/b becomes a%2Fb.npy, .. becomes %2E%2E.npy, and ordinary names (Apoe, gene[1], HLA-DRB1) are kept as they are. The empty name becomes %. Different gene names always give different file names. A name longer than 200 bytes is cut and ends in %~ and 16 hex digits of its SHA-256. With {Gene} in a folder ('out/{Gene}/map.npy'), each gene's folder is created; the folder above it must exist.
'@
    Parameters  = @{
        InputObject = 'The rasters to write, usually from the pipeline.'
        Path        = 'The output file, relative to the current location; taken literally (no wildcards). {Gene} in it is replaced by each gene''s name, encoded as the description says so that it stays one file name in the folder given.'
        LiteralPath = 'The output file, as -Path (an output path is always taken literally); named as in PowerShell''s own cmdlets, with the aliases PSPath and LP.'
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
