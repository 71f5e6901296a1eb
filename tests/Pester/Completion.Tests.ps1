BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    function Get-Completion([string]$Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches
    }
    $script:blobTable = New-BlobTable -Path (Join-Path $TestDrive 'blobs.csv')
}

Describe 'Tab completion' {
    It 'completes -Method with the measure names' {
        (Get-Completion 'Get-RankedPairs -Method Smoo').CompletionText | Should -Contain 'SmoothedPearson'
        (Get-Completion 'Measure-PatternSimilarity -Method Le').CompletionText | Should -Be 'LeeL'
    }

    It 'completes -Gene of Import-GeneRaster with the genes of the table given' {
        $found = Get-Completion "Import-GeneRaster -Path '$($blobTable.FullName)' -Gene "
        $found.CompletionText | Should -Be @('A', 'B', 'C', 'D', 'Z') -Because 'Z marks the canvas corners'
        (Get-Completion "Import-GeneRaster '$SampleGem' -Gene Apo").CompletionText | Should -Contain 'Apoe'
    }

    It 'completes -Gene of Get-RankedPairs with the genes of the rasters at hand' {
        $global:SpatialSimCompletionRasters = Import-GeneRaster -Path $blobTable -Gene A, C
        try {
            (Get-Completion 'Get-RankedPairs -InputObject $SpatialSimCompletionRasters -Gene ').CompletionText | Should -Be @('A', 'C')
            (Get-Completion '$SpatialSimCompletionRasters | Get-RankedPairs -Gene ').CompletionText | Should -Be @('A', 'C')
        }
        finally { Remove-Variable SpatialSimCompletionRasters -Scope Global }
        (Get-Completion "Import-GeneRaster '$($blobTable.FullName)' -BinSize 2 | Get-RankedPairs -Gene D").CompletionText | Should -Be 'D'
    }

    It 'quotes gene names that the shell would split' {
        $t = New-CountTable -Path (Join-Path $TestDrive 'odd.csv') -Rows @(@('"Gene one"', 0, 0, 1), @('Actb', 1, 1, 1))
        (Get-Completion "Import-GeneRaster '$($t.FullName)' -Gene Gene").CompletionText | Should -Be "'Gene one'"
    }

    It 'offers nothing, and no error, for a file that is not a table' {
        Get-Completion "Import-GeneRaster '$(Join-Path $TestDrive 'missing.gem')' -Gene " | Should -BeNullOrEmpty
    }

    It 'completes -Device with the devices this machine has' {
        $devices = (Get-Completion 'Import-GeneRaster x.gem -Device ').CompletionText
        $devices | Should -Contain 'Cpu'
        ($devices -contains 'Cuda') | Should -Be (Get-SpatialSimDevice).CudaAvailable
    }

    It 'refuses a device name it does not know, listing the valid forms' {
        { Import-GeneRaster -Path $blobTable -Device Tpu -ErrorAction Stop } | Should -Throw -ExpectedMessage "*'Tpu' is not a device name*Cpu*Cuda:N*"
    }
}
