# Defaults chosen from the data: the smoothing scale (no -Sigma) and the tissue mask (no -Mask).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:genes = Import-GeneRaster -Path (New-MultiBlobTable -Path (Join-Path $TestDrive 'multi.csv')) -Gene A, B, C, D
    $script:A, $script:B, $script:C, $script:D = $genes
    function SigmaOf([string]$parameters) { [double]([regex]::Match($parameters, 'σ=([0-9.eE+-]+)').Groups[1].Value) }
}

Describe 'Automatic smoothing scale' {
    It 'chooses sigma from the data, reports it in Parameters and -Verbose' {
        $r = $genes | Get-RankedPairs -Verbose 4>&1
        $verbose = ($r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $verbose | Should -BeLike '*Automatic scale*nearest-neighbour*σ =*'
        $pairs = $r | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $sigma = SigmaOf $pairs[0].Parameters
        $sigma | Should -Be ([SpatialSim.TorchCore.Similarity.AdaptiveScale]::ChooseSigma([SpatialSim.TorchCore.GeneRaster[]]$genes))
    }

    It 'gives a coarser bin a proportionally smaller sigma' {
        $gem = $SampleGem
        $fine = Import-GeneRaster $gem -BinSize 2 -MinTotal 100 | Get-RankedPairs -Top 1
        $coarse = Import-GeneRaster $gem -BinSize 8 -MinTotal 100 | Get-RankedPairs -Top 1
        $ratio = (SigmaOf $fine.Parameters) / (SigmaOf $coarse.Parameters)
        $ratio | Should -BeGreaterThan 2.5
        $ratio | Should -BeLessThan 5.5
    }

    It 'lets an explicit -Sigma win' {
        ($genes | Get-RankedPairs -Sigma 2.5 -Top 1).Parameters | Should -BeLike 'σ=2.5*'
        (Measure-PatternSimilarity -Reference $A -InputObject $B -Sigma 3.5).Parameters | Should -BeLike 'σ=3.5*'
        (Measure-PatternSimilarity -Reference $A -InputObject $B -Method RoiPearson -Sigma 1.25).Parameters | Should -BeLike 'σ=1.25*'
    }

    It 'applies to Measure-PatternSimilarity from the two rasters compared' {
        $m = Measure-PatternSimilarity -Reference $A -InputObject $D
        SigmaOf $m.Parameters | Should -Be ([SpatialSim.TorchCore.Similarity.AdaptiveScale]::ChooseSigma([SpatialSim.TorchCore.GeneRaster[]]@($A, $D)))
    }
}
