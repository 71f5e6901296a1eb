using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore;

/// <summary>
/// One gene's expression raster: a float32 tensor of shape [Height, Width] on a device, with the numbers
/// a user looks at first (total counts, non-zero pixels, maximum). Immutable: operations return new rasters.
/// The raster owns its tensor; Dispose frees it at once (otherwise the garbage collector does).
/// </summary>
/// <remarks>
/// Memory: rasters read from count tables, and planes that are mostly zero (<see cref="FromPlaneCompact"/>: .npy stacks),
/// are <em>sparse-backed</em> (<see cref="Sparse"/>: 8 bytes per non-zero pixel). Their dense tensor is made on the first access to <see cref="Values"/> (<see cref="GetValues"/> outside the core) and then kept (4 bytes per pixel)
/// until <see cref="ReleaseValues"/> or Dispose. The all-pairs Pearson / smoothed-Pearson path
/// (<see cref="Ranking.CorrelationGram"/>) reads the sparse pixels strip by strip and never makes the dense tensor.
/// </remarks>
public sealed class GeneRaster : IDisposable
{
    public string Gene { get; }
    public int Width { get; }
    public int Height { get; }
    /// <summary>Pixels of the input summed into one pixel of this raster per axis (Stereo-seq "bin b").</summary>
    public int BinSize { get; }
    public double Total { get; }
    /// <summary>
    /// The sum of the raw counts this raster was made from: equal to <see cref="Total"/> for counts as read, the count
    /// before normalisation for normalised spot data (Import-GeneRaster -Normalize). Kept through smoothing and pyramids,
    /// so warnings about genes with few counts judge the counts, not the normalised values.
    /// </summary>
    public double RawTotal { get; private init; }
    public long NonZero { get; }
    public double Max { get; }
    public string Source { get; }
    /// <summary>What was done to the input so far (e.g. "gaussian σ=4"), empty for raw counts.</summary>
    public string Processing { get; }
    /// <summary>Size of one pixel in the input's coordinate units (e.g. DNB for Stereo-seq); binning multiplies it.</summary>
    public double PixelSize { get; }
    public ComputeDevice Device { get; }
    /// <summary>
    /// The pixels, float32 [Height, Width], on <see cref="Device"/>. Owned by this raster: do not dispose.
    /// For a sparse-backed raster the tensor is made on first access (and kept until <see cref="ReleaseValues"/>).
    /// </summary>
    /// <remarks>
    /// Internal on purpose: PowerShell reads every public property to show an object (Format-List *, Select-Object *,
    /// ConvertTo-Json), and showing a raster must not make its dense pixels. Outside the core, use <see cref="GetValues"/>.
    /// </remarks>
    internal Tensor Values
    {
        get
        {
            var values = _values;
            if (values is not null) return values;
            lock (_lock)
            {
                if (_values is null)
                {
                    if (_disposed) throw new ObjectDisposedException($"GeneRaster '{Gene}'");
                    _values = Materialise(_sparse!, Device);
                }
                return _values;
            }
        }
    }

    /// <summary>
    /// The pixels as a float32 [Height, Width] tensor on <see cref="Device"/>, owned by this raster (do not dispose). A method,
    /// not a property, so that showing a raster never allocates them: a sparse-backed raster makes its dense tensor here, on the
    /// first call, and keeps it until <see cref="ReleaseValues"/>.
    /// </summary>
    public Tensor GetValues() => Values;

    /// <summary>The non-zero pixels, for rasters read from count tables; null for rasters made from dense planes.</summary>
    public SparsePixels? Sparse => _sparse;

    /// <summary>Whether the dense tensor exists now (always for dense rasters; after first use of <see cref="Values"/> for sparse ones).</summary>
    public bool HasDenseValues => _values is not null;

    private Tensor? _values;
    private readonly SparsePixels? _sparse;
    private readonly object _lock = new();
    private bool _disposed;

    private GeneRaster(string gene, Tensor values, int binSize, string source, string processing, double pixelSize, ComputeDevice device,
        double total, long nonZero, double max)
        : this(gene, (int)values.shape[1], (int)values.shape[0], binSize, source, processing, pixelSize, device, total, nonZero, max)
    {
        _values = values;
    }

    private GeneRaster(string gene, SparsePixels sparse, int binSize, string source, string processing, double pixelSize, ComputeDevice device,
        double total, long nonZero, double max)
        : this(gene, sparse.Width, sparse.Height, binSize, source, processing, pixelSize, device, total, nonZero, max)
    {
        _sparse = sparse;
    }

