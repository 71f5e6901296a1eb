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
        { $pairs | Export-SimilarityMatrix -Path (Join-Path $TestDrive 'm.xlsx') -ErrorAction Stop } | Should -Throw '*.csv, .tsv, .npy or .h5ad*'
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

Describe 'Export-SimilarityHeatmap' {
    BeforeAll {
        function Get-PngSize([string]$Path) {
            # ImageSharp decodes (the module writes PNGs with its own encoder, so load the decoder here).
            Add-Type -LiteralPath (Join-Path (Get-Module SpatialSim).ModuleBase 'SixLabors.ImageSharp.dll')
            $image = [SixLabors.ImageSharp.Image]::Load($Path)   # decodes the whole file
            try { , @($image.Width, $image.Height) } finally { $image.Dispose() }
        }
    }

    It 'writes a PNG that decodes, with the genes in dendrogram order' {
        $path = Join-Path $TestDrive 'heat.png'
        $file = New-ModulePairs | Export-SimilarityHeatmap -Path $path -PassThru
        $file.FullName | Should -Be $path
        $size = Get-PngSize $path
        $size[0] | Should -BeGreaterThan (8 * 10)
        $size[1] | Should -BeGreaterThan (8 * 10)
        $file.GeneOrder.Count | Should -Be 8
        # The planted modules (given interleaved) come out as contiguous blocks.
        $letters = -join ($file.GeneOrder | ForEach-Object { $_[0] })
        $letters | Should -Match '^(mmmm|nnn|l)+$'
        $letters | Should -Match 'mmmm'
        $letters | Should -Match 'nnn'
    }

    It 'draws in other colour maps and on real rankings' {
        $path = Join-Path $TestDrive 'magma.png'
        $file = $pairs | Export-SimilarityHeatmap -Path $path -ColorMap Magma -PassThru
        $file.GeneOrder | Sort-Object | Should -Be @('A', 'B', 'C', 'D', 'Z')
        [array]::IndexOf($file.GeneOrder, 'A') - [array]::IndexOf($file.GeneOrder, 'B') | ForEach-Object { [math]::Abs($_) } | Should -Be 1
    }

    It 'writes nothing with -WhatIf, refuses to overwrite, overwrites with -Force' {
        $path = Join-Path $TestDrive 'h.png'
        New-ModulePairs | Export-SimilarityHeatmap -Path $path -WhatIf
        Test-Path $path | Should -BeFalse
        Set-Content $path 'keep me'
        { New-ModulePairs | Export-SimilarityHeatmap -Path $path -ErrorAction Stop } | Should -Throw '*already exists*-Force*'
        Get-Content $path | Should -Be 'keep me'
        New-ModulePairs | Export-SimilarityHeatmap -Path $path -Force
        (Get-PngSize $path)[0] | Should -BeGreaterThan 80
        Get-ChildItem $TestDrive -Filter '*.tmp-*' | Should -BeNullOrEmpty
    }

    It 'refuses a path that is not .png' {
        { New-ModulePairs | Export-SimilarityHeatmap -Path (Join-Path $TestDrive 'h.jpg') -ErrorAction Stop } | Should -Throw '*.png*'
    }
}

Describe 'Export-PatternImage' {
    BeforeAll {
        function Get-PngSize([string]$Path) {
            # ImageSharp decodes (the module writes PNGs with its own encoder, so load the decoder here).
            Add-Type -LiteralPath (Join-Path (Get-Module SpatialSim).ModuleBase 'SixLabors.ImageSharp.dll')
            $image = [SixLabors.ImageSharp.Image]::Load($Path)
            try { , @($image.Width, $image.Height) } finally { $image.Dispose() }
        }
        $script:A = $blobs | Where-Object Gene -eq 'A'
        $script:C = $blobs | Where-Object Gene -eq 'C'
    }

    It 'draws one gene, enlarged to be seen' {
        $path = Join-Path $TestDrive 'a.png'
        $file = $A | Export-PatternImage -Path $path -PassThru
        $file.FullName | Should -Be $path
        $size = Get-PngSize $path
        # 40×30 raster enlarged 7× (longer side ≥ 256), plus title and colour bar.
        $size[0] | Should -BeGreaterOrEqual (40 * 7)
        $size[1] | Should -BeGreaterOrEqual (30 * 7)
    }

    It 'draws a pair side by side with the overlay, from the pipeline or -Compare' {
        $one = Join-Path $TestDrive 'one.png'
        $A | Export-PatternImage -Path $one
        $pairPath = Join-Path $TestDrive 'pair.png'
        $A | Export-PatternImage -Compare $C -Path $pairPath -Log
        (Get-PngSize $pairPath)[0] | Should -BeGreaterThan (3 * 40 * 7)
        $piped = Join-Path $TestDrive 'piped.png'
        $A, $C | Export-PatternImage -Path $piped
        (Get-PngSize $piped)[0] | Should -Be (Get-PngSize $pairPath)[0]
    }

    It 'bounds the picture with -MaxSize' {
        $path = Join-Path $TestDrive 'small.png'
        $A | Export-PatternImage -Path $path -MaxSize 16 -Reduce Mean
        $size = Get-PngSize $path
        $size[0] | Should -BeLessThan 120
        $size[1] | Should -BeLessThan 80
    }

    It 'refuses three genes and rasters of two canvases, saying what to do' {
        { $blobs | Select-Object -First 3 | Export-PatternImage -Path (Join-Path $TestDrive 'three.png') -ErrorAction Stop } | Should -Throw '*one gene, or two*{Gene}*'
        $other = Import-GeneRaster -Path (New-CountTable -Path (Join-Path $TestDrive 'other.csv') -Rows @(, @('Q', 3, 3, 1)))
        { $A | Export-PatternImage -Compare $other -Path (Join-Path $TestDrive 'mismatch.png') -ErrorAction Stop } | Should -Throw '*one canvas*'
        Test-Path (Join-Path $TestDrive 'mismatch.png') | Should -BeFalse
    }

    It 'writes nothing with -WhatIf, refuses to overwrite, overwrites with -Force' {
        $path = Join-Path $TestDrive 'p.png'
        $A | Export-PatternImage -Path $path -WhatIf
        Test-Path $path | Should -BeFalse
        Set-Content $path 'keep me'
        $A | Export-PatternImage -Path $path -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        Get-Content $path | Should -Be 'keep me'
        $A | Export-PatternImage -Path $path -Force -ColorMap Gray
        (Get-PngSize $path)[0] | Should -BeGreaterOrEqual 280
    }

    It 'leaves no file when stopped' {
        # A stop request before writing: StopProcessing cancels the token; the temporary file is removed.
        $path = Join-Path $TestDrive 'stopped.png'
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$ModulePath'; `$r = Import-GeneRaster -Path '$(Join-Path $TestDrive 'blobs.csv')' -Gene A; while (`$true) { `$r | Export-PatternImage -Path '$path' -Force; Remove-Item '$path' }")
            $handle = $ps.BeginInvoke()
            Start-Sleep -Seconds 4
            $ps.Stop()
        } finally { $ps.Dispose() }
        Get-ChildItem $TestDrive -Filter 'stopped.png.tmp-*' | Should -BeNullOrEmpty
    }
}
