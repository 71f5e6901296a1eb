BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:blobs = Import-GeneRaster -Path (New-BlobTable -Path (Join-Path $TestDrive 'blobs.csv'))
    $script:A = $blobs | Where-Object Gene -eq 'A'
}

Describe 'Invoke-Smoothing' {
    It 'returns new smoothed rasters and leaves the input untouched' {
        $before = $A.Max
        $s = $A | Invoke-Smoothing -Sigma 2
        $s | Should -BeOfType 'SpatialSim.TorchCore.GeneRaster'
        $s.Gene | Should -Be 'A'
        $s.Max | Should -BeLessThan $before
        [math]::Abs($s.Total - $A.Total) | Should -BeLessThan 1e-3 -Because 'reflect-mode Gaussian smoothing keeps mass away from the border'
        $A.Max | Should -Be $before
    }

    It 'smooths every raster of the pipeline, by any method' {
        foreach ($m in 'Auto', 'Direct', 'Fft') {
            $s = $blobs | Invoke-Smoothing -Sigma 1.5 -Method $m
            $s.Count | Should -Be $blobs.Count
        }
    }

    It 'refuses a negative sigma at binding' {
        { $A | Invoke-Smoothing -Sigma -1 -ErrorAction Stop } | Should -Throw
    }
}

Describe 'Measure-PatternSimilarity' {
    It 'scores each piped raster against the reference, higher = more similar' {
        $r = $blobs | Measure-PatternSimilarity -Reference $A -Method SmoothedPearson -Sigma 2
        $r.Count | Should -Be 5
        ($r | Where-Object GeneB -eq 'A').Score | Should -BeGreaterThan 0.999
        ($r | Where-Object GeneB -eq 'B').Score | Should -BeGreaterThan 0.999 -Because 'B is A at half strength: the pattern is the same'
        ($r | Where-Object GeneB -eq 'C').Score | Should -BeGreaterThan ($r | Where-Object GeneB -eq 'D').Score
    }

    It 'smoothing brings a shifted copy closer than pixel Pearson does' {
        $C = $blobs | Where-Object Gene -eq 'C'
        # On the whole canvas: a tissue estimated from these two diamonds alone is just their union, inside which they are disjoint.
        $plain = Measure-PatternSimilarity -Reference $A -InputObject $C -Method Pearson -NoTissueMask
        $smooth = Measure-PatternSimilarity -Reference $A -InputObject $C -Method SmoothedPearson -Sigma 3 -NoTissueMask
        $smooth.Score | Should -BeGreaterThan $plain.Score
    }

    It 'gives one result per method and pair with several methods, each as a single-method run gives it' {
        $r = $blobs | Measure-PatternSimilarity -Reference $A -Method Pearson, Spearman, Pearson
        $r.Count | Should -Be 10 -Because 'repeated methods count once'
        ($r | Select-Object -First 2).Method | Should -Be 'Pearson', 'Spearman'
        foreach ($m in 'Pearson', 'Spearman') {
            $single = $blobs | Measure-PatternSimilarity -Reference $A -Method $m
            (($r | Where-Object Method -eq $m).Score | ForEach-Object { "$_" }) | Should -Be ($single.Score | ForEach-Object { "$_" })   # NaN-aware
            ($r | Where-Object Method -eq $m).GeneB | Should -Be $single.GeneB
        }
    }

    It 'warns and returns NaN for a constant gene' {
        $zero = Import-GeneRaster -Path (New-CountTable -Path (Join-Path $TestDrive 'z.csv') -Rows @(@('Q', 0, 0, 0), @('Q', 39, 29, 0)))
        $r = Measure-PatternSimilarity -Reference $A -InputObject $zero -Method Pearson -WarningVariable w -WarningAction SilentlyContinue
        [double]::IsNaN($r.Score) | Should -BeTrue
        $w[0] | Should -BeLike "*'Q'*constant*"
    }

    It 'reports rasters of different sizes as a non-terminating error naming both genes' {
        $small = Import-GeneRaster -Path (New-BlobTable -Path (Join-Path $TestDrive 'b2.csv')) -Region 0, 0, 10, 10 -Gene B
        $out = $small, $A | Measure-PatternSimilarity -Reference $A -ErrorVariable errs -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $errs[0].Exception.Message | Should -BeLike "*'A'*'B'*different raster sizes*"
    }
}

