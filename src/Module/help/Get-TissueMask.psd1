@{
    Synopsis    = 'Estimates the tissue from the genes themselves: the mask Pearson and SmoothedPearson use by default.'
    Description = @'
Get-TissueMask collects gene rasters and returns one raster named 'tissue' (1 inside, 0 outside) on their canvas: the tissue at the analysis scale. The total counts of all genes are summed over the blocks of the working grid (sigma/3 pixels) and smoothed with the analysis sigma (the one Get-RankedPairs chooses from the data by count splitting, or -Sigma) - the density of molecules at the scale the genes are compared at. Pixels with less than a twentieth of one smoothed count are background; between tissue and background the threshold is Otsu's on the logarithm of the density, so sparse and dense tissue fall on the same side (the CA1 strata around the dense pyramidal band, a spot grid with empty spots inside). Otsu's split is kept only when the pixels below it hold at most a tenth of the tissue's counts per pixel; otherwise the canvas is all tissue (a patch cut from inside a section). Connected regions (8-neighbours) holding less than 1% of the counts are dropped (stray molecules off the section), the largest is always kept, and holes are filled. It costs one block sum per gene and one blur on the grid. On the CA1 ISS table it covers the contiguous CA1 arc (46% of the canvas, all molecules, one region) at bin 1 and at bin 10 alike.

With -ClosingRadius the earlier rule is used instead: the pixels where any gene is non-zero, closed with a disc of that radius (dilation, then erosion, on a canvas padded with background) and with holes filled. It suits dense data; on sparse molecules the support at full resolution is a scatter of specks.

Get-RankedPairs and Measure-PatternSimilarity build the density mask by default for Pearson and SmoothedPearson (unless -Mask or -NoTissueMask is given): only tissue pixels count and smoothing is normalised by the mask, because empty background makes any two genes look alike. Use Get-TissueMask to look at the mask (Export-PatternImage, Export-GeneRaster), or to pass the same mask to several commands with -Mask.
'@
    Parameters  = @{
        InputObject   = 'The gene rasters whose counts make the tissue, usually from the pipeline; all on one canvas. Use many genes: from only a few the density is a poor tissue estimate.'
        Sigma         = 'The analysis scale in pixels: the density of counts is smoothed with it. Default: chosen from the data by Poisson count splitting, as Get-RankedPairs does (see about_SpatialSim).'
        ClosingRadius = 'Use the joint support of the genes instead of their density, closed with a disc of this radius in pixels (0 = no closing; holes are still filled).'
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
            Title   = 'One mask for several commands, at a scale of your choice'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$genes = Import-GeneRaster $gem -BinSize 5 -MinTotal 200
$tissue = $genes | Get-TissueMask -Sigma 3
$genes | Get-RankedPairs -Mask $tissue -Top 5
'@
            Remarks = 'The ranking counts only the pixels of the given mask (Parameters shows mask=tissue).'
        }
    )
    Links       = @('Get-RankedPairs', 'Measure-PatternSimilarity', 'Export-GeneRaster', 'about_SpatialSim')
}
