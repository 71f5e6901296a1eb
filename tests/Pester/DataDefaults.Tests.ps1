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
        $verbose | Should -BeLike '*Automatic scale by Poisson count splitting*σ =*'
        $verbose | Should -BeLike '*σ (px)*median loss*'   # the table of candidate σ
        $pairs = $r | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $sigma = SigmaOf $pairs[0].Parameters
        $expected = [SpatialSim.TorchCore.Similarity.AdaptiveScale]::ChooseSigma([SpatialSim.TorchCore.GeneRaster[]]$genes)
        [math]::Abs($sigma / $expected - 1) | Should -BeLessThan 1e-3   # Parameters shows 4 significant digits
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
        $expected = [SpatialSim.TorchCore.Similarity.AdaptiveScale]::ChooseSigma([SpatialSim.TorchCore.GeneRaster[]]@($A, $D))
        [math]::Abs((SigmaOf $m.Parameters) / $expected - 1) | Should -BeLessThan 1e-3
    }
}

Describe 'Tissue mask by default' {
    It 'computes Pearson and SmoothedPearson inside the tissue estimated from the genes, and says so' {
        $r = $genes | Get-RankedPairs -Verbose 4>&1
        $verbose = ($r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $verbose | Should -BeLike '*Tissue mask*density of all genes*% of the canvas*'
        ($r | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })[0].Parameters | Should -BeLike '*mask=tissue*'
        (Measure-PatternSimilarity -Reference $A -InputObject $C -Method Pearson).Parameters | Should -BeLike '*mask=tissue*'
    }

    It 'ranks as Get-TissueMask''s mask of all genes does, pair by pair' {
        $tissue = $genes | Get-TissueMask
        $sigma = [SpatialSim.TorchCore.Similarity.AdaptiveScale]::ChooseSigma([SpatialSim.TorchCore.GeneRaster[]]$genes)
        $ranked = $genes | Get-RankedPairs
        foreach ($p in $ranked) {
            $x = $genes | Where-Object Gene -eq $p.GeneA; $y = $genes | Where-Object Gene -eq $p.GeneB
            $m = Measure-PatternSimilarity -Reference $x -InputObject $y -Mask $tissue -Sigma $sigma
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
        $mask.Total | Should -BeLessThan ($A.Width * $A.Height)
        $sigma = [SpatialSim.TorchCore.Defaults.CountSplitScale]::Choose([SpatialSim.TorchCore.GeneRaster[]]$genes, [Threading.CancellationToken]::None).Sigma
        $grid = [SpatialSim.TorchCore.Defaults.WorkingGrid]::For($sigma, $A.Width, $A.Height)
        $inside = 0.0
        $core = [SpatialSim.TorchCore.Defaults.DensityTissueMask]::Raster([SpatialSim.TorchCore.GeneRaster[]]$genes, $grid, $false, [ref]$inside)
        $mask.Total | Should -Be $core.Total
        ($genes | Get-TissueMask -Sigma ($sigma * 2)).Total | Should -BeGreaterOrEqual ($mask.Total * 0.9)
    }

    It 'takes a closing radius (the support rule), and a wider closing never shrinks the tissue' {
        $narrow = $genes | Get-TissueMask -ClosingRadius 0
        $wide = $genes | Get-TissueMask -ClosingRadius 8
        $wide.Total | Should -BeGreaterOrEqual $narrow.Total
    }
}

Describe 'Working grid' {
    It 'ranks a smooth comparison on sigma/8 blocks, says so, and -FullResolution agrees' {
        # The 0.01 bound is for CA1-like data (xUnit WorkingGridTests). On this 299-px patch the last block column is
        # narrower than the others (2 of 3 px at the automatic σ ≈ 27.9 px, grid 3 px) and weakly correlated sparse genes
        # move by up to 0.034; on a 297-px crop at the same σ (blocks that divide the canvas) by 0.018.
        $gem = $SampleGem
        $genes = Import-GeneRaster $gem -MinTotal 150
        $r = $genes | Get-RankedPairs -Verbose 4>&1
        $verbose = ($r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $verbose | Should -BeLike '*Working grid*blocks*'
        $grid = @($r | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $grid[0].Parameters | Should -Match 'grid=\d+px'
        $full = $genes | Get-RankedPairs -FullResolution
        $full[0].Parameters | Should -Not -BeLike '*grid=*'
        (SigmaOf $full[0].Parameters) | Should -Be (SigmaOf $grid[0].Parameters)
        $byPair = @{}; foreach ($p in $full) { $byPair["$($p.GeneA)|$($p.GeneB)"] = $p.Score }
        foreach ($p in $grid) {
            $key = if ($byPair.ContainsKey("$($p.GeneA)|$($p.GeneB)")) { "$($p.GeneA)|$($p.GeneB)" } else { "$($p.GeneB)|$($p.GeneA)" }
            [math]::Abs($p.Score - $byPair[$key]) | Should -BeLessOrEqual 0.04
        }
    }

    It 'leaves -Sigma, -Mask and -NoTissueMask in charge' {
        $genes = Import-GeneRaster $SampleGem -MinTotal 150
        ($genes | Get-RankedPairs -Sigma 20 -Top 1).Parameters | Should -BeLike 'σ=20 grid=2px*'
        ($genes | Get-RankedPairs -Sigma 20 -NoTissueMask -Top 1).Parameters | Should -Not -BeLike '*mask=*'
        $own = $genes | Get-TissueMask -ClosingRadius 0
        ($genes | Get-RankedPairs -Sigma 20 -Mask $own -Top 1).Parameters | Should -BeLike '*mask=tissue*'
    }
}

Describe 'Progress in batch logs' {
    It 'writes progress lines when the output is redirected, at most as often as asked, and a last one' {
        $pwsh = @((Get-Process -Id $PID).Path)
        if (Test-Path (Join-Path $PSHOME 'pwsh.dll')) { $pwsh += Join-Path $PSHOME 'pwsh.dll' }
        $script = Join-Path $TestDrive 'log.ps1'
        Set-Content -LiteralPath $script -Value @"
Import-Module '$ModulePath'
Import-GeneRaster '$SampleGem' -MinTotal 400 | Get-RankedPairs -Method Spearman -Top 1 | Out-Null
"@
        $env:SPATIALSIM_PROGRESS_LOG_SECONDS = '0.05'
        try { $out = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $script *>&1 | Out-String }
        finally { Remove-Item Env:SPATIALSIM_PROGRESS_LOG_SECONDS }
        $lines = @($out -split "`n" | Where-Object { $_ -match '^\[SpatialSim \d\d:\d\d:\d\d\] Ranking gene pairs by Spearman' })
        $lines.Count | Should -BeGreaterOrEqual 2 -Because $out
        $lines[-1] | Should -BeLike '*done in*'
        $lines[0] | Should -Match '\d+ %'
    }

    It 'announces a ranking its plan estimates at over a minute, and what would make it faster' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript(@"
Import-Module '$ModulePath'
`$g = 0..199 | ForEach-Object { [SpatialSim.TorchCore.GeneRaster]::FromSparse("g`$_", [SpatialSim.TorchCore.SparsePixels]::FromEntries(12000, 12000, [int[]](`$_ * 1000 + 7), `$null), 1, 'x', 1.0, [SpatialSim.TorchCore.Devices.ComputeDevice]::Cpu) }
`$g | Get-RankedPairs -Sigma 2 -NoTissueMask -MaxMemoryGB 0.2
"@)
            $handle = $ps.BeginInvoke()
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while (-not @($ps.Streams.Information | Where-Object { $_.Tags -contains 'SpatialSim.Estimate' }).Count -and $clock.Elapsed.TotalSeconds -lt 60 -and -not $handle.IsCompleted) { Start-Sleep -Milliseconds 100 }
            $note = @($ps.Streams.Information | Where-Object { $_.Tags -contains 'SpatialSim.Estimate' })
            $ps.Stop()
            $note.Count | Should -Be 1 -Because ($ps.Streams.Error -join '; ')
            "$($note[0].MessageData)" | Should -BeLike '*will take about*-BinSize*-Sigma*'
        }
        finally { $ps.Dispose() }
    }
}
