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

Describe 'Tissue mask by default' {
    It 'computes Pearson and SmoothedPearson inside the tissue estimated from the genes, and says so' {
        $r = $genes | Get-RankedPairs -Verbose 4>&1
        $verbose = ($r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $verbose | Should -BeLike '*Tissue mask*% of the canvas*'
        ($r | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })[0].Parameters | Should -BeLike '*mask=tissue*'
        (Measure-PatternSimilarity -Reference $A -InputObject $C -Method Pearson).Parameters | Should -BeLike '*mask=tissue*'
    }

    It 'ranks as the core tissue mask of all genes does, pair by pair' {
        $tissue = [SpatialSim.TorchCore.Similarity.TissueMask]::FromSupport([SpatialSim.TorchCore.GeneRaster[]]$genes, $null)
        $ranked = $genes | Get-RankedPairs
        foreach ($p in $ranked) {
            $x = $genes | Where-Object Gene -eq $p.GeneA; $y = $genes | Where-Object Gene -eq $p.GeneB
            $m = Measure-PatternSimilarity -Reference $x -InputObject $y -Mask $tissue
            [math]::Abs($m.Score - $p.Score) | Should -BeLessThan 1e-5
        }
    }

    It 'is turned off by -NoTissueMask and overridden by -Mask' {
        ($genes | Get-RankedPairs -NoTissueMask -Top 1).Parameters | Should -Not -BeLike '*mask=*'
        $own = Import-GeneRaster -Path (New-CountTable -Path (Join-Path $TestDrive 'own.csv') -Rows @(@('own', 0, 0, 1), @('own', 255, 223, 1), @('own', 100, 100, 1)))
        ($genes | Get-RankedPairs -Mask $own -Top 1).Parameters | Should -BeLike '*mask=own*'
    }

    It 'changes the score of unrelated genes that share only the inside-versus-outside contrast' {
        $with = Measure-PatternSimilarity -Reference $A -InputObject $D -Sigma 3
        $without = Measure-PatternSimilarity -Reference $A -InputObject $D -Sigma 3 -NoTissueMask
        $with.Score | Should -BeLessThan $without.Score
    }

    It 'leaves measures without a mask alone' {
        ($genes | Get-RankedPairs -Method Ssim -Top 1).Parameters | Should -Not -BeLike '*mask=*'
    }
}

Describe 'Get-TissueMask' {
    It 'returns the default mask as a 0/1 raster on the genes'' canvas' {
        $mask = $genes | Get-TissueMask
        $mask.Gene | Should -Be 'tissue'
        $mask.Width | Should -Be $A.Width
        $mask.Max | Should -Be 1
        $mask.Total | Should -BeGreaterThan ($A.NonZero)
        $mask.Total | Should -BeLessThan ($A.Width * $A.Height / 2)
        $core = [SpatialSim.TorchCore.Similarity.TissueMask]::FromSupport([SpatialSim.TorchCore.GeneRaster[]]$genes, $null)
        $mask.Total | Should -Be $core.Total
    }

    It 'takes a closing radius, and a wider closing never shrinks the tissue' {
        $narrow = $genes | Get-TissueMask -ClosingRadius 0
        $wide = $genes | Get-TissueMask -ClosingRadius 8
        $wide.Total | Should -BeGreaterOrEqual $narrow.Total
    }
}
