<#
.SYNOPSIS
    Benchmarks SpatialSim against its Python peers side by side, and writes the table to BENCHMARKS.md.
.DESCRIPTION
    Runs every row of bench/Workloads.psd1 on identical generated inputs through SpatialSim (a persistent .NET
    worker, bench/SpatialSim.Bench) and through its peer (a persistent Python worker, bench/peers/peer.py), in
    the same run and interleaved (ours, peer, ours, peer, …). Both sides time themselves in-process. The table
    gives the median of the repetitions, the ratio peer/ours, our peak RSS and whether the row's goal is met.
    Shared machines are noisy: goals are ratios measured in one run, or absolute limits where there is no peer.

    Normally run through build.ps1, which builds the module and the worker first:
        dotnet tool restore && dotnet pwsh ./build.ps1 Bench [-Quick | -Full]
    Without the Python peers (apt-get install python3-scipy python3-skimage python3-pot) our side runs alone.
    Exit code 1 when a row failed with an error or gave an invalid output (a NaN, infinity or missing value where
    the outputs are compared: shown as INVALID OUTPUT and NOT MET, never as agreement); not for goals that are not met.
.PARAMETER ModulePath
    The staged module (out/SpatialSim), for the module start-up row; without it that row is not run.
.PARAMETER WorkerPath
    Our worker, SpatialSim.Bench.dll, built with the repaired libLibTorchSharp.so next to it (build.ps1 Bench does this).
.PARAMETER Quick
    A smoke run: small sizes, one or two repetitions, written to bench/results/BENCHMARKS-quick.md.
.PARAMETER Full
    Also run the rows marked FullOnly (the chip-scale ranking).
.PARAMETER RowId
    (Alias -Row.) Run only these rows (their Id in bench/Workloads.psd1, wildcards allowed), e.g. -Row ssim, 'blur-*'. The report
    then goes to bench/results/BENCHMARKS-rows.md (BENCHMARKS-rows-quick.md with -Quick), not BENCHMARKS.md.
.PARAMETER Python
    The Python that runs the peers: Debian's, where python3-scipy, python3-skimage and python3-pot install.
.PARAMETER InputCache
    Where inputs marked cache = $true in bench/Workloads.psd1 (the 50-million-row Xenium file, about 1.6 GB) are kept between
    runs, named by row and a hash of their spec; default spatialsim-bench-cache in the temporary folder. Delete it to regenerate.
.PARAMETER OutFile
    Where to write the Markdown report; default BENCHMARKS.md at the repository root (bench/results/BENCHMARKS-quick.md with -Quick).
