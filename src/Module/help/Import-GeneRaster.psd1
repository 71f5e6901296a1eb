@{
    Synopsis    = 'Reads gene rasters from images, count tables (long or spot × gene), AnnData .h5ad, 10x Genomics Visium / Visium HD output and NumPy .npy files.'
    Description = @'
Import-GeneRaster streams one GeneRaster object per gene: a float32 grid of counts on one canvas, held as a tensor on the chosen device, with the numbers a user checks first (Total, NonZero, Max).

Long tables (CSV or TSV, optionally gzip-compressed) need a header. Recognised columns: gene (geneID, gene, Gene, feature_name, gene_name, geneName, target), coordinates (x, y, x_location, y_location, global_x, global_y …) and count (MIDCount, MIDCounts, UMICount, UMICounts, count, counts). Without a count column every row counts 1, as in per-transcript tables (Xenium, ISS). Stereo-seq GEM files are streamed, never held in memory as text. Genes from tables stay sparse (8 bytes per non-zero pixel); a gene's dense tensor is made only when a measure needs it (see about_SpatialSim, MEMORY), and Get-RankedPairs -Method Pearson or SmoothedPearson never makes it. Coordinates are divided by -PixelSize and floored. One canvas per file spans all genes' bounding box, shifted to 0,0, unless -Region gives it. Rows that repeat a gene at one pixel are summed.

Images: PNG and TIFF, 8- and 16-bit grayscale (pixel values are counts) and 32-bit float TIFF, one gene per file, named after the file or by -Gene. All images of one call must share one size. Colour images are refused unless -Channel picks one channel. A header that claims more than -MaxPixels pixels is refused before anything is decoded.

NumPy .npy: a 2-D array is one gene, a 3-D array (genes, height, width) one gene per plane, named by -Gene or gene_0, gene_1, ….

Spot × gene data (one count per spot and gene; the spots on a lattice):
- Wide tables (CSV or TSV, optionally .gz): spots in rows, genes in columns, a spot id in the first column. Coordinates come from the same table, from a spot table joined on the spot id (-SpotTable), or from ST-pipeline spot ids such as 16.92x9.015. Recognised coordinate columns, in this order: array_col,array_row (lattice indices); x,y; pxl_col_in_fullres,pxl_row_in_fullres; imagecol,imagerow; x_centroid,y_centroid.
- AnnData .h5ad: X (dense, CSR or CSC) or a layer (-Layer counts); positions from obs array_col/array_row, else obsm/spatial (x, y); gene names from the var index or a var column (-GeneColumn). Uncompressed, gzip and lzf datasets (lzf needs the system's liblzf, as h5py does).
- 10x Genomics: filtered_feature_bc_matrix.h5 (with spatial/ beside it), a Space Ranger outs/ folder, or one Visium HD binned_outputs/square_002um|008um|016um folder (outs/ of Visium HD reads square_008um). Positions from spatial/tissue_positions.csv or .parquet (or tissue_positions_list.csv); -PixelSize is the spot pitch (100 µm) or the bin size in µm.
Positions on a lattice map to lattice sites, never by flooring: array indices as they are, float positions by a fitted square or hexagonal lattice (the verbose output says which). A hexagonal lattice (Visium) is drawn in offset rows: pixel x = floor(array_col / 2), y = array_row; alternate rows sit half a spot left of their true place. With -PixelSize, positions are instead binned as a long table's are.
Spot data are normalised per spot by default (-Normalize Total: counts per -TargetSum, 10,000), after -BinSize; each raster keeps its raw count total in RawTotal. Spots (raster pixels) with a raw total under -MinSpotTotal are dropped with a warning naming them; by default, when normalising, those under a tenth of the median spot total. Without normalisation a long table and a spot matrix of the same counts give identical rasters.

Every input is recognised by its content as well as its name (an HDF5 file's groups, a table's header and first row); the verbose output names the format.

-BinSize b sums b×b pixel blocks for every input kind (Stereo-seq "bin b").
'@
    Parameters  = @{
        Path        = 'Files to read. Wildcards are expanded; a pattern that matches nothing is a non-terminating error. Accepts FileInfo objects from Get-ChildItem through the pipeline (FullName).'
        LiteralPath = 'Files to read, taken literally (no wildcard expansion).'
        Gene        = 'Tables: keep only genes whose names match one of these (wildcards allowed, case-insensitive). Images and .npy: the names of the rasters, in file and plane order.'
        BinSize     = 'Sum b×b pixel blocks into one pixel (Stereo-seq "bin b"); partial blocks at the right and bottom edges are kept. Default 1.'
        PixelSize   = 'Tables: coordinate units per pixel; a row lands in pixel floor(coordinate / PixelSize). Use it for micron coordinates (e.g. -PixelSize 2 for 2 µm pixels). Default 1.'
        Region      = 'Tables: the canvas as x0,y0,x1,y1 in pixels (after -PixelSize, before -BinSize), half-open: x0 ≤ x < x1, y0 ≤ y < y1. Rows outside are dropped and counted in the verbose output.'
        MinTotal    = 'Tables and spot data: drop genes with fewer (raw) counts than this inside the canvas. Default 0.'
        SpotTable   = 'Wide spot × gene tables: a CSV/TSV (optionally .gz) of spot positions, joined to the matrix on the spot id (the column holding the most of the matrix''s ids); rows with in_tissue 0 are left out. Header-less 10x tissue_positions_list.csv is understood.'
        Layer       = 'AnnData .h5ad: read this layer (layers/NAME, e.g. counts) instead of X.'
        GeneColumn  = 'AnnData .h5ad: the var column holding the gene names (default: the var index, var/_index). 10x .h5: name (default) or id.'
        Normalize   = 'Spot data: None (raw counts), Total (counts per -TargetSum in each spot; the default) or LogTotal (ln(1 + Total)). Done per raster pixel after -BinSize, before any comparison. Long tables, images and .npy are not normalised.'
        TargetSum   = 'Spot data: the total each spot is scaled to by -Normalize Total and LogTotal. Default 10,000 (counts per 10k, as Seurat and scanpy users know them).'
        MinSpotTotal = 'Spot data: drop spots (raster pixels after -BinSize) whose raw total over every gene of the file is below this; a warning names them. Default: a tenth of the median spot total when normalising, 0 without normalisation.'
        Channel     = 'Images: the colour channel (R, G, B or A) to read from a colour image. Without it colour images are refused.'
        MaxPixels   = 'Refuse a raster or table canvas with more pixels than this, before allocating it. Default 150 million (10000×10000 with margin).'
        Device      = 'Where the rasters live and are computed on: Cpu (default), Cuda (the first GPU) or Cuda:N. Tab completion offers the devices this machine has (Get-SpatialSimDevice lists them); asking for Cuda where there is none is an error.'
    }
    Inputs      = @('System.String: paths (files, or a 10x output folder).', 'System.IO.FileInfo: files from Get-ChildItem, bound by FullName.')
    Outputs     = @('SpatialSim.TorchCore.GeneRaster: one per gene.')
    Notes       = 'Errors name the file and the part of it: for tables the line and column, for HDF5 files the group or dataset. Input files are never modified.'
    Examples    = @(
        @{
            Title   = 'Import a Stereo-seq GEM file at bin 10'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
Import-GeneRaster -Path $gem -BinSize 10 -MinTotal 200 | Sort-Object Total -Descending | Select-Object -First 5
'@
            Remarks = 'Reads the bundled Stereo-seq patch, sums 10×10 DNB blocks (5 µm pixels), keeps genes with at least 200 UMIs and shows the five most expressed.'
        }
        @{
            Title   = 'Import only some genes, by wildcard'
            Code    = @'
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
Import-GeneRaster $gem -Gene 'mt-*', Apoe -BinSize 5
'@
            Remarks = 'Mitochondrial genes and Apoe only, at bin 5.'
        }
        @{
            Title   = 'Import a Visium Space Ranger folder and a Visium HD bin folder'
            Code    = @'
$spots = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/synthetic_spots'
Import-GeneRaster (Join-Path $spots 'visium/outs') -Gene 'L1*' | Select-Object -First 3
Import-GeneRaster (Join-Path $spots 'visium_hd/binned_outputs/square_008um') -BinSize 2 -Normalize LogTotal | Select-Object -First 3
'@
            Remarks = 'Reads the bundled synthetic Visium section (hexagonal lattice in offset rows, 100 µm pixels, counts per 10,000 per spot) and the Visium HD 8 µm bins summed 2×2 (16 µm pixels, log-normalised). -Verbose says which lattice and pixel size were used.'
        }
        @{
            Title   = 'Import a wide spot × gene CSV with its spot table'
            Code    = @'
$st = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/synthetic_spots/st'
Import-GeneRaster (Join-Path $st 'counts.csv') -SpotTable (Join-Path $st 'spots.csv') -MinSpotTotal 100 | Select-Object -First 3
'@
            Remarks = 'Joins the matrix to its spot table on the spot id, maps the spots to their array positions, drops spots with under 100 counts (naming them) and normalises the rest to counts per 10,000.'
        }
        @{
            Title   = 'Import a folder of images'
            Code    = @'
$dir = Join-Path ([IO.Path]::GetTempPath()) 'spatialsim-example-images'
New-Item -ItemType Directory -Force $dir | Out-Null
$gem = Join-Path (Get-Module SpatialSim).ModuleBase 'samples/SS200000135TL_D1_bin1_small.gem.gz'
Import-GeneRaster $gem -Gene Apoe, Malat1 -BinSize 5 | Export-GeneRaster -Path (Join-Path $dir '{Gene}.png') -Force
Get-ChildItem $dir -Filter *.png | Import-GeneRaster
'@
            Remarks = 'Writes two genes as 16-bit PNG files, then reads every PNG of the folder back through the pipeline; each raster is named after its file.'
        }
    )
    Links       = @('Export-GeneRaster', 'Get-RankedPairs', 'about_SpatialSim')
}
