<#
.SYNOPSIS
    Smoke check of the benchmark harness: "build.ps1 Bench -Quick" completes within 2 minutes and writes its table.
.DESCRIPTION
    Checks that the harness runs end to end, not how fast SpatialSim is: the quick run exits 0 before the time
    limit, bench/results/BENCHMARKS-quick.md is written by it, has one line per row of bench/Workloads.psd1 that
    -Quick runs, and no line reports an error. Ends with "N passed, N failed"; exit code 1 on any failure.
    Run as: dotnet tool restore && dotnet pwsh ./bench/Test-BenchmarkSmoke.ps1
#>
param([int]$TimeLimitSeconds = 120)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$root = (Resolve-Path (Join-Path $PSScriptRoot '..')).ProviderPath
$report = Join-Path $root 'bench/results/BENCHMARKS-quick.md'
$checks = [System.Collections.Generic.List[object]]::new()
function Add-Check([string]$Name, [bool]$Passed, [string]$Detail = '') { $checks.Add([pscustomobject]@{ Check = $Name; Passed = $Passed; Detail = $Detail }) }

$started = [datetime]::UtcNow
$start = [System.Diagnostics.ProcessStartInfo]::new((Get-Process -Id $PID).Path)
if (Test-Path (Join-Path $PSHOME 'pwsh.dll')) { $start.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
foreach ($argument in '-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'build.ps1'), 'Bench', '-Quick') { $start.ArgumentList.Add($argument) }
$start.UseShellExecute = $false
$run = [System.Diagnostics.Process]::Start($start)
$finished = $run.WaitForExit($TimeLimitSeconds * 1000)
if (-not $finished) { $run.Kill($true) }
$seconds = ([datetime]::UtcNow - $started).TotalSeconds
Add-Check "build.ps1 Bench -Quick finishes within $TimeLimitSeconds s" $finished ('{0:F0} s' -f $seconds)
Add-Check 'it exits with code 0' ($finished -and $run.ExitCode -eq 0) $(if ($finished) { "exit code $($run.ExitCode)" } else { 'stopped' })

$written = (Test-Path $report) -and (Get-Item $report).LastWriteTimeUtc -ge $started
Add-Check 'it writes bench/results/BENCHMARKS-quick.md' $written
if ($written) {
    $quickRows = @((Import-PowerShellDataFile (Join-Path $PSScriptRoot 'Workloads.psd1')).Rows | Where-Object { $_.ContainsKey('Quick') })
    $lines = @(Get-Content $report | Select-String -Pattern '^## Results' -Context 0, ($quickRows.Count + 3) |
            ForEach-Object { $_.Context.PostContext } | Where-Object { $_ -match '^\| ' } | Select-Object -Skip 1)
    Add-Check 'the table has one line per quick row' ($lines.Count -eq $quickRows.Count) "$($lines.Count) of $($quickRows.Count)"
    $errors = @($lines | Where-Object { $_ -match '\| error: |INVALID OUTPUT' })
    Add-Check 'no line reports an error or an invalid output' ($errors.Count -eq 0) ($errors -join ' ')
}

$checks | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
$failed = @($checks | Where-Object { -not $_.Passed }).Count
Write-Host "$($checks.Count - $failed) passed, $failed failed"
if ($failed) { exit 1 }
