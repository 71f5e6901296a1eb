@{
    Synopsis    = 'Ranks every pair of the input genes by how alike their spatial patterns are, most similar first.'
    Description = @'
Get-RankedPairs collects GeneRasters from the pipeline (or -InputObject) and scores all pairs with -Method, then outputs RankedPair objects (Rank, GeneA, GeneB, Score, Method, Parameters), Rank 1 = most similar. Pairs whose score is undefined (a gene that is all zero or constant) come last with Score NaN, and a warning names the gene.

Pearson and SmoothedPearson (one σ, no mask) are computed for all pairs at once as one Gram matrix: each gene is blurred once, centred and scaled to unit norm, and one matrix product gives every correlation. Other measures are computed pair by pair.

The Gram path streams the canvas in horizontal strips so that it fits a memory budget (-MaxMemoryGB, default a quarter of the physical memory): for each strip every gene is blurred from its pixels with a halo of 4σ rows above and below (the truncation radius of the blur, so strips give the same result as blurring the whole raster), and the strip's products are added up in float64. Rasters from count tables stay sparse (8 bytes per non-zero pixel); the Gram path never makes their dense rasters, so 100 genes on a 10000 × 10000 canvas at 1% density rank in a few GB. -Verbose states the budget, the strips and the memory the rasters hold. If one row per strip for all genes does not fit the budget, the command stops with an error suggesting a larger -MaxMemoryGB or -BinSize.

All rasters must share one canvas (same size) and have unique gene names. -Gene X keeps only the pairs containing X (its best partners, X named first); -Top N keeps the first N.
'@
    SharedParameters = 'SimilarityParameters.data.psd1'
    Parameters  = @{
        InputObject = 'The gene rasters to pair, usually from the pipeline (at least two).'
        Top         = 'Output only the first N pairs.'
        Gene        = 'Output only the pairs that contain this gene, its best partners first.'
        MaxMemoryGB = 'Working-memory budget of the Gram path (Pearson, SmoothedPearson) in GB (10^9 bytes), on top of the memory the rasters already hold. It sets the height of the strips the canvas is streamed in; the result does not depend on it. Default: a quarter of the physical memory (or of the container limit). Too small a budget (not even one row of every gene fits) stops the command with an error.'
    }
    Inputs      = @('SpatialSim.TorchCore.GeneRaster')
    Outputs     = @('SpatialSim.TorchCore.Similarity.RankedPair')
    Examples    = @(
        @{
            Title   = 'The 20 most similar pairs of a Stereo-seq patch'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
Import-GeneRaster $gem -BinSize 5 -MinTotal 50 | Sort-Object Total -Descending | Select-Object -First 40 |
    Get-RankedPairs -Method SmoothedPearson -Sigma 2 -Top 20
'@
            Remarks = 'The 40 most expressed genes at bin 5 (2.5 µm pixels), all 780 pairs scored by Pearson correlation after Gaussian smoothing with σ = 2 pixels; the top 20 are shown.'
        }
        @{
            Title   = 'The best partners of one gene'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
Import-GeneRaster $gem -BinSize 5 -MinTotal 100 | Get-RankedPairs -Gene Apoe -Top 5
'@
            Remarks = 'Pairs containing Apoe only, Apoe named first.'
        }
        @{
            Title   = 'Save a ranking for a spreadsheet'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$csv = Join-Path ([IO.Path]::GetTempPath()) 'ranked_pairs.csv'
Import-GeneRaster $gem -BinSize 5 -MinTotal 200 | Get-RankedPairs -Method Pearson | Export-Csv $csv -NoTypeInformation
Import-Csv $csv | Select-Object -First 3
'@
            Remarks = 'Plain pixel Pearson for every pair, written to CSV and read back.'
        }
        @{
            Title   = 'Rank within a memory budget'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
Import-GeneRaster $gem -BinSize 2 -MinTotal 100 | Get-RankedPairs -Method SmoothedPearson -Sigma 4 -MaxMemoryGB 0.05 -Top 5 -Verbose
'@
            Remarks = 'The Gram path streams the canvas in strips that fit 50 MB of working memory; -Verbose shows the strips. The ranking is the same as without the budget.'
        }
    )
    Links       = @('Measure-PatternSimilarity', 'Import-GeneRaster', 'about_SpatialSim')
}
