BeforeDiscovery {
    $modulePath = if ($env:SPATIALSIM_MODULE_PATH) { $env:SPATIALSIM_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/SpatialSim' }
    Import-Module $modulePath
    $script:commands = (Get-Command -Module SpatialSim).Name | ForEach-Object { @{ Name = $_ } }
    $script:examples = foreach ($c in (Get-Command -Module SpatialSim).Name) {
        $i = 0
        foreach ($ex in (Get-Help $c -Full).examples.example) { $i++; @{ Name = $c; Number = $i; Code = $ex.code } }
    }
    # Every ```powershell block of the README, in order (its blocks build on nothing outside themselves). A block that
    # needs other machines (remoting) is fenced ```ps1 instead and says so.
    $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../../README.md')
    $script:readmeExamples = @([regex]::Matches($readme, '(?ms)^```powershell\r?\n(.*?)^```') | ForEach-Object -Begin { $n = 0 } -Process {
        $n++; @{ Number = $n; Code = $_.Groups[1].Value; FirstLine = ($_.Groups[1].Value -split '\r?\n' | Where-Object { $_ -and $_ -notlike '#*' } | Select-Object -First 1) }
    })
}

BeforeAll { . (Join-Path $PSScriptRoot 'TestHelpers.ps1') }

Describe 'Help of <Name>' -ForEach $commands {
    BeforeAll { $script:help = Get-Help $Name -Full }

    It 'has a synopsis, a description and at least two examples' {
        $help.Synopsis | Should -Not -BeLike "*$Name*[[]*" -Because 'an auto-generated synopsis is only the syntax'
        ($help.description.Text -join '') | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
    }

    It 'describes every parameter' {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($p in (Get-Command $Name).Parameters.Values | Where-Object Name -notin $common) {
            $entry = $help.parameters.parameter | Where-Object name -eq $p.Name
            ($entry.description.Text -join '') | Should -Not -BeNullOrEmpty -Because "-$($p.Name) needs help"
        }
    }
}

Describe 'Example <Number> of <Name>' -ForEach $examples {
    It 'runs without error' {
        $ErrorActionPreference = 'Stop'
        $output = & ([scriptblock]::Create($Code)) 3>$null
        $? | Should -BeTrue
        $output | Should -Not -BeNullOrEmpty -Because 'an example should show something'
    }
}

Describe 'README example <Number> (<FirstLine>)' -ForEach $readmeExamples {
    BeforeAll {
        # The README is written for a shell in the repository root. Run it from a scratch folder (it may write files)
        # with ./samples linked to the repository's samples, and ./out/SpatialSim… read as the module under test (by its
        # own path, so the loaded module stays the one the other tests use).
        $script:scratch = Join-Path $TestDrive "readme$Number"
        New-Item -ItemType Directory -Path $scratch -Force | Out-Null
        New-Item -ItemType SymbolicLink -Path (Join-Path $scratch 'samples') -Target (Join-Path $RepoRoot 'samples') | Out-Null
        $module = (Resolve-Path $ModulePath).ProviderPath
        $script:runnable = [regex]::Replace($Code, '\./out/SpatialSim((?:/[\w.-]+)*)', { param($m) "'$module$($m.Groups[1].Value)'" })
    }

    It 'runs without error from a scratch folder' {
        $ErrorActionPreference = 'Stop'
        Push-Location $scratch
        try { $output = & ([scriptblock]::Create($runnable)) 3>$null }
        finally { Pop-Location }
        $output | Should -Not -BeNullOrEmpty -Because 'an example should show something'
    }
}

Describe 'about_SpatialSim' {
    It 'is found by Get-Help and explains the measures' {
        $text = Get-Help about_SpatialSim | Out-String
        $text | Should -BeLike '*SmoothedPearson*'
        $text | Should -BeLike '*higher score means more similar*'
    }
}

Describe 'Default values in the help' {
    It 'come from the core''s options records, as the cmdlets'' own defaults do' {
        $expected = @{
            Points = [SpatialSim.TorchCore.Similarity.LbpOptions]::DefaultPoints
            Radius = [SpatialSim.TorchCore.Similarity.LbpOptions]::DefaultRadius
            Tiles = [SpatialSim.TorchCore.Similarity.LbpOptions]::DefaultTiles
            Scales = [SpatialSim.TorchCore.Similarity.MsSsimOptions]::DefaultScales
            Ratio = [SpatialSim.TorchCore.Similarity.KeypointsOptions]::DefaultRatio
            BinSizes = [SpatialSim.TorchCore.Similarity.DenseSiftOptions]::DefaultBinSizes -join ','
            MaxIterations = [SpatialSim.TorchCore.Similarity.SinkhornOptions]::DefaultMaxIterations
            Weights = [SpatialSim.TorchCore.Similarity.SpatialLagOptions]::DefaultWeights
        }
        foreach ($cmd in 'Get-RankedPairs', 'Measure-PatternSimilarity') {
            foreach ($name in $expected.Keys) {
                (Get-Help $cmd -Parameter $name).defaultValue | Should -Be ([string]$expected[$name]) -Because "-$name of $cmd"
                $parameter = (Get-Command $cmd).Parameters[$name]
                $parameter | Should -Not -BeNullOrEmpty
            }
            (Get-Help $cmd -Parameter Epsilon).defaultValue | Should -Be '0 (automatic)'
            (Get-Help $cmd -Parameter NoTissueMask).defaultValue | Should -Be 'False'
        }
        # The σ of Ssim in the -Sigma line is the options' value, not a copy.
        ((Get-Help Get-RankedPairs -Parameter Sigma).description.Text -join ' ') | Should -BeLike "*Ssim and MsSsim (default $([SpatialSim.TorchCore.Similarity.SsimOptions]::DefaultSigma))*"
    }
}

Describe 'The -Method help' {
    It 'lists every measure with the facts its descriptor gives' {
        $text = (Get-Help Get-RankedPairs -Parameter Method).description.Text -join "`n"
        foreach ($m in [SpatialSim.TorchCore.Similarity.SimilarityMeasures]::All) {
            $text | Should -BeLike "*$($m.Name): $($m.Facts.Summary)*"
        }
        $text | Should -BeLike '*Sinkhorn: *Score in `[−∞, 0`]; 0 for identical maps.*'
        $text | Should -BeLike '*Pearson: *takes -Mask*'
    }
}
