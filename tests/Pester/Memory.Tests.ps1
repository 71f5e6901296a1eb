# Bounded memory: count-table genes stay sparse, and Get-RankedPairs' Gram path gives the same ranking when a tiny
# -MaxMemoryGB forces the canvas into many strips (patterns cross the strip borders).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:genes = Import-GeneRaster -Path (New-MultiBlobTable -Path (Join-Path $TestDrive 'multi.csv'))
}

Describe 'Sparse rasters from count tables' {
    It 'keeps table genes sparse until a measure needs the dense raster' {
        $genes.Count | Should -BeGreaterThan 3
        foreach ($g in $genes) {
            $g.Sparse | Should -Not -BeNullOrEmpty
            $g.Sparse.Count | Should -Be $g.NonZero
            $g.HasDenseValues | Should -BeFalse
        }
    }
}

Describe 'Get-RankedPairs -MaxMemoryGB' {
    It 'gives the same ranking in many strips as in one, without making dense rasters' {
        $whole = $genes | Get-RankedPairs -Method SmoothedPearson -Sigma 4 -Verbose 4>&1
        $tiled = $genes | Get-RankedPairs -Method SmoothedPearson -Sigma 4 -MaxMemoryGB 0.0003 -Verbose 4>&1
        $plan = @($tiled | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Gram path:*' })
        $plan.Count | Should -Be 1
        $plan[0].Message | Should -Match 'budget 0\.3 MB'
        [int]($plan[0].Message -replace '.* in (\d+) strip.*', '$1') | Should -BeGreaterThan 4 -Because 'the budget forces strips'
        @($whole | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match ' in 1 strip\(s\)' }).Count | Should -Be 1
        $a = @($whole | Where-Object { $_ -is [SpatialSim.TorchCore.Similarity.RankedPair] })
        $b = @($tiled | Where-Object { $_ -is [SpatialSim.TorchCore.Similarity.RankedPair] })
        $b.Count | Should -Be $a.Count
        $key = { param($p) (@($p.GeneA, $p.GeneB) | Sort-Object) -join '-' }
        $scores = @{}
        foreach ($p in $a) { $scores[(& $key $p)] = $p.Score }
        foreach ($p in $b) { [math]::Abs($p.Score - $scores[(& $key $p)]) | Should -BeLessThan 1e-5 }
        for ($i = 1; $i -lt $b.Count; $i++) { $b[$i].Score | Should -BeLessOrEqual $b[$i - 1].Score }
        (& $key $b[0]) | Should -Be (& $key $a[0])
        $genes | ForEach-Object { $_.HasDenseValues | Should -BeFalse }
    }

    It 'agrees with Measure-PatternSimilarity (dense, whole raster) under a tiny budget' {
        $ranked = $genes | Get-RankedPairs -Method Pearson -MaxMemoryGB 0.0002 -NoTissueMask
        foreach ($p in $ranked | Select-Object -First 4) {
            $x = $genes | Where-Object Gene -eq $p.GeneA
            $y = $genes | Where-Object Gene -eq $p.GeneB
            $m = Measure-PatternSimilarity -Reference $x -InputObject $y -Method Pearson -NoTissueMask
            [math]::Abs($m.Score - $p.Score) | Should -BeLessThan 1e-5
        }
    }

    It 'streams the default tissue-masked ranking in strips too, with the masked pair-by-pair scores' {
        $genes | ForEach-Object { $_.ReleaseValues() }
        $tiled = $genes | Get-RankedPairs -Method SmoothedPearson -Sigma 3 -MaxMemoryGB 0.0003 -Verbose 4>&1
        @($tiled | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match '^Gram path: .* in (\d+) strip' }).Count | Should -Be 1
        $pairs = @($tiled | Where-Object { $_ -is [SpatialSim.TorchCore.Similarity.RankedPair] })
        $pairs[0].Parameters | Should -BeLike '*mask=tissue*'
        $genes | ForEach-Object { $_.HasDenseValues | Should -BeFalse -Because 'the masked strips read the sparse pixels too' }
        $mask = $genes | Get-TissueMask -Sigma 3   # the tissue at the ranking's σ
        foreach ($p in $pairs | Select-Object -First 3) {
            $x = $genes | Where-Object Gene -eq $p.GeneA
            $y = $genes | Where-Object Gene -eq $p.GeneB
            $m = Measure-PatternSimilarity -Reference $x -InputObject $y -Method SmoothedPearson -Sigma 3 -Mask $mask
            [math]::Abs($m.Score - $p.Score) | Should -BeLessThan 1e-5
        }
    }

    It 'stops with a clear error when not even one row of every gene fits' {
        $err = $null
        try { $genes | Get-RankedPairs -MaxMemoryGB 0.00001 -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $err.Exception.Message | Should -BeLike '*more than the budget of 10 kB*-MaxMemoryGB*-BinSize*'
    }

    It 'ranks pair by pair (other measures) with sparse genes, releasing the dense copies it made' {
        $genes | ForEach-Object { $_.ReleaseValues() } # Measure-PatternSimilarity above kept dense copies
        $genes | ForEach-Object { $_.HasDenseValues | Should -BeFalse }
        $ranked = $genes | Get-RankedPairs -Method Spearman -Top 2
        $ranked.Count | Should -Be 2
        $genes | ForEach-Object { $_.HasDenseValues | Should -BeFalse }
    }
}
