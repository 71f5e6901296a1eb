BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:Fixtures = Join-Path $RepoRoot 'tests/reference/fixtures'
    $script:XeniumParquet = Join-Path $Fixtures 'parquet/xenium_hyparquet.parquet'
    $script:XeniumText = Join-Path $Fixtures 'parquet/xenium_hyparquet.gem'
    $script:PatchGef = Join-Path $RepoRoot 'samples/stereoseq_mouse_brain_bin1/SS200000135TL_D1_bin1_small.gef'
}

Describe 'Import-GeneRaster from Xenium transcripts.parquet' {
    It 'reads it as the same molecules as a text table, without the control codewords and rows under qv 20' {
        $parquet = Import-GeneRaster $XeniumParquet -BinSize 4
        $text = Import-GeneRaster $XeniumText -BinSize 4 | Where-Object Gene -notmatch '^(NegControl|BLANK|Unassigned|Deprecated)'
        $parquet.Count | Should -Be 8
        ($parquet.Gene | Sort-Object) | Should -Be ($text.Gene | Sort-Object)
        foreach ($g in $parquet) {
            $t = $text | Where-Object Gene -eq $g.Gene
            $g.Total | Should -Be $t.Total
            $g.Width | Should -Be $t.Width
            (Compare-Object $g.ToArray() $t.ToArray() -SyncWindow 0).Count | Should -Be 0
        }
    }

    It 'keeps the controls with -IncludeControls and every row with -MinQuality 0, and says what it dropped' {
        $all = Import-GeneRaster $XeniumParquet -IncludeControls -MinQuality 0
        $all.Count | Should -Be 12
        ($all | Measure-Object Total -Sum).Sum | Should -Be 1500
        $verbose = Import-GeneRaster $XeniumParquet -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match '\d+ rows below quality \(qv\) 20 dropped \(-MinQuality\)'
        ($verbose.Message -join "`n") | Should -Match '\d+ rows of 4 control codewords dropped \(BLANK_0006, .*\) \(-IncludeControls keeps them\)'
    }

    It 'reads a Parquet file by its content whatever its name, and names the columns it lacks' {
        $renamed = Join-Path $TestDrive 'transcripts.bin'
        Copy-Item $XeniumParquet $renamed
        (Import-GeneRaster $renamed).Count | Should -Be 8
        $err = $null
        Import-GeneRaster (Join-Path $Fixtures 'parquet/versions.json') -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
    }

    It 'reports a truncated file as a non-terminating error naming it, goes on, and leaves it untouched' {
        $cut = Join-Path $TestDrive 'cut.parquet'
        $bytes = [IO.File]::ReadAllBytes($XeniumParquet)
        [IO.File]::WriteAllBytes($cut, $bytes[0..($bytes.Length - 200)])
        $before = (Get-FileHash $cut).Hash
        $err = $null
        $out = Import-GeneRaster $cut, $XeniumParquet -ErrorVariable err -ErrorAction SilentlyContinue
        $out.Count | Should -Be 8
        $err.Count | Should -Be 1
        $err[0].Exception.Message | Should -Match ([regex]::Escape($cut))
        $err[0].Exception.Message | Should -Match 'truncated'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        (Get-FileHash $cut).Hash | Should -Be $before
    }
}

Describe 'Import-GeneRaster from a Stereo-seq GEF' {
    It 'gives at bin 1 exactly what the GEM gives' {
        $gef = Import-GeneRaster $PatchGef -Gene Apoe, Malat1, Gm42418
        $gem = Import-GeneRaster $SampleGem -Gene Apoe, Malat1, Gm42418
        foreach ($g in $gef) {
            $t = $gem | Where-Object Gene -eq $g.Gene
            ($g.Width, $g.Height, $g.Total) | Should -Be ($t.Width, $t.Height, $t.Total)
            (Compare-Object $g.ToArray() $t.ToArray() -SyncWindow 0).Count | Should -Be 0
        }
    }

    It 'reads the stored bin50 level for -BinSize 50 and says so' {
        $records = Import-GeneRaster $PatchGef -BinSize 50 -Gene Apoe -Verbose 4>&1
        ($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'GEF level /geneExp/bin50/expression'
        $apoe = $records | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $gem = Import-GeneRaster $SampleGem -BinSize 50 -Gene Apoe
        (Compare-Object $apoe.ToArray() $gem.ToArray() -SyncWindow 0).Count | Should -Be 0
    }

    It 'names the dataset of a damaged GEF and goes on with the next file' {
        $err = $null
        $out = Import-GeneRaster (Join-Path $Fixtures 'gef/bad_no_gene.gef'), $PatchGef -Gene Apoe -ErrorVariable err -ErrorAction SilentlyContinue
        $out.Gene | Should -Be 'Apoe'
        $err.Count | Should -Be 1
        $err[0].Exception.Message | Should -Match '/geneExp/bin1/gene'
    }
}

Describe 'Exports for Python: Export-SimilarityMatrix .h5ad and Export-RankedPairs .parquet' {
    BeforeAll {
        $script:Pairs = Import-GeneRaster $SampleGem -BinSize 10 -Gene Apoe, Malat1, Cst3, Gm42418, Plp1 |
            Get-RankedPairs -Method SmoothedPearson -Sigma 2 -Permutations 19
    }

    It 'writes an AnnData file (its content is checked against anndata in the core tests) and says what it holds' {
        $path = Join-Path $TestDrive 'm.h5ad'
        $records = $Pairs | Export-SimilarityMatrix -Path $path -PassThru -Verbose 4>&1
        ($records | Where-Object { $_ -is [IO.FileInfo] }).FullName | Should -Be $path
        $verbose = ($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $verbose | Should -Match 'X float64 \(5, 5\)'
        $verbose | Should -Match "layers 'pvalue' and 'qvalue'"
        [IO.File]::ReadAllBytes($path)[0..3] | Should -Be @(0x89, 72, 68, 70) # the HDF5 signature
        { $Pairs | Export-SimilarityMatrix -Path $path -ErrorAction Stop } | Should -Throw '*already exists*'
    }

    It 'writes the pairs as a Parquet edge list, and refuses to overwrite without -Force' {
        $path = Join-Path $TestDrive 'p.parquet'
        $Pairs | Export-RankedPairs -Path $path
        (Get-Item $path).Length | Should -BeGreaterThan 100
        [IO.File]::ReadAllBytes($path)[0..3] | Should -Be @(80, 65, 82, 49) # PAR1
        { $Pairs | Export-RankedPairs -Path $path -ErrorAction Stop } | Should -Throw '*already exists*-Force*'
        $Pairs | Export-RankedPairs -Path $path -Force
        $Pairs | Export-RankedPairs -Path (Join-Path $TestDrive 'w.parquet') -WhatIf
        Test-Path (Join-Path $TestDrive 'w.parquet') | Should -BeFalse
        { $Pairs | Export-RankedPairs -Path (Join-Path $TestDrive 'p.csv') -ErrorAction Stop } | Should -Throw '*writes .parquet files*'
    }

    It 'refuses pairs of two rankings in one edge list' {
        $other = Import-GeneRaster $SampleGem -BinSize 10 -Gene Apoe, Malat1 | Get-RankedPairs -Method Pearson
        { @($Pairs) + @($other) | Export-RankedPairs -Path (Join-Path $TestDrive 'mixed.parquet') -ErrorAction Stop } | Should -Throw '*different rankings*'
        Test-Path (Join-Path $TestDrive 'mixed.parquet') | Should -BeFalse
    }
}
