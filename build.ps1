<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks SpatialSim.
.DESCRIPTION
    Tasks:
      Build  (default) stage an importable module at out/SpatialSim
      Test   build, then run every suite (xUnit core tests, Pester cmdlet tests) and print one
             summary line "N passed, N failed[, N skipped]"; exit code 1 on any failure.
             -Suite Core|Pester runs one suite; -Filter passes an xUnit filter expression;
             -PesterFile Measures,Help runs only those tests/Pester/<name>.Tests.ps1 files.
      Demo   build, then rank the gene pairs of the bundled Stereo-seq sample
      Bench  build, then run the benchmark against the Python peers and write BENCHMARKS.md
             (bench/Invoke-Benchmark.ps1); -Quick: a short smoke run (small sizes, written to
             bench/results/); -Full: also the chip-scale ranking; -Row ssim,'blur-*': only those
             rows of bench/Workloads.psd1 (report in bench/results/BENCHMARKS-rows.md)
      Docs   build, then write the measure table of README.md and the measure list of about_SpatialSim from
             the measures' descriptors (build/Update-MeasureDocs.ps1; a Pester test fails when they differ)
      Clean  remove out/ and artifacts/
    Run as: dotnet tool restore && dotnet pwsh ./build.ps1 <Task>
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Docs', 'Clean')]
    [string]$Task = 'Build',
    [ValidateSet('Release', 'Debug')]
    [string]$Configuration = 'Release',
    # Bench only: a short smoke run, or the full run including the chip-scale ranking.
    [switch]$Quick,
    [switch]$Full,
    # Bench only: run only these rows (ids in bench/Workloads.psd1, wildcards allowed).
    [string[]]$Row,
    # Test only: which suites to run, and an xUnit --filter expression (e.g. 'FullyQualifiedName~Gaussian').
    [ValidateSet('All', 'Core', 'Pester')]
    [string]$Suite = 'All',
    [string]$Filter,
    # Test only: run only these Pester files (names without .Tests.ps1, wildcards allowed).
    [string[]]$PesterFile
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

$Root = $PSScriptRoot
$OutModule = Join-Path $Root 'out/SpatialSim'
$Artifacts = Join-Path $Root 'artifacts'
Import-Module (Join-Path $Root 'build/ElfVersionNeed.psm1') -Force

