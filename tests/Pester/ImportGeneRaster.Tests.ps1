BeforeAll { . (Join-Path $PSScriptRoot 'TestHelpers.ps1') }

Describe 'Import-GeneRaster from tables' {
    It 'reads the bundled Stereo-seq GEM sample, one raster per gene on one canvas' {
        $genes = Import-GeneRaster -Path $SampleGem -BinSize 10 -Gene 'Malat1', 'Apoe', 'Gm42418'
        $genes.Count | Should -Be 3
        $genes.Gene | Sort-Object | Should -Be @('Apoe', 'Gm42418', 'Malat1')
        ($genes | Where-Object Gene -eq 'Gm42418').Total | Should -Be 6827
        $genes | ForEach-Object { $_.Width | Should -Be 30; $_.Height | Should -Be 30; $_.BinSize | Should -Be 10 }
        $genes[0].Source | Should -Be $SampleGem
    }

    It 'filters genes with wildcards and drops genes under -MinTotal' {
        $mt = Import-GeneRaster -Path $SampleGem -BinSize 20 -Gene 'mt-*' -MinTotal 100
        $mt.Count | Should -BeGreaterThan 0
        $mt | ForEach-Object { $_.Gene | Should -BeLike 'mt-*'; $_.Total | Should -BeGreaterOrEqual 100 }
    }

    It 'binning keeps the total and divides the canvas' {
        $a = Import-GeneRaster -Path $SampleGem -Gene Apoe
        $b = Import-GeneRaster -Path $SampleGem -Gene Apoe -BinSize 7
        $b.Total | Should -Be $a.Total
        $b.Width | Should -Be ([math]::Ceiling($a.Width / 7))
    }

    It 'takes files from Get-ChildItem through the pipeline' {
        $t1 = New-BlobTable -Path (Join-Path $TestDrive 'one.csv')
        Copy-Item $t1 (Join-Path $TestDrive 'two.csv')
        $genes = Get-ChildItem (Join-Path $TestDrive '*.csv') | Import-GeneRaster
        $genes.Count | Should -Be 10
    }

    It 'reads bracketed file names from Get-ChildItem and -LiteralPath, as Import-Csv does' {
        $dir = Join-Path $TestDrive 'brackets'
        New-Item -ItemType Directory $dir | Out-Null
        $blobs = Import-GeneRaster -Path (New-BlobTable -Path (Join-Path $TestDrive 'bb.csv'))
        $blobs | Where-Object Gene -eq 'A' | Export-GeneRaster -LiteralPath (Join-Path $dir 'gene[1].npy')
        $blobs | Where-Object Gene -eq 'B' | Export-GeneRaster -LP (Join-Path $dir 'gene[2].tif')
        $blobs | Where-Object Gene -eq 'C' | Export-GeneRaster -Path (Join-Path $dir 'gene1.npy')   # what the pattern gene[1].npy matches
        $piped = Get-ChildItem -LiteralPath $dir | Where-Object Name -like 'gene`[*' | Sort-Object Name | Import-GeneRaster -ErrorVariable errs
        $errs | Should -BeNullOrEmpty
        $piped.Gene | Should -Be @('gene[1]', 'gene[2]')
        $piped[0].Total | Should -Be ($blobs | Where-Object Gene -eq 'A').Total
        $piped[1].Total | Should -Be ($blobs | Where-Object Gene -eq 'B').Total
        (Get-Item -LiteralPath (Join-Path $dir 'gene[2].tif') | Import-GeneRaster).Gene | Should -Be 'gene[2]'
        (Import-GeneRaster -LiteralPath (Join-Path $dir 'gene[1].npy')).Gene | Should -Be 'gene[1]'
        (Import-GeneRaster -PSPath (Join-Path $dir 'gene[1].npy')).Gene | Should -Be 'gene[1]'
        (Import-GeneRaster -Path (Join-Path $dir 'gene[1].npy')).Gene | Should -Be 'gene1' -Because '-Path takes wildcards: [1] is a character class'
        (Join-Path $dir 'gene[1].npy'), (Join-Path $dir 'gene1.npy') | Import-GeneRaster | ForEach-Object Gene | Should -Be @('gene1', 'gene1') -Because 'strings from the pipeline bind to -Path'
    }

    It 'refuses a path on a drive that is not the file system' {
        $null = Import-GeneRaster -Path 'Variable:PSHOME', 'Env:PATH' -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 2
        $errs | ForEach-Object { $_.Exception.Message | Should -BeLike '*not in the file system*' }
    }

    It 'expands wildcards and reports a pattern that matches nothing as a non-terminating ObjectNotFound error' {
        $null = New-BlobTable -Path (Join-Path $TestDrive 'w1.csv')
        $genes = Import-GeneRaster -Path (Join-Path $TestDrive 'w*.csv'), (Join-Path $TestDrive 'nothing*.csv') -ErrorVariable errs -ErrorAction SilentlyContinue
        $genes.Count | Should -Be 5
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].TargetObject | Should -BeLike '*nothing*.csv'
    }

    It 'names the file and the line of a bad count' {
        $bad = New-CountTable -Path (Join-Path $TestDrive 'bad.csv') -Rows @(@('A', 1, 1, 2), @('A', 2, 2, 'three'))
        $null = Import-GeneRaster -Path $bad -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].Exception.Message | Should -BeLike '*line 3*bad.csv*three*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].TargetObject | Should -Be $bad.FullName
    }

    It 'lists the columns found when the gene or coordinate columns are missing' {
        $bad = New-CountTable -Path (Join-Path $TestDrive 'cols.csv') -Rows @(@('A', 1, 1)) -Header @('name', 'col', 'row')
        { Import-GeneRaster -Path $bad -ErrorAction Stop } | Should -Throw -ExpectedMessage '*name*col*row*'
    }

    It 'refuses a directory given as a file, naming it' {
        { Import-GeneRaster -Path $TestDrive -ErrorAction Stop } | Should -Throw -ExpectedMessage '*directory*'
    }

    It 'refuses an unknown file type, listing the supported ones' {
        $f = Join-Path $TestDrive 'x.xlsx'; Set-Content $f 'x'
        { Import-GeneRaster -Path $f -ErrorAction Stop } | Should -Throw -ExpectedMessage '*.png*.npy*'
    }

    It 'crops to -Region' {
        $t = New-BlobTable -Path (Join-Path $TestDrive 'region.csv')
        $a = Import-GeneRaster -Path $t -Region 5, 5, 20, 15 -Gene A
        $a.Width | Should -Be 15
        $a.Height | Should -Be 10
    }

    It 'drops low-quality calls and control codewords of a Xenium table, says how many in -Verbose, and keeps them on request' {
        $csv = Join-Path $TestDrive 'transcripts.csv'
        Set-Content -LiteralPath $csv -Value @(
            '"transcript_id","cell_id","overlaps_nucleus","feature_name","x_location","y_location","z_location","qv"'
            '1,"UNASSIGNED",0,"Gad1",1.2,2.5,10.0,40.0'
            '2,"UNASSIGNED",0,"Gad1",3.7,1.0,10.0,12.5'
            '3,"UNASSIGNED",0,"NegControlProbe_00042",2.0,2.0,10.0,40.0'
            '4,"UNASSIGNED",0,"Sst",0.4,0.3,10.0,20.0'
        )
        $verbose = Import-GeneRaster $csv -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match '1 rows below quality \(qv\) 20 dropped'
        ($verbose.Message -join "`n") | Should -Match '1 rows of 1 control codewords dropped \(NegControlProbe_00042\)'
        $genes = Import-GeneRaster $csv
        $genes.Gene | Sort-Object | Should -Be @('Gad1', 'Sst')
        ($genes | Where-Object Gene -eq Gad1).Total | Should -Be 1
        $all = Import-GeneRaster $csv -MinQuality 0 -IncludeControls
        $all.Gene | Sort-Object | Should -Be @('Gad1', 'NegControlProbe_00042', 'Sst')
        ($all | Where-Object Gene -eq Gad1).Total | Should -Be 2
    }
}

