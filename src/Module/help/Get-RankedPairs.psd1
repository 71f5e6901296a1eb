@{
    Synopsis    = 'Ranks every pair of the input genes by how alike their spatial patterns are, most similar first.'
    Description = @'
Get-RankedPairs collects GeneRasters from the pipeline (or -InputObject) and scores all pairs with -Method, then outputs RankedPair objects (Rank, GeneA, GeneB, Score, Method, Parameters), Rank 1 = most similar. Pairs whose score is undefined (a gene that is all zero or constant) come last with Score NaN, and a warning names the gene.

Pearson and SmoothedPearson (one σ) are computed for all pairs at once as one Gram matrix: each gene is blurred once (inside a mask: normalised by it), centred and scaled to unit norm over the tissue, and one matrix product gives every correlation. Ssim, MsSsim, Lbp, DenseSift, Keypoints and RoiPearson prepare each gene once (local statistics, histograms, descriptors, peak regions) and then compare the pairs; LeeL and MoranBV are one blockwise matrix product of the genes' standardised maps and spatial lags. Many sparse genes (read from a table) without a mask take the sparse product instead: each gene blurred and blurred back by the blur's adjoint, times the other genes' non-zero pixels only (the same scores to float32 rounding; -Verbose says when). The prepared data of at most 4 GB of genes is held at once: with more genes, they are prepared in blocks. The remaining measures (Spearman, JensenShannon, several σ, -Mask or -Pyramid) are computed pair by pair. Every path gives the pair-by-pair scores.

Defaults from the data: without -Sigma the smoothing scale is chosen by Poisson count splitting (the median over genes of the σ at which one binomial half of a gene's counts, smoothed, best predicts the other; -Verbose shows the table of candidates); without -Mask, Pearson and SmoothedPearson count only the tissue at the analysis scale (the smoothed density of all genes' counts, thresholded; see Get-TissueMask and -NoTissueMask). With σ of several pixels, SmoothedPearson runs on a working grid of σ/8-pixel blocks with σ rescaled (Parameters shows grid=; scores within about 0.01 of full resolution; -FullResolution opts out). A ranking estimated at more than a minute says so first, and with the output redirected (a batch log) progress is written as lines at a bounded rate. All of it is shown in Parameters and -Verbose; see about_SpatialSim.

Significance: -Significance Analytic (Pearson and SmoothedPearson) tests every pair by the modified t-test of Clifford, Richardson & Hemon / Dutilleul: the effective number of independent pixels comes from the two maps' autocorrelation (each gene's autocovariance once, one more matrix product for all pairs), so it needs no permutations and runs at any gene count. -Significance Permutation (-Permutations N, any measure) is a spatially constrained permutation test by toroidal shifts, the null used by MERINGUE. One map of the pair is circularly shifted against the other by a random 2-D displacement on the torus of the canvas; this keeps each map's own spatial autocorrelation and only breaks their alignment. The p-value is (1 + number of shifted scores >= the observed score) / (N + 1), so the smallest possible p-value is 1/(N+1). Shifts shorter than max(4 sigma, min(width, height)/10, 2) pixels are not used (a smoothed map stays correlated with a slightly shifted copy of itself, so such shifts are not null draws); with a tissue mask only shifts that keep at least half of the tissue overlapping itself are used (lowered by halves to 1/20 when too few qualify), and the shifted score is the correlation over the pixels where both maps are tissue. The same N shifts are used for all pairs, drawn by a generator seeded with -Seed (default 1), so results are reproducible. For Pearson and SmoothedPearson the shifted correlations of a pair come from one FFT cross-correlation of the two smoothed, centred maps (all shifts at once), which costs about one extra inverse FFT per pair; other measures are recomputed on N shifted copies of one map (N times the cost of the ranking; -Verbose warns). Both give a one-sided PValue and QValue, the Benjamini-Hochberg adjusted p-value over ALL pairs tested (every pair, or every pair of -Gene) before -TopPerGene and -Top are applied, so they do not change q-values. Pixel shuffles and the naive t-test on r (every pixel an independent observation) are not offered: smoothing and tissue structure make neighbouring pixels strongly dependent, so both give p-values far too small on smoothed maps. With a test the output shows PValue and QValue columns; without one they are absent (null). about_SpatialSim says when to use which.

