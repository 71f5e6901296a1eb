BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:Spots = Join-Path $RepoRoot 'tests/reference/fixtures/spots'
    $script:Samples = Join-Path $RepoRoot 'samples/synthetic_spots'
}

Describe 'Import-GeneRaster with spot × gene data' {
    It 'joins a wide matrix to its spot table, normalises per spot and names the spot it drops' {
        $genes = Import-GeneRaster (Join-Path $Spots 'st_counts_barcodes.tsv.gz') -SpotTable (Join-Path $Spots 'st_spots.csv') -WarningVariable warns 3>$null
        $genes.Count | Should -Be 12
        $warns.Count | Should -Be 1
        "$($warns[0])" | Should -BeLike "*1 spot(s)*dropped*-MinSpotTotal*"
        $genes[0].Processing | Should -BeLike '*square lattice*counts per 10000*'
        ($genes | Measure-Object RawTotal -Sum).Sum | Should -Be 12300
        [math]::Round(($genes | Measure-Object Total -Sum).Sum) | Should -Be (66 * 10000)
    }

    It 'gives the long table''s rasters with -Normalize None' {
        $wide = Import-GeneRaster (Join-Path $Spots 'st_counts.csv') -Normalize None -Gene Gene03
        $long = Import-GeneRaster (Join-Path $Spots 'st_expected.tsv') -Gene Gene03
        $wide.Total | Should -Be $long.Total
        ($wide.Width, $wide.Height) | Should -Be ($long.Width, $long.Height)
        $wide.ToArray() | Should -Be $long.ToArray()
    }

    It 'takes a Space Ranger folder as a path, with the pixel size of the platform' {
        $visium = Import-GeneRaster (Join-Path $Samples 'visium/outs') -Gene 'L1g00'
        $visium.PixelSize | Should -Be 100
        $visium.Processing | Should -BeLike 'hexagonal lattice, offset rows*'
        $hd = Import-GeneRaster (Join-Path $Samples 'visium_hd') -BinSize 2 -Gene 'L1g00' 3>$null
        $hd.PixelSize | Should -Be 16
        $hd.BinSize | Should -Be 2
    }

    It 'still refuses a folder that is not a 10x output folder, naming it' {
        { Import-GeneRaster -Path $TestDrive -ErrorAction Stop } | Should -Throw -ExpectedMessage "*$TestDrive*directory*"
    }

    It 'recognises AnnData by its content whatever the name, and reads a layer' {
        $renamed = Join-Path $TestDrive 'matrix.csv'
        Copy-Item (Join-Path $Spots 'visium_csr_gzip.h5ad') $renamed
        $genes = Import-GeneRaster $renamed -Normalize None -Verbose 4>&1
        ($genes | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Select-Object -First 1).Message | Should -BeLike '*AnnData*'
        @($genes | Where-Object { $_ -is [SpatialSim.TorchCore.GeneRaster] }).Count | Should -Be 15
        { Import-GeneRaster (Join-Path $Spots 'visium_csr_gzip.h5ad') -Layer nope -ErrorAction Stop } | Should -Throw -ExpectedMessage "*no layer 'nope'*"
    }

    It 'reports a layout problem in a short, non-terminating error and goes on with the next file' {
        $bare = Join-Path $TestDrive 'bare.csv'
        $genes = 1..40 | ForEach-Object { "G$_" }
        Set-Content $bare (@("barcode,$($genes -join ',')") + (1..20 | ForEach-Object { "AAC$_-1," + (($genes | ForEach-Object { Get-Random -Maximum 5 }) -join ',') }))
        $out = Import-GeneRaster $bare, (Join-Path $Spots 'st_expected.tsv') -ErrorVariable errs -ErrorAction SilentlyContinue
        $out.Count | Should -Be 12
        $errs.Count | Should -Be 1
        $errs[0].Exception.Message.Length | Should -BeLessOrEqual 300
        $errs[0].Exception.Message | Should -BeLike '*spot × gene matrix (20 spots × 40 genes) without coordinates*-SpotTable*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'warns about genes with few raw counts after normalisation' {
        $table = Join-Path $TestDrive 'rare.csv'
        $rows = foreach ($x in 0..2) { foreach ($y in 0..2) { "s${x}_$y,$x,$y,$(40 + $x),$(if ($x -eq $y) { 1 } else { 0 })" } }
        Set-Content $table (@('spot,array_col,array_row,Common,Rare') + $rows)
        $genes = Import-GeneRaster $table
        ($genes | Where-Object Gene -eq Rare).RawTotal | Should -Be 3
        ($genes | Where-Object Gene -eq Rare).Total | Should -BeGreaterThan 20
        $null = $genes | Get-RankedPairs -Method Pearson -WarningVariable warns 3>$null
        "$warns" | Should -BeLike "*'Rare' (3)*"
    }
}