Describe 'Import-GeneRaster from images and .npy' {
    BeforeAll {
        $table = New-BlobTable -Path (Join-Path $TestDrive 'blobs.csv')
        $script:blobs = Import-GeneRaster -Path $table
    }

    It 'reads 16-bit PNGs written by Export-GeneRaster back exactly, named after the file' {
        New-Item -ItemType Directory (Join-Path $TestDrive 'png') -Force | Out-Null
        $blobs | Export-GeneRaster -Path (Join-Path $TestDrive 'png/{Gene}.png') -ErrorAction Stop
        $back = Get-ChildItem (Join-Path $TestDrive 'png/*.png') | Sort-Object Name | Import-GeneRaster
        $back.Gene | Should -Be @('A', 'B', 'C', 'D', 'Z')
        for ($i = 0; $i -lt 5; $i++) { $back[$i].Total | Should -Be $blobs[$i].Total; $back[$i].Max | Should -Be $blobs[$i].Max }
    }

    It 'refuses an image whose size differs from the others, naming the odd file' {
        $small = Import-GeneRaster -Path $table -Region 0, 0, 10, 10 -Gene A
        $small | Export-GeneRaster -Path (Join-Path $TestDrive 'odd.png')
        $blobs[0] | Export-GeneRaster -Path (Join-Path $TestDrive 'first.png')
        $out = Import-GeneRaster -Path (Join-Path $TestDrive 'first.png'), (Join-Path $TestDrive 'odd.png') -ErrorVariable errs -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $errs[0].Exception.Message | Should -BeLike '*odd.png*10×10*first.png*'
    }

    It 'refuses a colour image unless -Channel picks one' {
        $rgb = Join-Path $TestDrive 'rgb.png'
        [IO.File]::WriteAllBytes($rgb, [Convert]::FromBase64String($RgbPngBase64))
        { Import-GeneRaster -Path $rgb -ErrorAction Stop } | Should -Throw -ExpectedMessage '*rgb.png*-Channel*'
        $g = Import-GeneRaster -Path $rgb -Channel G
        $g.Width | Should -Be 4; $g.Height | Should -Be 3
        $g.Total | Should -Be 120
        (Import-GeneRaster -Path $rgb -Channel B -Gene Blue).Gene | Should -Be 'Blue'
    }

    It 'reads a 3-D .npy stack as one raster per plane' {
        $stack = Join-Path $TestDrive 'stack.npy'
        $blobs | Export-GeneRaster -Path $stack
        $back = Import-GeneRaster -Path $stack
        $back.Gene | Should -Be @('gene_0', 'gene_1', 'gene_2', 'gene_3', 'gene_4')
        $named = Import-GeneRaster -Path $stack -Gene A, B, C, D, Z
        $named.Gene | Should -Be @('A', 'B', 'C', 'D', 'Z')
        $named[2].Total | Should -Be $blobs[2].Total
    }

    It 'refuses NaN, infinite and negative pixels, naming the gene, file, row and column' -TestCases @(
        @{ Value = [float]::NaN; Expected = '*NaN pixel at row 1, column 2*' }
        @{ Value = [float]::PositiveInfinity; Expected = '*infinite pixel at row 1, column 2*' }
        @{ Value = [float]-3; Expected = '*negative value (-3) at row 1, column 2*' }
    ) {
        # A 3×4 float32 .npy, as numpy.save writes it, with one bad pixel.
        $header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }".PadRight(117) + "`n"
        $bytes = [System.Collections.Generic.List[byte]]::new()
        $bytes.AddRange([byte[]](0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, $header.Length, 0))
        $bytes.AddRange([Text.Encoding]::ASCII.GetBytes($header))
        foreach ($i in 0..11) { $bytes.AddRange([BitConverter]::GetBytes($(if ($i -eq 6) { $Value } else { [float]$i }))) }
        $path = Join-Path $TestDrive 'bad.npy'
        [IO.File]::WriteAllBytes($path, $bytes.ToArray())
        Import-GeneRaster -Path $path -Gene Odd -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].Exception.Message | Should -BeLike "*Gene 'Odd'*bad.npy*"
        $errs[0].Exception.Message | Should -BeLike $Expected
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].TargetObject | Should -Be $path
    }

    It 'never modifies its input files' {
        $files = @((New-BlobTable -Path (Join-Path $TestDrive 'ro.csv')).FullName, $SampleGem)
        $before = $files | ForEach-Object { [pscustomobject]@{ Hash = (Get-FileHash $_).Hash; Time = (Get-Item $_).LastWriteTimeUtc } }
        Import-GeneRaster -Path $files[0] | Out-Null
        Import-GeneRaster -Path $files[1] -BinSize 20 -MinTotal 500 | Out-Null
        $after = $files | ForEach-Object { [pscustomobject]@{ Hash = (Get-FileHash $_).Hash; Time = (Get-Item $_).LastWriteTimeUtc } }
        $after.Hash | Should -Be $before.Hash
        $after.Time | Should -Be $before.Time
    }

    It 'reports a file that cannot be read as a ReadError naming it, and goes on with the next file' {
        # Reading /proc/self/mem from offset 0 fails with EIO even for root: a truly unreadable file.
        if (-not (Test-Path /proc/self/mem)) { Set-ItResult -Skipped -Because 'this system has no /proc'; return }
        $bad = Join-Path $TestDrive 'unreadable.gem'
        New-Item -ItemType SymbolicLink -Path $bad -Target /proc/self/mem | Out-Null
        $good = New-BlobTable -Path (Join-Path $TestDrive 'after.csv')
        $out = Import-GeneRaster -Path $bad, $good.FullName -ErrorVariable errs -ErrorAction SilentlyContinue
        $out.Count | Should -Be 5 -Because 'the readable file after it is still imported'
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ReadError'
        $errs[0].TargetObject | Should -Be $bad
        $errs[0].Exception.Message | Should -BeLike "*Could not read '*unreadable.gem'*readable*"
    }
}
