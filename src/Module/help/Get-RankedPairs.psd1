@{
    Synopsis    = 'Ranks every pair of the input genes by how alike their spatial patterns are, most similar first.'
    Description = @'
Get-RankedPairs collects GeneRasters from the pipeline (or -InputObject) and scores all pairs with -Method, then outputs RankedPair objects (Rank, GeneA, GeneB, Score, Method, Parameters), Rank 1 = most similar. Pairs whose score is undefined (a gene that is all zero or constant) come last with Score NaN, and a warning names the gene.

Pearson and SmoothedPearson (one σ, no mask) are computed for all pairs at once as one Gram matrix: each gene is blurred once, centred and scaled to unit norm, and one matrix product gives every correlation. Other measures are computed pair by pair.

With several methods (-Method SmoothedPearson,Spearman) the pairs are ranked by consensus: each method ranks all pairs on its own (rank 1 = highest score; tied scores share their mean rank; a pair whose score is NaN by a method gets that method's worst rank, the number of pairs), and the pairs are ordered by their mean rank over the methods. Method is then 'Consensus(SmoothedPearson,Spearman)', Scores holds each method's score (the same as a run with that method alone), and Score = 1 - (mean rank - 1)/(pairs - 1): 1 when every method ranks the pair first, 0 when every method ranks it last, NaN when every method is undefined for the pair. Ties are broken by input order. The ranks are taken over all pairs before -Gene, -MinScore and -Top filter the output.

All rasters must share one canvas (same size) and have unique gene names. -Gene X keeps only the pairs containing X (its best partners, X named first); -MinScore x keeps only the pairs scoring at least x; -Top N keeps the first N.
'@
    SharedParameters = 'SimilarityParameters.data.psd1'
    Parameters  = @{
        InputObject = 'The gene rasters to pair, usually from the pipeline (at least two).'
        Top         = 'Output only the first N pairs.'
        Gene        = 'Output only the pairs that contain this gene, its best partners first.'
        MinScore    = 'Output only the pairs whose Score is at least this value (pairs with Score NaN never pass). The pairs still come most similar first and keep their Rank; combine with -Top and -Gene freely.'
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
            Title   = 'A consensus of two measures'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
Import-GeneRaster $gem -BinSize 5 -MinTotal 200 | Get-RankedPairs -Method SmoothedPearson, Spearman -Sigma 2 -Top 5 |
    Select-Object Rank, GeneA, GeneB, Score, @{ n = 'SmoothedPearson'; e = { $_.Scores.SmoothedPearson } }, @{ n = 'Spearman'; e = { $_.Scores.Spearman } }
'@
            Remarks = 'Pairs ranked by the mean of their smoothed-Pearson rank and their Spearman rank; each method''s own score is kept in Scores.'
        }
        @{
            Title   = 'Only the strongly similar pairs'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
Import-GeneRaster $gem -BinSize 5 -MinTotal 100 | Get-RankedPairs -Sigma 2 -MinScore 0.5
'@
            Remarks = 'Every pair whose smoothed Pearson correlation (σ = 2 pixels) is at least 0.5, most similar first.'
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
    )
    Links       = @('Measure-PatternSimilarity', 'Import-GeneRaster', 'about_SpatialSim')
}
