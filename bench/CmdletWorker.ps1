<#
.SYNOPSIS
    The cmdlet side of the benchmark: a fresh pwsh with the SpatialSim module imported, running what a user types.
.DESCRIPTION
    bench/Invoke-Benchmark.ps1 starts this script once per row (a fresh process, as a user's new shell) and drives it
    with the line protocol of the other workers (bench/SpatialSim.Bench/Program.cs): one JSON request per line on
    stdin, one answer per request on stdout as a line starting with "@@bench ".
      {"cmd":"info"}                                      versions; the cmdlet workloads this script can summarise
      {"cmd":"prepare","workload":w,"params":{…},"inputs":{…},"setup":s,"command":c}
                                                          runs the row's Setup (not timed: e.g. Import-GeneRaster of the
                                                          inputs), keeps the Command to time
      {"cmd":"run"}                                       runs the Command once, timed in-process
      {"cmd":"release"}                                   forgets the prepared row
    Setup and Command are PowerShell text from the row's Cmdlet entry in bench/Workloads.psd1; they see $Params and
    $Inputs (the row's parameters and input paths) and the variables Setup made. The Command's output is collected
    (as `$pairs = …` in a user's session keeps it) and summarised into the same shape as the core worker's summary
    for the workload, so the orchestrator compares it with the peer too.

    Timed: from just before the Command to its last output object, after a full garbage collection; CPU seconds of
    the whole process meanwhile; peak RSS (VmHWM) reset through /proc/self/clear_refs before the run.
#>
param([Parameter(Mandatory)][string]$ModulePath)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$AnswerPrefix = '@@bench '
$Invariant = [cultureinfo]::InvariantCulture

# Summaries in the shape of the core worker's (bench/SpatialSim.Bench/Workloads/*.cs) for the same workload.
$Summaries = @{
    gaussian_blur              = {
        param($output, $params)
        $raster = @($output)[0]
        $pixels = $raster.ToArray()
        $sum = 0.0
        foreach ($v in $pixels) { $sum += $v }
        @{ probes = @($params.probes | ForEach-Object { [double]$pixels[[long]$_] }); sum = $sum }
    }
    ssim                       = {
        param($output, $params)
        @{ ssim = [double](@($output)[0].Score) }
    }
    smoothed_pearson_all_pairs = {
        param($output, $params)
        # The upper triangle in row order (r01, r02, …, r12, …), as the core worker reports it; genes are named gene0, gene1, …
        $pairs = @($output)
        $n = [int]$params.genes
        $upper = [double[]]::new($n * ($n - 1) / 2)
        foreach ($p in $pairs) {
            $i = [int]$p.GeneA.Substring(4); $j = [int]$p.GeneB.Substring(4)
            if ($i -gt $j) { $i, $j = $j, $i }
            $upper[$i * $n - $i * ($i + 1) / 2 + ($j - $i - 1)] = $p.Score
        }
        @{ upper = $upper }
    }
    smoothed_pearson_ranking   = {
        param($output, $params)
        $pairs = @($output)
        @{ pairs = $pairs.Count; best = if ($pairs.Count) { [string]::Format($Invariant, '{0}–{1} {2:F4}', $pairs[0].GeneA, $pairs[0].GeneB, $pairs[0].Score) } }
    }
    default_ranking            = {
        param($output, $params)
        # σ, the working grid and the mask as the pairs' Parameters state them (e.g. "σ=12.5 grid=2px mask=tissue").
        $pairs = @($output)
        $text = if ($pairs.Count) { $pairs[0].Parameters } else { '' }
        $genes = [int]((1 + [math]::Sqrt(1 + 8 * $pairs.Count)) / 2)
        @{
            genes = $genes
            sigma = if ($text -match 'σ=([0-9.eE+-]+)') { [double]::Parse($Matches[1], $Invariant) }
            grid = if ($text -match 'grid=(\d+)px') { [int]$Matches[1] } else { 1 }
            maskText = if ($text -match 'mask=(\S+)') { $Matches[1] } else { 'none' }
            best = if ($pairs.Count) { [string]::Format($Invariant, '{0}–{1} {2:F3}', $pairs[0].GeneA, $pairs[0].GeneB, $pairs[0].Score) }
        }
    }
    gem_import                 = {
        param($output, $params, $inputs)
        $genes = @($output)
        @{
            bytes = (Get-Item -LiteralPath $inputs.table).Length
            genes = $genes.Count
            canvas = if ($genes.Count) { "$($genes[0].Width)×$($genes[0].Height)" } else { '' }
        }
    }
}

function Write-Answer([hashtable]$Answer) {
    [Console]::Out.WriteLine($AnswerPrefix + ($Answer | ConvertTo-Json -Compress -Depth 10))
    [Console]::Out.Flush()
}

function ConvertTo-JsonNumber($Value) {
    # JSON has no NaN or infinity: written as strings, as the other workers do.
    if ($Value -is [double] -and -not [double]::IsFinite($Value)) { return $Value.ToString($Invariant) }
    return $Value
}

function Get-PeakRss { 1024L * [long]((Get-Content /proc/self/status | Where-Object { $_ -like 'VmHWM:*' }) -replace '[^0-9]', '') }

function Reset-PeakRss {
    try { [System.IO.File]::WriteAllText('/proc/self/clear_refs', '5'); return $true } catch { return $false }
}

function Clear-Output {
    foreach ($o in @($script:LastOutput)) { if ($o -is [System.IDisposable]) { $o.Dispose() } }
    $script:LastOutput = $null
}

function Invoke-Collect {
    [System.GC]::Collect([System.GC]::MaxGeneration, [System.GCCollectionMode]::Forced, $true, $true)
    [System.GC]::WaitForPendingFinalizers()
    [System.GC]::Collect([System.GC]::MaxGeneration, [System.GCCollectionMode]::Forced, $true, $true)
}

Import-Module $ModulePath
$script:Prepared = $null
$script:LastOutput = $null
# The row's variables live in this scope, so Setup's variables are seen by Command (as in a user's session).
$Params = $null
$Inputs = $null

while ($null -ne ($line = [Console]::In.ReadLine())) {
    if ([string]::IsNullOrWhiteSpace($line)) { continue }
    try {
        $request = $line | ConvertFrom-Json -AsHashtable
        switch ($request.cmd) {
            'info' {
                $module = Get-Module SpatialSim
                $device = Get-SpatialSimDevice
                Write-Answer @{
                    ok = $true; workloads = @($Summaries.Keys); pwsh = "$($PSVersionTable.PSVersion)"
                    module = "$($module.Version)"; torch = "$($device.TorchVersion)"
                }
            }
            'prepare' {
                Clear-Output
                $script:Prepared = $null
                $Params = $request.params
                $Inputs = $request.inputs
                if (-not $Summaries.ContainsKey($request.workload)) { throw "No cmdlet summary for workload '$($request.workload)'." }
                if ($request.setup) { . ([scriptblock]::Create($request.setup)) }
                $script:Prepared = @{ Workload = $request.workload; Command = [scriptblock]::Create($request.command) }
                Write-Answer @{ ok = $true }
            }
            'run' {
                if ($null -eq $script:Prepared) { throw 'No workload is prepared.' }
                Clear-Output
                Invoke-Collect
                $perRun = Reset-PeakRss
                $process = [System.Diagnostics.Process]::GetCurrentProcess()
                $cpu = $process.TotalProcessorTime
                $clock = [System.Diagnostics.Stopwatch]::StartNew()
                $output = . $script:Prepared.Command
                $clock.Stop()
                $process.Refresh()
                $cpuSeconds = ($process.TotalProcessorTime - $cpu).TotalSeconds
                $peak = Get-PeakRss
                $script:LastOutput = $output
                $summary = & $Summaries[$script:Prepared.Workload] $output $Params $Inputs
                $result = @{}
                foreach ($key in $summary.Keys) {
                    $value = $summary[$key]
                    $result[$key] = if ($value -is [array]) { @($value | ForEach-Object { ConvertTo-JsonNumber $_ }) } else { ConvertTo-JsonNumber $value }
                }
                Clear-Output
                Write-Answer @{ ok = $true; seconds = $clock.Elapsed.TotalSeconds; cpuSeconds = $cpuSeconds; peakRssBytes = $peak; peakIsPerRun = $perRun; result = $result }
            }
            'release' {
                Clear-Output
                $script:Prepared = $null
                Invoke-Collect
                Write-Answer @{ ok = $true }
            }
            default { throw "Unknown command '$($request.cmd)'." }
        }
    }
    catch {
        [Console]::Error.WriteLine(($_ | Out-String))
        Write-Answer @{ ok = $false; error = "$($_.Exception.GetType().Name): $($_.Exception.Message)" }
    }
}
