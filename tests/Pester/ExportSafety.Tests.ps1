# Hostile gene names and user mistakes on the export side (issue #15): gene names come from input files, so they are
# untrusted and must never choose a folder, a drive or an overwrite.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    function New-NamedRasters {
        <# One small raster per gene name, on one 8×6 canvas; gene i has total i + 1 so files can be told apart. #>
        param([string[]]$Names, [string]$Path = (Join-Path $TestDrive "named-$([guid]::NewGuid().ToString('n')).csv"))
        $rows = [System.Collections.Generic.List[object]]::new()
        for ($i = 0; $i -lt $Names.Count; $i++) {
            $quoted = '"' + $Names[$i].Replace('"', '""') + '"'
            $rows.Add(@($quoted, ($i % 8), 1, ($i + 1)))
        }
        $rows.Add(@('corner', 0, 0, 1)); $rows.Add(@('corner', 7, 5, 1))
        New-CountTable -Path $Path -Rows $rows | Out-Null
        Import-GeneRaster -LiteralPath $Path | Where-Object Gene -ne 'corner'
    }

    function Get-EscapedFile {
        <#
        Files written since $Since into $HOME, the temp folder or the process's working directory under a name that a
        hostile gene could have produced there (the part of the name after its last drive colon or separator, put in the
        template), e.g. 'evil.npy' from 'Temp:evil'. Other processes write there too, so only these names count.
        #>
        param([string]$Template, [datetime]$Since)
        $leaf = Split-Path $Template -Leaf
        $names = foreach ($g in $Hostile) {
            $tail = ($g -split '[:/\\]')[-1]
            if ($tail.Length -gt 100) { continue }
            if ($Template -match '\{Gene\}[/\\]') { $leaf } else { $leaf -replace '\{Gene\}', $tail }
        }
        foreach ($dir in @($HOME, [IO.Path]::GetTempPath(), [Environment]::CurrentDirectory) | Select-Object -Unique) {
            foreach ($n in $names | Select-Object -Unique) {
                $f = Join-Path $dir $n
                if ((Test-Path -LiteralPath $f -PathType Leaf) -and (Get-Item -LiteralPath $f -Force).LastWriteTimeUtc -ge $Since) { $f }
            }
        }
    }

    $script:Hostile = @('..', '.', '~', 'Temp:evil', 'Env:x', 'Function:x', 'Alias:x', 'Variable:v', 'chr1:100-200', 'a/b', 'a_b',
        'a\b', '*', 'x?', '[1]', 'CON', 'nul.txt', ' lead', 'trail.', '%41', "tab`there", ('L' * 300))
}

