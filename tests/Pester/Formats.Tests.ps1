# The default views: every output type prints as one compact table (the view's columns, one line per object), and the
# full objects keep every property.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:genes = Import-GeneRaster -Path (New-BlobTable -Path (Join-Path $TestDrive 'blobs.csv'))

    # The header line of the default table of $Objects, as words.
    function Get-DefaultHeader([object[]]$Objects) {
        $lines = ($Objects | Out-String -Width 250) -split '\r?\n' | Where-Object { $_.Trim() }
        , @($lines[0].Trim() -split '\s+')
    }
}

Describe 'Default formatting of <Type>' -ForEach @(
    @{ Type = 'GeneRaster'; Make = { $genes }; Columns = 'Gene', 'Width', 'Height', 'BinSize', 'Total', 'NonZero', 'Max', 'Source' }
    @{ Type = 'PatternSimilarity'; Make = { $genes | Measure-PatternSimilarity -Reference $genes[0] -Sigma 2 }; Columns = 'GeneA', 'GeneB', 'Method', 'Score', 'Parameters' }
    @{ Type = 'RankedPair'; Make = { $genes | Get-RankedPairs -Sigma 2 -WarningAction SilentlyContinue }; Columns = 'Rank', 'GeneA', 'GeneB', 'Score', 'Method', 'Parameters' }
    @{ Type = 'RankedPair with p-values'; Make = { $genes | Get-RankedPairs -Sigma 2 -Permutations 19 -WarningAction SilentlyContinue }; Columns = 'Rank', 'GeneA', 'GeneB', 'Score', 'PValue', 'QValue', 'Method', 'Parameters' }
    @{ Type = 'GeneModule'; Make = { $genes | Get-RankedPairs -Sigma 2 -WarningAction SilentlyContinue | Find-GeneModule -Count 2 -WarningAction SilentlyContinue }; Columns = 'Module', 'Size', 'MeanScore', 'Genes' }
) {
    It 'is a table of the view''s columns, one line per object' {
        $objects = @(& $Make)
        $objects.Count | Should -BeGreaterThan 1
        (Get-DefaultHeader $objects) -join " " | Should -Be ($Columns -join " ")
        $lines = ($objects | Out-String -Width 250) -split '\r?\n' | Where-Object { $_.Trim() }
        $lines.Count | Should -Be ($objects.Count + 2) -Because 'a header, a rule and one line per object'
    }

    It 'keeps the full object behind the view' {
        $first = @(& $Make)[0]
        $shown = @($Columns | Where-Object { $_ -notin 'PValue', 'QValue' })
        $all = $first.PSObject.Properties.Name
        foreach ($c in $shown) { $all | Should -Contain $c }
        $all.Count | Should -BeGreaterThan $shown.Count -Because 'the view shows a selection; Select-Object * shows the rest'
    }
}