#>
[CmdletBinding()]
param(
    [string]$ModulePath,
    [Parameter(Mandatory)][string]$WorkerPath,
    [switch]$Quick,
    [switch]$Full,
    [Alias('Row')][string[]]$RowId,
    [string]$Python = '/usr/bin/python3',
    [string]$InputCache = (Join-Path ([System.IO.Path]::GetTempPath()) 'spatialsim-bench-cache'),
    [string]$OutFile
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Stop-Usage([string]$Message) {
    # A mistake in the command line: the message alone on standard error, exit code 2.
    [Console]::Error.WriteLine("Invoke-Benchmark: $Message")
    exit 2
}
if ($Quick -and $Full) { Stop-Usage 'Give -Quick or -Full, not both.' }
# build.ps1 passes -Row through -File as one comma-separated string.
$RowId = @($RowId | ForEach-Object { $_ -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
$Root = (Resolve-Path (Join-Path $PSScriptRoot '..')).ProviderPath
if (-not $OutFile) {
    $name = if ($RowId) { 'bench/results/BENCHMARKS-rows' } elseif ($Quick) { 'bench/results/BENCHMARKS' } else { 'BENCHMARKS' }
    $OutFile = Join-Path $Root "$name$(if ($Quick) { '-quick' }).md"
}
$WorkerPath = (Resolve-Path $WorkerPath).ProviderPath
# The module start-up row runs a fresh pwsh elsewhere: it needs the full path.
if ($ModulePath -and (Test-Path $ModulePath)) { $ModulePath = (Resolve-Path $ModulePath).ProviderPath }
$Invariant = [cultureinfo]::InvariantCulture
$AnswerPrefix = '@@bench '
$PeerPackages = 'python3-scipy python3-skimage python3-pot'
# A user's numpy does its matrix products on an optimised BLAS; Debian's default reference BLAS is about 40× slower at
# them and would flatter SpatialSim's ratios. The peers are meant to run on OpenBLAS.
$PeerBlasPackage = 'libopenblas0-pthread'
# Variables that tune OpenBLAS for this machine's other users; removed from the peer's environment only.
$PeerEnvironmentRemoved = @('OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE')

#region Workers: persistent processes speaking the line protocol of bench/SpatialSim.Bench/Program.cs

function Start-Worker {
    param([string]$Name, [string]$FileName, [string[]]$Arguments, [string[]]$RemoveVariables = @())
    $start = [System.Diagnostics.ProcessStartInfo]::new($FileName)
    foreach ($argument in $Arguments) { $start.ArgumentList.Add($argument) }
    $start.UseShellExecute = $false
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    foreach ($variable in $RemoveVariables) { [void]$start.Environment.Remove($variable) }
    $worker = [pscustomobject]@{ Name = $Name; Process = [System.Diagnostics.Process]::Start($start); Info = $null }
    $worker.Info = Invoke-Worker $worker @{ cmd = 'info' } -TimeoutSeconds 120
    if (-not $worker.Info.ok) { throw "the $Name worker could not describe itself: $($worker.Info.error)" }
    return $worker
}

function Invoke-Worker {
    <# Sends one request; returns the answer as a hashtable. Lines that are not answers are shown as the worker's output. #>
    param($Worker, [hashtable]$Request, [int]$TimeoutSeconds = 3600)
    $process = $Worker.Process
    $process.StandardInput.WriteLine(($Request | ConvertTo-Json -Compress -Depth 10))
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        $read = $process.StandardOutput.ReadLineAsync()
        $remaining = $deadline - [datetime]::UtcNow
        if ($remaining -le [timespan]::Zero -or -not $read.Wait($remaining)) {
            Stop-Worker $Worker
            throw "the $($Worker.Name) worker did not answer '$($Request.cmd)' within $TimeoutSeconds s and was stopped"
        }
        $line = $read.Result
        if ($null -eq $line) {
            [void]$process.WaitForExit(10000)
            $code = if ($process.HasExited) { $process.ExitCode } else { '?' }
            $hint = if ($code -eq 137) { ' (killed: out of memory?)' } else { '' }
            throw "the $($Worker.Name) worker exited with code $code$hint during '$($Request.cmd)'"
        }
        if ($line.StartsWith($AnswerPrefix)) { return $line.Substring($AnswerPrefix.Length) | ConvertFrom-Json -AsHashtable }
        Write-Host "    [$($Worker.Name)] $line"
    }
}

function Stop-Worker {
    param($Worker)
    if ($null -eq $Worker -or $Worker.Process.HasExited) { return }
    $Worker.Process.StandardInput.Close()
    if (-not $Worker.Process.WaitForExit(10000)) { $Worker.Process.Kill() }
}

function Get-OursWorker {
    <# Our worker, started again if an earlier row made it exit. #>
    if ($null -eq $script:Ours -or $script:Ours.Process.HasExited) {
        $script:Ours = Start-Worker -Name 'ours' -FileName 'dotnet' -Arguments @($WorkerPath)
    }
    return $script:Ours
}

function Start-CmdletWorker {
    <#
    A fresh pwsh with the module imported (bench/CmdletWorker.ps1), as a user's new shell: started for each row that
    has a Cmdlet entry and stopped after it. Returns $null (and sets the row's status) when there is no built module.
    #>
    $pwsh = @((Get-Process -Id $PID).Path)
    if (Test-Path (Join-Path $PSHOME 'pwsh.dll')) { $pwsh += Join-Path $PSHOME 'pwsh.dll' }
    $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'CmdletWorker.ps1'), '-ModulePath', $ModulePath)
    $script:Cmdlet = Start-Worker -Name 'cmdlet' -FileName $pwsh[0] -Arguments $arguments
    return $script:Cmdlet
}

function Get-PeerBlasWarning {
    <# A warning when the peers' numpy does not run on OpenBLAS (as a user's numpy does), else nothing. #>
    if ($null -eq $script:Peer -or "$($script:Peer.Info.blas)" -match 'openblas') { return }
    "numpy's BLAS is $($script:Peer.Info.blas), not OpenBLAS: the peers' matrix products are slower than a user's numpy and ratios against them flatter SpatialSim. Install it: apt-get install $PeerBlasPackage"
}

function Get-PeerWorker {
    <#
    The peer worker, or $null (with $script:PeerProblem saying why and how to install) when it cannot run. A worker
    that an earlier row made exit is started again; one that could not start is not tried again.
    #>
    if ($null -ne $script:PeerProblem) { return $null }
    if ($null -ne $script:Peer -and -not $script:Peer.Process.HasExited) { return $script:Peer }
    if (-not (Test-Path -LiteralPath $Python)) {
        $script:PeerProblem = "no Python at $Python (apt-get install $PeerPackages)"
        return $null
    }
    try {
        $script:Peer = Start-Worker -Name 'peer' -FileName $Python -Arguments @((Join-Path $PSScriptRoot 'peers/peer.py')) -RemoveVariables $PeerEnvironmentRemoved
        $script:PeerProblem = $null
    }
    catch {
        $script:Peer = $null
        $script:PeerProblem = "the Python peers did not start ($_); install them: apt-get install $PeerPackages"
    }
    return $script:Peer
}

#endregion

#region Formatting

function Format-Number {
    param([Parameter(Mandatory, Position = 0)][string]$Format, [Parameter(ValueFromRemainingArguments)][object[]]$Values)
    [string]::Format($Invariant, $Format, $Values)
}

function Format-Seconds([double]$Seconds) {
    if ($Seconds -ge 100) { return Format-Number '{0:F0} s' $Seconds }
    if ($Seconds -ge 1) { return Format-Number '{0:F2} s' $Seconds }
    if ($Seconds -ge 1e-3) { return Format-Number '{0:F1} ms' ($Seconds * 1e3) }
    return Format-Number '{0:F0} µs' ($Seconds * 1e6)
}

function Format-Bytes([double]$Bytes) { Format-Number '{0:F2} GB' ($Bytes / 1e9) }

function Get-LoadAverage { ((Get-Content /proc/loadavg) -split ' ')[0] }

function Get-CpuSample {
    <#
    The machine's busy CPU time and the benchmark's own (this process with its waited-for children, both workers), in
    clock ticks, now: between two samples, what the rest of the machine used is the difference of the two deltas. The
    load average cannot tell that apart, since it counts the benchmark's own threads.
    #>
    $fields = ((Get-Content /proc/stat -TotalCount 1) -split '\s+') | Select-Object -Skip 1
    # user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
    $busy = 0L
    for ($i = 0; $i -lt [math]::Min(8, $fields.Count); $i++) { if ($i -ne 3 -and $i -ne 4) { $busy += [long]$fields[$i] } }
    $own = 0L
    $ids = @($PID) + @($script:Ours, $script:Cmdlet, $script:Peer | Where-Object { $null -ne $_ -and -not $_.Process.HasExited } | ForEach-Object { $_.Process.Id })
    foreach ($id in $ids) {
        try {
            # Fields after the command name (which may hold spaces, in parentheses): utime stime cutime cstime are 12–15.
            $stat = (Get-Content "/proc/$id/stat" -Raw -ErrorAction Stop)
            $after = ($stat.Substring($stat.LastIndexOf(')') + 2)) -split ' '
            $own += [long]$after[11] + [long]$after[12] + [long]$after[13] + [long]$after[14]
        }
        catch { <# a worker that just exited #> }
    }
    [pscustomobject]@{ Busy = $busy; Own = $own; At = [datetime]::UtcNow }
}

function Get-OtherCores($Start, $End) {
    <# How many cores, on average, processes other than the benchmark kept busy between two samples (100 ticks a second). #>
    $seconds = ($End.At - $Start.At).TotalSeconds
    if ($seconds -le 0) { return 0.0 }
    [math]::Max(0.0, (($End.Busy - $Start.Busy) - ($End.Own - $Start.Own)) / 100.0 / $seconds)
}

function Get-Median([double[]]$Values) {
    $sorted = @($Values | Sort-Object)
    $middle = [math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { return $sorted[$middle] }
    return ($sorted[$middle - 1] + $sorted[$middle]) / 2
}

function Expand-Template([string]$Text, [hashtable]$Params) {
    <# Replaces {name} by the parameter's value (integers with thousands separators in titles). #>
    [regex]::Replace($Text, '\{(\w+)\}', {
            param($m)
            $value = $Params[$m.Groups[1].Value]
            if ($value -is [int] -or $value -is [long]) { return $value.ToString('N0', $Invariant) }
            return [string]::Format($Invariant, '{0}', $value)
        })
}

#endregion

#region Workload-specific parts: extra parameters, and what the summaries of the two sides say

function Get-RowParameters {
    <# The row's parameters (with -Quick overrides); probes = n becomes n flat indices spread over size × size. #>
    param([hashtable]$Row)
    $params = @{} + $Row.Params
    if ($Quick) { foreach ($key in $Row.Quick.Keys) { $params[$key] = $Row.Quick[$key] } }
    if ($params.ContainsKey('probes')) {
        $count = [int]$params.probes
        $last = [long]$params.size * $params.size - 1
        $params.probes = @(0..($count - 1) | ForEach-Object { [long][math]::Floor($_ * $last / ($count - 1)) })
    }
    return $params
}

function ConvertTo-Double {
    <#
    A summary value as a double. The workers write non-finite numbers as the strings "NaN", "Infinity" and
    "-Infinity" (JSON has no literal for them); a missing value becomes NaN too, so that it is never taken for a match.
    #>
    param($Value)
    if ($null -eq $Value) { return [double]::NaN }
    if ($Value -is [string]) {
        $parsed = 0.0
        if ([double]::TryParse($Value, [System.Globalization.NumberStyles]::Float, $Invariant, [ref]$parsed)) { return $parsed }
        return [double]::NaN
    }
    return [double]$Value
}

function Find-NonFinite {
    <#
    Why the values a side reported cannot be compared, or nothing: "ours gave NaN for ssim", or "peer gave NaN at 3 of
    32 probe pixels (first: #5)". Values are converted with ConvertTo-Double, so missing ones count as NaN.
    #>
    param([string]$Side, [string]$What, [object[]]$Values)
    $bad = @(for ($i = 0; $i -lt $Values.Count; $i++) {
            $v = ConvertTo-Double $Values[$i]
            if (-not [double]::IsFinite($v)) { [pscustomobject]@{ Index = $i; Value = $v; Raw = $Values[$i] } }
        })
    if (-not $bad.Count) { return }
    $kind = { param($b) if ($null -eq $b.Raw) { 'no value' } else { Format-Number '{0}' $b.Value } }
    if ($Values.Count -eq 1) { return "$Side gave $(& $kind $bad[0]) for $What" }
    $kinds = ($bad | ForEach-Object { & $kind $_ } | Sort-Object -Unique) -join '/'
    return "$Side gave $kinds at $($bad.Count) of $($Values.Count) $What (first: #$($bad[0].Index))"
}

function Get-OutputProblem {
    <# The non-finite values of both sides for one summary key, as one problem text, or nothing. #>
    param($Ours, $Peer, [string]$Key, [string]$What)
    $problems = @(
        if ($Ours) { Find-NonFinite 'ours' $What @($Ours[$Key]) }
        if ($Peer) { Find-NonFinite 'peer' $What @($Peer[$Key]) }
    )
    if ($problems.Count) { return $problems -join '; ' }
}

function Get-MaxAbsDifference {
    param([object[]]$Ours, [object[]]$Peer)
    if ($Ours.Count -ne $Peer.Count) { return [double]::NaN }
    $max = 0.0
    for ($i = 0; $i -lt $Peer.Count; $i++) { $max = [math]::Max($max, [math]::Abs((ConvertTo-Double $Ours[$i]) - (ConvertTo-Double $Peer[$i]))) }
    return $max
}

# For each workload: a scriptblock (ours, peer) → @{ Text; RelError; Problem } from the two first summaries; either may
# be $null. Problem (e.g. a NaN where a number was expected, on either side) marks the row NOT MET and is shown first:
# no difference or error is computed from such values, so a NaN can never look like agreement.
$Comparisons = @{
    gaussian_blur              = {
        param($ours, $peer)
        if ($problem = Get-OutputProblem $ours $peer 'probes' 'probe pixels') { return @{ Text = ''; Problem = $problem } }
        if (-not ($ours -and $peer)) { return @{ Text = '' } }
        if (@($ours.probes).Count -ne @($peer.probes).Count) { return @{ Text = ''; Problem = "ours gave $(@($ours.probes).Count) probe values, the peer $(@($peer.probes).Count)" } }
        $scale = ($peer.probes | ForEach-Object { [math]::Abs((ConvertTo-Double $_)) } | Measure-Object -Maximum).Maximum
        $diff = Get-MaxAbsDifference $ours.probes $peer.probes
        @{ Text = Format-Number 'max rel. difference at {0} probe pixels {1:0.0E+0}' $peer.probes.Count ($diff / [math]::Max($scale, 1e-30)) }
    }
    ssim                       = {
        param($ours, $peer)
        if ($problem = Get-OutputProblem $ours $peer 'ssim' 'SSIM') { return @{ Text = ''; Problem = $problem } }
        $text = @()
        if ($peer) { $text += Format-Number 'SSIM {0:F4}' (ConvertTo-Double $peer.ssim) }
        if ($ours -and $peer) { $text += Format-Number '|Δ| {0:0.0E+0}' ([math]::Abs((ConvertTo-Double $ours.ssim) - (ConvertTo-Double $peer.ssim))) }
        @{ Text = $text -join ', ' }
    }
    smoothed_pearson_all_pairs = {
        param($ours, $peer)
        if ($problem = Get-OutputProblem $ours $peer 'upper' 'gene pairs') { return @{ Text = ''; Problem = $problem } }
        $text = @()
        if ($ours -and $peer) { $text += Format-Number 'max |Δr| {0:0.0E+0}' (Get-MaxAbsDifference $ours.upper $peer.upper) }
        if ($peer -and $peer['phases']) { $text += Format-Number 'peer: blur {0} + corrcoef {1}' (Format-Seconds $peer.phases.blur) (Format-Seconds $peer.phases.corrcoef) }
        @{ Text = $text -join '; ' }
    }
    sinkhorn_w2                = {
        param($ours, $peer)
        $problems = @(
            if ($p = Get-OutputProblem $ours $peer 'w2Squared' 'W2²') { $p }
            if ($peer -and ($p = Find-NonFinite 'peer' 'emd2' @($peer['emd2']))) { $p }
        )
        if ($problems.Count) { return @{ Text = ''; Problem = $problems -join '; ' } }
        $text = @()
        $relError = $null
        if ($ours -and $peer) {
            $relError = [math]::Abs((ConvertTo-Double $ours.w2Squared) - $peer.emd2) / $peer.emd2
            $text += Format-Number 'ours vs emd2 {0:P2}' $relError
        }
        if ($ours) { $text += Format-Number 'ours at ε {0:G4} px², {1} iterations' (ConvertTo-Double $ours.epsilon) $ours.iterations }
        if ($peer -and $peer['method'] -eq 'emd2') {
            $text += Format-Number 'emd2 on {0:N0} and {1:N0} non-zero pixels' $peer.support[0] $peer.support[1]
        }
        elseif ($peer) {
            $converged = if ($peer.converged) { '' } else { ', not converged' }
            $text += Format-Number 'sinkhorn2 vs emd2 {0:P2} ({1} iterations{2}); emd2 {3}' `
                ([math]::Abs($peer.w2Squared - $peer.emd2) / $peer.emd2) $peer.iterations $converged (Format-Seconds $peer.emd2Seconds)
        }
        @{ Text = $text -join '; '; RelError = $relError }
    }
    local_binary_pattern       = {
        param($ours, $peer)
        $problems = @(
            if ($ours -and $ours['invalid']) { Format-Number 'ours gave {0:N0} codes outside 0 … P + 1 (NaN included)' $ours.invalid }
            if ($p = Get-OutputProblem $ours $peer 'histogram' 'histogram bins') { $p }
        )
        if ($problems.Count) { return @{ Text = ''; Problem = $problems -join '; ' } }
        if (-not ($ours -and $peer)) { return @{ Text = '' } }
        if (@($ours.histogram).Count -ne @($peer.histogram).Count) { return @{ Text = ''; Problem = "ours gave $(@($ours.histogram).Count) histogram bins, the peer $(@($peer.histogram).Count)" } }
        $moved = (0..($peer.histogram.Count - 1) | ForEach-Object { [math]::Abs($ours.histogram[$_] - $peer.histogram[$_]) } | Measure-Object -Sum).Sum / 2
        $pixels = ($peer.histogram | Measure-Object -Sum).Sum
        @{ Text = Format-Number 'code histograms differ by {0:P3} of the pixels' ($moved / $pixels) }
    }
    gem_import                 = {
        param($ours, $peer)
        if (-not $ours) { return @{ Text = '' } }
        $rows = if ($ours['rows']) { Format-Number '{0:N0} rows, ' $ours.rows } else { '' }
        $text = Format-Number '{0}{1:N0} genes, canvas {2}, {3:F0} MB' $rows $ours.genes $ours.canvas ($ours.bytes / 1e6)
        # Called with the cmdlet's summary and the core's: the cmdlet must give the same genes and canvas.
        if ($peer -and ($peer['genes'] -ne $ours.genes -or $peer['canvas'] -ne $ours.canvas)) {
            return @{ Text = $text; Problem = "$($ours.genes) genes on $($ours.canvas), the reference $($peer['genes']) genes on $($peer['canvas'])" }
        }
        @{ Text = $text }
    }
    h5ad_import                = {
        param($ours, $peer)
        if (-not $ours) { return @{ Text = '' } }
        @{ Text = Format-Number '{0:N0} genes on {1}, {2:N0} counts = {3:F0} MB of non-zero data (the peak goal is twice that + the runtime); file {4:F0} MB' `
            $ours.genes $ours.canvas $ours.storedPixels ($ours.nonZeroDataBytes / 1e6) ($ours.bytes / 1e6) }
    }
    xenium_parquet_import      = {
        param($ours, $peer)
        if (-not $ours) { return @{ Text = '' } }
        @{ Text = Format-Number '{0:N0} rows ({1:N0} under qv 20, {2:N0} controls left out), {3:N0} genes, canvas {4}, {5:F0} MB' $ours.rows $ours.rowsBelowQuality $ours.controlRows $ours.genes $ours.canvas ($ours.bytes / 1e6) }
    }
    smoothed_pearson_ranking   = {
        param($ours, $peer)
        if (-not $ours) { return @{ Text = '' } }
        @{ Text = Format-Number '{0:N0} pairs, best {1}' $ours.pairs $ours.best }
    }
    default_ranking            = {
        param($ours, $peer)
        if (-not $ours) { return @{ Text = '' } }
        $mask = if ($ours['maskText']) { "mask $($ours.maskText)" } elseif ($null -eq $ours['mask']) { 'no mask' } else { Format-Number 'mask {0:P0}' (ConvertTo-Double $ours.mask) }
        $canvas = if ($ours['canvas']) { " × $($ours.canvas) px" } else { '' }
        $text = Format-Number '{0} genes{1}, σ={2:g4} px, grid {3} px, {4}; best {5}' $ours.genes $canvas (ConvertTo-Double $ours.sigma) $ours.grid $mask $ours.best
        # Against the core (the cmdlet's check): the same σ, grid and best pair.
        $problem = $null
        if ($peer -and $peer['sigma']) {
            if ([math]::Abs((ConvertTo-Double $ours.sigma) / (ConvertTo-Double $peer.sigma) - 1) -gt 1e-3) { $problem = Format-Number 'σ {0:g4} differs from the core''s {1:g4}' (ConvertTo-Double $ours.sigma) (ConvertTo-Double $peer.sigma) }
            elseif ([int]$ours.grid -ne [int]$peer.grid) { $problem = "grid $($ours.grid) px differs from the core's $($peer.grid) px" }
            elseif ("$($ours.best)" -ne "$($peer.best)") { $problem = "best pair $($ours.best) differs from the core's $($peer.best)" }
        }
        @{ Text = $text; Problem = $problem }
    }
    transcriptome_ranking      = {
        param($ours, $peer)
        if (-not $ours) { return @{ Text = '' } }
        $text = @(Format-Number '{0:N0} pairs kept in {1} band pass(es), best {2}; {3} ns per G²·pixel' $ours.pairs_kept $ours.bands $ours.best $ours.ns_per_G2_pixel)
        if ($ours['modules']) { $text += "modules $($ours.modules)" }
        $problem = $null
        if ($ours['merge_equals_single_run']) {
            $text += "merge of the shards equals a single run: $($ours.merge_equals_single_run)"
            if ($ours.merge_equals_single_run -notlike 'True*') { $problem = 'the merged shards differ from the single run' }
        }
        @{ Text = $text -join '; '; Problem = $problem }
    }
    module_start               = {
        param($ours, $peer)
        if (-not $ours) { return @{ Text = '' } }
        $text = Format-Number 'Import-Module {0}; whole process (pwsh start-up included) {1}' (Format-Seconds $ours.importSeconds) (Format-Seconds $ours.wallSeconds)
        if ($problem = Find-NonFinite 'ours' 'the first score' @($ours['score'])) { return @{ Text = $text; Problem = $problem } }
        @{ Text = $text }
    }
}

function Invoke-ModuleStart {
    <# One sample of the module_start workload: a fresh pwsh runs bench/Measure-ModuleStart.ps1. Answers like a worker. #>
    param([hashtable]$Params, [hashtable]$Inputs)
    $pwsh = @((Get-Process -Id $PID).Path)
    if (Test-Path (Join-Path $PSHOME 'pwsh.dll')) { $pwsh += Join-Path $PSHOME 'pwsh.dll' }
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $lines = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Measure-ModuleStart.ps1') `
        -ModulePath $ModulePath -InputPath $Inputs.genes -Sigma $Params.sigma 2>&1
    $wall = $clock.Elapsed.TotalSeconds
    $answer = @($lines | Where-Object { "$_".StartsWith($AnswerPrefix) })
    if ($LASTEXITCODE -ne 0 -or $answer.Count -ne 1) {
        return @{ ok = $false; error = "pwsh exited with code $LASTEXITCODE`: $(($lines | Select-Object -Last 3) -join ' ')" }
    }
    $sample = "$($answer[0])".Substring($AnswerPrefix.Length) | ConvertFrom-Json -AsHashtable
    if ($null -eq $sample.score) { return @{ ok = $false; error = "the first Measure-PatternSimilarity gave no score" } }
    return @{
        ok = $true; seconds = $sample.seconds; cpuSeconds = $sample['cpuSeconds']; peakRssBytes = $sample.peakRssBytes; peakIsPerRun = $true
        result = @{ importSeconds = $sample.importSeconds; wallSeconds = $wall; score = $sample.score }
    }
}

#endregion

#region Rows

# The conditions a row's Goal may set, in the order the table shows them (Reference names MaxRelError's reference).
$GoalOrder = @('MinRatio', 'MinCmdletRatio', 'MaxCmdletOverCore', 'MaxSeconds', 'MinMBps', 'MaxPeakGB', 'MaxRelError', 'Reference')

function New-Inputs {
    <# Generates the row's input files with our worker; returns name → path. #>
    param([hashtable]$Row, [hashtable]$Params, [string]$Directory)
    $paths = @{}
    if (-not $Row.ContainsKey('Inputs')) { return $paths }
    foreach ($name in $Row.Inputs.Keys) {
        $spec = @{}
        foreach ($entry in $Row.Inputs[$name].GetEnumerator()) {
            $spec[$entry.Key] = if ($entry.Value -is [string] -and $entry.Value -match '^\{(\w+)\}$') { $Params[$Matches[1]] } else { $entry.Value }
        }
        $cache = [bool]$spec['cache']
        $spec.Remove('cache')
        $extension = switch ($spec.kind) { 'gem' { 'gem' } 'xenium' { 'parquet' } 'h5ad' { 'h5ad' } default { 'npy' } }
        $path = Join-Path $Directory "$($Row.Id)-$name.$extension"
        if ($cache) {
            # Large inputs are generated once and kept, named by their spec (the same bytes for the same spec).
            $key = ($spec.Keys | Sort-Object | ForEach-Object { "$_=$($spec[$_])" }) -join ';'
            $hash = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($key))).Substring(0, 16).ToLowerInvariant()
            New-Item -ItemType Directory -Force -Path $InputCache | Out-Null
            $path = Join-Path $InputCache "$($Row.Id)-$name-$hash.$extension"
            if (Test-Path -LiteralPath $path) {
                Write-Host (Format-Number '    input {0}: {1:F0} MB, generated before ({2})' $name ((Get-Item -LiteralPath $path).Length / 1e6) $path)
                $paths[$name] = $path
                continue
            }
        }
        $target = if ($cache) { "$path.partial-$PID" } else { $path }
        $answer = Invoke-Worker (Get-OursWorker) @{ cmd = 'generate'; spec = $spec; path = $target }
        if (-not $answer.ok) { throw "generating input '$name' failed: $($answer['error'])" }
        if ($cache) { Move-Item -LiteralPath $target -Destination $path -Force }
        Write-Host (Format-Number '    input {0}: {1:F0} MB in {2}' $name ($answer.bytes / 1e6) (Format-Seconds $answer.seconds))
        $paths[$name] = $path
    }
    return $paths
}

function Invoke-Row {
    <# Runs one row of the table: returns its measurements and statuses. #>
    param([hashtable]$Row)
    $params = Get-RowParameters $Row
    $result = [ordered]@{
        Row = $Row; Title = Expand-Template $Row.Title $Params; Params = $params
        Ours = [System.Collections.Generic.List[object]]::new(); Peer = [System.Collections.Generic.List[object]]::new()
        Cmdlet = [System.Collections.Generic.List[object]]::new(); CmdletStatus = $null
        OursStatus = $null; PeerStatus = $null; Error = $false; Load = Get-LoadAverage; OtherCores = $null
    }
    $cpuAtStart = Get-CpuSample
    Write-Host "== $($result.Title)"

    # Who runs: a status stays $null for a side that runs.
    if ($Row.ContainsKey('FullOnly') -and -not $Full) {
        $result.OursStatus = "skipped: $($Row.FullOnly); runs with -Full"
    }
    elseif ($Row.Workload -eq 'module_start') {
        if (-not $ModulePath -or -not (Test-Path (Join-Path $ModulePath 'SpatialSim.psd1'))) {
            $result.OursStatus = 'not run: no built module (build.ps1 Build failed?)'
        }
    }
    elseif ((Get-OursWorker).Info.workloads -notcontains $Row.Workload) {
        $result.OursStatus = 'not implemented yet'
    }
    if (-not $Row.ContainsKey('Peer')) { $result.PeerStatus = 'none' }
    elseif ($null -ne $result.OursStatus -and $result.OursStatus.StartsWith('skipped')) { $result.PeerStatus = 'skipped' }
    elseif ($null -eq (Get-PeerWorker)) { $result.PeerStatus = 'not run: no Python peers' }
    elseif ($script:Peer.Info.missing.ContainsKey($Row.Workload)) {
        $result.PeerStatus = "unavailable: apt-get install $($script:Peer.Info.missing[$Row.Workload] -join ' ')"
    }
    if (-not $Row.ContainsKey('Cmdlet')) { $result.CmdletStatus = 'none' }
    elseif ($null -ne $result.OursStatus -and $result.OursStatus.StartsWith('skipped')) { $result.CmdletStatus = 'skipped' }
    elseif (-not $ModulePath -or -not (Test-Path (Join-Path $ModulePath 'SpatialSim.psd1'))) { $result.CmdletStatus = 'not run: no built module (build.ps1 Build failed?)' }
    $oursRuns = $null -eq $result.OursStatus
    $peerRuns = $null -eq $result.PeerStatus
    $cmdletRuns = $null -eq $result.CmdletStatus
    if (-not ($oursRuns -or $peerRuns -or $cmdletRuns)) { return $result }

    $directory = Join-Path ([System.IO.Path]::GetTempPath()) "spatialsim-bench-$PID"
    New-Item -ItemType Directory -Force -Path $directory | Out-Null
    try {
        $inputs = New-Inputs -Row $Row -Params $params -Directory $directory
        $prepare = @{ cmd = 'prepare'; workload = $Row.Workload; params = $params; inputs = $inputs }
        if ($oursRuns -and $Row.Workload -ne 'module_start') {
            $answer = Invoke-Worker (Get-OursWorker) $prepare
            if (-not $answer.ok) {
                $result.OursStatus = if ($answer['skipped']) { "skipped: $($answer['skipped'])" } else { $result.Error = $true; "error: $($answer['error'])" }
                $oursRuns = $false
            }
        }
        if ($cmdletRuns) {
            $answer = Invoke-Worker (Start-CmdletWorker) ($prepare + @{ setup = $Row.Cmdlet['Setup']; command = $Row.Cmdlet.Command }) -TimeoutSeconds 1800
            if (-not $answer.ok) { $result.CmdletStatus = "error: $($answer['error'])"; $result.Error = $true; $cmdletRuns = $false }
        }
        if ($peerRuns) {
            $answer = Invoke-Worker (Get-PeerWorker) $prepare
            if (-not $answer.ok) { $result.PeerStatus = "error: $($answer['error'])"; $result.Error = $true; $peerRuns = $false }
        }

        $reps = if ($Quick) { $Row.QuickReps } else { $Row.Reps }
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        for ($rep = 1; $rep -le $reps -and ($oursRuns -or $peerRuns -or $cmdletRuns); $rep++) {
            $times = @()
            if ($oursRuns) {
                $answer = if ($Row.Workload -eq 'module_start') { Invoke-ModuleStart -Params $params -Inputs $inputs } else { Invoke-Worker (Get-OursWorker) @{ cmd = 'run' } }
                if ($answer.ok) { $result.Ours.Add($answer); $times += "ours $(Format-Seconds $answer.seconds)" } else { $result.OursStatus = "error: $($answer['error'])"; $result.Error = $true; $oursRuns = $false }
            }
            if ($cmdletRuns) {
                $answer = Invoke-Worker $script:Cmdlet @{ cmd = 'run' }
                if ($answer.ok) { $result.Cmdlet.Add($answer); $times += "cmdlet $(Format-Seconds $answer.seconds)" } else { $result.CmdletStatus = "error: $($answer['error'])"; $result.Error = $true; $cmdletRuns = $false }
            }
            if ($peerRuns) {
                $answer = Invoke-Worker (Get-PeerWorker) @{ cmd = 'run' }
                if ($answer.ok) { $result.Peer.Add($answer); $times += "peer $(Format-Seconds $answer.seconds)" } else { $result.PeerStatus = "error: $($answer['error'])"; $result.Error = $true; $peerRuns = $false }
            }
            Write-Host "    repetition $rep of $reps`: $($times -join ', ')"
            if ($clock.Elapsed.TotalSeconds / $rep * ($rep + 1) -gt $Row.Budget) { break }
        }
    }
    catch {
        # A worker that crashed or hung: the row reports it, the next row gets a fresh worker.
        $result.Error = $true
        if ($oursRuns -and $null -eq $result.OursStatus) { $result.OursStatus = "error: $_" }
        if ($peerRuns -and $null -eq $result.PeerStatus) { $result.PeerStatus = "error: $_" }
        if ($cmdletRuns -and $null -eq $result.CmdletStatus) { $result.CmdletStatus = "error: $_" }
    }
    finally {
        foreach ($worker in @($script:Ours, $script:Peer)) {
            if ($null -eq $worker -or $worker.Process.HasExited) { continue }
            try { [void](Invoke-Worker $worker @{ cmd = 'release' } -TimeoutSeconds 120) }
            catch { Write-Warning "$_"; Stop-Worker $worker }
        }
        Stop-Worker $script:Cmdlet
        $script:Cmdlet = $null
        Remove-Item -LiteralPath $directory -Recurse -Force -ErrorAction SilentlyContinue
    }
    $result.OtherCores = Get-OtherCores $cpuAtStart (Get-CpuSample)
    return $result
}

function Measure-Goal {
    <# The row's goal, one item per condition: @{ Text; Met = $true | $false | $null (not measurable) }. #>
    param([hashtable]$Goal, [hashtable]$Measures)
    $unknown = @($Goal.Keys | Where-Object { $_ -notin $GoalOrder })
    if ($unknown) { throw "Unknown goal '$($unknown -join "', '")' in bench/Workloads.psd1." }
    foreach ($key in $GoalOrder | Where-Object { $Goal.ContainsKey($_) }) {
        switch ($key) {
            'MinRatio' { @{ Text = Format-Number '≥ {0}× peer' $Goal.MinRatio; Met = if ($null -ne $Measures.Ratio) { $Measures.Ratio -ge $Goal.MinRatio } } }
            'MinCmdletRatio' { @{ Text = Format-Number 'cmdlet ≥ {0}× peer' $Goal.MinCmdletRatio; Met = if ($null -ne $Measures.CmdletRatio) { $Measures.CmdletRatio -ge $Goal.MinCmdletRatio } } }
            'MaxCmdletOverCore' { @{ Text = Format-Number 'cmdlet ≤ {0}× core' $Goal.MaxCmdletOverCore; Met = if ($null -ne $Measures.CmdletOverCore) { $Measures.CmdletOverCore -le $Goal.MaxCmdletOverCore } } }
            'MaxSeconds' {
                $limit = if ($Goal.MaxSeconds -ge 60) { Format-Number '{0} min' ($Goal.MaxSeconds / 60) } else { Format-Number '{0} s' $Goal.MaxSeconds }
                @{ Text = "≤ $limit"; Met = if ($null -ne $Measures.Seconds) { $Measures.Seconds -le $Goal.MaxSeconds } }
            }
            'MinMBps' { @{ Text = Format-Number '≥ {0} MB/s' $Goal.MinMBps; Met = if ($null -ne $Measures.MBps) { $Measures.MBps -ge $Goal.MinMBps } } }
            'MaxPeakGB' { @{ Text = Format-Number '≤ {0} GB peak RSS' $Goal.MaxPeakGB; Met = if ($null -ne $Measures.PeakBytes) { $Measures.PeakBytes -le $Goal.MaxPeakGB * 1e9 } } }
            'MaxRelError' { @{ Text = Format-Number 'within {0:P0} of {1}' $Goal.MaxRelError $Goal.Reference; Met = if ($null -ne $Measures.RelError) { $Measures.RelError -le $Goal.MaxRelError } } }
        }
    }
}

function Get-RowSummary {
    <# One line of the table from a row's measurements. #>
    param($Result)
    $row = $Result.Row
    $oursSeconds = if ($Result.Ours.Count) { Get-Median ($Result.Ours | ForEach-Object { $_.seconds }) }
    $peerSeconds = if ($Result.Peer.Count) { Get-Median ($Result.Peer | ForEach-Object { $_.seconds }) }
    $cmdletSeconds = if ($Result.Cmdlet.Count) { Get-Median ($Result.Cmdlet | ForEach-Object { $_.seconds }) }
    $oursFirst = if ($Result.Ours.Count) { $Result.Ours[0].result }
    $peerFirst = if ($Result.Peer.Count) { $Result.Peer[0].result }
    $cmdletFirst = if ($Result.Cmdlet.Count) { $Result.Cmdlet[0].result }
    $comparison = & $Comparisons[$row.Workload] $oursFirst $peerFirst
    # The cmdlet's output is checked against the peer's, or against the core's where there is no peer.
    $cmdletComparison = if ($cmdletFirst) { & $Comparisons[$row.Workload] $cmdletFirst $(if ($peerFirst) { $peerFirst } else { $oursFirst }) } else { @{} }
    $cmdletReference = if ($peerFirst) { 'peer' } else { 'core' }
    $problems = @(
        if ($comparison['Problem']) { $comparison['Problem'] }
        if ($cmdletComparison['Problem']) { "cmdlet (against the $cmdletReference): $($cmdletComparison['Problem'])" }
    )
    $Result['Invalid'] = if ($problems.Count) { $problems -join '; ' }
    $measures = @{
        Seconds   = $oursSeconds
        Ratio     = if ($null -ne $oursSeconds -and $null -ne $peerSeconds) { $peerSeconds / $oursSeconds }
        CmdletRatio = if ($null -ne $cmdletSeconds -and $null -ne $peerSeconds) { $peerSeconds / $cmdletSeconds }
        CmdletOverCore = if ($null -ne $cmdletSeconds -and $null -ne $oursSeconds) { $cmdletSeconds / $oursSeconds }
        PeakBytes = if ($Result.Ours.Count) { ($Result.Ours | ForEach-Object { $_.peakRssBytes } | Measure-Object -Maximum).Maximum }
        MBps      = if ($null -ne $oursSeconds -and $oursFirst.ContainsKey('bytes')) { $oursFirst.bytes / $oursSeconds / 1e6 }
        RelError  = $comparison['RelError']
    }
    $goal = @(if ($row.ContainsKey('Goal')) { Measure-Goal -Goal $row.Goal -Measures $measures })
    $met = if (-not $goal.Count -and -not $Result['Invalid']) { 'no goal' }
    elseif ($Result['Invalid'] -or @($goal | Where-Object { $_.Met -eq $false }).Count) { 'NOT MET' }
    elseif (@($goal | Where-Object { $null -eq $_.Met }).Count) { '—' }
    else { 'yes' }
    $peakText = { param($samples) if ($samples.Count) { Format-Bytes ($samples | ForEach-Object { $_.peakRssBytes } | Measure-Object -Maximum).Maximum } else { '—' } }
    $oursText = if ($null -ne $oursSeconds) { Format-Seconds $oursSeconds } else { $Result.OursStatus }
    if ($null -ne $measures.MBps) { $oursText += Format-Number ' ({0:F0} MB/s)' $measures.MBps }
    $reps = @($Result.Ours.Count, $Result.Cmdlet.Count, $Result.Peer.Count | Where-Object { $_ -gt 0 })
    $notes = @(if ($Result['Invalid']) { "INVALID OUTPUT: $($Result['Invalid'])" }) + @($comparison.Text | Where-Object { $_ })
    if ($cmdletFirst -and $cmdletComparison.Text) { $notes += "cmdlet against the $cmdletReference`: $($cmdletComparison.Text)" }
    if ($Row.ContainsKey('Cmdlet')) { $notes += "cmdlet: ``$($row.Cmdlet.Command)``" }
    if (@(@($Result.Ours) + @($Result.Peer) + @($Result.Cmdlet) | Where-Object { -not $_.peakIsPerRun }).Count) {
        $notes += 'peak RSS since the worker started (the peak could not be reset before each run)'
    }
    if ($null -eq $oursSeconds -and $null -ne $peerSeconds -and $row.ContainsKey('Goal') -and $row.Goal.ContainsKey('MinRatio')) {
        $notes += "goal means ours ≤ $(Format-Seconds ($peerSeconds / $row.Goal.MinRatio))"
    }
    [pscustomobject][ordered]@{
        Workload      = $Result.Title
        Ours          = $oursText
        Cmdlet        = if ($null -ne $cmdletSeconds) { (Format-Seconds $cmdletSeconds) + $(if ($cmdletFirst.ContainsKey('bytes')) { Format-Number ' ({0:F0} MB/s)' ($cmdletFirst.bytes / $cmdletSeconds / 1e6) }) } elseif ($Result.CmdletStatus -eq 'none') { '—' } else { $Result.CmdletStatus }
        Peer          = if ($null -ne $peerSeconds) { Format-Seconds $peerSeconds } elseif ($Result.PeerStatus -eq 'none') { '—' } else { $Result.PeerStatus }
        'Peer/ours'   = if ($null -ne $measures.Ratio) { Format-Number '{0:F2}×' $measures.Ratio } else { '—' }
        'Peer/cmdlet' = if ($null -ne $measures.CmdletRatio) { Format-Number '{0:F2}×' $measures.CmdletRatio } else { '—' }
        'Cmdlet/core' = if ($null -ne $measures.CmdletOverCore) { Format-Number '{0:F2}×' $measures.CmdletOverCore } else { '—' }
        'Our peak'    = & $peakText $Result.Ours
        'Cmdlet peak' = & $peakText $Result.Cmdlet
        'Peer peak'   = & $peakText $Result.Peer
        Goal          = if ($goal.Count) { ($goal | ForEach-Object { $_.Text }) -join ', ' } else { '—' }
        'Goal met?'   = $met
        Reps          = if ($reps.Count) { ($reps | Select-Object -Unique) -join '/' } else { '—' }
        'Peer runs'   = if ($row.ContainsKey('Peer')) { $row.Peer } else { '—' }
        Notes         = $notes -join '; '
    }
}

#endregion

#region Report

function Get-MachineDescription {
    $cpu = (Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '^[^:]*:\s*', ''
    $memoryKb = [long]((Get-Content /proc/meminfo | Where-Object { $_ -like 'MemTotal:*' }) -replace '[^0-9]', '')
    $os = ((Get-Content /etc/os-release | Where-Object { $_ -like 'PRETTY_NAME=*' }) -replace '^PRETTY_NAME=', '').Trim('"')
    $kernel = (Get-Content /proc/sys/kernel/osrelease).Trim()
    $ours = (Get-OursWorker).Info
    $lines = @(
        "- CPU: $cpu, $([Environment]::ProcessorCount) logical cores"
        Format-Number '- Memory: {0:F1} GiB' ($memoryKb / 1MB)
        "- OS: $os, Linux $kernel"
        "- Load (other processes share this machine): 1-minute load average $script:LoadAtStart at the start, $(Get-LoadAverage) at the end, the benchmark's own threads included; what other processes used is measured per row (below)"
        "- Ours: $($ours.dotnet) ($($ours.gc) GC), TorchSharp $($ours.torchSharp), libtorch $($ours.torch) ($($ours.torchThreads) threads), PowerShell $($PSVersionTable.PSVersion)"
    )
    if ($null -ne $script:Peer) {
        $peer = $script:Peer.Info
        $versions = ($peer.versions.GetEnumerator() | ForEach-Object { "$($_.Key) $(if ($_.Value) { $_.Value } else { 'missing' })" }) -join ', '
        $removed = @($PeerEnvironmentRemoved | Where-Object { [Environment]::GetEnvironmentVariable($_) } | ForEach-Object { "$_=$([Environment]::GetEnvironmentVariable($_))" })
        $seen = @($peer.openblasEnvironment.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" })
        $environment = if ($seen.Count) { "its environment has $($seen -join ', ')" } else { 'no OPENBLAS_* variable in its environment' }
        if ($removed.Count) { $environment += " (removed: $($removed -join ', '))" }
        $lines += "- Peers: Python $($peer.python) ($($peer.executable)): $versions"
        $lines += "- numpy's BLAS: $($peer.blas); peer worker: $environment"
        if ($warning = Get-PeerBlasWarning) { $lines += "- **$warning**" }
    }
    else {
        $lines += "- Peers: not run — $script:PeerProblem"
    }
    return $lines
}

function Get-TreeDescription {
    $commit = git -C $Root rev-parse --short HEAD 2>$null
    if ($LASTEXITCODE -ne 0) { return 'not a git checkout' }
    $branch = git -C $Root rev-parse --abbrev-ref HEAD 2>$null
    $changed = @(git -C $Root status --porcelain -- . ':!BENCHMARKS.md' 2>$null)
    $dirty = if ($changed.Count) { ' plus uncommitted changes' } else { '' }
    return "$branch at $commit$dirty"
}

function ConvertTo-MarkdownTable {
    param([object[]]$Objects)
    $names = $Objects[0].PSObject.Properties.Name
    $escape = { param($value) "$value" -replace '\|', '\|' }
    "| $($names -join ' | ') |"
    "|$(($names | ForEach-Object { '---' }) -join '|')|"
    foreach ($object in $Objects) { "| $(($names | ForEach-Object { & $escape $object.$_ }) -join ' | ') |" }
}

# Other processes may use this much of the machine (cores, averaged over a row) before the report calls it busy.
$BusyOtherCores = 0.25

function Get-LoadWarning {
    <#
    A warning when processes other than the benchmark kept a share of the cores busy during some row (their CPU time,
    not the load average, which counts the benchmark's own threads too), else nothing.
    #>
    param([object[]]$Results)
    $busiest = @($Results | Where-Object { $null -ne $_.OtherCores } | Sort-Object { $_.OtherCores } -Descending | Select-Object -First 1)
    if ($busiest.Count -and $busiest[0].OtherCores -gt $BusyOtherCores) {
        Format-Number 'The machine was busy: other processes used {0:F2} of the {1} cores on average during "{2}" (the most of any row), so times are inflated and ratios noisier than usual (per row below).' $busiest[0].OtherCores ([Environment]::ProcessorCount) $busiest[0].Title
    }
}

function Write-Report {
    param([object[]]$Summaries, [object[]]$Results, [string]$Command, [string]$Started)
    $repetitions = foreach ($result in $Results | Where-Object { $_.Ours.Count -or $_.Peer.Count -or $_.Cmdlet.Count }) {
        [pscustomobject][ordered]@{
            Workload      = $result.Title
            'Ours (s)'    = ($result.Ours | ForEach-Object { Format-Number '{0:F3}' $_.seconds }) -join ', '
            'Ours CPU (s)' = ($result.Ours | ForEach-Object { if ($_['cpuSeconds']) { Format-Number '{0:F3}' $_.cpuSeconds } else { '—' } }) -join ', '
            'Cmdlet (s)'  = ($result.Cmdlet | ForEach-Object { Format-Number '{0:F3}' $_.seconds }) -join ', '
            'Cmdlet CPU (s)' = ($result.Cmdlet | ForEach-Object { if ($_['cpuSeconds']) { Format-Number '{0:F3}' $_.cpuSeconds } else { '—' } }) -join ', '
            'Peer (s)'    = ($result.Peer | ForEach-Object { Format-Number '{0:F3}' $_.seconds }) -join ', '
            'Other processes (cores)' = if ($null -ne $result.OtherCores) { Format-Number '{0:F2}' $result.OtherCores } else { '—' }
            'Load at start' = $result.Load
        }
    }
    $kind = if ($Quick) { 'a **quick smoke run** (small sizes, 1–2 repetitions: not representative)' } else { 'the benchmark' }
    $text = @(
        '# Benchmarks'
        ''
        "SpatialSim against its Python peers, side by side: $kind, generated by ``bench/Invoke-Benchmark.ps1``; do not edit by hand."
        ''
        "Reproduce with: ``$Command``"
        ''
        "Measured $Started on $(Get-TreeDescription)."
        ''
        '## Results'
        ''
        ConvertTo-MarkdownTable $Summaries
        ''
        if ($busy = Get-LoadWarning $Results) { "**$busy**"; '' }
        '- **Every side is timed in-process**: ours (*Ours*, the core) in a persistent .NET worker calling SpatialSim.TorchCore (`bench/SpatialSim.Bench`), the peers in a persistent Python worker (`bench/peers/peer.py`). Process start-up, input generation and loading are outside the timed region, except in the module start-up row, which times a fresh `pwsh` from `Import-Module` to the first score.'
        '- **Cmdlets as users run them** (*Cmdlet*, for the rows that have one): a fresh `pwsh` per row with the module imported (`bench/CmdletWorker.ps1`) imports the inputs with `Import-GeneRaster` (not timed), then times the command given in the row''s notes, its output collected into a variable as a user''s session keeps it. *Cmdlet/core* is the ratio of the two medians (the cmdlet''s overhead over the core call: conversions, defaults chosen from the data, output objects); *Peer/cmdlet* compares the cmdlet with the peer. The cmdlet''s output is checked against the peer''s (or the core''s where there is no peer).'
        '- **Identical inputs**: deterministic synthetic data (sparse counts or smooth maps from shared spatial programs; float32 `.npy`, a GEM text file for the import), written once per row by our worker and loaded by both sides.'
        '- **Interleaved**: each repetition runs ours, then the cmdlet (where the row has one), then the peer; times are medians over the repetitions (*Reps*, per side; fewer than planned when the row''s time budget ran out). *Peer/ours* is the ratio of the medians: above 1, SpatialSim is faster. Goals on ratios use these; rows without a peer have absolute goals.'
        '- **Peak memory**: the peak resident set (VmHWM) of the worker process (or the cmdlet''s `pwsh`) during one run, reset through `/proc/self/clear_refs` just before it: managed and native memory alike, loaded inputs included; the maximum over repetitions. Freed tensors of 8 MB and more are kept for reuse for up to 60 s (`LargeBufferPool`): within a row a repetition reuses what the one before freed, as a user''s next command would; between rows our worker returns them (`LargeBufferPool.Trim()`), so a row''s peak does not hold an earlier row''s blocks (the cmdlet side is a fresh `pwsh` per row). Module start-up: the fresh `pwsh` process''s peak.'
        '- **Threads**: SpatialSim uses every core; scipy.ndimage and skimage run on one; numpy''s matrix products on the BLAS below.'
        '- *Notes* compare the outputs of the sides (the peer is the reference) or give the peer''s accuracy.'
        ''
        '## Machine'
        ''
        Get-MachineDescription
        ''
        '## Every repetition'
        ''
        'Seconds, in run order; *Ours CPU*: the CPU time our worker used during each run, all threads together (on a busy machine the wall time also counts waiting for a core; a run that keeps both cores busy uses about twice its wall time); *Other processes (cores)*: the CPU time that processes other than the benchmark (this script, its workers and the fresh `pwsh` of the module start-up row) used during the row, from `/proc/stat` less the benchmark''s own, per second of the row: 1.00 = one core kept busy; *Load at start*: the 1-minute load average when the row started, the benchmark''s own threads included.'
        ''
    )
    if ($repetitions) { $text += ConvertTo-MarkdownTable @($repetitions) } else { $text += 'None ran.' }
    New-Item -ItemType Directory -Force -Path (Split-Path $OutFile) | Out-Null
    Set-Content -LiteralPath $OutFile -Value $text -Encoding utf8NoBOM
}

#endregion

$switches = @(if ($Quick) { '-Quick' }; if ($Full) { '-Full' }; if ($RowId) { "-Row $($RowId -join ',')" }) -join ' '
$command = "dotnet tool restore && dotnet pwsh ./build.ps1 Bench $switches".TrimEnd()
$started = [datetime]::UtcNow.ToString('yyyy-MM-dd HH:mm \U\T\C', $Invariant)
$table = Import-PowerShellDataFile (Join-Path $PSScriptRoot 'Workloads.psd1')
$rows = @($table.Rows | Where-Object { -not $Quick -or $_.ContainsKey('Quick') })
if ($RowId) {
    $unknown = @($RowId | Where-Object { $pattern = $_; -not @($table.Rows | Where-Object { $_.Id -like $pattern }).Count })
    if ($unknown.Count) { Stop-Usage "No row of bench/Workloads.psd1 has the id '$($unknown -join "', '")'; the ids are: $(($table.Rows | ForEach-Object { $_.Id }) -join ', ')." }
    $rows = @($rows | Where-Object { $id = $_.Id; @($RowId | Where-Object { $id -like $_ }).Count })
    if (-not $rows.Count) { Stop-Usage "The rows $($RowId -join ', ') have no -Quick variant; run them without -Quick." }
}
$script:Ours = $null
$script:Peer = $null
$script:Cmdlet = $null
$script:PeerProblem = $null
$script:LoadAtStart = Get-LoadAverage

try {
    [void](Get-OursWorker)
    if ($null -eq (Get-PeerWorker)) { Write-Warning "Peers not run, our side runs alone: $script:PeerProblem" }
    elseif ($blasWarning = Get-PeerBlasWarning) { Write-Warning $blasWarning }
    elseif ($script:Peer.Info.missing.Count) {
        $packages = $script:Peer.Info.missing.Values | ForEach-Object { $_ } | Sort-Object -Unique
        Write-Warning "Some peers cannot run; install them: apt-get install $($packages -join ' ')"
    }
    $results = foreach ($row in $rows) { Invoke-Row $row }
    $summaries = @($results | ForEach-Object { Get-RowSummary $_ })
    $summaries | Format-Table Workload, Ours, Cmdlet, Peer, 'Peer/ours', 'Peer/cmdlet', 'Cmdlet/core', 'Our peak', Goal, 'Goal met?', Reps -AutoSize | Out-String -Width 1000 | Write-Host
    if ($busy = Get-LoadWarning $results) { Write-Warning $busy }
    Write-Report -Summaries $summaries -Results $results -Command $command -Started $started
    Write-Host "Written: $OutFile"
}
finally {
    Stop-Worker $script:Ours
    Stop-Worker $script:Cmdlet
    Stop-Worker $script:Peer
}
$invalid = @($results | Where-Object { $_['Invalid'] })
foreach ($result in $invalid) { Write-Warning "$($result.Title): INVALID OUTPUT: $($result.Invalid)" }
if ($invalid.Count -or @($results | Where-Object { $_.Error }).Count) { exit 1 }
