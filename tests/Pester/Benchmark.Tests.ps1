# The benchmark harness from its user's side (bench/Invoke-Benchmark.ps1): what it reports with and without the Python
# peers, and how it refuses a row that does not exist. It checks the harness, never how fast anything is: speed goals
# live in the benchmark itself. build.ps1 Test builds our worker and passes it in SPATIALSIM_BENCH_WORKER.
BeforeDiscovery {
    $script:haveWorker = [bool]$env:SPATIALSIM_BENCH_WORKER -and (Test-Path -LiteralPath "$env:SPATIALSIM_BENCH_WORKER")
    $script:haveModule = Test-Path -LiteralPath (Join-Path $PSScriptRoot '../../out/SpatialSim/SpatialSim.psd1')
    $script:havePeers = $false
    if (Test-Path -LiteralPath '/usr/bin/python3') {
        & /usr/bin/python3 -c 'import scipy.ndimage' 2>$null
        $script:havePeers = $LASTEXITCODE -eq 0
    }
}

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $script:Harness = Join-Path $RepoRoot 'bench/Invoke-Benchmark.ps1'
    $script:ModulePath = Join-Path $RepoRoot 'out/SpatialSim'

    function Invoke-Harness {
        <# Runs the harness in a fresh pwsh; returns its exit code, its output (both streams) and the report's text. #>
        param([string[]]$Arguments, [string]$Report)
        $pwsh = @((Get-Process -Id $PID).Path)
        if (Test-Path (Join-Path $PSHOME 'pwsh.dll')) { $pwsh += Join-Path $PSHOME 'pwsh.dll' }
        $output = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $Harness `
            -WorkerPath $env:SPATIALSIM_BENCH_WORKER -OutFile $Report @Arguments 2>&1 | Out-String
        [pscustomobject]@{
            ExitCode = $LASTEXITCODE
            Output   = $output
            Report   = if (Test-Path -LiteralPath $Report) { Get-Content -Raw -LiteralPath $Report } else { '' }
        }
    }

    function Get-ResultLine([string]$Report, [string]$Title) {
        # The row's line in the Results table (the first table of the report).
        @($Report -split "`n" | Where-Object { $_.StartsWith("| $Title |") })[0]
    }

    function Get-Cells([string]$Report, [string]$Title, [int]$Table = 0) {
        # The row's cells in a table of the report (0: Results, 1: Every repetition), by column name.
        $lines = @($Report -split "`n" | ForEach-Object TrimEnd)
        $headers = @($lines | Where-Object { $_ -match '^\| Workload \|' })
        $header = $headers[$Table].Trim('|').Split('|') | ForEach-Object Trim
        $start = [array]::IndexOf($lines, $headers[$Table])
        $line = @($lines | Select-Object -Skip $start | Where-Object { $_.StartsWith("| $Title |") })[0]
        if (-not $line) { return $null }
        # Cells are split at the pipes the report does not escape ('\|' is a pipe inside a cell).
        $cells = [regex]::Split($line.Substring(1, $line.Length - 2), '(?<!\\)\|') | ForEach-Object { $_.Trim().Replace('\|', '|') }
        $row = @{}
        for ($i = 0; $i -lt $header.Count; $i++) { $row[$header[$i]] = $cells[$i] }
        $row
    }
}

Describe 'build.ps1 Bench without the Python peers' -Skip:(-not $haveWorker) {
    BeforeAll {
        $script:run = Invoke-Harness -Report (Join-Path $TestDrive 'alone.md') -Arguments @(
            '-Quick', '-Row', 'blur-4,sinkhorn-256', '-Python', (Join-Path $TestDrive 'no/python3'))
    }

    It 'runs our side alone, exits 0 and says how to install the peers' {
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match 'Peers not run, our side runs alone'
        $run.Output | Should -Match 'apt-get install python3-scipy python3-skimage python3-pot'
        $run.Report | Should -Match '- Peers: not run — no Python at .*apt-get install python3-scipy python3-skimage python3-pot'
    }

    It 'gives our time, no peer number, and leaves a ratio goal undecided' {
        $cells = Get-Cells $run.Report 'Gaussian blur 1,024², σ=4, float32'
        $cells | Should -Not -BeNullOrEmpty -Because $run.Report
        $cells.Ours | Should -Match '^\d+(\.\d+)? (ms|s)$'
        $cells.Peer | Should -Be 'not run: no Python peers'
        $cells.'Peer/ours' | Should -Be '—' -Because 'no ratio is made up without a peer'
        $cells.Goal | Should -BeLike '≥ 8× peer, *'
        $cells.'Goal met?' | Should -Be '—' -Because 'a ratio goal is neither met nor missed without the peer'
    }

    It 'still judges a row with an absolute goal' {
        $cells = Get-Cells $run.Report 'Sinkhorn W2 between two 64² maps, default ε'
        $cells.Goal | Should -Be '≤ 0.5 s'
        $cells.'Goal met?' | Should -BeIn 'yes', 'NOT MET'
        $cells.Cmdlet | Should -Be '—' -Because 'the row has no cmdlet entry'
        $cells.Notes | Should -Match 'ours at ε 1 px², \d+ iterations'
    }

    It 'states how both sides are timed, the machine and the command that reproduces the run' {
        $run.Report | Should -Match '\*\*Every side is timed in-process\*\*'
        $run.Report | Should -Match '- CPU: .*logical cores'
        $run.Report | Should -Match 'Reproduce with: `dotnet tool restore && dotnet pwsh ./build.ps1 Bench'
    }
}

