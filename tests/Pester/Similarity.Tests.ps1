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

    It 'needs two genes at least' {
        { $A | Get-RankedPairs -ErrorAction Stop } | Should -Throw -ExpectedMessage "*at least two*'A'*"
    }

    It 'refuses rasters of different sizes, naming the genes' {
        $small = Import-GeneRaster -Path (New-BlobTable -Path (Join-Path $TestDrive 'b3.csv')) -Region 0, 0, 10, 10 -Gene B
        { @($A, $small) | Get-RankedPairs -ErrorAction Stop } | Should -Throw -ExpectedMessage "*'B'*10×10*'A'*40×30*"
    }

    It 'refuses duplicate gene names' {
        { @($A, $A) | Get-RankedPairs -ErrorAction Stop } | Should -Throw -ExpectedMessage "*unique*'A'*"
    }

    It 'ranks pairs of a constant gene last, with a warning' {
        $zero = Import-GeneRaster -Path (New-CountTable -Path (Join-Path $TestDrive 'z2.csv') -Rows @(@('Q', 0, 0, 0), @('Q', 39, 29, 0)))
        $ranked = @($blobs) + @($zero) | Get-RankedPairs -WarningVariable w -WarningAction SilentlyContinue
        $last = $ranked | Select-Object -Last 5
        $last | ForEach-Object { [double]::IsNaN($_.Score) | Should -BeTrue }
        $w | Should -Not -BeNullOrEmpty
    }
}