function Invoke-Native {
    param([string]$What, [scriptblock]$Command)
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

function Get-ChildPwshCommand {
    # The pwsh that runs this script, as a command line for a fresh child process.
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if (Test-Path $dll) { return @((Get-Process -Id $PID).Path, $dll) }
    return @((Get-Process -Id $PID).Path)
}

# Libraries of libtorch that SpatialSim never loads (test back-ends, the Python binding).
$UnusedNativeLibraries = @(
    'libtorch_python.so', 'libjitbackend_test.so', 'libtorchbind_test.so', 'libbackend_with_compiler.so',
    'libnnapi_backend.so', 'libaoti_custom_ops.so', 'libshm.so')

function Get-RepairedLibTorchSharp {
    <#
    Returns the path of a libLibTorchSharp.so that loads on this system: TorchSharp's own copy from the NuGet
    cache, copied to artifacts/native and, when the system libstdc++ lacks GLIBCXX_3.4.32 (Debian 12,
    Ubuntu 22.04), with that one version need marked weak (see build/ElfVersionNeed.psm1). The NuGet cache
    is never modified.
    #>
    $packages = Get-NuGetPackagesFolder
    $source = Join-Path $packages 'torchsharp/0.107.0/runtimes/linux-x64/native/libLibTorchSharp.so'
    if (-not (Test-Path $source)) {
        Invoke-Native 'dotnet restore' { dotnet restore (Join-Path $Root 'src/TorchCore/SpatialSim.TorchCore.csproj') -nologo -v quiet }
    }
    if (-not (Test-Path $source)) { throw "TorchSharp's native library is missing from the NuGet cache: '$source'." }
    $nativeDir = Join-Path $Artifacts 'native'
    New-Item -ItemType Directory -Force -Path $nativeDir | Out-Null
    $lib = Join-Path $nativeDir 'libLibTorchSharp.so'
    Copy-Item -LiteralPath $source -Destination $lib -Force
    $needed = @(Read-ElfVersionNeed -Path $lib | Where-Object { $_.File -eq 'libstdc++.so.6' -and ($_.Flags -band 2) -eq 0 })
    foreach ($need in $needed) {
        if (-not (Test-SystemLibraryVersion -Library 'libstdc++.so.6' -Version $need.Version)) {
            if ($need.Version -ne 'GLIBCXX_3.4.32') {
                throw "The system libstdc++.so.6 lacks $($need.Version), which libLibTorchSharp.so needs. Install a newer libstdc++ (GCC 13 or later)."
            }
            if (Set-ElfVersionNeedWeak -Path $lib -Version $need.Version) {
                Write-Host "  libLibTorchSharp.so: $($need.Version) marked weak in the build's own copy (the system libstdc++ lacks it)"
            }
        }
    }
    return $lib
}

function Get-NuGetPackagesFolder {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    return ((dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
}

function Invoke-Build {
    Write-Host '== Build'
    $publish = Join-Path $Artifacts 'publish'
    $rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
    Invoke-Native 'dotnet publish' {
        dotnet publish (Join-Path $Root 'src/Cmdlets/SpatialSim.Cmdlets.csproj') -c $Configuration -r $rid --self-contained false -o $publish -nologo -v quiet -p:GenerateDocumentationFile=false
    }
    New-Item -ItemType Directory -Force -Path $OutModule | Out-Null
    # Stage: managed assemblies and this platform's native libraries only.
    $skip = @('*.pdb', '*.deps.json', 'System.Management.Automation.dll', 'libLibTorchSharp.so') + $UnusedNativeLibraries
    Get-ChildItem -LiteralPath $publish -File | Where-Object {
        $name = $_.Name; -not ($skip | Where-Object { $name -like $_ })
    } | ForEach-Object {
        $target = Join-Path $OutModule $_.Name
        if (-not (Test-Path $target) -or (Get-Item $target).LastWriteTimeUtc -lt $_.LastWriteTimeUtc -or (Get-Item $target).Length -ne $_.Length) {
            Copy-Item -LiteralPath $_.FullName -Destination $target -Force
        }
    }
    Copy-Item -LiteralPath (Get-RepairedLibTorchSharp) -Destination (Join-Path $OutModule 'libLibTorchSharp.so') -Force
    Copy-Item (Join-Path $Root 'SpatialSim.psd1') $OutModule -Force
    Get-ChildItem (Join-Path $Root 'src/Module') -Exclude 'help' | Copy-Item -Destination $OutModule -Recurse -Force
    Copy-Item (Join-Path $Root 'LICENSE') $OutModule -Force
    # The bundled sample travels with the module, so help examples run anywhere.
    $samples = Join-Path $OutModule 'samples'
    New-Item -ItemType Directory -Force -Path $samples | Out-Null
    Copy-Item (Join-Path $Root 'samples/stereoseq_mouse_brain_bin1/*') $samples -Force
    Copy-Item (Join-Path $Root 'samples/synthetic_spots') $samples -Recurse -Force
    # MAML help from src/Module/help, checked for completeness against the cmdlets' parameters.
    New-Item -ItemType Directory -Force -Path (Join-Path $OutModule 'en-US') | Out-Null
    $pwsh = Get-ChildPwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $Root 'build/New-MamlHelp.ps1') `
        -ModulePath $OutModule -HelpSource (Join-Path $Root 'src/Module/help') -OutFile (Join-Path $OutModule 'en-US/SpatialSim.Cmdlets.dll-Help.xml')
    if ($LASTEXITCODE -ne 0) { throw 'Writing the help failed (see above).' }
    Write-Host "  staged module at $OutModule"
}

function Invoke-CoreTests {
    <# xUnit tests of the core. Returns counts. #>
    $project = Join-Path $Root 'tests/TorchCore.Tests/SpatialSim.TorchCore.Tests.csproj'
    $results = Join-Path $Artifacts 'test-results'
    Remove-Item $results -Recurse -Force -ErrorAction SilentlyContinue
    Invoke-Native 'building the core tests' { dotnet build $project -c $Configuration -nologo -v quiet }
    # The test host loads TorchSharp's native library from its own output folder: give it the repaired copy.
    $testOut = Join-Path $Artifacts "bin/SpatialSim.TorchCore.Tests/$Configuration/net10.0"
    $native = Join-Path $testOut 'runtimes/linux-x64/native'
    if (Test-Path (Join-Path $native 'libLibTorchSharp.so')) {
        Copy-Item (Get-RepairedLibTorchSharp) $native -Force
    }
    $filterArgs = if ($Filter) { @('--filter', $Filter) } else { @() }
    dotnet test $project -c $Configuration --no-build -nologo --results-directory $results --logger 'trx;LogFileName=core.trx' --logger 'console;verbosity=normal' @filterArgs | Out-Host
    $trx = Join-Path $results 'core.trx'
    if (-not (Test-Path $trx)) { return [pscustomobject]@{ Suite = 'core (xUnit)'; Passed = 0; Failed = 1; Skipped = 0 } }
    $c = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
    [pscustomobject]@{ Suite = 'core (xUnit)'; Passed = [int]$c.passed; Failed = [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted; Skipped = [int]$c.notExecuted }
}

function Get-PesterManifest {
    <# Pester 5.7.1 from NuGet (the PowerShell Gallery is not reachable): restored by tools/Tools.csproj. #>
    Invoke-Native 'restoring Pester from NuGet' { dotnet restore (Join-Path $Root 'tools/Tools.csproj') -nologo -v quiet }
    $manifest = Join-Path (Get-NuGetPackagesFolder) 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $manifest)) { throw "Pester 5.7.1 was restored but '$manifest' is missing." }
    return $manifest
}

function Invoke-PesterTests {
    <# Pester tests of the cmdlets, in a fresh pwsh so this process loads nothing of the module. #>
    $summary = Join-Path $Artifacts 'test-results/pester.json'
    New-Item -ItemType Directory -Force -Path (Split-Path $summary) | Out-Null
    Remove-Item $summary -ErrorAction SilentlyContinue
    $pester = Get-PesterManifest
    # Benchmark.Tests.ps1 runs the benchmark harness with our worker.
    $env:SPATIALSIM_BENCH_WORKER = Build-BenchWorker
    $pwsh = Get-ChildPwshCommand
    $fileArgs = if ($PesterFile) { @('-TestFile', ($PesterFile -join ',')) } else { @() }
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $Root 'tests/Pester/Invoke-PesterSuite.ps1') -ModulePath $OutModule -PesterPath $pester -SummaryPath $summary @fileArgs | Out-Host
    if (-not (Test-Path $summary)) { return [pscustomobject]@{ Suite = 'cmdlets (Pester)'; Passed = 0; Failed = 1; Skipped = 0 } }
    $s = Get-Content -Raw $summary | ConvertFrom-Json
    [pscustomobject]@{ Suite = 'cmdlets (Pester)'; Passed = [int]$s.Passed; Failed = [int]$s.Failed; Skipped = [int]$s.Skipped }
}

function Invoke-Test {
    if ($Suite -ne 'Core') { Invoke-Build }
    Write-Host '== Test'
    $suites = @(
        if ($Suite -in 'All', 'Core') { Invoke-CoreTests }
        if ($Suite -in 'All', 'Pester') { Invoke-PesterTests })
    $suites | Format-Table -AutoSize | Out-Host
    $passed = ($suites | Measure-Object Passed -Sum).Sum
    $failed = ($suites | Measure-Object Failed -Sum).Sum
    $skipped = ($suites | Measure-Object Skipped -Sum).Sum
    $line = "$passed passed, $failed failed"
    if ($skipped -gt 0) { $line += ", $skipped skipped" }
    Write-Host $line
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-Docs {
    Invoke-Build
    Write-Host '== Docs'
    $pwsh = Get-ChildPwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $Root 'build/Update-MeasureDocs.ps1') -ModulePath $OutModule
    if ($LASTEXITCODE -ne 0) { throw 'Writing the measure docs failed (see above).' }
}

function Invoke-Demo {
    Invoke-Build
    Write-Host '== Demo'
    $pwsh = Get-ChildPwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $Root 'samples/Demo.ps1') -ModulePath $OutModule
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Build-BenchWorker {
    <# Builds our side of the benchmark (bench/SpatialSim.Bench) with the repaired libLibTorchSharp.so; returns its dll. #>
    $project = Join-Path $Root 'bench/SpatialSim.Bench/SpatialSim.Bench.csproj'
    Invoke-Native 'building the benchmark worker' { dotnet build $project -c $Configuration -nologo -v quiet -p:GenerateDocumentationFile=false | Out-Host }
    $out = Join-Path $Artifacts "bin/SpatialSim.Bench/$Configuration/net10.0"
    Copy-Item (Get-RepairedLibTorchSharp) (Join-Path $out 'runtimes/linux-x64/native') -Force
    return Join-Path $out 'SpatialSim.Bench.dll'
}

function Invoke-Bench {
    # The module is needed only for the module start-up row: without it the core rows still run.
    $benchArgs = @()
    try {
        Invoke-Build
        $benchArgs += @('-ModulePath', $OutModule)
    }
    catch {
        Write-Warning "The module did not build, so the benchmark skips its module start-up row: $_"
    }
    Write-Host '== Bench'
    $benchArgs += @('-WorkerPath', (Build-BenchWorker))
    if ($Quick) { $benchArgs += '-Quick' }
    if ($Full) { $benchArgs += '-Full' }
    if ($Row) { $benchArgs += @('-Row', ($Row -join ',')) }
    $pwsh = Get-ChildPwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $Root 'bench/Invoke-Benchmark.ps1') @benchArgs
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Docs' { Invoke-Docs }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'Clean' { Remove-Item (Join-Path $Root 'out'), $Artifacts -Recurse -Force -ErrorAction SilentlyContinue; Write-Host 'cleaned' }
}
