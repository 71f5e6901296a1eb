using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;

namespace SpatialSim.Cmdlets;

/// <summary>Colour channel of an RGB(A) image to read as counts.</summary>
public enum ImageChannel { R = 0, G = 1, B = 2, A = 3 }

/// <summary>
/// Reads gene rasters from images (PNG, TIFF), long count tables (CSV, TSV, Stereo-seq GEM, optionally .gz; Parquet
/// such as Xenium transcripts.parquet), Stereo-seq GEF and NumPy .npy files; streams one GeneRaster per gene.
/// </summary>
[Cmdlet(VerbsData.Import, "GeneRaster", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GeneRaster))]
public sealed class ImportGeneRasterCommand : SpatialSimCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private ComputeDevice _device = ComputeDevice.Cpu;
    private (int Width, int Height, string File)? _imageCanvas;
    private int _nextGeneName;

    /// <summary>Files to read; wildcards are expanded. As in Import-Csv, files piped from Get-ChildItem bind to -LiteralPath (PSPath).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Files to read, taken literally ('gene[1].tif' is that file, not a pattern); bound from the PSPath of piped files.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>Tables: keep only these genes (wildcards allowed). Images and .npy: the gene names, in file / plane order.</summary>
    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(GeneNameCompleter))]
    public string[]? Gene { get; set; }

    /// <summary>Sum b×b pixel blocks (Stereo-seq "bin b").</summary>
    [Parameter]
    [ValidateRange(1, 100000)]
    public int BinSize { get; set; } = 1;

    /// <summary>Tables: coordinate units per pixel; pixel = floor(coordinate / PixelSize).</summary>
    [Parameter]
    [ValidateRange(1e-9, 1e9)]
    public double PixelSize { get; set; } = 1.0;

    /// <summary>Tables: the canvas x0,y0,x1,y1 in pixels (half-open: x0 ≤ x &lt; x1). Rows outside are dropped.</summary>
    [Parameter]
    [ValidateCount(4, 4)]
    public int[]? Region { get; set; }

    /// <summary>Tables: drop genes with fewer counts than this in the canvas.</summary>
    [Parameter]
    [ValidateRange(0.0, double.MaxValue)]
    public double MinTotal { get; set; }

    /// <summary>Tables with a qv column (Xenium): drop rows whose decoding quality is below this. 0 keeps every row.</summary>
    [Parameter]
    [ValidateRange(0.0, double.MaxValue)]
    public double MinQuality { get; set; } = new TableReadOptions().MinQuality;

    /// <summary>Tables: keep the rows of control codewords (NegControl*, BLANK*, Unassigned*, DeprecatedCodeword*, NegPrb*, FalseCode*).</summary>
    [Parameter]
    public SwitchParameter IncludeControls { get; set; }

    /// <summary>Images: the colour channel to read from a colour image.</summary>
    [Parameter]
    public ImageChannel? Channel { get; set; }

    /// <summary>Refuse rasters (or table canvases) with more pixels than this, before allocating them.</summary>
    [Parameter]
    [ValidateRange(1L, long.MaxValue)]
    public long MaxPixels { get; set; } = 150_000_000;

    [Parameter]
    [ArgumentCompleter(typeof(DeviceCompleter))]
    [ValidateNotNullOrEmpty]
    public string Device { get; set; } = "Cpu";

    protected override void BeginProcessing()
    {
        if (Region is { } r && (r[2] <= r[0] || r[3] <= r[1]))
            ThrowFailure(new SpatialSimException(ErrorKind.InvalidArgument,
                $"-Region {string.Join(",", r)} is empty: give x0,y0,x1,y1 with x0 < x1 and y0 < y1 (pixels, x1 and y1 excluded)."), Region, "InvalidRegion");
        try { _device = ComputeDevice.Resolve(Device); }
        catch (Exception e) { ThrowFailure(e, Device, "DeviceUnavailable"); }
    }

    protected override void ProcessRecord()
    {
        foreach (var file in ResolveFiles())
        {
            try
            {
                StopToken.ThrowIfCancellationRequested();
                ImportFile(file);
            }
            catch (OperationCanceledException) { throw new PipelineStoppedException(); }
            catch (PipelineStoppedException) { throw; }
            catch (UnauthorizedAccessException e)
            {
                WriteFailure(new UnauthorizedAccessException($"Could not read '{file}': permission denied ({e.Message}). Check the file's permissions.", e), file, "ImportFailed");
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
            {
                WriteFailure(new IOException($"Could not read '{file}': {e.Message.Trim()}. Check that the file is readable (a disk, network or device error?).", e), file, "ImportFailed");
            }
            catch (Exception e) { WriteFailure(e, file, "ImportFailed"); }
        }
    }

    private IEnumerable<string> ResolveFiles()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        foreach (var p in literal ? LiteralPath : Path)
        {
            var found = new List<string>();
            try
            {
                if (literal || !WildcardPattern.ContainsWildcardCharacters(p))
                {
                    string full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(p, out var provider, out _);
                    RequireFileSystem(p, provider);
                    if (Directory.Exists(full))
                        throw new SpatialSimException(ErrorKind.InvalidArgument,
                            $"'{full}' is a directory; give the files in it, e.g. Get-ChildItem '{full}' -File | Import-GeneRaster.") { FilePath = full };
                    if (!File.Exists(full))
                        throw new SpatialSimException(ErrorKind.NotFound, $"File '{full}' does not exist.") { FilePath = full };
                    found.Add(full);
                }
                else
                {
                    var matches = GetResolvedProviderPathFromPSPath(p, out var provider);
                    RequireFileSystem(p, provider);
                    foreach (var match in matches)
                        if (File.Exists(match)) found.Add(match);
                    if (found.Count == 0)
                        throw new SpatialSimException(ErrorKind.NotFound, $"No file matches '{p}'.") { FilePath = p };
                }
            }
            catch (System.Management.Automation.DriveNotFoundException e)
            {
                WriteFailure(new SpatialSimException(ErrorKind.NotFound, $"Cannot read '{p}': {e.Message.TrimEnd('.')}.", e) { FilePath = p }, p, "PathNotFound");
                continue;
            }
            catch (ItemNotFoundException)
            {
                WriteFailure(new SpatialSimException(ErrorKind.NotFound, $"No file matches '{p}'.") { FilePath = p }, p, "PathNotFound");
                continue;
            }
            catch (SpatialSimException e)
            {
                WriteFailure(e, p, "PathNotFound");
                continue;
            }
            foreach (var f in found) yield return f;
        }
    }

    /// <summary>A path on another provider's drive (Variable:, Env:…) would be read from the process's working directory: refused.</summary>
    private static void RequireFileSystem(string path, ProviderInfo provider)
    {
        if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"Cannot read '{path}': it is on the {provider.Name} drive, not in the file system. Give a file path.") { FilePath = path };
    }

    private void ImportFile(string file)
    {
        var format = InputFormats.Detect(file);
        switch (format)
        {
            case InputFormat.Image: ImportImage(file); break;
            case InputFormat.Npy: ImportNpy(file); break;
            case InputFormat.Table:
            case InputFormat.Parquet:
            case InputFormat.Gef: ImportTable(file, format); break;
        }
    }

    private string? NextName()
    {
        if (Gene is null || Gene.Length == 0) return null;
        if (_nextGeneName >= Gene.Length)
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"More rasters than names: -Gene gives {Gene.Length} name(s) but a further raster arrived. Give one name per image file / .npy plane, or omit -Gene.");
        return Gene[_nextGeneName++];
    }

    private void ImportImage(string file)
    {
        WriteVerbose($"Reading image '{file}'.");
        var plane = ImageRasterReader.Read(file, new ImageReadOptions { Channel = (int?)Channel, MaxPixels = MaxPixels, Gene = NextName() }, out var warnings);
        foreach (var w in warnings) WriteWarning(w);
        if (_imageCanvas is { } canvas && (canvas.Width != plane.Width || canvas.Height != plane.Height))
            throw new SpatialSimException(ErrorKind.Mismatch,
                $"Image '{file}' is {plane.Width}×{plane.Height} pixels but '{canvas.File}' is {canvas.Width}×{canvas.Height}: " +
                "all images of one import must share one size (one canvas). Import it separately, or resample it first.") { FilePath = file };
        _imageCanvas ??= (plane.Width, plane.Height, file);
        Emit(plane);
    }

    private void ImportNpy(string file)
    {
        WriteVerbose($"Reading NumPy array '{file}'.");
        string[]? names = Gene is { Length: > 0 } ? Gene.Skip(_nextGeneName).ToArray() : null;
        int count = 0;
        foreach (var plane in NpyFormat.ReadPlanes(file, names, MaxPixels))
        {
            StopToken.ThrowIfCancellationRequested();
            count++;
            Emit(plane);
        }
        if (names is not null) _nextGeneName += count;
    }

    private void ImportTable(string file, InputFormat format)
    {
        var filters = Gene is { Length: > 0 } ? Gene.Select(GenePattern).ToArray() : null;
        var options = new TableReadOptions
        {
            PixelSize = PixelSize,
            Region = Region is { } r ? (r[0], r[1], r[2], r[3]) : null,
            GeneFilter = filters is null ? null : name => filters.Any(f => f.IsMatch(name)),
            MinTotal = MinTotal,
            BinSize = BinSize,
            MaxPixels = MaxPixels,
            MinQuality = MinQuality,
            IncludeControls = IncludeControls.IsPresent,
        };
        var progress = new ProgressReporter(this, 1, $"Reading {System.IO.Path.GetFileName(file)}");
        var report = new InlineProgress<TableReadProgress>(p => progress.Report(p.TotalBytes > 0 ? (double)p.BytesRead / p.TotalBytes : 0,
            $"{p.BytesRead / 1048576.0:F0} of {p.TotalBytes / 1048576.0:F0} MB"));
        var table = format switch
        {
            InputFormat.Parquet => TranscriptParquetReader.Read(file, options, report, StopToken),
            InputFormat.Gef => GefReader.Read(file, options, report, StopToken),
            _ => CountTableReader.Read(file, options, report, StopToken),
        };
        progress.Complete();
        string source = format == InputFormat.Gef ? $"GEF level {table.Columns.All[0]}, " : "";
        WriteVerbose($"'{file}': {source}{table.RowsRead} rows, {table.Genes.Count} genes kept, canvas {table.Width}×{table.Height} pixels at bin {BinSize} " +
                     $"(origin {table.OriginX},{table.OriginY}); {table.RowsOutsideRegion} rows outside -Region dropped; {table.DuplicateRowsSummed} duplicate rows summed.");
        if (table.Columns.All.Contains("qv", StringComparer.OrdinalIgnoreCase) || table.RowsOfControls > 0 || table.RowsBelowQuality > 0)
            WriteVerbose($"'{file}': {table.RowsBelowQuality} rows below quality (qv) {MinQuality} dropped (-MinQuality); {table.RowsOfControls} rows of " +
                         $"{table.ControlCodewords.Count} control codewords dropped{(table.ControlCodewords.Count > 0 ? $" ({string.Join(", ", table.ControlCodewords.Take(5))}{(table.ControlCodewords.Count > 5 ? ", …" : "")})" : "")} (-IncludeControls keeps them).");
        if (table.Genes.Count == 0)
            WriteWarning($"No gene of '{file}' passed the filters (-Gene, -MinTotal {MinTotal}).");
        foreach (var gene in table.Genes)
        {
            StopToken.ThrowIfCancellationRequested();
            // The reader bins coordinates itself; the pixels are already at BinSize. Kept sparse: the dense
            // tensor is made only when a measure needs it (see GeneRaster, README "Memory").
            WriteObject(GeneRaster.FromSparse(gene, table.ToSparse(gene), BinSize, table.Source, table.PixelSize, _device));
        }
    }

    /// <summary>A -Gene pattern for tables; an invalid pattern ('[') is an InvalidArgument error that says how to escape it.</summary>
    private static WildcardPattern GenePattern(string gene)
    {
        var pattern = new WildcardPattern(gene ?? "", WildcardOptions.IgnoreCase);
        try { pattern.IsMatch(""); } // the pattern is parsed on first use
        catch (WildcardPatternException e)
        {
            throw new SpatialSimException(ErrorKind.InvalidArgument,
                $"-Gene '{gene}' is not a valid wildcard pattern ({e.Message.Trim().TrimEnd('.')}); for tables -Gene takes patterns. " +
                "Escape a literal [ or ] with a backtick ('`[') or write it as [[] and []].", e);
        }
        return pattern;
    }

    private void Emit(RasterPlane plane)
    {
        if (Region is { } r) plane = RasterRegion.Crop(plane, (r[0], r[1], r[2], r[3])); // as for tables: the canvas is the region
        var binned = RasterBinning.SumBlocks(plane, BinSize);
        WriteObject(GeneRaster.FromPlane(binned, BinSize, _device));
    }
}