    private GeneRaster(string gene, int width, int height, int binSize, string source, string processing, double pixelSize, ComputeDevice device,
        double total, long nonZero, double max)
    {
        Gene = gene;
        Height = height;
        Width = width;
        BinSize = binSize;
        Source = source;
        Processing = processing;
        PixelSize = pixelSize;
        Device = device;
        Total = total;
        RawTotal = total;
        NonZero = nonZero;
        Max = max;
    }

    /// <summary>Planes with at most this share of non-zero pixels are kept sparse by <see cref="FromPlaneCompact"/> (8 bytes per
    /// non-zero pixel against 4 per pixel: at most half the dense tensor's memory).</summary>
    public const double SparsePlaneDensity = 0.25;

    /// <summary>Makes a raster from a plane read from disk; checks for NaN/Inf and negative counts.</summary>
    public static GeneRaster FromPlane(RasterPlane plane, int binSize, ComputeDevice device, bool allowNegative = false)
    {
        var (total, nonZero, max) = Describe(plane, allowNegative);
        return FromDescribedPlane(plane, binSize, device, total, nonZero, max);
    }

    /// <summary>
    /// As <see cref="FromPlane"/> (negative values refused), but kept sparse-backed when at most
    /// <see cref="SparsePlaneDensity"/> of the pixels are non-zero, as count-table genes are: a 1024² plane of counts with 2%
    /// non-zero holds 168 KB instead of 4 MB, and the Gram path blurs it along y from its pixels only. The values are the same.
    /// </summary>
    public static GeneRaster FromPlaneCompact(RasterPlane plane, int binSize, ComputeDevice device)
    {
        var (total, nonZero, max) = Describe(plane, allowNegative: false);
        long pixels = (long)plane.Width * plane.Height;
        if (nonZero > SparsePlaneDensity * pixels || pixels > int.MaxValue) return FromDescribedPlane(plane, binSize, device, total, nonZero, max);
        var sparse = SparsePixels.FromDense(plane.Width, plane.Height, plane.Pixels.AsSpan(0, (int)pixels));
        return new GeneRaster(plane.Gene, sparse, binSize, plane.Source, "", plane.PixelSize, device, total, nonZero, max);
    }

    private static GeneRaster FromDescribedPlane(RasterPlane plane, int binSize, ComputeDevice device, double total, long nonZero, double max)
    {
        TorchRuntime.EnsureInitialized();
        Tensor values;
        if (device.IsCpu)
        {
            // One copy into a tensor of our own (huge pages when large), not torch.tensor's copy and then a clone.
            values = TensorMemory.EmptyFloat32(plane.Height, plane.Width);
            plane.Pixels.AsSpan(0, plane.Height * plane.Width).CopyTo(TensorMemory.AsFloatSpan(values));
        }
        else
        {
            using var cpu = torch.tensor(plane.Pixels, new long[] { plane.Height, plane.Width }, ScalarType.Float32);
            values = cpu.to(device.TorchDevice);
            values.DetachFromDisposeScope();
        }
        return new GeneRaster(plane.Gene, values, binSize, plane.Source, "", plane.PixelSize, device, total, nonZero, max);
    }

