@{
    Synopsis    = 'Draws one gene as a PNG heat map, or two genes side by side with their overlay.'
    Description = @'
Export-PatternImage draws the picture a person looks at first to judge a gene or a pair.

One raster: a heat map (colour map -ColorMap, Viridis by default) with the gene name on top and a colour bar below, labelled with the lowest (0, or the minimum if negative) and the highest value. -Log colours by ln(1 + value), which shows weak expression next to strong peaks; the bar labels stay in counts.

Two rasters (two from the pipeline, or one and -Compare): both heat maps side by side, each on its own scale, then their overlay: the first gene in magenta, the second in green, each scaled to its own maximum, so where both are high the overlay is white and where one dominates it shows that gene's colour. Both rasters must share one canvas.

Size: a raster longer than -MaxSize pixels on a side (default 2048) is shrunk by a whole factor f (shown in the title as 1:f), each picture pixel showing the maximum (-Reduce Max, default: a single hot spot stays visible) or the mean (-Reduce Mean) of an f×f block. A raster shorter than 256 pixels is enlarged by whole pixel copies (at most 16×) so it can be seen. Raster row 0 is at the top. Missing (NaN) pixels are grey. Text is drawn with a built-in bitmap font.

One picture per gene: put {Gene} in the path ('pictures/{Gene}.png') and pipe any number of rasters; each is drawn alone (or next to -Compare) and written to its own file. The gene's name is put in as one file name, percent-encoded where needed, exactly as Export-GeneRaster does (see its help): a gene name never chooses a folder or a drive.

The PNG is written to a temporary file and renamed into place, so Ctrl+C leaves no file (the encoder checks for a stop after every row); an existing file is never overwritten without -Force.
'@
    Parameters  = @{
        InputObject = 'One gene raster, or two to compare, usually from the pipeline.'
        Compare     = 'A second raster drawn next to the first, with their overlay.'
        Path        = 'The PNG file to write, relative to the current location; taken literally (no wildcards). A path on a drive that is not the file system (Variable:, Env:) is an error. {Gene} in it gives one picture per gene.'
        LiteralPath = 'The output file, as -Path (an output path is always taken literally); named as in PowerShell''s own cmdlets, with the aliases PSPath and LP.'
        ColorMap    = 'Viridis (default), Magma or Gray, for the single-gene heat maps.'
        Log         = 'Colour by ln(1 + value) instead of the value.'
        MaxSize     = 'Largest side of each map in pixels (default 2048); larger rasters are shrunk by whole blocks.'
        Reduce      = 'How a block of pixels becomes one when shrinking: Max (default) or Mean.'
        Force       = 'Overwrite an existing file.'
        PassThru    = 'Output the FileInfo of the PNG.'
    }
    Inputs      = @('SpatialSim.TorchCore.GeneRaster')
    Outputs     = @('None, or System.IO.FileInfo with -PassThru.')
    Examples    = @(
        @{
            Title   = 'One gene, on a log scale'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$png = Join-Path ([IO.Path]::GetTempPath()) 'Apoe.png'
Import-GeneRaster $gem -Gene Apoe -BinSize 2 | Export-PatternImage -Path $png -Log -Force -PassThru
'@
            Remarks = 'Apoe at bin 2 as a viridis heat map of ln(1 + counts).'
        }
        @{
            Title   = 'The most similar pair, side by side and overlaid'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$png = Join-Path ([IO.Path]::GetTempPath()) 'top_pair.png'
$genes = Import-GeneRaster $gem -BinSize 5 -MinTotal 200
$top = $genes | Get-RankedPairs -Method SmoothedPearson -Sigma 2 -Top 1
$genes | Where-Object Gene -eq $top.GeneA | Invoke-Smoothing -Sigma 2 |
    Export-PatternImage -Compare ($genes | Where-Object Gene -eq $top.GeneB | Invoke-Smoothing -Sigma 2) -Path $png -Force -PassThru
'@
            Remarks = 'Both genes of the top pair smoothed with the σ they were ranked with, each on its own scale, and their overlay (white = both high).'
        }
    )
    Links       = @('Get-RankedPairs', 'Export-SimilarityHeatmap', 'Export-GeneRaster')
}
