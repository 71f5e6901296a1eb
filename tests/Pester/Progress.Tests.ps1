BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:blobTable = (New-BlobTable -Path (Join-Path $TestDrive 'blobs.csv')).FullName

    # Runs $Script in a fresh runspace with the module and returns its progress records.
    function Get-ProgressRecord([string]$Script) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$ModulePath'; `$table = '$blobTable'; $Script")
            $null = $ps.Invoke()
            $ps.Streams.Error | Should -BeNullOrEmpty
            @($ps.Streams.Progress)
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Write-Progress on long steps' {
    It '<Name> reports progress and completes it' -TestCases @(
        @{ Name = 'Import-GeneRaster'; Script = 'Import-GeneRaster $table | Out-Null' }
        @{ Name = 'Invoke-Smoothing'; Script = 'Import-GeneRaster $table | Invoke-Smoothing -Sigma 1 | Out-Null' }
        @{ Name = 'Measure-PatternSimilarity'; Script = '$g = Import-GeneRaster $table; $g | Measure-PatternSimilarity -Reference $g[0] | Out-Null' }
        @{ Name = 'Get-RankedPairs'; Script = 'Import-GeneRaster $table | Get-RankedPairs -Method Spearman | Out-Null' }
    ) {
        $records = Get-ProgressRecord $Script
        $own = @($records | Where-Object { $_.Activity -notlike 'Reading*' -or $Name -eq 'Import-GeneRaster' })
        $own.Count | Should -BeGreaterOrEqual 2 -Because 'at least one update and the completion'
        $own[-1].RecordType | Should -Be 'Completed'
        $own[0].Activity | Should -Not -BeNullOrEmpty
    }
}
