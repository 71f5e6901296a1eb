BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:blobs = Import-GeneRaster -Path (New-BlobTable -Path (Join-Path $TestDrive 'blobs.csv'))
    $script:A = $blobs | Where-Object Gene -eq 'A'
}

Describe 'Export-GeneRaster' {
    It 'leaves no file behind when stopped (Ctrl+C) while writing' {
        $dir = Join-Path $TestDrive 'stopped'
        New-Item -ItemType Directory $dir | Out-Null
        $table = New-CountTable -Path (Join-Path $TestDrive 'big.csv') -Rows @(@('G', 0, 0, 1), @('G', 3999, 3999, 2))
        $target = Join-Path $dir 'stack.npy'
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($Module, $Table, $Target)
            Import-Module $Module
            $g = Import-GeneRaster -Path $Table
            1..12 | ForEach-Object { $g } | Export-GeneRaster -Path $Target   # 12 × 64 MB, written in EndProcessing
        }).AddArgument($ModulePath).AddArgument($table.FullName).AddArgument($target)
        $run = $ps.BeginInvoke()
        $deadline = [datetime]::UtcNow.AddSeconds(120)
        while (-not (Get-ChildItem $dir) -and -not $run.IsCompleted -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 5 }
        $ps.Stop()
        $state = $ps.InvocationStateInfo.State
        $ps.Dispose()
        $state | Should -Be 'Stopped' -Because 'the export was still writing when stopped'
        Get-ChildItem $dir | Should -BeNullOrEmpty -Because 'neither the target nor its temporary file may remain'
    }

    It 'round-trips exactly through <Extension>' -TestCases @(@{ Extension = '.npy' }, @{ Extension = '.tif' }, @{ Extension = '.png' }) {
        $path = Join-Path $TestDrive "rt$Extension"
        $file = $A | Invoke-Smoothing -Sigma 0 | Export-GeneRaster -Path $path -PassThru
        $file.FullName | Should -Be $path
        $back = Import-GeneRaster -Path $path -Gene A
        $back.Total | Should -Be $A.Total
        $back.Max | Should -Be $A.Max
        $back.NonZero | Should -Be $A.NonZero
    }

    It 'keeps smoothed (fractional) values exactly in .tif and .npy' {
        $s = $A | Invoke-Smoothing -Sigma 1.3
        $s | Export-GeneRaster -Path (Join-Path $TestDrive 's.tif')
        $s | Export-GeneRaster -Path (Join-Path $TestDrive 's.npy')
        (Import-GeneRaster -Path (Join-Path $TestDrive 's.tif')).Max | Should -Be $s.Max
        (Import-GeneRaster -Path (Join-Path $TestDrive 's.npy')).Max | Should -Be $s.Max
    }

    It 'warns that a 16-bit PNG of fractional values is scaled' {
        $s = $A | Invoke-Smoothing -Sigma 1.3
        $s | Export-GeneRaster -Path (Join-Path $TestDrive 'scaled.png') -WarningVariable w -WarningAction SilentlyContinue
        $w[0] | Should -BeLike '*scaled*'
    }

    It 'refuses to overwrite an existing file unless -Force' {
        $path = Join-Path $TestDrive 'exists.npy'
        Set-Content $path 'keep me'
        $A | Export-GeneRaster -Path $path -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $errs[0].Exception.Message | Should -BeLike '*exists.npy*-Force*'
        Get-Content $path | Should -Be 'keep me'
        $A | Export-GeneRaster -Path $path -Force
        (Import-GeneRaster -Path $path).Total | Should -Be $A.Total
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $TestDrive 'whatif.npy'
        $A | Export-GeneRaster -Path $path -WhatIf
        Test-Path $path | Should -BeFalse
    }

    It 'writes one file per gene with {Gene} in the path' {
        New-Item -ItemType Directory (Join-Path $TestDrive 'each') | Out-Null
        $blobs | Export-GeneRaster -Path (Join-Path $TestDrive 'each/{Gene}.tif')
        (Get-ChildItem (Join-Path $TestDrive 'each')).Name | Sort-Object | Should -Be @('A.tif', 'B.tif', 'C.tif', 'D.tif', 'Z.tif')
    }

    It 'refuses several rasters into one PNG' {
        $blobs | Export-GeneRaster -Path (Join-Path $TestDrive 'many.png') -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].Exception.Message | Should -BeLike '*{Gene}*'
    }

    It 'leaves no temporary file behind' {
        $A | Export-GeneRaster -Path (Join-Path $TestDrive 'clean.tif')
        Get-ChildItem $TestDrive -Filter '*.tmp*' | Should -BeNullOrEmpty
    }
}
