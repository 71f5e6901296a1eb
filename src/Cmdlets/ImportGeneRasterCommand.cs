using System.Management.Automation;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Ranking;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.IO.Formats;
using SpatialSim.TorchCore.IO.Spots;

namespace SpatialSim.Cmdlets;

/// <summary>Colour channel of an RGB(A) image to read as counts.</summary>
public enum ImageChannel { R = 0, G = 1, B = 2, A = 3 }

/// <summary>
/// Reads gene rasters from every input format of <see cref="InputFormatRegistry"/> — images (PNG, TIFF), long count
/// tables (CSV, TSV, Stereo-seq GEM, optionally .gz; Parquet such as Xenium transcripts.parquet), Stereo-seq GEF, NumPy
/// .npy files, wide spot × gene tables, AnnData .h5ad and 10x Genomics .h5 files and output folders — recognised by name
/// and content; streams one GeneRaster per gene.
/// </summary>
[Cmdlet(VerbsData.Import, "GeneRaster", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GeneRaster))]
public sealed class ImportGeneRasterCommand : SpatialSimCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private ComputeDevice _device = ComputeDevice.Cpu;
    private ImportContext? _context;

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

    /// <summary>Spot × gene tables: a table of spot positions joined on the spot id (barcode).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SpotTable { get; set; }

    /// <summary>AnnData .h5ad: the layer to read instead of X (e.g. counts).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Layer { get; set; }

    /// <summary>AnnData .h5ad: the var column with the gene names (default: the var index); 10x .h5: name (default) or id.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? GeneColumn { get; set; }

    /// <summary>Spot data: per-spot normalisation before comparison (default Total: counts per -TargetSum).</summary>
    [Parameter]
    public SpotNormalization? Normalize { get; set; }

    /// <summary>Spot data: the total each spot is scaled to by -Normalize Total and LogTotal.</summary>
    [Parameter]
    [ValidateRange(1e-9, 1e12)]
    public double TargetSum { get; set; } = SpotReadOptions.DefaultTargetSum;

    /// <summary>Spot data: drop spots (raster pixels) with a smaller raw total; default a tenth of the median when normalising.</summary>
    [Parameter]
    [ValidateRange(0.0, double.MaxValue)]
    public double MinSpotTotal { get; set; }

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
        if (SpotTable is not null) SpotTable = GetUnresolvedProviderPathFromPSPath(SpotTable);
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
                    // A folder is an input only as a 10x output folder; the registry says so for any other folder.
                    if (!File.Exists(full) && !Directory.Exists(full))
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
        using var probe = new InputProbe(file) { ExpectSpotMatrix = SpotTable is not null };
        var format = InputFormatRegistry.Detect(probe);
        WriteVerbose($"'{file}': {format.Name}.");
        var progress = new ProgressReporter(this, 1, $"Reading {System.IO.Path.GetFileName(file)}");
        _context ??= new ImportContext(Gene, WriteVerbose, WriteWarning, null, StopToken);
        var context = new ImportContext(_context, (fraction, status) => progress.Report(fraction, status));
        foreach (var raster in format.Read(probe, Request(), context))
        {
            StopToken.ThrowIfCancellationRequested();
            WriteObject(raster);
        }
        progress.Complete();
    }

    private ImportRequest Request() => new()
    {
        Table = TableOptions(),
        PixelSizeGiven = MyInvocation.BoundParameters.ContainsKey(nameof(PixelSize)),
        Channel = (int?)Channel,
        Device = _device,
        Spots = new SpotReadOptions
        {
            SpotTable = SpotTable,
            Layer = Layer,
            GeneColumn = GeneColumn,
            Normalize = Normalize,
            TargetSum = TargetSum,
            MinSpotTotal = MyInvocation.BoundParameters.ContainsKey(nameof(MinSpotTotal)) ? MinSpotTotal : null,
        },
    };

    private TableReadOptions TableOptions()
    {
        var filters = Gene is { Length: > 0 } ? Gene.Select(GenePattern).ToArray() : null;
        return new TableReadOptions
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
}
