<#
.SYNOPSIS
    Runs the Pester suites of tests/Pester against a staged module and writes a JSON summary.
.DESCRIPTION
    Called by build.ps1 Test in a fresh pwsh. Pester 5.7.1 comes from NuGet (tools/Tools.csproj), since the
    PowerShell Gallery is not reachable from the build machines.
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$PesterPath,
    [Parameter(Mandatory)][string]$SummaryPath,
    # Only these test files, comma-separated names without .Tests.ps1 (wildcards allowed); all when empty.
    [string]$TestFile
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
$env:SPATIALSIM_MODULE_PATH = (Resolve-Path $ModulePath).ProviderPath

$config = New-PesterConfiguration
$config.Run.Path = if ($TestFile) {
    @($TestFile -split ',' | ForEach-Object { Get-ChildItem -Path (Join-Path $PSScriptRoot "$_.Tests.ps1") } | ForEach-Object FullName)
} else { $PSScriptRoot }
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
$result = Invoke-Pester -Configuration $config

[pscustomobject]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
