@{
    Synopsis    = 'Estimates the tissue from the genes themselves: the mask Pearson and SmoothedPearson use by default.'
    Description = @'
Get-TissueMask collects gene rasters and returns one raster named 'tissue' (1 inside, 0 outside) on their canvas: the pixels where any gene is non-zero, closed with a disc (dilation, then erosion, on a canvas padded with background so the canvas edge neither erodes nor glues tissue) and with holes filled (background pixels not connected to the canvas border become tissue, as scipy.ndimage.binary_fill_holes). The default disc radius is 2 × the median nearest-neighbour spacing of the support pixels, 1 to 32 pixels: it closes the gaps between detections inside the tissue but not the empty space around it.

Get-RankedPairs and Measure-PatternSimilarity build this mask by default for Pearson and SmoothedPearson (unless -Mask or -NoTissueMask is given): only tissue pixels count and smoothing is normalised by the mask, because empty background makes any two genes look alike. Use Get-TissueMask to look at the mask (Export-GeneRaster), to tune -ClosingRadius, or to pass the same mask to several commands with -Mask.
'@
    Parameters  = @{
        InputObject   = 'The gene rasters whose joint support is the tissue, usually from the pipeline; all on one canvas. Use many genes: from only a few the support is a poor tissue estimate.'
        ClosingRadius = 'Radius in pixels of the disc of the morphological closing. Default: 2 × the median nearest-neighbour spacing of the support pixels, clamped to 1..32. 0 = no closing (holes are still filled).'
    }
    Inputs      = @('SpatialSim.TorchCore.GeneRaster')
    Outputs     = @('SpatialSim.TorchCore.GeneRaster: the mask, Gene ''tissue'', pixels 1 inside and 0 outside.')
    Examples    = @(
        @{
            Title   = 'The tissue of a Stereo-seq patch and its share of the canvas'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$tissue = Import-GeneRaster $gem -BinSize 5 -MinTotal 50 | Get-TissueMask -Verbose
$tissue.Total / ($tissue.Width * $tissue.Height)
'@
            Remarks = 'Total of a 0/1 mask is its pixel count, so the last line prints the tissue fraction.'
        }
        @{
            Title   = 'One mask for several commands, with a wider closing'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$genes = Import-GeneRaster $gem -BinSize 5 -MinTotal 200
$tissue = $genes | Get-TissueMask -ClosingRadius 6
$genes | Get-RankedPairs -Mask $tissue -Top 5
'@
            Remarks = 'The ranking counts only the pixels of the given mask (Parameters shows mask=tissue).'
        }
    )
    Links       = @('Get-RankedPairs', 'Measure-PatternSimilarity', 'Export-GeneRaster', 'about_SpatialSim')
}
