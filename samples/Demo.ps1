<#
.SYNOPSIS
    The main job on the bundled data: rank the gene pairs of a real Stereo-seq patch by smoothed Pearson.
.DESCRIPTION
    Run through build.ps1 Demo. Imports the bundled Stereo-seq bin1 GEM patch (mouse brain, 300×299 DNB,
    0.5 µm per DNB) at bin 5 (2.5 µm pixels), keeps its 40 most expressed genes, ranks all their pairs by
    Pearson correlation after Gaussian smoothing with σ = 2 pixels (5 µm), and prints the top 20. Then it groups
    the genes into modules (average-linkage clustering), and draws two pictures into out/demo/: the clustered heat
    map of all pair scores (heatmap.png) and the top pair side by side with its overlay (top_pair.png).
    docs/images/demo_heatmap.png and demo_top_pair.png are copies of these two files.
#>
param([Parameter(Mandatory)][string]$ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

$gem = Join-Path $PSScriptRoot 'stereoseq_mouse_brain_bin1/SS200000135TL_D1_bin1_small.gem.gz'
$clock = [System.Diagnostics.Stopwatch]::StartNew()

$genes = Import-GeneRaster -Path $gem -BinSize 5 -MinTotal 50 |
    Sort-Object Total -Descending |
    Select-Object -First 40
Write-Host ("Imported {0} genes from {1} at bin 5: {2}×{3} pixels." -f $genes.Count, (Split-Path $gem -Leaf), $genes[0].Width, $genes[0].Height)
$genes | Select-Object -First 5 | Format-Table | Out-Host

Write-Host 'Top 20 of all gene pairs by smoothed Pearson (σ = 2 px = 5 µm):'
$pairs = $genes | Get-RankedPairs -Method SmoothedPearson -Sigma 2
$pairs | Select-Object -First 20 | Format-Table | Out-Host

Write-Host 'Modules of alike genes (average linkage on 1 − r, cut into 6):'
$pairs | Find-GeneModule -Count 6 | Format-Table | Out-Host

$outDir = Join-Path $PSScriptRoot '../out/demo'
New-Item -ItemType Directory -Force $outDir | Out-Null
$heatmap = $pairs | Export-SimilarityHeatmap -Path (Join-Path $outDir 'heatmap.png') -Force -PassThru
$top = $pairs[0]
$a = $genes | Where-Object Gene -eq $top.GeneA | Invoke-Smoothing -Sigma 2
$b = $genes | Where-Object Gene -eq $top.GeneB | Invoke-Smoothing -Sigma 2
$pair = $a | Export-PatternImage -Compare $b -Path (Join-Path $outDir 'top_pair.png') -Force -PassThru
Write-Host ("Pictures: {0} (genes in clustered order), {1} ({2} and {3}, r = {4:F3})." -f
    $heatmap.FullName, $pair.FullName, $top.GeneA, $top.GeneB, $top.Score)

Write-Host ("Done in {0:F1} s." -f $clock.Elapsed.TotalSeconds)
