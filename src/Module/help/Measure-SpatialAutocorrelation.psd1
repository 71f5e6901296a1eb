@{
    Synopsis    = 'Scores each gene''s spatial autocorrelation (Moran''s I at the smoothing scale), most spatially structured first, to pick spatially variable genes before ranking pairs.'
    Description = @'
Measure-SpatialAutocorrelation collects GeneRasters and computes, for each gene, Moran's I with Gaussian weights of width -Sigma pixels: w_ij = g(dy) g(dx) for two different pixels i, j within the blur's square window (|dy|, |dx| <= int(4 sigma + 0.5)), g the 1-D Gaussian kernel of the blur, and I = (N / S0) sum_ij w_ij z_i z_j / sum_i z_i^2 over the N pixels inside the tissue (z = count - mean). It is the clustering of a gene's counts with its own smoothed map: about 0 for counts scattered at random, near 1 for a smooth pattern. The border is zero-padded (no reflection) so the weights are symmetric.

ZScore = (I - E[I]) / sqrt(Var[I]) with E[I] = -1/(N - 1) and the variance under randomisation (Cliff & Ord, as R spdep's moran.test(randomisation = TRUE), which it matches to 10 digits); PValue is one-sided (positive autocorrelation); QValue is Benjamini-Hochberg over the genes. The genes come out most structured first (highest ZScore; genes constant over the tissue last, with NaN), with Rank 1, 2, ....

This is how Hotspot and SDAS choose the genes of a whole-transcriptome analysis: keep the spatially variable genes, then rank their pairs. The output carries each gene's Raster, so it pipes straight into Get-RankedPairs (and Find-GeneModule): Measure-SpatialAutocorrelation -Top 2000 | Get-RankedPairs -TopPerGene 20.

Defaults from the data, as Get-RankedPairs chooses them: without -Sigma, the σ chosen by Poisson count splitting; without -Mask, the tissue at the analysis scale (the smoothed density of all genes' counts, thresholded; see Get-TissueMask; -NoTissueMask for the whole canvas). Moran's I is computed on the canvas itself, not on a working grid. -Verbose shows both. Cost: per gene a sum over its non-zero pixels and their non-zero neighbours in the window (a dense gene: one separable convolution); the weight sums once.
'@
    Parameters  = @{
        InputObject  = 'The gene rasters, usually from the pipeline (Import-GeneRaster).'
        Sigma        = 'Gaussian sigma of the weights in pixels. Default: the scale Get-RankedPairs chooses from the data.'
        Mask         = 'A tissue mask raster: only pixels > 0 are sites. Default: the tissue at the analysis scale from all genes'' density, as Get-TissueMask makes it (see -NoTissueMask).'
        NoTissueMask = 'Use every pixel of the canvas as a site instead of the estimated tissue.'
        Top          = 'Output only the N most spatially structured genes (highest ZScore).'
        MaxQValue    = 'Output only the genes whose QValue is at most this (e.g. 0.05).'
    }
    Inputs      = @('SpatialSim.TorchCore.GeneRaster')
    Outputs     = @('SpatialSim.TorchCore.Statistics.GeneAutocorrelation')
    Examples    = @(
        @{
            Title   = 'The most spatially structured genes of a Stereo-seq patch'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
Import-GeneRaster $gem -BinSize 5 -MinTotal 50 | Measure-SpatialAutocorrelation -Sigma 2 -Top 10
'@
            Remarks = 'Moran''s I with Gaussian weights of sigma 2 pixels for every gene with at least 50 counts; the 10 with the highest z-score.'
        }
        @{
            Title   = 'Spatially variable genes first, then their best partners'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
Import-GeneRaster $gem -BinSize 5 -MinTotal 50 | Measure-SpatialAutocorrelation -Sigma 2 -MaxQValue 0.05 |
    Get-RankedPairs -Sigma 2 -TopPerGene 3 -Top 10
'@
            Remarks = 'Only the genes with significant spatial autocorrelation (q <= 0.05) are paired; each keeps its 3 best partners, and the 10 best of those pairs are shown.'
        }
    )
    Links       = @('Get-RankedPairs', 'Find-GeneModule', 'about_SpatialSim')
}