Describe 'Get-RankedPairs' {
    It 'ranks all pairs, most similar first' {
        $ranked = $blobs | Get-RankedPairs -Method SmoothedPearson -Sigma 2
        $ranked.Count | Should -Be 10
        $ranked[0].Rank | Should -Be 1
        ($ranked[0].GeneA, $ranked[0].GeneB) -join '-' | Should -Be 'A-B'
        for ($i = 1; $i -lt $ranked.Count; $i++) { $ranked[$i].Score | Should -BeLessOrEqual $ranked[$i - 1].Score }
    }

    It 'agrees with Measure-PatternSimilarity pair by pair' {
        # The whole canvas for both (by default each estimates the tissue from the genes it sees: all of them, or the pair).
        $ranked = Get-RankedPairs -InputObject $blobs -Method SmoothedPearson -Sigma 2 -NoTissueMask
        foreach ($p in $ranked) {
            $a = $blobs | Where-Object Gene -eq $p.GeneA
            $b = $blobs | Where-Object Gene -eq $p.GeneB
            $m = Measure-PatternSimilarity -Reference $a -InputObject $b -Method SmoothedPearson -Sigma 2 -NoTissueMask
            [math]::Abs($m.Score - $p.Score) | Should -BeLessThan 1e-5
        }
    }

    It 'supports -Top and -Gene' {
        ($blobs | Get-RankedPairs -Top 3).Count | Should -Be 3
        $partners = $blobs | Get-RankedPairs -Gene C
        $partners.Count | Should -Be 4
        $partners.GeneA | Sort-Object -Unique | Should -Be 'C'
    }

    It 'warns about genes with very few counts, naming them' {
        $weak = Import-GeneRaster -Path (New-CountTable -Path (Join-Path $TestDrive 'weak.csv') -Rows @(@('W', 5, 5, 3), @('W', 20, 20, 2), @('Z', 0, 0, 0), @('Z', 39, 29, 0)))
        $null = @($blobs) + @($weak | Where-Object Gene -eq 'W') | Get-RankedPairs -WarningVariable w -WarningAction SilentlyContinue
        "$w" | Should -BeLike "*fewer than 20 counts*'W' (5)*"
    }

    It 'keeps only the pairs scoring at least -MinScore, in order, NaN never' {
        $zero = Import-GeneRaster -Path (New-CountTable -Path (Join-Path $TestDrive 'z4.csv') -Rows @(@('Q', 0, 0, 0), @('Q', 39, 29, 0)))
        $all = @($blobs) + @($zero) | Get-RankedPairs -Sigma 2 -WarningAction SilentlyContinue
        $cut = ($all | Where-Object { -not [double]::IsNaN($_.Score) })[3].Score
        $kept = @($blobs) + @($zero) | Get-RankedPairs -Sigma 2 -MinScore $cut -WarningAction SilentlyContinue
        $kept.Count | Should -Be @($all | Where-Object Score -ge $cut).Count
        $kept.Count | Should -BeGreaterOrEqual 4
        ($kept | ForEach-Object { "$($_.Rank) $($_.GeneA)-$($_.GeneB)" }) | Should -Be ($all | Select-Object -First $kept.Count | ForEach-Object { "$($_.Rank) $($_.GeneA)-$($_.GeneB)" })
        @(@($blobs) + @($zero) | Get-RankedPairs -Sigma 2 -MinScore -1 -WarningAction SilentlyContinue).Count | Should -Be 6 -Because 'the 5 pairs with Q and the 4 with Z (two stray molecules in the corners, outside the tissue) are NaN and never pass'
        @($blobs | Get-RankedPairs -Sigma 2 -MinScore 0.9 -Top 1).Count | Should -Be 1
        @($blobs | Get-RankedPairs -Sigma 2 -Gene C -MinScore 2).Count | Should -Be 0
    }

    It 'ranks by the mean of the methods'' ranks with several methods, keeping each method''s score' {
        $zero = Import-GeneRaster -Path (New-CountTable -Path (Join-Path $TestDrive 'z5.csv') -Rows @(@('Q', 0, 0, 0), @('Q', 39, 29, 0)))
        $genes = @($blobs) + @($zero)
        $position = @{}; for ($g = 0; $g -lt $genes.Count; $g++) { $position[$genes[$g].Gene] = $g }
        $consensus = $genes | Get-RankedPairs -Method SmoothedPearson, Spearman -Sigma 2 -WarningAction SilentlyContinue
        $pairCount = $genes.Count * ($genes.Count - 1) / 2
        $consensus.Count | Should -Be $pairCount
        $meanRank = @{}
        foreach ($m in 'SmoothedPearson', 'Spearman') {
            $single = $genes | Get-RankedPairs -Method $m -Sigma 2 -WarningAction SilentlyContinue
            $scores = @($single | ForEach-Object Score)
            foreach ($p in $single) {
                $key = "$($p.GeneA)-$($p.GeneB)"
                # Fractional rank, computed here independently: ties share their mean rank, NaN takes the worst rank.
                $rank = if ([double]::IsNaN($p.Score)) { $pairCount } else {
                    $above = @($scores | Where-Object { $_ -gt $p.Score }).Count
                    $equal = @($scores | Where-Object { $_ -eq $p.Score }).Count
                    $above + ($equal + 1) / 2 }
                $meanRank[$key] += $rank / 2
                $c = $consensus | Where-Object { $_.GeneA -eq $p.GeneA -and $_.GeneB -eq $p.GeneB }
                $c.Scores[$m].ToString('R') | Should -Be $p.Score.ToString('R') -Because "the $m score of $key is the single-method score"
            }
        }
        $expected = $meanRank.Keys | Sort-Object { $meanRank[$_] }, { $position[$_.Split('-')[0]] }, { $position[$_.Split('-')[1]] }
        $consensus | ForEach-Object { "$($_.GeneA)-$($_.GeneB)" } | Should -Be $expected
        foreach ($c in $consensus) {
            $c.Method | Should -Be 'Consensus(SmoothedPearson,Spearman)'
            $expectedScore = 1 - ($meanRank["$($c.GeneA)-$($c.GeneB)"] - 1) / ($pairCount - 1)
            if ($c.GeneB -eq 'Q') { [double]::IsNaN($c.Score) | Should -BeTrue -Because 'NaN by every method stays NaN' }
            else { $c.Score | Should -BeGreaterOrEqual ($expectedScore - 1e-12); $c.Score | Should -BeLessOrEqual ($expectedScore + 1e-12) }
        }
        $consensus[0].Parameters | Should -BeLike '*SmoothedPearson: σ=2*'
    }

    It 'applies -Gene, -Top and -MinScore to the consensus of all pairs' {
        $all = $blobs | Get-RankedPairs -Method Pearson, SmoothedPearson, Spearman -Sigma 2
        $c = $blobs | Get-RankedPairs -Method Pearson, SmoothedPearson, Spearman -Sigma 2 -Gene C -Top 2
        $c.Count | Should -Be 2
        $c.GeneA | Should -Be 'C', 'C'
        $c.Score | Should -Be @($all | Where-Object { 'C' -in $_.GeneA, $_.GeneB } | Select-Object -First 2).Score
        $kept = $blobs | Get-RankedPairs -Method Pearson, SmoothedPearson, Spearman -Sigma 2 -MinScore $all[4].Score
        $kept.Score | Should -Be @($all | Where-Object Score -ge $all[4].Score).Score
    }

    It 'needs two genes at least' {
        { $A | Get-RankedPairs -ErrorAction Stop } | Should -Throw -ExpectedMessage "*at least two*'A'*"
    }

    It 'refuses rasters of different sizes, naming the genes' {
        $small = Import-GeneRaster -Path (New-BlobTable -Path (Join-Path $TestDrive 'b3.csv')) -Region 0, 0, 10, 10 -Gene B
        { @($A, $small) | Get-RankedPairs -ErrorAction Stop } | Should -Throw -ExpectedMessage "*'B'*10×10*'A'*40×30*"
    }

    It 'refuses duplicate gene names' {
        { @($A, $A) | Get-RankedPairs -ErrorAction Stop } | Should -Throw -ExpectedMessage "*unique*'A'*-Force*"
    }

    It 'with -Force, suffixes repeated names in input order and warns' {
        $b = $blobs | Where-Object Gene -eq 'B'
        $ranked = @($A, $b, $A, $A) | Get-RankedPairs -Force -WarningVariable w -WarningAction SilentlyContinue
        $ranked.Count | Should -Be 6
        $names = @($ranked.GeneA) + @($ranked.GeneB) | Sort-Object -Unique
        $names | Should -Be (@('A', 'A#2', 'A#3', 'B') | Sort-Object)
        ($ranked | Where-Object { $_.GeneA -like 'A*' -and $_.GeneB -like 'A*' }).Score | ForEach-Object { $_ | Should -BeGreaterThan 0.9999 }
        "$w" | Should -BeLike "*'A' → 'A#2'*'A' → 'A#3'*"
    }

    It 'ranks pairs of a constant gene last, with a warning' {
        $zero = Import-GeneRaster -Path (New-CountTable -Path (Join-Path $TestDrive 'z2.csv') -Rows @(@('Q', 0, 0, 0), @('Q', 39, 29, 0)))
        $ranked = @($blobs) + @($zero) | Get-RankedPairs -WarningVariable w -WarningAction SilentlyContinue
        $last = $ranked | Select-Object -Last 5
        $last | ForEach-Object { [double]::IsNaN($_.Score) | Should -BeTrue }
        $w | Should -Not -BeNullOrEmpty
    }
}
