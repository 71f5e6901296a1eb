@{
    Synopsis    = 'Reads gene rasters from images, long count tables (CSV, TSV, Stereo-seq GEM, Parquet such as Xenium transcripts.parquet), spot × gene tables, AnnData .h5ad, 10x Genomics Visium / Visium HD output, Stereo-seq GEF and NumPy .npy files.'
    Description = @'
Import-GeneRaster streams one GeneRaster object per gene: a float32 grid of counts on one canvas, held as a tensor on the chosen device, with the numbers a user checks first (Total, NonZero, Max).

Long tables (CSV or TSV, optionally gzip-compressed) need a header. Recognised columns: gene (geneID, gene, Gene, feature_name, gene_name, geneName, target), coordinates (x, y, x_location, y_location, global_x, global_y …) and count (MIDCount, MIDCounts, UMICount, UMICounts, count, counts). Without a count column every row counts 1, as in per-transcript tables (Xenium, ISS). Stereo-seq GEM files are streamed, never held in memory as text; rows that repeat a pixel are summed while the file streams, so memory holds the distinct gene pixels (at most max(32M rows, 2 × distinct), 12 bytes each). A table with more than 200 million distinct gene pixels, or gzip text expanding more than 100 times its compressed size (checked past 64 MiB of text: a decompression bomb), is refused with a LimitsExceeded error naming the file and the limit. Genes from tables stay sparse (8 bytes per non-zero pixel); a gene's dense tensor is made only when a measure needs it (see about_SpatialSim, MEMORY), and Get-RankedPairs -Method Pearson or SmoothedPearson never makes it. Coordinates are divided by -PixelSize and floored. One canvas per file spans all genes' bounding box, shifted to 0,0, unless -Region gives it. Rows that repeat a gene at one pixel are summed. Transcript tables of imaging platforms are read as they come: Xenium transcripts.csv(.gz) (feature_name, x_location, y_location in µm; rows with qv below -MinQuality, default 20, dropped), MERSCOPE detected_transcripts.csv (gene, global_x, global_y in µm) and CosMx *_tx_file.csv (target, x_global_px, y_global_px in pixels); control codewords are dropped unless -IncludeControls.

Parquet tables (any file starting with the Parquet magic bytes, e.g. Xenium transcripts.parquet with feature_name, x_location, y_location in µm and qv) are read with the same column names and rules as text tables, row group by row group. Rows whose quality column (qv) is below -MinQuality (default 20, Xenium's own threshold) are dropped before anything else; control codewords (NegControlProbe_*, NegControlCodeword_*, BLANK_*, UnassignedCodeword_*, DeprecatedCodeword_*, MERSCOPE Blank-*, CosMx NegPrb*/FalseCode*) are dropped unless -IncludeControls; as in text tables, rows dropped by either filter do not shape the canvas (genes left out by -Gene do). Xenium coordinates are µm: -PixelSize 1 gives 1 µm pixels.

Stereo-seq GEF (.gef, .bgef; the HDF5 "bin GEF" of SAW and geftools): /geneExp/bin1/expression and /geneExp/bin1/gene give exactly what the same data gives as a GEM table, gene names from geneID (or gene). When -BinSize matches a stored level (/geneExp/bin50, bin100, …; PixelSize 1, no -Region or one on multiples of the bin size) that level is read instead, which is much faster on a whole chip; when its bins are the ones the GEM would give (a stored level bins on multiples of the bin size, as SAW does; a GEM bins from the data's smallest x and y, so the level is used when that smallest x and y are multiples of the bin size, or a -Region on the grid sets the canvas); otherwise bin1 is read and binned. Either way the rasters are exactly the GEM's. -Verbose says which level was read.

Images: PNG and TIFF, 8- and 16-bit grayscale (pixel values are counts) and 32-bit float TIFF, one gene per file, named after the file or by -Gene. All images of one call must share one size. Colour images are refused unless -Channel picks one channel. A header that claims more than -MaxPixels pixels is refused before anything is decoded.

NumPy .npy: a 2-D array is one gene, a 3-D array (genes, height, width) one gene per plane, named by -Gene or gene_0, gene_1, ….

Spot × gene data (one count per spot and gene; the spots on a lattice):
- Wide tables (CSV or TSV, optionally .gz): spots in rows, genes in columns, a spot id in the first column. Coordinates come from the same table, from a spot table joined on the spot id (-SpotTable), or from ST-pipeline spot ids such as 16.92x9.015. Recognised coordinate columns, in this order: array_col,array_row (lattice indices); x,y; pxl_col_in_fullres,pxl_row_in_fullres; imagecol,imagerow; x_centroid,y_centroid.
- AnnData .h5ad: X (dense, CSR or CSC) or a layer (-Layer counts); positions from obs array_col/array_row, else obsm/spatial (x, y); gene names from the var index or a var column (-GeneColumn). Uncompressed, gzip and lzf datasets (h5py's LZF, decoded in managed code).
- 10x Genomics: filtered_feature_bc_matrix.h5 (with spatial/ beside it), a Space Ranger outs/ folder, or one Visium HD binned_outputs/square_002um|008um|016um folder (outs/ of Visium HD reads square_008um). Positions from spatial/tissue_positions.csv or .parquet (or tissue_positions_list.csv); -PixelSize is the spot pitch (100 µm) or the bin size in µm.
Positions on a lattice map to lattice sites, never by flooring: array indices as they are, float positions by a fitted square or hexagonal lattice (the verbose output says which). A hexagonal lattice (Visium) is drawn in offset rows: pixel x = floor(array_col / 2), y = array_row; alternate rows sit half a spot left of their true place. With -PixelSize, positions are instead binned as a long table's are.
Spot data are normalised per spot by default (-Normalize Total: counts per -TargetSum, 10,000), after -BinSize; each raster keeps its raw count total in RawTotal. Spots (raster pixels) with a raw total under -MinSpotTotal are dropped with a warning naming them; by default, when normalising, those under a tenth of the median spot total. Without normalisation a long table and a spot matrix of the same counts give identical rasters.

Every input is recognised by its content as well as its name (an HDF5 file's groups, a table's header and first row); the verbose output names the format.

-BinSize b sums b×b pixel blocks for every input kind (Stereo-seq "bin b").
'@
    Parameters  = @{
        Path        = 'Files to read. Wildcards are expanded; a pattern that matches nothing is a non-terminating error. Strings from the pipeline bind here.'
        LiteralPath = 'Files to read, taken literally (no wildcard expansion: gene[1].tif is that file). Aliases PSPath and LP; files piped from Get-ChildItem bind here by their PSPath, as with Import-Csv, so bracketed file names work.'
        Gene        = 'Tables: keep only genes whose names match one of these (wildcards allowed, case-insensitive; an invalid pattern such as ''['' is an InvalidArgument error: escape brackets with a backtick, ''`[''). Images and .npy: the names of the rasters, in file and plane order.'
        BinSize     = 'Sum b×b pixel blocks into one pixel (Stereo-seq "bin b"); partial blocks at the right and bottom edges are kept. Default 1.'
        PixelSize   = 'Tables: coordinate units per pixel; a row lands in pixel floor(coordinate / PixelSize). Use it for micron coordinates (e.g. -PixelSize 2 for 2 µm pixels). Default 1.'
        Region      = 'The canvas as x0,y0,x1,y1 in pixels (tables: after -PixelSize; all inputs: before -BinSize), half-open: x0 ≤ x < x1, y0 ≤ y < y1. Table rows outside are dropped and counted in the verbose output; images and .npy planes are cropped to it (parts outside the image are 0; a region missing the image is an error).'
        MinTotal    = 'Tables and spot data: drop genes with fewer (raw) counts than this inside the canvas. Default 0.'
        MinQuality  = 'Tables with a qv column (Xenium transcripts): drop rows whose Phred-scaled decoding quality is below this, as 10x does for its own cell × gene matrix. Default 20 (at most 1 % wrong calls); 0 keeps every row. Tables without a qv column (MERSCOPE, CosMx, GEM) are not affected. -Verbose says how many rows were dropped.'
        IncludeControls = 'Tables: keep the rows of control codewords (Xenium NegControlProbe_*, NegControlCodeword_*, BLANK_*, UnassignedCodeword_*, DeprecatedCodeword_*; MERSCOPE Blank-*; CosMx NegPrb*, FalseCode*). By default they are dropped (they carry no expression pattern) and -Verbose says how many rows of which codewords.'
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
    Inputs      = @('System.String: paths (-Path): files, or a 10x output folder.', 'System.IO.FileInfo: files from Get-ChildItem, bound to -LiteralPath by PSPath.')
    Outputs     = @('SpatialSim.TorchCore.GeneRaster: one per gene.')
    Notes       = 'Errors name the file and the part of it: the line and column of a text table, the row, row group and column of a Parquet file, the group or dataset (and row) of an HDF5 file (AnnData, 10x, GEF). Input files are never modified.'
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
