@{
    Synopsis    = 'Writes the gene × gene score matrix of a ranking to .csv, .tsv, .npy or AnnData .h5ad.'
    Description = @'
Export-SimilarityMatrix collects RankedPair objects (the output of Get-RankedPairs) and writes the symmetric matrix of their scores, one row and one column per gene, genes in the order they first appear in the pairs.

.csv and .tsv: a header row "Gene", gene names; then one row per gene, its name first and then its scores (invariant culture, full double precision, NaN written as NaN). Import-Csv reads it back with the gene names as column names.

.h5ad (for Python, AnnData): anndata.read_h5ad opens it without help (and so scanpy and squidpy): X is the genes × genes float64 matrix, obs_names and var_names the gene names, uns['method'] and uns['parameters'] the measure. Pairs with permutation p-values (Get-RankedPairs -Permutations) add layers['pvalue'] and layers['qvalue'], NaN where not computed. In Python: a = anndata.read_h5ad('x.h5ad'); a.to_df() is the matrix as a pandas DataFrame with gene names on both axes.

.npy (for Python): a NumPy float64 array of shape (genes, genes), and next to it a gene list "<name>.genes.txt" (UTF-8, one gene per line, matrix order). In Python: m = numpy.load('x.npy'); genes = open('x.genes.txt').read().split('\n')[:-1].

The diagonal is the score of a gene with itself where the measure defines it: 1 for Pearson, SmoothedPearson, Spearman, RoiPearson, Lbp, Ssim, MsSsim, JensenShannon, DenseSift and Keypoints; NaN for the others (LeeL, MoranBV: a gene's self-score depends on the gene) and for a constant gene (all its scores are NaN).

Pairs that were not given (Get-RankedPairs with -Top or -Gene) are NaN; a warning names them. All pairs must come from one measure with one set of parameters.

The file is written to a temporary file first and renamed into place, so an interrupted export (Ctrl+C) leaves no file. An existing file is never overwritten without -Force.
'@
    Parameters  = @{
        InputObject = 'The ranked pairs, usually from the pipeline (Get-RankedPairs).'
        Path        = 'The output file: .csv, .tsv, .npy or .h5ad (AnnData: the scores in X, gene names in obs and var, read by anndata.read_h5ad), relative to the current location; taken literally (no wildcards). For .npy the gene list is written next to it as <name>.genes.txt, and the two files are written as a pair: both are replaced or neither is (a failure leaves the earlier pair as it was).'
        LiteralPath = 'The output file, as -Path (an output path is always taken literally); named as in PowerShell''s own cmdlets, with the aliases PSPath and LP.'
        Force       = 'Overwrite existing files.'
        PassThru    = 'Output a FileInfo for each file written (the matrix, and for .npy also the gene list).'
    }
    Inputs      = @('SpatialSim.TorchCore.Similarity.RankedPair')
    Outputs     = @('None, or System.IO.FileInfo with -PassThru.')
    Examples    = @(
        @{
            Title   = 'A correlation matrix for a spreadsheet'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$csv = Join-Path ([IO.Path]::GetTempPath()) 'pearson_matrix.csv'
Import-GeneRaster $gem -BinSize 5 -MinTotal 200 | Get-RankedPairs -Method SmoothedPearson -Sigma 2 |
    Export-SimilarityMatrix -Path $csv -Force -PassThru
Import-Csv $csv | Select-Object -First 3 Gene, Apoe
'@
            Remarks = 'All pairs of the genes with at least 200 counts, as a matrix with gene names on the rows and the columns; read back with Import-Csv.'
        }
        @{
            Title   = 'A float64 .npy matrix and its gene list for Python'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$npy = Join-Path ([IO.Path]::GetTempPath()) 'pearson_matrix.npy'
Import-GeneRaster $gem -BinSize 5 -MinTotal 200 | Get-RankedPairs -Method Pearson |
    Export-SimilarityMatrix -Path $npy -Force -PassThru
'@
            Remarks = 'Writes pearson_matrix.npy and pearson_matrix.genes.txt. In Python: numpy.load(npy) and the gene names line by line.'
        }
        @{
            Title   = 'An AnnData .h5ad matrix for scanpy'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
$h5ad = Join-Path ([IO.Path]::GetTempPath()) 'pearson_matrix.h5ad'
Import-GeneRaster $gem -BinSize 5 -MinTotal 200 | Get-RankedPairs -Method SmoothedPearson -Sigma 2 |
    Export-SimilarityMatrix -Path $h5ad -Force -PassThru
'@
            Remarks = 'In Python: anndata.read_h5ad(h5ad).to_df() is the score matrix with the gene names on both axes.'
        }
    )
    Links       = @('Get-RankedPairs', 'Export-RankedPairs', 'Find-GeneModule', 'Export-SimilarityHeatmap')
}