Describe 'Export-GeneRaster with untrusted gene names' {
    It 'writes every gene into the named folder, one distinct file each, for the template <Template>' -TestCases @(
        @{ Template = '{Gene}.npy' }, @{ Template = '{Gene}/map.npy' }, @{ Template = 'sub/{Gene}.tif' }, @{ Template = 'sub/{Gene}/map.npy' }, @{ Template = 'pre-{GENE}-post.png' }
    ) {
        $rasters = New-NamedRasters -Names $Hostile
        $out = Join-Path $TestDrive "out-$([guid]::NewGuid().ToString('n'))"
        New-Item -ItemType Directory (Join-Path $out 'sub') -Force | Out-Null
        $since = [datetime]::UtcNow.AddSeconds(-1)
        Push-Location -LiteralPath $out
        try {
            $files = $rasters | Export-GeneRaster -Path $Template -PassThru -ErrorVariable errs -ErrorAction SilentlyContinue
        }
        finally { Pop-Location }
        $errs | Should -BeNullOrEmpty
        Get-EscapedFile -Template $Template -Since $since | Should -BeNullOrEmpty -Because 'no file may appear in $HOME, the temp folder or the process''s working directory'
        $files.Count | Should -Be $Hostile.Count
        @($files.FullName | Select-Object -Unique).Count | Should -Be $Hostile.Count -Because 'each gene gets its own file'
        $root = (Resolve-Path -LiteralPath $out).ProviderPath + [IO.Path]::DirectorySeparatorChar
        foreach ($f in $files) { $f.FullName.StartsWith($root, [StringComparison]::Ordinal) | Should -BeTrue -Because "$($f.FullName) must be under $root" }
        @(Get-ChildItem -LiteralPath $out -Recurse -File).Count | Should -Be $Hostile.Count
        for ($i = 0; $i -lt $Hostile.Count; $i++) {
            (Import-GeneRaster -LiteralPath $files[$i].FullName).Total | Should -Be ($i + 1) -Because "gene '$($Hostile[$i])' went to $($files[$i].Name)"
        }
    }

    It 'maps unsafe names as the help says: percent-encoding, nothing else changed' {
        $rasters = New-NamedRasters -Names @('chr1:100-200', 'a/b', 'a_b', '..', 'Apoe', 'gene[1]', '50%')
        $out = Join-Path $TestDrive 'mapped'
        New-Item -ItemType Directory $out | Out-Null
        $rasters | Export-GeneRaster -Path (Join-Path $out '{Gene}.npy')
        (Get-ChildItem -LiteralPath $out).Name | Sort-Object | Should -Be (@('%2E%2E.npy', '50%25.npy', 'a%2Fb.npy', 'a_b.npy', 'Apoe.npy', 'chr1%3A100-200.npy', 'gene[1].npy') | Sort-Object)
    }

    It 'does not stop at a gene named like a drive: the genes after it are written too' {
        $rasters = New-NamedRasters -Names @('first', 'chr1:100-200', 'NoSuchDrive:x', 'last')
        $out = Join-Path $TestDrive 'drive-like'
        New-Item -ItemType Directory $out | Out-Null
        Push-Location -LiteralPath $out
        try { $rasters | Export-GeneRaster -Path '{Gene}.npy' -ErrorVariable errs -ErrorAction SilentlyContinue }
        finally { Pop-Location }
        $errs | Should -BeNullOrEmpty
        @(Get-ChildItem -LiteralPath $out).Count | Should -Be 4
    }

    It 'refuses a second raster of the same gene, even with -Force, without advising -Force' {
        $one = New-NamedRasters -Names @('dup')
        $two = New-NamedRasters -Names @('other', 'dup')
        $out = Join-Path $TestDrive 'dups'
        New-Item -ItemType Directory $out | Out-Null
        $files = @($one; $two) | Export-GeneRaster -Path (Join-Path $out '{Gene}.npy') -Force -PassThru -ErrorVariable errs -ErrorAction SilentlyContinue
        $files.Count | Should -Be 2
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $errs[0].Exception.Message | Should -BeLike "*dup*"
        $errs[0].Exception.Message | Should -Not -BeLike '*-Force*'
        (Import-GeneRaster -LiteralPath (Join-Path $out 'dup.npy')).Total | Should -Be 1 -Because 'the first raster''s file is kept'
    }

    It 'writes nothing when several rasters go to one <Extension> file' -TestCases @(@{ Extension = '.png' }, @{ Extension = '.tif' }) {
        $rasters = New-NamedRasters -Names @('p', 'q', 'r')
        $path = Join-Path $TestDrive "several$Extension"
        $rasters | Export-GeneRaster -Path $path -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].Exception.Message | Should -BeLike '*3 rasters*{Gene}*'
        Test-Path -LiteralPath $path | Should -BeFalse
    }
}

Describe 'Export-* on a path that is not a file-system path' {
    BeforeAll {
        $script:pairs = Import-GeneRaster -Path (New-BlobTable -Path (Join-Path $TestDrive 'blobs.csv')) | Get-RankedPairs -Method Pearson
        $script:one = Import-GeneRaster -Path (Join-Path $TestDrive 'blobs.csv') -Gene A
    }

    It '<Name> refuses <Target> and writes no file anywhere' -TestCases @(
        @{ Name = 'Export-GeneRaster'; Target = 'Variable:h.npy' }
        @{ Name = 'Export-GeneRaster'; Target = 'Function:h.png' }
        @{ Name = 'Export-PatternImage'; Target = 'Variable:h.png' }
        @{ Name = 'Export-SimilarityHeatmap'; Target = 'Env:h.png' }
        @{ Name = 'Export-SimilarityMatrix'; Target = 'Variable:h.npy' }
        @{ Name = 'Export-SimilarityMatrix'; Target = 'Alias:h.csv' }
    ) {
        $leaf = Split-Path $Target -Leaf
        $in = if ($Name -in 'Export-GeneRaster', 'Export-PatternImage') { $one } else { $pairs }
        Push-Location -LiteralPath $TestDrive
        try {
            $e = { $in | & $Name -Path $Target } | Should -Throw -ErrorId '*NotFileSystem*' -PassThru
        }
        finally { Pop-Location }
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message | Should -BeLike "*$Target*file system*"
        Test-Path -LiteralPath (Join-Path ([Environment]::CurrentDirectory) $leaf) | Should -BeFalse
        Test-Path -LiteralPath (Join-Path $TestDrive $leaf) | Should -BeFalse
        Test-Path -LiteralPath $Target | Should -BeFalse
    }
}

