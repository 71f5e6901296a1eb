BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:blobs = Import-GeneRaster -Path (New-BlobTable -Path (Join-Path $TestDrive 'blobs.csv'))
    $script:pairs = $blobs | Get-RankedPairs -Method SmoothedPearson -Sigma 2

    function New-Pair([string]$A, [string]$B, [double]$Score, [string]$Method = 'Pearson') {
        [SpatialSim.TorchCore.Similarity.RankedPair]@{ GeneA = $A; GeneB = $B; Score = $Score; Method = $Method; Parameters = '' }
    }

    # Two planted modules: m1..m4 alike (0.9), n1..n3 alike (0.7), the modules unlike (0.05), and a loner (−0.1).
    function New-ModulePairs {
        $genes = 'm1', 'n1', 'm2', 'n2', 'm3', 'lone', 'n3', 'm4'
        for ($i = 0; $i -lt $genes.Count; $i++) {
            for ($j = $i + 1; $j -lt $genes.Count; $j++) {
                $a = $genes[$i]; $b = $genes[$j]
                $s = if ($a -eq 'lone' -or $b -eq 'lone') { -0.1 } elseif ($a[0] -eq $b[0]) { if ($a[0] -eq 'm') { 0.9 } else { 0.7 } } else { 0.05 }
                New-Pair $a $b $s
            }
        }
    }
}

Describe 'Export-SimilarityMatrix' {
    It 'writes a CSV that round-trips through Import-Csv with gene names' {
        $path = Join-Path $TestDrive 'm.csv'
        $file = $pairs | Export-SimilarityMatrix -Path $path -PassThru
        $file.FullName | Should -Be $path
        $rows = Import-Csv $path
        $rows.Count | Should -Be 5
        $rows.Gene | Sort-Object | Should -Be @('A', 'B', 'C', 'D', 'Z')
        ($rows[0].PSObject.Properties.Name | Select-Object -Skip 1 | Sort-Object) | Should -Be @('A', 'B', 'C', 'D', 'Z')
        $ab = ($pairs | Where-Object { ($_.GeneA + $_.GeneB) -in 'AB', 'BA' }).Score
        [double](($rows | Where-Object Gene -eq 'A').B) | Should -Be $ab
        [double](($rows | Where-Object Gene -eq 'B').A) | Should -Be $ab
        [double](($rows | Where-Object Gene -eq 'C').C) | Should -Be 1
    }

    It 'writes tab-separated values for .tsv' {
        $path = Join-Path $TestDrive 'm.tsv'
        $pairs | Export-SimilarityMatrix -Path $path
        $rows = Import-Csv $path -Delimiter "`t"
        $rows.Count | Should -Be 5
        (Get-Content $path -First 1) | Should -BeLike "Gene`t*"
    }

    It 'writes a float64 .npy with a gene list' {
        $path = Join-Path $TestDrive 'm.npy'
        $files = $pairs | Export-SimilarityMatrix -Path $path -PassThru
        $files.Name | Should -Be @('m.npy', 'm.genes.txt')
        $bytes = [IO.File]::ReadAllBytes($path)
        $bytes[0] | Should -Be 0x93
        [Text.Encoding]::ASCII.GetString($bytes, 1, 5) | Should -Be 'NUMPY'
        $headerLength = [BitConverter]::ToUInt16($bytes, 8)
        $header = [Text.Encoding]::ASCII.GetString($bytes, 10, $headerLength)
        $header | Should -BeLike "*'descr': '<f8'*'shape': (5, 5)*"
        $bytes.Length | Should -Be (10 + $headerLength + 5 * 5 * 8)
        $genes = Get-Content (Join-Path $TestDrive 'm.genes.txt')
        $genes.Count | Should -Be 5
        $ia = [array]::IndexOf($genes, 'A'); $ib = [array]::IndexOf($genes, 'B')
        $ab = ($pairs | Where-Object { ($_.GeneA + $_.GeneB) -in 'AB', 'BA' }).Score
        [BitConverter]::ToDouble($bytes, 10 + $headerLength + 8 * ($ia * 5 + $ib)) | Should -Be $ab
    }

    It 'warns and fills NaN when pairs are missing' {
        $path = Join-Path $TestDrive 'top.csv'
        $blobs | Get-RankedPairs -Method Pearson -Gene A | Export-SimilarityMatrix -Path $path -WarningVariable w -WarningAction SilentlyContinue
        $w[0] | Should -BeLike '*not given*NaN*'
        (Get-Content $path | Select-String 'NaN') | Should -Not -BeNullOrEmpty
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $TestDrive 'whatif.npy'
        $pairs | Export-SimilarityMatrix -Path $path -WhatIf
        Test-Path $path | Should -BeFalse
        Test-Path (Join-Path $TestDrive 'whatif.genes.txt') | Should -BeFalse
    }

    It 'refuses to overwrite unless -Force' {
        $path = Join-Path $TestDrive 'keep.csv'
        Set-Content $path 'keep me'
        { $pairs | Export-SimilarityMatrix -Path $path -ErrorAction Stop } | Should -Throw '*already exists*-Force*'
        Get-Content $path | Should -Be 'keep me'
        $pairs | Export-SimilarityMatrix -Path $path -Force
        (Import-Csv $path).Count | Should -Be 5
        Get-ChildItem $TestDrive -Filter '*.tmp-*' | Should -BeNullOrEmpty
    }

    It 'refuses an unknown extension and pairs of two measures' {
        { $pairs | Export-SimilarityMatrix -Path (Join-Path $TestDrive 'm.xlsx') -ErrorAction Stop } | Should -Throw '*.csv, .tsv or .npy*'
        $mixed = @($pairs[0]) + @($blobs | Get-RankedPairs -Method Pearson -Top 1)
        { $mixed | Export-SimilarityMatrix -Path (Join-Path $TestDrive 'mixed.csv') -ErrorAction Stop } | Should -Throw '*different measures*'
    }
}