Thousands of genes: for Pearson and SmoothedPearson the correlation matrix streams past in bands of rows and only what is asked for is kept: -TopPerGene k (each gene's k best partners, O(G x k) memory), -Top, -MinScore, -Gene; -MatrixPath writes the whole matrix to a .npy as it streams. Without any of them every pair becomes an object, and a ranking whose pairs would not fit -MaxMemoryGB is refused with these options named. -Verbose states the bands and what is held.

Genes with fewer than 20 counts (but some) get a warning: their patterns are mostly sampling noise and their scores unreliable.

With several methods (-Method SmoothedPearson,Spearman) the pairs are ranked by consensus: each method ranks all pairs on its own (rank 1 = highest score; tied scores share their mean rank; a pair whose score is NaN by a method gets that method's worst rank, the number of pairs), and the pairs are ordered by their mean rank over the methods. Method is then 'Consensus(SmoothedPearson,Spearman)', Scores holds each method's score (the same as a run with that method alone), and Score = 1 - (mean rank - 1)/(pairs - 1): 1 when every method ranks the pair first, 0 when every method ranks it last, NaN when every method is undefined for the pair. This Score is rank-based: -MinScore 0.5 keeps the better half of the pairs; to keep the pairs every method scores at least 0.5, filter on Scores (see about_SpatialSim). Ties are broken by input order. The ranks are taken over all pairs before -Gene, -MinScore and -Top filter the output.

-Shard i/n splits one ranking over several jobs (a Slurm job array, background jobs, remote sessions): each computes one block of the pairs, and Merge-RankedPairs puts the saved shards together into the single-run ranking (see Merge-RankedPairs and the README).

All rasters must share one canvas (same size) and have unique gene names; with -Force, repeated names are suffixed (#2, #3… in input order) with a warning instead. -Gene X keeps only the pairs containing X (its best partners, X named first); -MinScore x keeps only the pairs scoring at least x; -Top N keeps the first N.

The Gram path streams the canvas in horizontal strips so that it fits a memory budget (-MaxMemoryGB, default a quarter of the physical memory): for each strip every gene is blurred from its pixels with a halo of 4σ rows above and below (the truncation radius of the blur, so strips give the same result as blurring the whole raster), and the strip's products are taken in float32 (one batched SGEMM per pair of 128-gene blocks) over chunks of 1,024 pixels and added up in float64 (the correlations agree with a float64 computation to about 1e-6). Rasters from count tables stay sparse (8 bytes per non-zero pixel); the Gram path never makes their dense rasters, so 100 genes on a 10000 × 10000 canvas at 1% density rank in a few GB. -Verbose states the budget, the strips and the memory the rasters hold. If one row per strip for all genes does not fit the budget, the command stops with an error suggesting a larger -MaxMemoryGB or -BinSize.
'@
    SharedParameters = 'SimilarityParameters.data.psd1'
    Parameters  = @{
        InputObject = 'The gene rasters to pair, usually from the pipeline (at least two).'
        Top         = 'Output only the first N pairs.'
        Gene        = 'Output only the pairs that contain this gene, its best partners first.'
        Force       = 'Accept repeated gene names (e.g. the same gene from two sections): the second and later rasters of a name are renamed Name#2, Name#3… in input order, with a warning. Without -Force, repeated names are an error that lists them.'
        Shard       = 'Compute only shard i of n of the pair matrix, given as "i/n" (1 <= i <= n, e.g. -Shard 3/8 or -Shard "$env:SLURM_ARRAY_TASK_ID/8"). The pairs (genes in input order) are numbered row by row through the upper triangle and cut into n contiguous blocks of near-equal size; the shard computes only its block (on the Gram path it blurs only the genes from its first row on and multiplies only the gene blocks it needs). Its pairs carry Shard, IndexA, IndexB and GeneCount; save them with Export-Clixml (or Export-Csv) and put the shards together with Merge-RankedPairs, which gives exactly the single-run ranking. Rank (and a consensus Score) are within the shard until merged. Every shard must receive the same genes in the same order. -Top, -MinScore and -Gene filter a single-method shard (recorded in Filter); with several methods they are refused, since a consensus needs all pairs.'
        MinScore    = 'Output only the pairs whose Score is at least this value (pairs with Score NaN never pass). The pairs still come most similar first and keep their Rank; combine with -Top and -Gene freely. -MinScore NaN is refused: no score is at least NaN.'
        Permutations = 'Test each pair by this many random toroidal shifts (e.g. 99 or 999) and add PValue and QValue (Benjamini-Hochberg over all pairs tested, before -Top) to the output. Default 0: no test. See the description for the null and why pixel shuffles are not used.'
        Seed        = 'Seed of the random shifts of -Permutations (default 1). The same seed and input give the same p-values.'
        FullResolution = 'Rank on the canvas'' own pixels even when the smoothing scale is several pixels. By default SmoothedPearson (alone, with one sigma) is computed on a working grid of sigma/8-pixel blocks with sigma rescaled (see about_SpatialSim); the scores differ by at most about 0.01 and the cost follows the size of the structures instead of the pixel count. Use it to check the grid on your data; it can take much longer.'
        TopPerGene  = 'Output only the pairs that are among the k best partners of either of their genes, each pair once (e.g. -TopPerGene 20 for a whole transcriptome: at most G x k pairs instead of G(G-1)/2). For Pearson and SmoothedPearson the pairs are selected while the correlation matrix streams past in bands, in O(G x k) memory, never holding the G x G matrix or a pair object per pair. Applied before -Gene, -MinScore and -Top. Pairs with Score NaN are never among a gene''s best. With -Shard each shard keeps its genes'' best partners within its pairs and Merge-RankedPairs -TopPerGene k gives the single run''s pairs (-Top and -Gene are then given to Merge-RankedPairs).'
        MatrixPath  = 'Also write the whole gene x gene score matrix to this file while ranking: .npy, float32, C order, shape (genes, genes), with the gene names one per line in a .genes.txt file next to it (x.npy -> x.genes.txt). For Pearson and SmoothedPearson the matrix is written band by band as it is computed and never held in memory. An existing file is replaced only with -Force. Read it with numpy.load(path, mmap_mode="r"), or cluster it with Find-GeneModule -Path.'
        Significance = 'Add PValue and QValue to every pair. Analytic: the modified t-test of Clifford, Richardson & Hemon (1989) / Dutilleul (1993) for Pearson and SmoothedPearson: the effective number of independent pixels n_eff = 1 + 1/Var(r) comes from the two maps'' autocorrelation (each gene''s autocovariance on a coarse grid, one matrix product for all pairs), and p = P(T >= r sqrt((n_eff - 2)/(1 - r^2))) with n_eff - 2 degrees of freedom; no permutations, so it costs about as much as the ranking and runs at any gene count. Permutation: the toroidal-shift test (-Permutations N shifts, default 199). QValue is Benjamini-Hochberg over all pairs tested, before -TopPerGene and -Top. See about_SpatialSim for when to use which.'
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
            Title   = 'A consensus of two measures'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
Import-GeneRaster $gem -BinSize 5 -MinTotal 200 | Get-RankedPairs -Method SmoothedPearson, Spearman -Sigma 2 -Top 5 |
    Select-Object Rank, GeneA, GeneB, Score, @{ n = 'SmoothedPearson'; e = { $_.Scores.SmoothedPearson } }, @{ n = 'Spearman'; e = { $_.Scores.Spearman } }
'@
            Remarks = 'Pairs ranked by the mean of their smoothed-Pearson rank and their Spearman rank; each method''s own score is kept in Scores.'
        }
        @{
            Title   = 'One shard of four, saved for a later merge'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$file = Join-Path ([IO.Path]::GetTempPath()) 'spatialsim-shard2of4.xml'
Import-GeneRaster $gem -BinSize 5 -MinTotal 100 | Get-RankedPairs -Sigma 2 -Shard 2/4 | Export-Clixml $file
Import-Clixml $file | Select-Object -First 3 Rank, GeneA, GeneB, Score, Shard
'@
            Remarks = 'The second quarter of all pairs; in a Slurm job array the shard would be "$env:SLURM_ARRAY_TASK_ID/4", and Merge-RankedPairs -Path shard*.xml would merge the four files.'
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
        @{
            Title   = 'Which pairs are more alike than chance placement would make them'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
Import-GeneRaster $gem -BinSize 5 -MinTotal 200 | Get-RankedPairs -Permutations 99 -Seed 7 |
    Where-Object QValue -le 0.05 | Select-Object -First 10
'@
            Remarks = 'Every pair is tested against 99 toroidal shifts (one FFT cross-correlation per pair); the pairs with a Benjamini-Hochberg q-value of at most 0.05 are kept. The output shows PValue and QValue columns.'
        }
        @{
            Title   = 'Each gene''s best partners, with analytic p-values, and the whole matrix on disk'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$npy = Join-Path ([IO.Path]::GetTempPath()) 'spatialsim-matrix.npy'
Import-GeneRaster $gem -BinSize 5 -MinTotal 50 |
    Get-RankedPairs -Sigma 2 -TopPerGene 3 -Significance Analytic -MatrixPath $npy -Force |
    Where-Object QValue -le 0.05 | Select-Object -First 10
Find-GeneModule -Path $npy -Count 5
'@
            Remarks = 'Every pair is scored as the correlation matrix streams past; only the pairs among the 3 best partners of either gene are kept, each with a modified t-test p-value and a q-value over all pairs; the whole matrix goes to a float32 .npy (and .genes.txt), which Find-GeneModule then clusters.'
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
    Links       = @('Measure-PatternSimilarity', 'Merge-RankedPairs', 'Import-GeneRaster', 'about_SpatialSim')
}