Describe 'build.ps1 Bench with the Python peers' -Skip:(-not ($haveWorker -and $havePeers)) {
    It 'times the peer on the same input and reports the ratio and the outputs'' agreement' {
        $run = Invoke-Harness -Report (Join-Path $TestDrive 'peers.md') -Arguments @('-Quick', '-Row', 'blur-4')
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $cells = Get-Cells $run.Report 'Gaussian blur 1,024², σ=4, float32'
        $cells.Peer | Should -Match '^\d+(\.\d+)? (ms|s)$'
        $cells.'Peer/ours' | Should -Match '^\d+(\.\d+)?×$'
        $cells.'Goal met?' | Should -BeIn 'yes', 'NOT MET'
        $cells.'Peer runs' | Should -Be 'scipy.ndimage.gaussian_filter'
        $cells.Notes | Should -Match 'max rel\. difference at 32 probe pixels'
        $run.Report | Should -Match '- Peers: Python 3\.'
    }
}

Describe 'build.ps1 Bench on a busy machine' -Skip:(-not $haveWorker) {
    It 'tells the CPU other processes used from its own, and says the machine was busy' {
        # A busy loop keeps one core: the report must see about a core of other work, not the benchmark's own threads.
        $start = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
        foreach ($argument in '-c', 'while :; do :; done') { $start.ArgumentList.Add($argument) }
        $spinner = [System.Diagnostics.Process]::Start($start)
        try {
            Start-Sleep -Milliseconds 300
            $spinner.HasExited | Should -BeFalse -Because 'the busy loop must still run'
            $run = Invoke-Harness -Report (Join-Path $TestDrive 'busy.md') -Arguments @(
                '-Quick', '-Row', 'blur-4', '-Python', (Join-Path $TestDrive 'no/python3'))
        }
        finally { Stop-Process -Id $spinner.Id -Force -ErrorAction SilentlyContinue }
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $cells = Get-Cells $run.Report 'Gaussian blur 1,024², σ=4, float32' -Table 1
        [double]$cells.'Other processes (cores)' | Should -BeGreaterThan 0.5 -Because "the spinning shell used about one core ($($cells | Out-String))"
        $run.Report | Should -Match '\*\*The machine was busy: other processes used \d\.\d\d of the \d+ cores on average during "Gaussian blur'
    }
}

Describe 'build.ps1 Bench through the cmdlets' -Skip:(-not ($haveWorker -and $haveModule)) {
    BeforeAll {
        $script:run = Invoke-Harness -Report (Join-Path $TestDrive 'cmdlets.md') -Arguments @(
            '-Quick', '-Row', 'blur-4,gem', '-ModulePath', $ModulePath, '-Python', (Join-Path $TestDrive 'no/python3'))
    }

    It 'times the cmdlet in a fresh pwsh beside the core and reports their ratio' {
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $cells = Get-Cells $run.Report 'Gaussian blur 1,024², σ=4, float32'
        $cells.Cmdlet | Should -Match '^\d+(\.\d+)? (ms|s)$'
        $cells.'Cmdlet/core' | Should -Match '^\d+(\.\d+)?×$'
        $cells.'Cmdlet peak' | Should -Match '^\d+\.\d\d GB$'
        $cells.Goal | Should -Match 'cmdlet ≤ 1\.3× core'
        $cells.Notes | Should -Match 'cmdlet: `\$image \| Invoke-Smoothing -Sigma \$Params\.sigma`'
        $cells.Notes | Should -Match 'cmdlet against the core: max rel\. difference at 32 probe pixels'
        (Get-Cells $run.Report 'Gaussian blur 1,024², σ=4, float32' -Table 1).'Cmdlet (s)' | Should -Match '^\d+\.\d{3}$'
    }

    It 'checks the cmdlet''s output against the core''s: the same genes and canvas from the GEM' {
        $cells = Get-Cells $run.Report 'GEM import, 100,000 rows'
        $cells.Cmdlet | Should -Match '^\d+(\.\d+)? (ms|s) \(\d+ MB/s\)$'
        $cells.Notes | Should -Not -Match 'INVALID OUTPUT'
        $cells.Notes | Should -Match 'cmdlet against the core: [\d,]+ genes, canvas'
    }
}

Describe 'build.ps1 Bench -Row' -Skip:(-not $haveWorker) {
    It 'refuses an unknown row, naming the rows there are' {
        $run = Invoke-Harness -Report (Join-Path $TestDrive 'none.md') -Arguments @('-Quick', '-Row', 'no-such-row')
        $run.ExitCode | Should -Be 2
        $run.Output.Trim() | Should -BeLike "Invoke-Benchmark: No row of bench/Workloads.psd1 has the id 'no-such-row'; the ids are: blur-4, blur-32, *, module-start."
        $run.Report | Should -BeNullOrEmpty
    }
}