Describe 'Export-SimilarityMatrix writes the .npy and its gene list as a pair' {
    BeforeAll {
        $script:pairs = Import-GeneRaster -Path (New-BlobTable -Path (Join-Path $TestDrive 'blobs.csv')) | Get-RankedPairs -Method Pearson
        # A small file system of its own to fill up; needs root and Linux (CI runs as root), skipped otherwise.
        $script:mount = Join-Path ([IO.Path]::GetTempPath()) "spatialsim-full-$([guid]::NewGuid().ToString('n'))"
        $script:mounted = $false
        if ($IsLinux -and (Get-Command mount -ErrorAction SilentlyContinue)) {
            New-Item -ItemType Directory $mount | Out-Null
            & mount -t tmpfs -o size=64k tmpfs $mount 2>$null
            $script:mounted = $LASTEXITCODE -eq 0
        }
    }
    AfterAll {
        if ($mounted) { & umount $mount 2>$null }
        if (Test-Path -LiteralPath $mount) { Remove-Item -LiteralPath $mount -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'keeps the old pair when the disk fills up while writing the gene list' {
        if (-not $mounted) { Set-ItResult -Skipped -Because 'a small tmpfs cannot be mounted here (needs Linux and root)' ; return }
        $npy = Join-Path $mount 'm.npy'
        $pairs | Export-SimilarityMatrix -Path $npy
        $oldMatrix = [IO.File]::ReadAllBytes($npy)
        $oldGenes = Get-Content -LiteralPath (Join-Path $mount 'm.genes.txt')
        # 40 genes with 2000-character names: the matrix (13 kB) fits, its 80 kB gene list does not.
        $big = foreach ($i in 0..39) {
            foreach ($j in ($i + 1)..39) {
                if ($j -le 39 -and $j -ne $i) {
                    [SpatialSim.TorchCore.Similarity.RankedPair]@{ Rank = 1; GeneA = ('g{0:D2}' -f $i) + ('x' * 2000); GeneB = ('g{0:D2}' -f $j) + ('x' * 2000); Score = 0.5; Method = 'Pearson' }
                }
            }
        }
        $big | Export-SimilarityMatrix -Path $npy -Force -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        [IO.File]::ReadAllBytes($npy) | Should -Be $oldMatrix -Because 'the old matrix stays when its new gene list cannot be written'
        Get-Content -LiteralPath (Join-Path $mount 'm.genes.txt') | Should -Be $oldGenes
        Get-ChildItem -LiteralPath $mount -Force | ForEach-Object Name | Sort-Object | Should -Be @('m.genes.txt', 'm.npy')
    }

    It 'writes neither file when the gene list cannot be written at all' {
        $npy = Join-Path $TestDrive 'only.npy'
        New-Item -ItemType Directory (Join-Path $TestDrive 'only.genes.txt') | Out-Null
        $pairs | Export-SimilarityMatrix -Path $npy -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        Test-Path -LiteralPath $npy | Should -BeFalse
    }
}

Describe 'Parameters that used to fail badly' {
    BeforeAll {
        $script:blobs = Import-GeneRaster -Path (New-BlobTable -Path (Join-Path $TestDrive 'blobs.csv'))
    }

    It 'Get-RankedPairs -Sigma @() is a parameter error, not an IndexOutOfRangeException' {
        { $blobs | Get-RankedPairs -Sigma @() -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        { $blobs | Measure-PatternSimilarity -Sigma @() -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It '<Command> -MinScore NaN is refused, not a silently empty result' -TestCases @(@{ Command = 'Get-RankedPairs' }, @{ Command = 'Merge-RankedPairs' }) {
        $in = if ($Command -eq 'Get-RankedPairs') { $blobs } else { $blobs | Get-RankedPairs -Method Pearson -Shard 1/1 }
        $e = { $in | & $Command -MinScore ([double]::NaN) -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError*'
        $e.Exception.Message | Should -BeLike '*NaN*'
    }

    It 'Import-GeneRaster -Gene ''['' says the pattern is invalid, as InvalidArgument' {
        $e = { Import-GeneRaster -Path (Join-Path $TestDrive 'blobs.csv') -Gene '[' -ErrorAction Stop } | Should -Throw -PassThru
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception | Should -Not -BeOfType ([System.Management.Automation.WildcardPatternException])
        $e.Exception.Message | Should -Match ([regex]::Escape("-Gene '['"))
    }

    It 'Merge-RankedPairs on a binary file says so, without raw bytes in the message' {
        $bin = Join-Path $TestDrive 'shard.bin'
        [IO.File]::WriteAllBytes($bin, [byte[]](@(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52) + (0..255) + (0..255)))
        $e = { Merge-RankedPairs -Path $bin -ErrorAction Stop } | Should -Throw -PassThru
        $e.CategoryInfo.Category | Should -Be 'InvalidData'
        $e.Exception.Message | Should -BeLike '*shard.bin*binary*'
        $e.Exception.Message | Should -Not -Match '[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFD]'
        $e.Exception.Message.Length | Should -BeLessThan 400
    }
}

Describe 'Showing a raster' {
    It 'does not make the dense pixels of a sparse raster (<Show>)' -TestCases @(
        @{ Show = 'Format-List *' }, @{ Show = 'Select-Object *' }, @{ Show = 'ConvertTo-Json' }, @{ Show = 'Format-Table *' }
    ) {
        $genes = Import-GeneRaster -Path $SampleGem -MinTotal 500
        $genes | ForEach-Object { $_.HasDenseValues | Should -BeFalse }
        $null = Invoke-Expression "`$genes | $Show | Out-String"
        $genes | ForEach-Object { $_.HasDenseValues | Should -BeFalse -Because "showing with $Show must not allocate the pixels" }
    }

    It 'still gives the pixels on request' {
        $g = Import-GeneRaster -Path $SampleGem -Gene Apoe
        $g.GetValues().shape | Should -Be @($g.Height, $g.Width)
        $g.HasDenseValues | Should -BeTrue
    }
}

Describe 'Export-PatternImage with {Gene}' {
    It 'draws one picture per gene, each in its own encoded file, and refuses a repeated gene' {
        $rasters = @(New-NamedRasters -Names @('Apoe', 'chr1:100-200', '..')) + @(New-NamedRasters -Names @('Apoe'))
        $out = Join-Path $TestDrive 'pictures'
        New-Item -ItemType Directory $out | Out-Null
        Push-Location -LiteralPath $out
        try { $files = $rasters | Export-PatternImage -Path '{Gene}/map.png' -PassThru -ErrorVariable errs -ErrorAction SilentlyContinue }
        finally { Pop-Location }
        $files.Count | Should -Be 3
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        (Get-ChildItem -LiteralPath $out -Recurse -File | ForEach-Object { $_.FullName.Substring($out.Length + 1) } | Sort-Object) |
            Should -Be (@('%2E%2E/map.png', 'Apoe/map.png', 'chr1%3A100-200/map.png') -replace '/', [IO.Path]::DirectorySeparatorChar | Sort-Object)
    }

    It 'still draws one or two genes without {Gene}, and says how to get one picture per gene' {
        $rasters = New-NamedRasters -Names @('p', 'q', 'r')
        $rasters | Export-PatternImage -Path (Join-Path $TestDrive 'three.png') -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].Exception.Message | Should -BeLike '*{Gene}*'
        $rasters | Select-Object -First 2 | Export-PatternImage -LiteralPath (Join-Path $TestDrive 'two[1].png') -PassThru | ForEach-Object Name | Should -Be 'two[1].png'
    }
}

Describe 'Export-* take -LiteralPath' {
    It '<Name> writes a bracketed file name through -LiteralPath and -PSPath' -TestCases @(
        @{ Name = 'Export-SimilarityMatrix'; Leaf = 'm[1].csv' }, @{ Name = 'Export-SimilarityHeatmap'; Leaf = 'h[1].png' }
    ) {
        $pairs = Import-GeneRaster -Path (New-BlobTable -Path (Join-Path $TestDrive 'blobs.csv')) | Get-RankedPairs -Method Pearson
        $path = Join-Path $TestDrive $Leaf
        ($pairs | & $Name -LiteralPath $path -PassThru | Select-Object -First 1).FullName | Should -Be $path
        ($pairs | & $Name -PSPath $path -Force -PassThru | Select-Object -First 1).FullName | Should -Be $path
    }
}