    /// <summary>
    /// Makes a sparse-backed raster from a gene's non-zero pixels (as read from a count table); checks for NaN/Inf
    /// and negative counts. The dense tensor is made only when <see cref="Values"/> is used.
    /// </summary>
    /// <param name="rawTotal">For normalised values: the sum of the raw counts they were made from (see <see cref="RawTotal"/>).</param>
    /// <param name="processing">What was done to the counts (e.g. the normalisation), for <see cref="Processing"/>.</param>
    public static GeneRaster FromSparse(string gene, SparsePixels pixels, int binSize, string source, double pixelSize, ComputeDevice device,
        double? rawTotal = null, string processing = "")
    {
        ArgumentNullException.ThrowIfNull(pixels);
        var values = pixels.Values;
        var index = pixels.Index;
        double total = 0, max = double.NegativeInfinity;
        long nonZero = 0;
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (!float.IsFinite(v) || v < 0)
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"Gene '{gene}' from '{source}' has a {(float.IsNaN(v) ? "NaN" : float.IsFinite(v) ? $"negative ({v})" : "infinite")} count at row " +
                    $"{index[i] / pixels.Width}, column {index[i] % pixels.Width}; counts must be finite and not negative.") { Gene = gene, FilePath = source };
            total += v;
            if (v != 0) nonZero++;
            if (v > max) max = v;
        }
        if (values.Length < (long)pixels.Width * pixels.Height) max = Math.Max(max, 0);
        return new GeneRaster(gene, pixels, binSize, source, processing, pixelSize, device, total, nonZero, max) { RawTotal = rawTotal ?? total };
    }

    private static Tensor Materialise(SparsePixels sparse, ComputeDevice device)
    {
        TorchRuntime.EnsureInitialized();
        var values = TensorMemory.EmptyFloat32(sparse.Height, sparse.Width);
        try
        {
            var span = TensorMemory.AsFloatSpan(values);
            span.Clear();
            sparse.CopyRows(0, sparse.Height, span);
            if (device.IsCpu) return values;
            var moved = values.to(device.TorchDevice);
            moved.DetachFromDisposeScope();
            values.Dispose();
            return moved;
        }
        catch
        {
            values.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Frees the dense tensor of a sparse-backed raster (it is made again on the next use of <see cref="Values"/>);
    /// does nothing for a dense raster. Do not call while a tensor obtained from <see cref="Values"/> is still in use.
    /// </summary>
    public void ReleaseValues()
    {
        if (_sparse is null) return;
        lock (_lock)
        {
            _values?.Dispose();
            _values = null;
        }
    }

    /// <summary>A new raster with other values (same gene, size, device), e.g. after smoothing. Takes ownership of <paramref name="values"/>.</summary>
    public GeneRaster With(Tensor values, string processing)
    {
        if (values.ndim != 2 || values.shape[0] != Height || values.shape[1] != Width)
            throw new ArgumentException($"Expected a [{Height}, {Width}] tensor, got [{string.Join(", ", values.shape)}].");
        values.DetachFromDisposeScope();
        var (total, nonZero, max) = DescribeTensor(values);
        return new GeneRaster(Gene, values, BinSize, Source, ThenProcessed(processing), PixelSize, Device, total, nonZero, max) { RawTotal = RawTotal };
    }

    /// <summary>A raster of another size derived from this one (a pyramid level): the pixel size doubles per halving.</summary>
    internal GeneRaster WithReduced(Tensor values, string processing)
    {
        values.DetachFromDisposeScope();
        var (total, nonZero, max) = DescribeTensor(values);
        double factor = (double)Width / values.shape[1];
        return new GeneRaster(Gene, values, BinSize, Source, ThenProcessed(processing), PixelSize * factor, Device, total, nonZero, max) { RawTotal = RawTotal };
    }

    private string ThenProcessed(string step) => string.IsNullOrEmpty(Processing) ? step : $"{Processing}; {step}";

    /// <summary>Copies the pixels to managed memory (row-major).</summary>
    public float[] ToArray()
    {
        if (_sparse is not null && _values is null) return _sparse.ToDense();
        return TensorMemory.ToFloatArray(Values);
    }

    public RasterPlane ToPlane() => new(Gene, Width, Height, ToArray(), Source) { PixelSize = PixelSize };

    private static (double Total, long NonZero, double Max) Describe(RasterPlane plane, bool allowNegative)
    {
        string gene = plane.Gene, source = plane.Source;
        float[] pixels = plane.Pixels;
        double total = 0, max = double.NegativeInfinity;
        long nonZero = 0;
        for (int i = 0; i < pixels.Length; i++)
        {
            float v = pixels[i];
            if (!float.IsFinite(v))
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"Gene '{gene}' from '{source}' has a {(float.IsNaN(v) ? "NaN" : "infinite")} pixel at row {i / plane.Width}, column {i % plane.Width} " +
                    "— rasters must be finite. Replace missing values by 0 before importing.") { Gene = gene, FilePath = source };
            if (v < 0 && !allowNegative)
                throw new SpatialSimException(ErrorKind.InvalidData,
                    $"Gene '{gene}' from '{source}' has a negative value ({v}) at row {i / plane.Width}, column {i % plane.Width}; " +
                    "counts cannot be negative. Check the input (an offset or log transform?).") { Gene = gene, FilePath = source };
            total += v;
            if (v != 0) nonZero++;
            if (v > max) max = v;
        }
        return (total, nonZero, pixels.Length == 0 ? 0 : max);
    }

    private static (double Total, long NonZero, double Max) DescribeTensor(Tensor values)
    {
        using var scope = torch.NewDisposeScope();
        if (values.device_type == DeviceType.CPU && values.dtype == ScalarType.Float32)
        {
            var (sum, count, largest) = CpuReductions.Describe(TensorMemory.AsFloatSpan(values.contiguous()));
            return (sum, count, values.numel() == 0 ? 0 : largest);
        }
        double total = values.sum(ScalarType.Float64).item<double>();
        long nonZero = values.count_nonzero().item<long>();
        double max = values.max().item<float>();
        return (total, nonZero, max);
    }

    public override string ToString() => $"{Gene} ({Width}×{Height}, bin {BinSize})";

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _values?.Dispose();
            if (_sparse is not null) _values = null;
        }
    }
}
