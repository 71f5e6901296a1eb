@{
    RootModule           = 'SpatialSim.Cmdlets.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f3c55-3f2e-4c1c-9a4e-7c2f6a1d8e41'
    Author               = 'SpatialSim developers'
    CompanyName          = 'SpatialSim'
    Copyright            = '(c) SpatialSim developers. MIT licence.'
    Description          = 'Ranks every pair of genes by how alike their spatial expression patterns are (spatial transcriptomics rasters), on a TorchSharp tensor core.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('SpatialSim.format.ps1xml')
    CmdletsToExport      = @(
        'Import-GeneRaster', 'Export-GeneRaster', 'Invoke-Smoothing', 'Measure-PatternSimilarity',
        'Get-RankedPairs', 'Merge-RankedPairs', 'Get-SpatialSimDevice', 'Get-TissueMask',
        'Export-SimilarityMatrix', 'Export-RankedPairs', 'Find-GeneModule', 'Export-SimilarityHeatmap', 'Export-PatternImage',
        'Measure-SpatialAutocorrelation'
)
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('spatial-transcriptomics', 'similarity', 'TorchSharp', 'Stereo-seq')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
