@{
    Synopsis    = 'Groups genes into modules of alike spatial patterns by hierarchical clustering of their pair scores.'
    Description = @'
Find-GeneModule takes the scores of all pairs of a set of genes from one of three sources: RankedPair objects in the pipeline (Get-RankedPairs without -Top), a score matrix file (-Path: the .npy that Get-RankedPairs -MatrixPath writes, float32 or float64, with its .genes.txt list), or GeneRaster objects in the pipeline (the genes themselves: Pearson or SmoothedPearson is then computed by the streamed Gram path, with -Sigma, -Mask and the data-chosen defaults of Get-RankedPairs, and never turned into pair objects). It turns each score into a distance, builds the average-linkage (UPGMA) dendrogram, and cuts it into flat clusters: -Count k gives at most k modules, -Height h puts genes joined at a distance ≤ h into one module. The merges, heights and cuts are those of SciPy's linkage(method='average') with fcluster(criterion='maxclust' or 'distance').

Distances (-Distance): OneMinusScore, d = 1 − score (0 = identical, 1 = uncorrelated, 2 = anti-correlated for Pearson), is used by Auto for the measures whose score is 1 for identical maps (Pearson, SmoothedPearson, Spearman, RoiPearson, Lbp, Ssim, MsSsim, JensenShannon, DenseSift, Keypoints). MaxMinusScore, d = (highest pair score) − score, is used by Auto for the others, whose scores have no fixed top (LeeL, MoranBV, or a score that is a negative distance): the most similar pair is then at distance 0, and -Height is measured in the score's own units. Pairs whose score is NaN (a constant gene) are placed at the largest distance, with a warning, so such genes join last.

Every pair must be given (Get-RankedPairs without -Top or -Gene); otherwise the command says which pairs are missing.

Thousands of genes: from a matrix file or from rasters the scores are held only as the condensed distances (the upper triangle, 8 bytes per pair: 100 MB for 5,000 genes, 1.6 GB for 20,000), and the dendrogram is built in place by the nearest-neighbour chain (O(G^2) time, O(G) memory beyond the distances), tested equal to SciPy's linkage. -Verbose states the memory; -MaxMemoryGB bounds it. MeanScore is then computed from the dendrogram (rasters) or by reading the file again (file).

Output: GeneModule objects: Module (1 = largest; equal sizes in dendrogram order), Size, MeanScore (mean score of the pairs inside the module, NaN for a single gene), Genes (in dendrogram leaf order), Method and Cut. With -Count, merges that tie at the cut height are made together, so fewer modules than asked for can come out (with a warning).
'@
    Parameters  = @{
        InputObject = 'The ranked pairs (Get-RankedPairs: all pairs of the genes to cluster) or the gene rasters themselves (Import-GeneRaster), usually from the pipeline.'
        Path        = 'A score matrix file to cluster: a square .npy of float32 or float64 (C order) with its gene names one per line in the .genes.txt file next to it, as Get-RankedPairs -MatrixPath writes. Wildcards are allowed; they must match one file. Auto distances use 1 - score when the diagonal holds 1 (correlation-like scores), max - score otherwise.'
        LiteralPath = 'A score matrix file to cluster, taken literally (no wildcards); also bound from the PSPath of a file object.'
        MaxMemoryGB = 'Memory budget in GB (10^9 bytes) when clustering a matrix file or rasters: the condensed distances (8 bytes per pair) and, from rasters, the bands of streamed scores. Default a quarter of the physical memory; a request beyond it stops with an error that says what to do.'
        Count       = 'Cut the dendrogram into at most this many modules (SciPy fcluster maxclust).'
        Height      = 'Cut the dendrogram at this distance: genes joined at a height ≤ it share a module (SciPy fcluster distance). In the units of -Distance.'
        Distance    = 'How scores become distances: Auto (default), OneMinusScore (1 − score) or MaxMinusScore (highest pair score − score).'
    }
    SharedParameters = 'SimilarityParameters.data.psd1'
    Inputs      = @('SpatialSim.TorchCore.Similarity.RankedPair', 'SpatialSim.TorchCore.GeneRaster')
    Outputs     = @('SpatialSim.TorchCore.Clustering.GeneModule')
    Examples    = @(
        @{
            Title   = 'Five modules of the genes of a Stereo-seq patch'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
Import-GeneRaster $gem -BinSize 5 -MinTotal 200 | Get-RankedPairs -Method SmoothedPearson -Sigma 2 |
    Find-GeneModule -Count 5
'@
            Remarks = 'All pairs of the genes with at least 200 counts, clustered on 1 − smoothed Pearson; the largest module first.'
        }
        @{
            Title   = 'Modules of genes correlated at least 0.5 on average'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
Import-GeneRaster $gem -BinSize 5 -MinTotal 200 | Get-RankedPairs -Method SmoothedPearson -Sigma 2 |
    Find-GeneModule -Height 0.5 | Where-Object Size -gt 1
'@
            Remarks = 'Cuts the tree at distance 0.5: within a module the average-linkage distance 1 − r is at most 0.5. Single genes are left out.'
        }
    )
    Links       = @('Get-RankedPairs', 'Export-SimilarityHeatmap', 'Export-SimilarityMatrix')
}
