# Get-RankedPairs -Shard i/n and Merge-RankedPairs, as a user splitting one ranking over several jobs would use them.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    # More genes than one Gram block (128), so shards start and end inside blocks.
    $script:many = Import-GeneRaster -Path $SampleGem -BinSize 5 -MinTotal 60 | Select-Object -First 140
    $script:few = $many | Select-Object -First 16

    function script:Show([object[]]$Pairs) {
        # Everything that makes a ranking: rank, the pair, the score to the last bit, each method's score.
        foreach ($p in $Pairs) {
            $scores = if ($p.Scores) { ($p.Scores.Keys | Sort-Object | ForEach-Object { "$_=$($p.Scores[$_].ToString('R'))" }) -join ';' }
            '{0} {1}-{2} {3} {4} {5}' -f $p.Rank, $p.GeneA, $p.GeneB, $p.Score.ToString('R'), $p.Method, $scores
        }
    }
}

Describe 'Get-RankedPairs -Shard' {
    It 'splits the pairs into near-equal blocks that carry their shard and cover every pair once' {
        $pairCount = $few.Count * ($few.Count - 1) / 2
        $parts = 1..3 | ForEach-Object { , @($few | Get-RankedPairs -Method Pearson -Shard "$_/3") }
        ($parts | ForEach-Object { $_.Count } | Measure-Object -Sum).Sum | Should -Be $pairCount
        foreach ($s in 1..3) {
            $parts[$s - 1].Count | Should -BeIn @([math]::Floor($pairCount / 3), [math]::Ceiling($pairCount / 3))
            $parts[$s - 1].Shard | Sort-Object -Unique | Should -Be "$s/3"
            $parts[$s - 1][0].GeneCount | Should -Be $few.Count
        }
        $keys = $parts | ForEach-Object { $_ } | ForEach-Object { "$($_.IndexA)-$($_.IndexB)" }
        ($keys | Sort-Object -Unique).Count | Should -Be $pairCount
        ($few | Get-RankedPairs -Method Pearson)[0].Shard | Should -BeNullOrEmpty
    }

    It 'refuses a shard that is not i/n with 1 <= i <= n, before reading any raster' {
        { $few | Get-RankedPairs -Shard 0/4 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*0/4*count from 1*'
        { $few | Get-RankedPairs -Shard 5/4 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*5/4*between 1 and the shard count 4*'
        { $few | Get-RankedPairs -Shard 'three' -ErrorAction Stop } | Should -Throw -ExpectedMessage '*form i/n*'
    }

    It 'refuses -Top with -Shard and several methods: a consensus needs every pair' {
        { $few | Get-RankedPairs -Method Pearson, Spearman -Shard 1/2 -Top 5 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*consensus*Merge-RankedPairs*'
    }
}

Describe 'Merge-RankedPairs' {
    It 'merges Gram-path shards (SmoothedPearson) saved with Export-Clixml into exactly the single run' {
        $single = $many | Get-RankedPairs -Sigma 2
        foreach ($s in 1..3) { $many | Get-RankedPairs -Sigma 2 -Shard "$s/3" | Export-Clixml (Join-Path $TestDrive "gram$s.xml") }
        $merged = Merge-RankedPairs -Path (Join-Path $TestDrive 'gram*.xml')
        $merged.Count | Should -Be ($many.Count * ($many.Count - 1) / 2)
        Show $merged | Should -Be (Show $single)
        $piped = Get-ChildItem (Join-Path $TestDrive 'gram*.xml') | ForEach-Object { Import-Clixml $_.FullName } | Merge-RankedPairs
        Show $piped | Should -Be (Show $single)
        $merged[0] | Should -BeOfType 'SpatialSim.TorchCore.Similarity.RankedPair'
        $merged[0].Shard | Should -BeNullOrEmpty
    }

    It 'merges pairwise shards (Spearman) saved with Export-Csv into exactly the single run' {
        $single = $few | Get-RankedPairs -Method Spearman
        foreach ($s in 1..3) { $few | Get-RankedPairs -Method Spearman -Shard "$s/3" | Export-Csv (Join-Path $TestDrive "spearman$s.csv") }
        Show (Merge-RankedPairs -Path (Join-Path $TestDrive 'spearman*.csv')) | Should -Be (Show $single)
        Show (Import-Csv (Join-Path $TestDrive 'spearman2.csv'), (Join-Path $TestDrive 'spearman3.csv'), (Join-Path $TestDrive 'spearman1.csv') | Merge-RankedPairs) |
            Should -Be (Show $single)
    }

    It 'merges consensus shards into the single consensus run, each method''s score kept' {
        $single = $few | Get-RankedPairs -Method SmoothedPearson, Spearman -Sigma 2
        $live = 1..2 | ForEach-Object { $few | Get-RankedPairs -Method SmoothedPearson, Spearman -Sigma 2 -Shard "$_/2" }
        Show ($live | Merge-RankedPairs) | Should -Be (Show $single)
        $live | Export-Clixml (Join-Path $TestDrive 'consensus.xml')
        $live | Export-Csv (Join-Path $TestDrive 'consensus.csv')
        Show (Merge-RankedPairs -Path (Join-Path $TestDrive 'consensus.xml')) | Should -Be (Show $single)
        Show (Merge-RankedPairs -Path (Join-Path $TestDrive 'consensus.csv')) | Should -Be (Show $single)
    }

    It 'applies -Top, -Gene and -MinScore as a single run does' {
        $shards = 1..4 | ForEach-Object { $few | Get-RankedPairs -Sigma 2 -Shard "$_/4" }
        $gene = $few[3].Gene
        Show ($shards | Merge-RankedPairs -Gene $gene -Top 5) | Should -Be (Show ($few | Get-RankedPairs -Sigma 2 -Gene $gene -Top 5))
        $cut = ($few | Get-RankedPairs -Sigma 2)[9].Score
        Show ($shards | Merge-RankedPairs -MinScore $cut) | Should -Be (Show ($few | Get-RankedPairs -Sigma 2 -MinScore $cut))
    }

    It 'gives the global top pairs from shards filtered with -Top at the source' {
        $top = 1..3 | ForEach-Object { $few | Get-RankedPairs -Sigma 2 -Shard "$_/3" -Top 7 }
        $top[0].Filter | Should -Be '-Top 7'
        Show ($top | Merge-RankedPairs -Top 7) | Should -Be (Show ($few | Get-RankedPairs -Sigma 2 -Top 7))
    }

    It 'says which shard is missing and which pairs come twice' {
        $one = $few | Get-RankedPairs -Method Pearson -Shard 1/3
        $three = $few | Get-RankedPairs -Method Pearson -Shard 3/3
        { @($one) + @($three) | Merge-RankedPairs -ErrorAction Stop } | Should -Throw -ExpectedMessage '*shard(s) 2/3 gave no pairs*'
        $two = $few | Get-RankedPairs -Method Pearson -Shard 2/3
        { @($one) + @($two) + @($three) + @($two) | Merge-RankedPairs -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*come more than once: $($two[0].GeneA)*shard 2/3*"
        { @($one) + @($two | Select-Object -Skip 1) + @($three) | Merge-RankedPairs -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*shard 2/3 has $($two.Count - 1) of its $($two.Count) pairs (missing $($two[0].GeneA)–$($two[0].GeneB)*"
        $other = $few | Get-RankedPairs -Method Spearman -Shard 2/3
        { @($one) + @($other) + @($three) | Merge-RankedPairs -ErrorAction Stop } | Should -Throw -ExpectedMessage '*differ in method*'
    }

    It 'refuses objects that are not ranked pairs, and files that do not exist' {
        { [pscustomobject]@{ Gene = 'x' } | Merge-RankedPairs -ErrorAction Stop } | Should -Throw -ExpectedMessage '*has no GeneA*'
        { Merge-RankedPairs -Path (Join-Path $TestDrive 'nothing*.xml') -ErrorAction Stop } | Should -Throw -ExpectedMessage '*No file matches*'
    }
}
