# The README's measure table and about_SpatialSim's measure list are generated from the measures' descriptors
# (build/Update-MeasureDocs.ps1, run by `build.ps1 Docs`): they must not drift from them.
BeforeAll {
    $script:modulePath = if ($env:SPATIALSIM_MODULE_PATH) { $env:SPATIALSIM_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/SpatialSim' }
    $script:generator = Join-Path $PSScriptRoot '../../build/Update-MeasureDocs.ps1'
    $script:readme = Join-Path $PSScriptRoot '../../README.md'
    $script:about = Join-Path $PSScriptRoot '../../src/Module/en-US/about_SpatialSim.help.txt'
    Import-Module $modulePath
}

Describe 'Measure docs from the descriptors' {
    It 'README and about_SpatialSim hold exactly what the descriptors give' {
        { & $generator -ModulePath $modulePath -Check } | Should -Not -Throw
    }

    It 'lists every measure with its summary, parameters and DOI in both' {
        $readmeText = Get-Content -Raw $readme
        $aboutText = Get-Content -Raw $about
        foreach ($m in [SpatialSim.TorchCore.Similarity.SimilarityMeasures]::All) {
            $readmeText | Should -Match ([regex]::Escape("| ``$($m.Name)`` | $($m.Facts.Parameters.Replace('|', '\|')) | $($m.Facts.Summary) |"))
            $aboutText | Should -Match ("(?m)^    $($m.Name)( \(|\r?$)")
            foreach ($r in $m.Facts.References) {
                $readmeText | Should -Match ([regex]::Escape($r.Url))
                $aboutText | Should -Match ([regex]::Escape($r.Url))
            }
        }
    }

    It 'fails on a drifted copy, naming the file, and rewrites it back' {
        $r = Join-Path $TestDrive 'README.md'
        $a = Join-Path $TestDrive 'about_SpatialSim.help.txt'
        (Get-Content -Raw $readme).Replace('Pixel-wise Pearson correlation of the two maps.', 'Pixel-wise Pearson correlation.') | Set-Content -NoNewline $r
        Copy-Item $about $a
        { & $generator -ModulePath $modulePath -ReadmePath $r -AboutPath $a -Check } | Should -Throw '*README.md*'
        (Get-Content -Raw $about).Replace('Pixel-wise Pearson correlation, in [-1, 1].', 'Pixel correlation.') | Set-Content -NoNewline $a
        { & $generator -ModulePath $modulePath -ReadmePath $r -AboutPath $a -Check } | Should -Throw '*about_SpatialSim*'
        & $generator -ModulePath $modulePath -ReadmePath $r -AboutPath $a 6>$null
        { & $generator -ModulePath $modulePath -ReadmePath $r -AboutPath $a -Check } | Should -Not -Throw
        Get-Content -Raw $r | Should -BeExactly (Get-Content -Raw $readme)
        Get-Content -Raw $a | Should -BeExactly (Get-Content -Raw $about)
    }

    It 'refuses a file without the section markers' {
        $r = Join-Path $TestDrive 'plain.md'
        Set-Content $r "# no measures here`n"
        { & $generator -ModulePath $modulePath -ReadmePath $r -AboutPath $about -Check } | Should -Throw '*no measure section*'
    }
}
