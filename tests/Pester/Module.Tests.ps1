BeforeAll { . (Join-Path $PSScriptRoot 'TestHelpers.ps1') }

Describe 'The SpatialSim module' {
    It 'imports in a fresh pwsh with no environment set-up and computes with torch' {
        $pwsh = Join-Path $PSHOME 'pwsh.dll'
        $exe = (Get-Process -Id $PID).Path
        $script = "Import-Module '$ModulePath'; (Get-SpatialSimDevice).TorchVersion"
        $env:LD_LIBRARY_PATH = $null
        $out = if (Test-Path $pwsh) { & $exe $pwsh -NoProfile -NonInteractive -Command $script } else { & $exe -NoProfile -NonInteractive -Command $script }
        $LASTEXITCODE | Should -Be 0
        ($out | Select-Object -Last 1) | Should -Match '^2\.10'
    }

    It 'says why libtorch cannot load under a virtual-memory limit (ulimit -v), instead of a broken type' -Skip:(-not $IsLinux -or -not (Get-Command bash -ErrorAction Ignore)) {
        # 4 GiB lets pwsh start but not libtorch reserve its address space: the first command that needs libtorch must end in
        # one clear ResourceUnavailable error that names the limit and the fix, and the session goes on.
        $pwsh = Join-Path $PSHOME 'pwsh.dll'
        $exe = (Get-Process -Id $PID).Path
        $script = "Import-Module '$ModulePath'; `$r = Import-GeneRaster -LiteralPath '$SampleGem' -Gene Apoe -BinSize 20 -ErrorAction SilentlyContinue; " +
                  "if (`$r) { 'loaded' } else { `$e = `$Error[0]; `$e.CategoryInfo.Category; `$e.Exception.Message }; 'session goes on'"
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
        $launch = if (Test-Path $pwsh) { "'$exe' '$pwsh'" } else { "'$exe'" }
        $env:POWERSHELL_TELEMETRY_OPTOUT = '1'
        $out = bash -c "ulimit -v 4194304; DOTNET_GCHeapHardLimit=0x40000000 $launch -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1"
        $text = $out -join "`n"
        if ($text -notmatch 'session goes on') { Set-ItResult -Skipped -Because "pwsh itself cannot start under ulimit -v 4 GiB here: $($text.Substring(0, [math]::Min(200, $text.Length)))"; return }
        if ($out -contains 'loaded') { return }   # this system's libtorch fits in 4 GiB: nothing to report
        $text | Should -Match 'ResourceUnavailable'
        $text | Should -Match 'ulimit -v'
        $text | Should -Not -Match 'TypeInitializationException|type initializer'
    }

    It 'exports the documented cmdlets' {
        $names = (Get-Command -Module SpatialSim).Name
        foreach ($c in 'Import-GeneRaster', 'Export-GeneRaster', 'Invoke-Smoothing', 'Measure-PatternSimilarity', 'Get-RankedPairs', 'Merge-RankedPairs', 'Get-SpatialSimDevice', 'Get-TissueMask') {
            $names | Should -Contain $c
        }
    }

    It 'stages only this platform''s native libraries' {
        # libtorch's Windows and macOS builds (torch_cpu.dll, c10.dll, *.dylib) must not be staged on Linux.
        Get-ChildItem $ModulePath -Recurse -File | Where-Object { $_.Name -cmatch '^(torch|torch_cpu|torch_global_deps|c10|LibTorchSharp|libiomp5md|uv)\.dll$' -or $_.Extension -eq '.dylib' } |
            Should -BeNullOrEmpty
        Get-ChildItem $ModulePath -File -Filter 'libtorch_cpu.so' | Should -Not -BeNullOrEmpty
        Get-ChildItem $ModulePath -Filter 'runtimes' -Directory | Should -BeNullOrEmpty
    }
}

