# Whole-transcriptome ranking: each gene's best partners, the matrix streamed to a file, modules from it, spatially
# variable genes first, analytic significance — as a user ranking thousands of genes would use them.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    # More genes than one 128-gene band, so bands and shards start and end inside product blocks.
    $script:genes = Import-GeneRaster -Path $SampleGem -BinSize 5 -MinTotal 60 | Select-Object -First 150
    $script:few = Import-GeneRaster -Path $SampleGem -BinSize 5 -MinTotal 200

    function script:Show([object[]]$Pairs) {
        foreach ($p in $Pairs) { '{0} {1}-{2} {3}' -f $p.Rank, $p.GeneA, $p.GeneB, $p.Score.ToString('R') }
    }
}

Describe 'Get-RankedPairs -TopPerGene' {
    It 'keeps exactly the pairs among the k best partners of either gene, ranked as the full ranking' {
        $all = $genes | Get-RankedPairs -Sigma 2 -WarningAction SilentlyContinue
        $best = @{}
        foreach ($g in $genes.Gene) {
            $all | Where-Object { ($_.GeneA -eq $g -or $_.GeneB -eq $g) -and -not [double]::IsNaN($_.Score) } | Select-Object -First 3 |
                ForEach-Object { $best["$($_.IndexA)-$($_.IndexB)"] = $true }
        }
        $expected = $all | Where-Object { $best["$($_.IndexA)-$($_.IndexB)"] }
        $top = $genes | Get-RankedPairs -Sigma 2 -TopPerGene 3 -WarningAction SilentlyContinue
        $top.Count | Should -Be $expected.Count
        ($top | ForEach-Object { '{0}-{1} {2}' -f $_.GeneA, $_.GeneB, $_.Score.ToString('R') }) -join "`n" |
            Should -Be (($expected | ForEach-Object { '{0}-{1} {2}' -f $_.GeneA, $_.GeneB, $_.Score.ToString('R') }) -join "`n")
        $top[0].Rank | Should -Be 1
        $top[-1].Rank | Should -Be $top.Count
    }

    It 'works with -Top, -MinScore and -Gene, and says in -Verbose what it holds' {
        $r = $genes | Get-RankedPairs -Sigma 2 -TopPerGene 3 -Top 5 -MinScore 0.3 -Verbose -WarningAction SilentlyContinue 4>&1
        $verbose = ($r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $verbose | Should -BeLike '*streamed in bands*'
        $verbose | Should -BeLike "*Keeping each gene's 3 best partners*"
        $pairs = $r | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $pairs.Count | Should -BeLessOrEqual 5
        $pairs.Score | ForEach-Object { $_ | Should -BeGreaterOrEqual 0.3 }
        $one = $genes | Get-RankedPairs -Sigma 2 -TopPerGene 2 -Gene $genes[10].Gene -WarningAction SilentlyContinue
        $one.GeneA | Sort-Object -Unique | Should -Be $genes[10].Gene
    }

    It 'gives the single run when shards run with -TopPerGene are merged with it' {
        $single = $genes | Get-RankedPairs -Sigma 2 -TopPerGene 4 -WarningAction SilentlyContinue
        $dir = Join-Path $TestDrive 'tpg'
        New-Item -ItemType Directory $dir | Out-Null
        foreach ($s in 1..3) { $genes | Get-RankedPairs -Sigma 2 -TopPerGene 4 -Shard "$s/3" -WarningAction SilentlyContinue | Export-Clixml (Join-Path $dir "s$s.xml") }
        $merged = Merge-RankedPairs -Path (Join-Path $dir 's*.xml') -TopPerGene 4
        (Show $merged) -join "`n" | Should -Be ((Show $single) -join "`n")
        (Show (Merge-RankedPairs -Path (Join-Path $dir 's*.xml') -TopPerGene 4 -Top 7)) -join "`n" | Should -Be ((Show ($single | Select-Object -First 7)) -join "`n")
    }

    It 'refuses -Top with -TopPerGene in a shard, saying where -Top goes' {
        { $genes | Get-RankedPairs -Sigma 2 -TopPerGene 4 -Top 3 -Shard 1/2 -ErrorAction Stop } | Should -Throw '*Merge-RankedPairs*'
    }

    It 'refuses to hold every pair beyond -MaxMemoryGB and names the fix' {
        { $genes | Get-RankedPairs -Sigma 2 -MaxMemoryGB 0.001 -ErrorAction Stop -WarningAction SilentlyContinue } | Should -Throw '*-TopPerGene*-MatrixPath*'
    }
}

Describe 'Get-RankedPairs -MatrixPath and Find-GeneModule -Path' {
    It 'streams the whole matrix to a float32 .npy with its gene list, which Find-GeneModule clusters as the pairs would be' {
        $file = Join-Path $TestDrive 'm.npy'
        $top = $genes | Get-RankedPairs -Sigma 2 -Top 2 -MatrixPath $file -WarningAction SilentlyContinue
        $top.Count | Should -Be 2
        $bytes = [IO.File]::ReadAllBytes($file)
        [Text.Encoding]::ASCII.GetString($bytes, 1, 5) | Should -Be 'NUMPY'
        [Text.Encoding]::ASCII.GetString($bytes, 10, 60) | Should -BeLike "*'<f4'*(150, 150)*"
        $bytes.Length | Should -Be (128 + 4 * 150 * 150)
        Get-Content (Join-Path $TestDrive 'm.genes.txt') | Should -Be $genes.Gene
        { $genes | Get-RankedPairs -Sigma 2 -Top 1 -MatrixPath $file -ErrorAction Stop -WarningAction SilentlyContinue } | Should -Throw '*already exists*'

        $fromPairs = $genes | Get-RankedPairs -Sigma 2 -WarningAction SilentlyContinue | Find-GeneModule -Count 6 -WarningAction SilentlyContinue
        $fromFile = Find-GeneModule -Path $file -Count 6 -Verbose 4>&1 -WarningAction SilentlyContinue
        (($fromFile | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join ' ') | Should -BeLike '*condensed distances*nearest-neighbour chain*'
        $fromFile = $fromFile | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $fromRasters = $genes | Find-GeneModule -Sigma 2 -Count 6 -WarningAction SilentlyContinue
        foreach ($m in $fromFile, $fromRasters) {
            $m.Size | Should -Be $fromPairs.Size
            for ($k = 0; $k -lt $m.Count; $k++) {
                ($m[$k].Genes | Sort-Object) -join ',' | Should -Be (($fromPairs[$k].Genes | Sort-Object) -join ',')
                if ($m[$k].Size -gt 1) { $m[$k].MeanScore | Should -BeGreaterThan ($fromPairs[$k].MeanScore - 1e-5) }
                if ($m[$k].Size -gt 1) { $m[$k].MeanScore | Should -BeLessThan ($fromPairs[$k].MeanScore + 1e-5) }
            }
        }
    }

    It 'writes the matrix of a measure without a Gram path too' {
        $file = Join-Path $TestDrive 'spearman.npy'
        $few | Select-Object -First 6 | Get-RankedPairs -Method Spearman -MatrixPath $file | Out-Null
        (Get-Item $file).Length | Should -Be (128 + 4 * 36)
        (Find-GeneModule -LiteralPath $file -Count 2).Count | Should -Be 2
    }

    It 'says what is wrong with a matrix file' {
        $bad = Join-Path $TestDrive 'lonely.npy'
        $genes | Select-Object -First 4 | Get-RankedPairs -Sigma 2 -Top 1 -MatrixPath $bad -WarningAction SilentlyContinue | Out-Null
        Remove-Item (Join-Path $TestDrive 'lonely.genes.txt')
        { Find-GeneModule -Path $bad -Count 2 -ErrorAction Stop } | Should -Throw '*gene list*'
        { Find-GeneModule -Count 2 -ErrorAction Stop } | Should -Throw '*Nothing to cluster*'
    }
}

Describe 'Measure-SpatialAutocorrelation' {
    It 'ranks genes by the z-score of their Moran''s I and pipes the spatially variable ones into Get-RankedPairs' {
        $m = $few | Measure-SpatialAutocorrelation -Sigma 2
        $m.Count | Should -Be $few.Count
        ($m | ForEach-Object Rank) | Should -Be (1..$few.Count)  # (an array's own .Rank is its number of dimensions)
        for ($k = 1; $k -lt $m.Count; $k++) { $m[$k].ZScore | Should -BeLessOrEqual $m[$k - 1].ZScore }
        $m[0].QValue | Should -BeLessOrEqual 0.05
        $m[0].MoranI | Should -BeGreaterThan $m[-1].MoranI
        ($m | Format-Table | Out-String) | Should -BeLike '*MoranI*ZScore*QValue*'
        $top = $few | Measure-SpatialAutocorrelation -Sigma 2 -Top 8
        $top.Gene | Should -Be ($m.Gene | Select-Object -First 8)
        $pairs = $top | Get-RankedPairs -Sigma 2 -WarningAction SilentlyContinue
        $pairs.Count | Should -Be 28
        ($pairs.GeneA + $pairs.GeneB | Sort-Object -Unique) | Should -Be ($top.Gene | Sort-Object)
    }
}

Describe 'Get-RankedPairs -Significance Analytic' {
    It 'gives every pair a PValue and a BH QValue, and agrees with the toroidal-shift test on the shipped patch' {
        $analytic = $few | Get-RankedPairs -Sigma 2 -Significance Analytic -WarningAction SilentlyContinue
        $shifted = $few | Get-RankedPairs -Sigma 2 -Significance Permutation -Permutations 199 -Seed 1 -WarningAction SilentlyContinue
        $analytic.Count | Should -Be $shifted.Count
        ($analytic | Format-Table | Out-String) | Should -BeLike '*PValue*QValue*'
        $a = @{}
        foreach ($p in $analytic) {
            $p.PValue | Should -BeGreaterOrEqual 0
            $p.QValue | Should -BeGreaterOrEqual $p.PValue
            $a["$($p.IndexA)-$($p.IndexB)"] = $p.PValue
        }
        $pa = @(); $ps = @()
        foreach ($p in $shifted) { $pa += $a["$($p.IndexA)-$($p.IndexB)"]; $ps += $p.PValue }
        # Agreement of the calls at 0.05 and of the order of the p-values (Spearman).
        $agree = 0
        for ($k = 0; $k -lt $pa.Count; $k++) { if (($pa[$k] -le 0.05) -eq ($ps[$k] -le 0.05)) { $agree++ } }
        $agree / $pa.Count | Should -BeGreaterThan 0.85
        function Ranks($v) { $o = 0..($v.Count - 1) | Sort-Object { $v[$_] }; $r = [double[]]::new($v.Count); for ($k = 0; $k -lt $o.Count; $k++) { $r[$o[$k]] = $k }; , $r }
        $ra = Ranks $pa; $rs = Ranks $ps
        $ma = ($ra | Measure-Object -Average).Average; $ms = ($rs | Measure-Object -Average).Average
        $num = 0; $da = 0; $ds = 0
        for ($k = 0; $k -lt $ra.Count; $k++) { $num += ($ra[$k] - $ma) * ($rs[$k] - $ms); $da += ($ra[$k] - $ma) * ($ra[$k] - $ma); $ds += ($rs[$k] - $ms) * ($rs[$k] - $ms) }
        $num / [math]::Sqrt($da * $ds) | Should -BeGreaterThan 0.85
    }

    It 'computes q-values over all pairs before -Top and -TopPerGene' {
        $all = $few | Get-RankedPairs -Sigma 2 -Significance Analytic -WarningAction SilentlyContinue
        $top = $few | Get-RankedPairs -Sigma 2 -Significance Analytic -TopPerGene 2 -Top 4 -WarningAction SilentlyContinue
        foreach ($p in $top) {
            $same = $all | Where-Object { $_.IndexA -eq $p.IndexA -and $_.IndexB -eq $p.IndexB }
            $p.QValue | Should -Be $same.QValue
        }
    }

    It 'is refused for measures that are not correlations, pointing to the permutation test' {
        { $few | Select-Object -First 4 | Get-RankedPairs -Method Spearman -Significance Analytic -ErrorAction Stop } | Should -Throw '*-Significance Permutation*'
    }
}
