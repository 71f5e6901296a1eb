<#
.SYNOPSIS
    The main job on the bundled data: rank the gene pairs of a real Stereo-seq patch by smoothed Pearson.
.DESCRIPTION
    Run through build.ps1 Demo. Imports the bundled Stereo-seq bin1 GEM patch (mouse brain, 300×299 DNB,
    0.5 µm per DNB) at bin 5 (2.5 µm pixels), keeps its 40 most expressed genes, ranks all their pairs by
    Pearson correlation after Gaussian smoothing with σ = 2 pixels (5 µm), and prints the top 20.
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
$genes | Get-RankedPairs -Method SmoothedPearson -Sigma 2 -Top 20 | Format-Table | Out-Host

Write-Host ("Done in {0:F1} s." -f $clock.Elapsed.TotalSeconds)