Describe 'Get-SpatialSimDevice' {
    It 'reports the torch version, the CPU device and the threads in use' {
        $d = Get-SpatialSimDevice
        $d.TorchVersion | Should -Match '^2\.10'
        $d.Devices | Should -Contain 'Cpu'
        $d.TorchThreads | Should -BeGreaterThan 0
    }

    It 'says what runs where: our CPU kernels, libtorch BLAS and FFT, CUDA branches not run here, Sinkhorn CPU only' {
        $paths = (Get-SpatialSimDevice).ComputePaths
        ($paths | Where-Object Work -like 'Gaussian blur*').Cpu | Should -BeLike '*own vectorised*'
        ($paths | Where-Object Work -like 'Gram products*').Cpu | Should -BeLike '*BLAS*'
        ($paths | Where-Object Work -like 'Shift test*').Cpu | Should -BeLike '*FFT*'
        ($paths | Where-Object Work -eq 'Sinkhorn').Cuda | Should -BeLike 'CPU only*'
        ($paths | Where-Object Work -like 'SSIM*').Cuda | Should -BeLike '*never on a GPU here*'
    }

    It 'gives a clear terminating error when CUDA is asked for where there is none' {
        if ((Get-SpatialSimDevice).CudaAvailable) { Set-ItResult -Skipped -Because 'this machine has CUDA'; return }
        $gem = $SampleGem
        { Import-GeneRaster -Path $gem -Device Cuda -ErrorAction Stop } | Should -Throw -ExpectedMessage '*CUDA*no CUDA device*-Device Cpu*'
    }

    It 'turns running out of memory (libtorch or .NET) into a LimitsExceeded error that says what to do' {
        # libtorch's own allocator failing: a 4 TB tensor.
        $torchError = try { [TorchSharp.torch]::zeros([long[]](1000000, 1000000)) | Out-Null; $null } catch { $_.Exception.GetBaseException() }
        $torchError | Should -Not -BeNullOrEmpty -Because 'a 4 TB allocation cannot succeed here'
        foreach ($e in $torchError, [OutOfMemoryException]::new(), [Runtime.InteropServices.ExternalException]::new('CUDA out of memory. Tried to allocate 2.00 GiB')) {
            $friendly = [SpatialSim.Cmdlets.SpatialSimCmdlet]::ForPeople($e)
            $friendly.Kind | Should -Be 'LimitExceeded'
            $friendly.Message | Should -BeLike '*Ran out of*memory*-BinSize*'
            $friendly.InnerException | Should -Be $e
        }
        ([SpatialSim.Cmdlets.SpatialSimCmdlet]::ForPeople([Runtime.InteropServices.ExternalException]::new('CUDA out of memory'))).Message | Should -BeLike '*GPU memory*-Device Cpu*'
        $other = [InvalidOperationException]::new('something else')
        [SpatialSim.Cmdlets.SpatialSimCmdlet]::ForPeople($other) | Should -Be $other
    }
}

Describe 'The libLibTorchSharp.so repair' {
    BeforeAll {
        Import-Module (Join-Path $RepoRoot 'build/ElfVersionNeed.psm1') -Force
        $script:staged = Join-Path $ModulePath 'libLibTorchSharp.so'
        $script:systemHas32 = Test-SystemLibraryVersion -Library 'libstdc++.so.6' -Version 'GLIBCXX_3.4.32'
    }

    It 'marks GLIBCXX_3.4.32 weak in the staged copy exactly when the system libstdc++ lacks it' {
        $need = Read-ElfVersionNeed -Path $staged | Where-Object Version -eq 'GLIBCXX_3.4.32'
        $need | Should -Not -BeNullOrEmpty
        $weak = ($need.Flags -band 2) -ne 0
        $weak | Should -Be (-not $systemHas32)
        (Read-ElfVersionNeed -Path $staged | Where-Object { $_.Version -ne 'GLIBCXX_3.4.32' -and ($_.Flags -band 2) }) | Should -BeNullOrEmpty
    }

    It 'patches only the version asked for, on a copy, and is idempotent' {
        $copy = Join-Path $TestDrive 'lib.so'
        Copy-Item $staged $copy
        $before = Read-ElfVersionNeed -Path $copy
        Set-ElfVersionNeedWeak -Path $copy -Version 'GLIBCXX_3.4.30' | Should -BeTrue
        Set-ElfVersionNeedWeak -Path $copy -Version 'GLIBCXX_3.4.30' | Should -BeFalse
        $after = Read-ElfVersionNeed -Path $copy
        for ($i = 0; $i -lt $before.Count; $i++) {
            $expected = if ($before[$i].Version -eq 'GLIBCXX_3.4.30') { $before[$i].Flags -bor 2 } else { $before[$i].Flags }
            $after[$i].Flags | Should -Be $expected
        }
        (Get-Item $copy).Length | Should -Be (Get-Item $staged).Length
    }

    It 'refuses a file that is not ELF' {
        $f = Join-Path $TestDrive 'not.so'; Set-Content $f 'hello, not an ELF file at all, really not one of those'
        { Read-ElfVersionNeed -Path $f } | Should -Throw -ExpectedMessage '*not an ELF*'
    }
}
