@{
    Synopsis    = 'Puts the shards of a ranking (Get-RankedPairs -Shard i/n) back together into the ranking one run gives.'
    Description = @'
A large ranking can be split over several processes or machines with Get-RankedPairs -Shard i/n: each shard scores one block of the pairs and outputs its RankedPair objects (with Shard, IndexA, IndexB and GeneCount filled in). Save each shard's output with Export-Clixml (recommended: keeps every property and type) or Export-Csv, then give all of them to Merge-RankedPairs, from the pipeline (Import-Clixml shard*.xml | Merge-RankedPairs) or by file with -Path (Clixml and CSV files are told apart by their content; wildcards allowed).

Merge-RankedPairs checks that the pairs belong to one ranking (same method, parameters, genes in the same order, same shard count n), that no pair comes twice (e.g. a shard imported twice) and that no pair is missing, naming the shards and pairs concerned. It then ranks all pairs again exactly as one run of Get-RankedPairs would — most similar first, NaN last, ties by input order; for a consensus (-Method A,B) each method's ranks and the consensus are recomputed over all pairs from the Scores kept on every pair — and applies -Gene, -MinScore and -Top. The result equals the single run: the same pairs, the same scores and the same order (the scores are the same to the last bit when the shards run with the same number of threads as the single run).

Shards filtered at the source (-Top, -MinScore or -Gene on a single-method shard; recorded in the Filter property) may lack pairs; merging them gives the right global top pairs for the same -Top, -MinScore or -Gene. A shard that gave no pairs at all is then a warning instead of an error.
'@
    Parameters  = @{
        TopPerGene  = 'Keep only the pairs among the k best partners of either of their genes, each once, as Get-RankedPairs -TopPerGene k does; applied before -Gene, -MinScore and -Top. Shards run with -TopPerGene k keep each gene''s best partners within their pairs, and merging them with the same -TopPerGene k gives exactly the single run''s pairs.'
        InputObject = 'RankedPair objects of the shards: as Get-RankedPairs -Shard outputs them, or read back with Import-Clixml or Import-Csv. Usually from the pipeline.'
        Path        = 'Files written from shards by Export-Clixml or Export-Csv (wildcards allowed, e.g. shard*.xml).'
        LiteralPath = 'Files written from shards, taken literally (no wildcard expansion). Aliases PSPath and LP.'
        Top         = 'Output only the first N pairs of the merged ranking.'
        Gene        = 'Output only the pairs that contain this gene, its best partners first (named first).'
        MinScore    = 'Output only the pairs whose Score is at least this value (NaN never passes). -MinScore NaN itself is refused: it would keep nothing.'
    }
    Inputs      = @('SpatialSim.TorchCore.Similarity.RankedPair', 'Deserialized RankedPair objects (Import-Clixml) or CSV rows (Import-Csv) with the same properties')
    Outputs     = @('SpatialSim.TorchCore.Similarity.RankedPair')
    Examples    = @(
        @{
            Title   = 'Three shards saved with Export-Clixml, merged'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$dir = Join-Path ([IO.Path]::GetTempPath()) 'spatialsim-shards'
New-Item -ItemType Directory -Force $dir | Out-Null
foreach ($i in 1..3) {
    Import-GeneRaster $gem -BinSize 5 -MinTotal 100 | Get-RankedPairs -Sigma 2 -Shard "$i/3" | Export-Clixml (Join-Path $dir "shard$i.xml")
}
Merge-RankedPairs -Path (Join-Path $dir 'shard*.xml') -Top 5
'@
            Remarks = 'Each shard would normally run as its own job (see the README for a Slurm job array); the merge gives the same top 5 as Get-RankedPairs -Sigma 2 -Top 5 in one run.'
        }
        @{
            Title   = 'Shards in parallel runspaces, merged from the pipeline'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$manifest = Join-Path (Get-Module SpatialSim).ModuleBase 'SpatialSim.psd1'
1..2 | ForEach-Object -ThrottleLimit 2 -Parallel {
    Import-Module $using:manifest
    Import-GeneRaster $using:gem -BinSize 5 -MinTotal 200 | Get-RankedPairs -Method SmoothedPearson, Spearman -Sigma 2 -Shard "$_/2"
} | Merge-RankedPairs -Top 5
'@
            Remarks = 'Two runspaces each compute half of a consensus ranking; Merge-RankedPairs recomputes the consensus over all pairs. Start-Job, Invoke-Command to remote sessions and batch jobs work the same way (their output comes back deserialized, which Merge-RankedPairs reads too).'
        }
        @{
            Title   = 'A CSV shard and the best partners of one gene'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$csv = Join-Path ([IO.Path]::GetTempPath()) 'spatialsim-all-pairs.csv'
Import-GeneRaster $gem -BinSize 5 -MinTotal 200 | Get-RankedPairs -Method Spearman -Shard 1/1 | Export-Csv $csv
Merge-RankedPairs -Path $csv -Gene Apoe -Top 3
'@
            Remarks = 'One shard holding every pair (1/1), saved as CSV; Merge-RankedPairs converts the text columns back and ranks the partners of Apoe.'
        }
    )
    Links       = @('Get-RankedPairs', 'Export-Clixml', 'Import-Clixml', 'about_SpatialSim')
}
