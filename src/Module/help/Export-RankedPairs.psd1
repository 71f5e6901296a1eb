@{
    Synopsis    = 'Writes ranked pairs as a Parquet edge list (GeneA, GeneB, Score, PValue, QValue) for pandas, polars, R or DuckDB.'
    Description = @'
Export-RankedPairs collects RankedPair objects (the output of Get-RankedPairs or Merge-RankedPairs) and writes them, in the order they arrive, as one Apache Parquet file: one row per pair.

Columns: Rank (int32), GeneA and GeneB (UTF-8 strings), Score (float64; NaN where the score is undefined), PValue and QValue (float64; null where not computed, i.e. without Get-RankedPairs -Permutations), for a consensus of several measures (-Method A,B) one column per measure (Score_A, Score_B, …), then Method and Parameters (strings). The file's key-value metadata repeats the measure (spatialsim.method) and its parameters (spatialsim.parameters). All pairs must come from one ranking (one measure with one set of parameters).

Read it with pandas.read_parquet (with pyarrow or fastparquet installed), polars.read_parquet, arrow::read_parquet in R, or DuckDB's read_parquet. Row groups of about a million pairs, Snappy-compressed. Pairs are held compactly (about 40 bytes a pair) until the file is written.

The file is written to a temporary file first and renamed into place, so an interrupted export (Ctrl+C) leaves no file. An existing file is never overwritten without -Force.
'@
    Parameters  = @{
        InputObject = 'The ranked pairs, usually from the pipeline (Get-RankedPairs).'
        Path        = 'The output file, ending in .parquet, relative to the current location; taken literally (no wildcards). A path on a drive that is not the file system (Variable:, Env:) is an error.'
        LiteralPath = 'The output file, as -Path (an output path is always taken literally); named as in PowerShell''s own cmdlets, with the aliases PSPath and LP.'
        Force       = 'Overwrite an existing file.'
        PassThru    = 'Output a FileInfo for the file written.'
    }
    Inputs      = @('SpatialSim.TorchCore.Similarity.RankedPair')
    Outputs     = @('None, or System.IO.FileInfo with -PassThru.')
    Examples    = @(
        @{
            Title   = 'Every pair with its permutation p- and q-value, for pandas or polars'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$parquet = Join-Path ([IO.Path]::GetTempPath()) 'pairs.parquet'
Import-GeneRaster $gem -BinSize 10 -MinTotal 300 | Get-RankedPairs -Method SmoothedPearson -Sigma 2 -Permutations 99 |
    Export-RankedPairs -Path $parquet -Force -PassThru
'@
            Remarks = 'In Python: pandas.read_parquet(parquet) or polars.read_parquet(parquet), one row per pair, most similar first.'
        }
        @{
            Title   = 'A consensus of two measures, with each measure''s score in its own column'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$parquet = Join-Path ([IO.Path]::GetTempPath()) 'consensus.parquet'
Import-GeneRaster $gem -BinSize 10 -MinTotal 300 | Get-RankedPairs -Method SmoothedPearson, Spearman -Sigma 2 -Top 100 |
    Export-RankedPairs -Path $parquet -Force -PassThru
'@
            Remarks = 'The 100 best pairs by mean rank; the file has Score (the consensus) and Score_SmoothedPearson, Score_Spearman.'
        }
    )
    Links       = @('Get-RankedPairs', 'Export-SimilarityMatrix', 'Merge-RankedPairs')
}
