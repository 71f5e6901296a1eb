@{
    Synopsis    = 'Ranks every pair of the input genes by how alike their spatial patterns are, most similar first.'
    Description = @'
Get-RankedPairs collects GeneRasters from the pipeline (or -InputObject) and scores all pairs with -Method, then outputs RankedPair objects (Rank, GeneA, GeneB, Score, Method, Parameters), Rank 1 = most similar. Pairs whose score is undefined (a gene that is all zero or constant) come last with Score NaN, and a warning names the gene.

Pearson and SmoothedPearson (one σ) are computed for all pairs at once as one Gram matrix: each gene is blurred once (inside a mask: normalised by it), centred and scaled to unit norm over the tissue, and one matrix product gives every correlation. Other measures are computed pair by pair.

Defaults from the data: without -Sigma the smoothing scale is 1.5 × the median nearest-neighbour spacing of the genes' non-zero pixels; without -Mask, Pearson and SmoothedPearson count only the tissue estimated from all input genes (joint support, closed and hole-filled; see -NoTissueMask). Both are shown in Parameters and -Verbose.

All rasters must share one canvas (same size) and have unique gene names. -Gene X keeps only the pairs containing X (its best partners, X named first); -Top N keeps the first N.

Significance (-Permutations N): a spatially constrained permutation test by toroidal shifts, the null used by MERINGUE. One map of the pair is circularly shifted against the other by a random 2-D displacement on the torus of the canvas; this keeps each map's own spatial autocorrelation and only breaks their alignment. The p-value is (1 + number of shifted scores >= the observed score) / (N + 1), so the smallest possible p-value is 1/(N+1); QValue is the Benjamini-Hochberg adjusted p-value over ALL pairs tested (every pair, or every pair of -Gene) before -Top is applied, so -Top does not change q-values. Shifts shorter than max(4 sigma, min(width, height)/10, 2) pixels are not used (a smoothed map stays correlated with a slightly shifted copy of itself, so such shifts are not null draws); with a tissue mask only shifts that keep at least half of the tissue overlapping itself are used (lowered by halves to 1/20 when too few qualify), and the shifted score is the correlation over the pixels where both maps are tissue. The same N shifts are used for all pairs, drawn by a generator seeded with -Seed (default 1), so results are reproducible. For Pearson and SmoothedPearson the shifted correlations of a pair come from one FFT cross-correlation of the two smoothed, centred maps (all shifts at once), which costs about one extra inverse FFT per pair; other measures are recomputed on N shifted copies of one map (N times the cost of the ranking; -Verbose warns).
Pixel shuffles and t-tests on r are deliberately not offered: smoothing and tissue structure make neighbouring pixels strongly dependent, so the effective number of independent observations is far below the pixel count; shuffling pixels destroys that autocorrelation and a t-test assumes independent pixels, so both give p-values far too small (anti-conservative) on smoothed maps. With -Permutations the output shows PValue and QValue columns; without it they are absent (null).
'@
    SharedParameters = 'SimilarityParameters.data.psd1'
    Parameters  = @{
        InputObject = 'The gene rasters to pair, usually from the pipeline (at least two).'
        Top         = 'Output only the first N pairs.'
        Gene        = 'Output only the pairs that contain this gene, its best partners first.'
        Permutations = 'Test each pair by this many random toroidal shifts (e.g. 99 or 999) and add PValue and QValue (Benjamini-Hochberg over all pairs tested, before -Top) to the output. Default 0: no test. See the description for the null and why pixel shuffles are not used.'
        Seed        = 'Seed of the random shifts of -Permutations (default 1). The same seed and input give the same p-values.'
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
            Title   = 'Which pairs are more alike than chance placement would make them'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
Import-GeneRaster $gem -BinSize 5 -MinTotal 200 | Get-RankedPairs -Permutations 99 -Seed 7 |
    Where-Object QValue -le 0.05 | Select-Object -First 10
'@
            Remarks = 'Every pair is tested against 99 toroidal shifts (one FFT cross-correlation per pair); the pairs with a Benjamini-Hochberg q-value of at most 0.05 are kept. The output shows PValue and QValue columns.'
        }
    )
    Links       = @('Measure-PatternSimilarity', 'Import-GeneRaster', 'about_SpatialSim')
}
