# Shared by the Pester suites: dot-source in BeforeAll.
$script:ModulePath = $env:SPATIALSIM_MODULE_PATH
if (-not $script:ModulePath) { $script:ModulePath = Join-Path $PSScriptRoot '../../out/SpatialSim' }
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
$script:SampleGem = Join-Path $script:RepoRoot 'samples/stereoseq_mouse_brain_bin1/SS200000135TL_D1_bin1_small.gem.gz'
Import-Module $script:ModulePath -Force

function New-CountTable {
    <# Writes a long count table. $Rows: array of @(gene, x, y, count). #>
    param([string]$Path, [object[]]$Rows, [string]$Delimiter = ',', [string[]]$Header = @('geneID', 'x', 'y', 'MIDCount'))
    $lines = @($Header -join $Delimiter) + @($Rows | ForEach-Object { ($_ | ForEach-Object { "$_" }) -join $Delimiter })
    Set-Content -LiteralPath $Path -Value $lines -Encoding utf8NoBOM
    Get-Item -LiteralPath $Path
}

function New-BlobTable {
    <#
    A table with genes on one 40×30 canvas: A and B share a blob (B half as strong), C is A's blob shifted,
    D sits elsewhere; corners fix the canvas to 40×30.
    #>
    param([string]$Path)
    $rows = [System.Collections.Generic.List[object]]::new()
    foreach ($dx in -3..3) { foreach ($dy in -3..3) {
        $w = [math]::Max(0, 4 - [math]::Abs($dx) - [math]::Abs($dy))
        if ($w -gt 0) {
            $rows.Add(@('A', (10 + $dx), (10 + $dy), (2 * $w)))
            $rows.Add(@('B', (10 + $dx), (10 + $dy), $w))
            $rows.Add(@('C', (14 + $dx), (12 + $dy), (2 * $w)))
            $rows.Add(@('D', (30 + $dx), (22 + $dy), $w))
        }
    } }
    $rows.Add(@('Z', 0, 0, 1)); $rows.Add(@('Z', 39, 29, 1))
    New-CountTable -Path $Path -Rows $rows
}

# A 4×3 RGB PNG: pixel (0,0) = (10,20,30), pixel (3,2) = (200,100,50), rest black.
$script:RgbPngBase64 = 'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEklEQVR4nGPgEpFjIABOpBgBAAwRAZsu3PqrAAAAAElFTkSuQmCC'

function New-MultiBlobTable {
    <#
    A 256×224 canvas large enough for every measure (MS-SSIM's 5 scales, keypoint detection): A has three blobs,
    B is exactly A at half strength, C is A shifted by (6, 4) pixels, D has three blobs elsewhere, Z only fixes the
    canvas corners.
    #>
    param([string]$Path)
    $rows = [System.Collections.Generic.List[object]]::new()
    $centresA = @(@(50, 60), @(140, 120), @(200, 50))
    $centresD = @(@(90, 180), @(210, 170), @(30, 150))
    foreach ($dx in -12..12) { foreach ($dy in -12..12) {
        $w = [math]::Round(8 * [math]::Exp(-($dx * $dx + $dy * $dy) / (2 * 5.0 * 5.0)))
        if ($w -le 0) { continue }
        foreach ($c in $centresA) {
            $rows.Add(@('A', ($c[0] + $dx), ($c[1] + $dy), (2 * $w)))
            $rows.Add(@('B', ($c[0] + $dx), ($c[1] + $dy), $w))
            $rows.Add(@('C', ($c[0] + 6 + $dx), ($c[1] + 4 + $dy), (2 * $w)))
        }
        foreach ($c in $centresD) { $rows.Add(@('D', ($c[0] + $dx), ($c[1] + $dy), (2 * $w))) }
    } }
    $rows.Add(@('Z', 0, 0, 1)); $rows.Add(@('Z', 255, 223, 1))
    New-CountTable -Path $Path -Rows $rows
}
