@{
    Synopsis    = 'Draws the gene × gene scores of a ranking as a PNG heat map ordered by clustering.'
    Description = @'
Export-SimilarityHeatmap collects RankedPair objects (all pairs from Get-RankedPairs) and draws their score matrix. Rows and columns are in the leaf order of the average-linkage dendrogram (the clustering of Find-GeneModule, distances by -Distance), so modules of genes with alike patterns show as bright blocks on the diagonal.

Colours run from the lowest to the highest pair score (the tick labels of the colour bar on the right); the diagonal, a gene with itself, is drawn in the top colour; NaN scores (a constant gene, or a pair not given) are grey. Colour maps: Viridis (default), Magma, Gray. With at most 100 genes, the gene names label the rows (left) and the columns (top, read upwards), cut to 16 characters; the measure and its parameters are written at the top. The text is drawn with a built-in bitmap font, so no font file is needed.

Size: each cell is 10–24 pixels with labels (up to 100 genes); with more genes the cells shrink, and past -MaxSize genes each pixel shows the mean of the cells it covers, so the matrix is never more than -MaxSize pixels on a side.

The PNG is written to a temporary file and renamed into place, so Ctrl+C leaves no file; an existing file is never overwritten without -Force. With -PassThru the FileInfo carries a GeneOrder property: the genes top to bottom.
'@
    Parameters  = @{
        InputObject = 'The ranked pairs, usually from the pipeline (Get-RankedPairs without -Top or -Gene).'
        Path        = 'The PNG file to write, relative to the current location; taken literally (no wildcards). A path on a drive that is not the file system (Variable:, Env:) is an error.'
        LiteralPath = 'The output file, as -Path (an output path is always taken literally); named as in PowerShell''s own cmdlets, with the aliases PSPath and LP.'
        ColorMap    = 'Viridis (default), Magma or Gray.'
        Distance    = 'How scores become distances for the ordering, as in Find-GeneModule: Auto (default), OneMinusScore or MaxMinusScore.'
        MaxSize     = 'Largest side of the matrix in pixels (default 2048).'
        Force       = 'Overwrite an existing file.'
        PassThru    = 'Output the FileInfo of the PNG, with a GeneOrder property (genes top to bottom).'
    }
    Inputs      = @('SpatialSim.TorchCore.Similarity.RankedPair')
    Outputs     = @('None, or System.IO.FileInfo with -PassThru.')
    Examples    = @(
        @{
            Title   = 'A heat map of the smoothed correlations of a Stereo-seq patch'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$png = Join-Path ([IO.Path]::GetTempPath()) 'heatmap.png'
Import-GeneRaster $gem -BinSize 5 -MinTotal 200 | Get-RankedPairs -Method SmoothedPearson -Sigma 2 |
    Export-SimilarityHeatmap -Path $png -Force -PassThru
'@
            Remarks = 'All pairs of the genes with at least 200 counts, ordered so alike genes sit together.'
        }
        @{
            Title   = 'Magma colours and the gene order'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$png = Join-Path ([IO.Path]::GetTempPath()) 'heatmap_magma.png'
$file = Import-GeneRaster $gem -BinSize 5 -MinTotal 200 | Get-RankedPairs -Method Pearson |
    Export-SimilarityHeatmap -Path $png -ColorMap Magma -Force -PassThru
$file.GeneOrder
'@
            Remarks = 'The genes in the order the picture shows them, top to bottom.'
        }
    )
    Links       = @('Find-GeneModule', 'Get-RankedPairs', 'Export-PatternImage')
}
