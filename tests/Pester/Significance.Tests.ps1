BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:genes = Import-GeneRaster -Path (New-MultiBlobTable -Path (Join-Path $TestDrive 'multi.csv'))
}

Describe 'Get-RankedPairs -Permutations' {
    It 'gives every pair a PValue in (0, 1] and a QValue not below it' {
        $ranked = $genes | Get-RankedPairs -Permutations 99
        $ranked.Count | Should -Be 10
        foreach ($p in $ranked) {
            $p.PValue | Should -Not -BeNullOrEmpty
            $p.PValue | Should -BeGreaterThan 0
            $p.PValue | Should -BeLessOrEqual 1
            $p.PValue | Should -BeGreaterOrEqual (1 / 100)
            $p.QValue | Should -BeGreaterOrEqual $p.PValue
        }
        ($ranked | Where-Object { $_.GeneA -eq 'A' -and $_.GeneB -eq 'B' }).PValue | Should -BeLessOrEqual 0.02 -Because 'B is A at half strength'
    }

    It 'is reproducible with the same -Seed' {
        $a = $genes | Get-RankedPairs -Permutations 99 -Seed 42
        $b = $genes | Get-RankedPairs -Permutations 99 -Seed 42
        ($a | ForEach-Object { '{0}-{1}:{2}:{3}' -f $_.GeneA, $_.GeneB, $_.PValue, $_.QValue }) -join ';' |
            Should -Be (($b | ForEach-Object { '{0}-{1}:{2}:{3}' -f $_.GeneA, $_.GeneB, $_.PValue, $_.QValue }) -join ';')
    }

    It 'computes q-values over all pairs before -Top' {
        $all = $genes | Get-RankedPairs -Permutations 99 -Seed 3
        $top = $genes | Get-RankedPairs -Permutations 99 -Seed 3 -Top 3
        $top.Count | Should -Be 3
        for ($i = 0; $i -lt 3; $i++) { $top[$i].QValue | Should -Be $all[$i].QValue }
    }

    It 'leaves PValue and QValue absent without -Permutations and shows them as columns with it' {
        $plain = $genes | Get-RankedPairs -Top 1
        $plain.PValue | Should -BeNullOrEmpty
        ($plain | Format-Table | Out-String) | Should -Not -BeLike '*PValue*'
        $tested = $genes | Get-RankedPairs -Top 1 -Permutations 19
        ($tested | Format-Table | Out-String) | Should -BeLike '*PValue*QValue*'
    }

    It 'tests other measures by recomputing them on shifted copies, and says so in -Verbose' {
        $r = $genes | Select-Object -First 3 | Get-RankedPairs -Method JensenShannon -Permutations 9 -Verbose 4>&1
        $verbose = $r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -BeLike '*recomputed*'
        ($r | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).PValue | Should -Not -Contain $null
    }
}
