#!/usr/bin/env pwsh
<#
Round trip to Python: files written by SpatialSim's exporters, checked by independent readers, committed as fixtures.

Run after `dotnet pwsh ./build.ps1 Build`, with Debian's Python (apt-get install -y python3-anndata python3-h5py) and
node + npm (npm install --prefix /tmp/spatialsim-npm hyparquet-writer@0.17.0 hyparquet@1.33.0):
    dotnet pwsh tests/reference/make_roundtrip_fixtures.ps1

Writes tests/reference/fixtures/roundtrip/ from 12 genes of the bundled Stereo-seq patch (bin 10, SmoothedPearson σ 2,
99 toroidal-shift permutations):
  pairs.csv                Export-Csv of the 66 pairs (Rank, GeneA, GeneB, Score, PValue, QValue, Method, Parameters), the expected values
  pairs.parquet            Export-RankedPairs; read back by hyparquet (JavaScript) in check_roundtrip.mjs and compared with pairs.csv
                           (Debian 12 has no Python Parquet reader: neither python3-pyarrow nor python3-fastparquet exists)
  matrix.csv               Export-SimilarityMatrix as CSV, the expected matrix
  matrix.h5ad              Export-SimilarityMatrix as AnnData; read by anndata.read_h5ad in check_roundtrip.py and compared with
                           matrix.csv and pairs.csv (X, obs_names, var_names, uns, layers pvalue and qvalue)
  anndata_reference.h5ad   the same AnnData written by anndata itself (write_h5ad), for the layout comparison in the C# tests
  verified.json            what was checked, with the versions of the readers
#>
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
$out = Join-Path $PSScriptRoot 'fixtures/roundtrip'
$npm = if ($env:SPATIALSIM_NPM) { $env:SPATIALSIM_NPM } else { '/tmp/spatialsim-npm' }
New-Item -ItemType Directory -Force $out | Out-Null
Import-Module (Join-Path $root 'out/SpatialSim/SpatialSim.psd1') -Force

$gem = Join-Path $root 'samples/stereoseq_mouse_brain_bin1/SS200000135TL_D1_bin1_small.gem.gz'
$genes = 'Apoe', 'Malat1', 'Gm42418', 'Cst3', 'Plp1', 'Mbp', 'mt-Co1', 'mt-Nd4', 'Tmsb4x', 'Ptgds', 'Cdk8', 'Snap25'
$pairs = Import-GeneRaster $gem -BinSize 10 -Gene $genes | Get-RankedPairs -Method SmoothedPearson -Sigma 2 -Permutations 99 -Seed 7
$pairs | Select-Object Rank, GeneA, GeneB, Score, PValue, QValue, Method, Parameters |
    Export-Csv (Join-Path $out 'pairs.csv') -NoTypeInformation -UseQuotes AsNeeded
$pairs | Export-RankedPairs (Join-Path $out 'pairs.parquet') -Force
$pairs | Export-SimilarityMatrix (Join-Path $out 'matrix.csv') -Force
$pairs | Export-SimilarityMatrix (Join-Path $out 'matrix.h5ad') -Force

& /usr/bin/python3 (Join-Path $PSScriptRoot 'check_roundtrip.py') $out
if ($LASTEXITCODE -ne 0) { throw 'the Python check failed' }
& node (Join-Path $PSScriptRoot 'check_roundtrip.mjs') $out $npm
if ($LASTEXITCODE -ne 0) { throw 'the JavaScript check failed' }
Write-Host "fixtures written and verified in $out"
