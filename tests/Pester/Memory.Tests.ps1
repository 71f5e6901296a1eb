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

Describe 'Freed mid-size tensors (NativeHeap)' -Skip:(-not $IsLinux) {
    It 'are not faulted in again in a fresh pwsh, until LargeBufferPool.Trim returns them' {
        # A fresh process: glibc's heaps, their thresholds and the other threads of a long test run are nobody else's.
        # Rounds of 16 tensors of 1 MiB (below LargeBufferPool), written and freed; the minor page faults of each round.
        # 16 MiB stay inside one of glibc's 64 MiB per-thread heaps (a heap that empties is unmapped whole, whatever the
        # thresholds). Measured: later rounds 0–512 faults of 4,096, a round after Trim 3,585–4,102. glibc's defaults
        # fault them in again in the first rounds (about 4,060 in round 2) but catch up after a few, so this checks the
        # reuse and the trim; the gain is the benchmark's default-ranking rows.
        $script = @"
Import-Module '$ModulePath'
`$null = Get-SpatialSimDevice
function Faults { [long](((Get-Content -Raw /proc/self/stat) -replace '^.*\) ', '').Split(' ')[7]) }
function Round {
    `$before = Faults
    `$tensors = foreach (`$k in 1..16) { `$t = [TorchSharp.torch]::empty([long[]](512, 512)); `$null = `$t.fill_(`$k); `$t }
    foreach (`$t in `$tensors) { `$t.Dispose() }
    (Faults) - `$before
}
`$rounds = foreach (`$k in 1..5) { Round }
[SpatialSim.TorchCore.LargeBufferPool]::Trim()
'rounds ' + (`$rounds -join ' ') + ' trim ' + (Round)
"@
        $pwsh = Join-Path $PSHOME 'pwsh.dll'
        $exe = (Get-Process -Id $PID).Path
        $out = if (Test-Path $pwsh) { & $exe $pwsh -NoProfile -NonInteractive -Command $script } else { & $exe -NoProfile -NonInteractive -Command $script }
        $LASTEXITCODE | Should -Be 0
        $line = @($out | Where-Object { $_ -like 'rounds *' })[0]
        $line | Should -Match '^rounds( \d+){5} trim \d+$'
        $numbers = [long[]](($line -replace '^rounds ', '' -replace ' trim', '').Split(' '))
        $pages = 16 * 1MB / 4096
        $again = ($numbers[2..4] | Measure-Object -Minimum).Minimum
        $again | Should -BeLessThan ($pages / 4) -Because "${line}: rounds 3–5 reuse the memory the first rounds freed"
        $numbers[5] | Should -BeGreaterThan ($pages / 2) -Because "${line}: Trim returned the memory"
    }
}
