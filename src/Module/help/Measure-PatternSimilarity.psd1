@{
    Synopsis    = 'Scores how alike each input raster''s spatial pattern is to a reference raster. Higher Score = more similar.'
    Description = @'
Measure-PatternSimilarity compares each raster from the pipeline with -Reference by the measure -Method and returns one PatternSimilarity object per raster (with several methods, -Method A,B, one per method and raster, in -Method order; each is exactly what a run with that method alone gives) (GeneA = reference, GeneB = input, Method, Score, Parameters, and per-scale Details where the measure has them). Every measure compares relative patterns: multiplying a gene by a positive constant does not change its score. When a score is undefined — a gene that is all zero or constant — Score is NaN and a warning names the gene.

Defaults from the data: without -Sigma, the smoothing scale of SmoothedPearson (and RoiPearson) is chosen from the spacing of the non-zero pixels, and without -Mask, Pearson and SmoothedPearson count only the tissue estimated from the genes (see -NoTissueMask). Both are estimated from the reference and ALL piped rasters, which are then compared once the pipeline ends, so a score does not depend on the order of the inputs; with -Sigma and -Mask (or -NoTissueMask) each input is compared as it arrives.

See about_SpatialSim for the measures, their defaults, and when to use which.
'@
    SharedParameters = 'SimilarityParameters.data.psd1'
    Parameters  = @{
        Reference   = 'The raster every input is compared with.'
        InputObject = 'The rasters to compare with the reference, usually from the pipeline. They must share the reference''s canvas (size).'
    }
    Inputs      = @('SpatialSim.TorchCore.GeneRaster')
    Outputs     = @('SpatialSim.TorchCore.Similarity.PatternSimilarity')
    Examples    = @(
        @{
            Title   = 'Two measures side by side'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$a, $b = Import-GeneRaster $gem -Gene Malat1, Apoe -BinSize 5
$b | Measure-PatternSimilarity -Reference $a -Method SmoothedPearson, Spearman -Sigma 2
'@
            Remarks = 'One PatternSimilarity per method: smoothed Pearson (σ = 2 pixels) and Spearman of Apoe against Malat1.'
        }
        @{
            Title   = 'Which genes look like Apoe?'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$genes = Import-GeneRaster $gem -BinSize 5 -MinTotal 300
$apoe = $genes | Where-Object Gene -eq 'Apoe'
$genes | Measure-PatternSimilarity -Reference $apoe -Method SmoothedPearson -Sigma 2 | Sort-Object Score -Descending | Select-Object -First 5
'@
            Remarks = 'Smoothed Pearson of every gene against Apoe, best first.'
        }
        @{
            Title   = 'Several scales at once'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$a, $b = Import-GeneRaster $gem -Gene Malat1, Apoe -BinSize 5
(Measure-PatternSimilarity -Reference $a -InputObject $b -Sigma 1, 2, 4).Details
'@
            Remarks = 'One score per σ in Details; Score is their mean.'
        }
    )
    Links       = @('Get-RankedPairs', 'about_SpatialSim')
}