Describe 'Find-GeneModule' {
    It 'finds the planted modules with -Count' {
        $modules = New-ModulePairs | Find-GeneModule -Count 3
        $modules.Count | Should -Be 3
        $modules | Should -BeOfType 'SpatialSim.TorchCore.Clustering.GeneModule'
        $modules.Module | Should -Be @(1, 2, 3)
        $modules.Size | Should -Be @(4, 3, 1)
        $modules[0].Genes | Sort-Object | Should -Be @('m1', 'm2', 'm3', 'm4')
        $modules[1].Genes | Sort-Object | Should -Be @('n1', 'n2', 'n3')
        $modules[2].Genes | Should -Be 'lone'
        $modules[0].MeanScore | Should -BeGreaterThan 0.8999
        $modules[0].MeanScore | Should -BeLessThan 0.9001
        [double]::IsNaN($modules[2].MeanScore) | Should -BeTrue
    }

    It 'cuts at a height in units of 1 − score' {
        # Within modules the distance is 0.1 / 0.3; between them 0.95 and more.
        (New-ModulePairs | Find-GeneModule -Height 0.2).Size | Should -Be @(4, 1, 1, 1, 1)
        (New-ModulePairs | Find-GeneModule -Height 0.5).Size | Should -Be @(4, 3, 1)
        (New-ModulePairs | Find-GeneModule -Height 5).Size | Should -Be @(8)
    }

    It 'puts genes with the same pattern together on real rasters' {
        $m = $pairs | Find-GeneModule -Count 3
        ($m | Where-Object { 'A' -in $_.Genes }).Genes | Should -Contain 'B'
    }

    It 'uses max − score for scores without a fixed top' {
        $p = @((New-Pair a b -1 'Sinkhorn'), (New-Pair a c -9 'Sinkhorn'), (New-Pair b c -10 'Sinkhorn'))
        $m = $p | Find-GeneModule -Height 1
        $m[0].Genes | Sort-Object | Should -Be @('a', 'b')
        $m[0].Cut | Should -BeLike '*max score − score*'
    }

    It 'says which pairs are missing' {
        { $blobs | Get-RankedPairs -Method Pearson -Top 2 | Find-GeneModule -Count 2 -ErrorAction Stop } | Should -Throw '*every pair*not given*'
    }

    It 'shows a compact table' {
        $text = New-ModulePairs | Find-GeneModule -Count 2 | Format-Table | Out-String
        $text | Should -Match 'Module\s+Size\s+MeanScore\s+Genes'
        $text | Should -Match 'm1'
    }
}
