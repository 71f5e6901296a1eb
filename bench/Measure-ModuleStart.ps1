<#
.SYNOPSIS
    One sample of the benchmark's module start-up row; bench/Invoke-Benchmark.ps1 runs it in a fresh pwsh.
.DESCRIPTION
    Times, inside this fresh process, Import-Module and the first Measure-PatternSimilarity between the two
    genes of a .npy stack (their Import-GeneRaster included), and prints one line "@@bench {json}" with the
    seconds from before Import-Module to the first score, the CPU seconds the process used meanwhile, the
    Import-Module seconds alone, the score and the process's peak RSS.
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$InputPath,
    [double]$Sigma = 4
)
$ErrorActionPreference = 'Stop'

$cpuStart = [System.Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime
$clock = [System.Diagnostics.Stopwatch]::StartNew()
Import-Module $ModulePath
$importSeconds = $clock.Elapsed.TotalSeconds
$a, $b = Import-GeneRaster -LiteralPath $InputPath -Gene A, B
$similarity = $b | Measure-PatternSimilarity -Reference $a -Method SmoothedPearson -Sigma $Sigma
$seconds = $clock.Elapsed.TotalSeconds
$cpuSeconds = ([System.Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime - $cpuStart).TotalSeconds

$peakKilobytes = [long]((Get-Content /proc/self/status | Where-Object { $_ -like 'VmHWM:*' }) -replace '[^0-9]', '')
'@@bench ' + (@{
        seconds       = $seconds
        cpuSeconds    = $cpuSeconds
        importSeconds = $importSeconds
        score         = $similarity.Score
        peakRssBytes  = $peakKilobytes * 1024
    } | ConvertTo-Json -Compress)
