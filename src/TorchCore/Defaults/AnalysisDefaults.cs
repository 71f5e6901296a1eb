using System.Diagnostics;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.TorchCore.Defaults;

/// <summary>What a comparison needs chosen from the data, and what the user fixed (which always wins).</summary>
public sealed record AnalysisRequest
{
    /// <summary>-Sigma as given (null: choose σ from the data, <see cref="CountSplitScale"/>).</summary>
    public double[]? Sigma { get; init; }
    /// <summary>Some method smooths with the automatic σ.</summary>
    public bool NeedsSigma { get; init; }
    /// <summary>Some method takes the automatic tissue mask (no -Mask, no -NoTissueMask).</summary>
    public bool NeedsMask { get; init; }
    /// <summary>-Mask as given (brought to the working grid with the genes).</summary>
    public GeneRaster? Mask { get; init; }
    /// <summary>The comparison may run on a coarser working grid (every method smooths with one σ, no pyramid, no -FullResolution).</summary>
    public bool AllowGrid { get; init; }
}

/// <summary>
/// The defaults of one comparison, chosen from the data: σ (<see cref="CountSplitScale"/>, unless -Sigma), the working
/// grid (<see cref="WorkingGrid"/>) and the rasters on it, and the tissue mask at the analysis scale
/// (<see cref="DensityTissueMask"/>, unless -Mask or -NoTissueMask). Owns the rasters and masks it made.
/// </summary>
public sealed class AnalysisDefaults : IDisposable
{
    private readonly List<GeneRaster> _owned = new();

    /// <summary>How σ was chosen (null when -Sigma was given or no method smooths).</summary>
    public ScaleSelection? Scale { get; private init; }
    /// <summary>The analysis σ in the input canvas' pixels (the automatic one or the first of -Sigma); null when none applies.</summary>
    public double? Sigma { get; private init; }
    /// <summary>The working grid (stride 1 = the canvas), or null when the comparison runs on the canvas as it is.</summary>
    public WorkingGrid? Grid { get; private init; }
    /// <summary>The rasters to compare: the inputs, or their block sums on the working grid.</summary>
    public required IReadOnlyList<GeneRaster> Rasters { get; init; }
    /// <summary>The automatic tissue mask on <see cref="Rasters"/>' canvas (null: none needed, or it covers everything).</summary>
    public GeneRaster? Mask { get; private init; }
    /// <summary>-Mask brought to the working grid (or as given).</summary>
    public GeneRaster? UserMask { get; private init; }
    /// <summary>Share of the canvas and of all counts inside the automatic mask (NaN without one).</summary>
    public double MaskFraction { get; private init; } = double.NaN;
    public double MaskCounts { get; private init; } = double.NaN;
    /// <summary>Seconds spent choosing σ, and making the mask.</summary>
    public double ScaleSeconds { get; private init; }
    public double MaskSeconds { get; private init; }

    /// <summary>Chooses the defaults for <paramref name="rasters"/> (see the class remarks).</summary>
    public static AnalysisDefaults Choose(IReadOnlyList<GeneRaster> rasters, AnalysisRequest request, CancellationToken cancellationToken = default)
    {
        if (rasters.Count == 0) return new AnalysisDefaults { Rasters = rasters };
        var clock = Stopwatch.StartNew();
        ScaleSelection? scale = null;
        double? sigma = request.Sigma is { Length: > 0 } given ? given[0] : null;
        if (sigma is null && (request.NeedsSigma || request.NeedsMask))
        {
            scale = CountSplitScale.Choose(rasters, cancellationToken);
            sigma = scale.Sigma;
        }
        double scaleSeconds = clock.Elapsed.TotalSeconds;
        var first = rasters[0];
        WorkingGrid? grid = null;
        if (sigma is double s && request.AllowGrid && (request.Sigma is null || request.Sigma.Length == 1))
        {
            var candidate = WorkingGrid.For(s, first.Width, first.Height);
            if (candidate.IsCoarser) grid = candidate;
        }
        var result = new List<GeneRaster>(rasters.Count);
        var owned = new List<GeneRaster>();
        if (grid is not null)
        {
            // One gene per core at a time, in input order.
            var binned = new GeneRaster[rasters.Count];
            try
            {
                Parallel.For(0, rasters.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
                    i => binned[i] = grid.Bin(rasters[i]));
            }
            catch (Exception e)
            {
                foreach (var b in binned) if (b is not null && !rasters.Contains(b)) b.Dispose();
                if (e is AggregateException { InnerExceptions.Count: > 0 } many)
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(many.InnerExceptions[0]);
                throw;
            }
            result.AddRange(binned);
            owned.AddRange(binned);
        }
        else result.AddRange(rasters);

        GeneRaster? userMask = request.Mask;
        if (userMask is not null && grid is not null)
        {
            userMask = grid.BinMask(userMask);
            owned.Add(userMask);
        }
        clock.Restart();
        GeneRaster? mask = null;
        double fraction = double.NaN, counts = double.NaN;
        if (request.NeedsMask && sigma is double analysis)
        {
            var maskGrid = grid ?? WorkingGrid.For(analysis, first.Width, first.Height);
            var made = DensityTissueMask.Raster(rasters, maskGrid, onGrid: grid is not null, out counts);
            fraction = TissueMask.Fraction(made);
            if (fraction >= 1.0) made.Dispose();
            else { mask = made; owned.Add(made); }
        }
        var defaults = new AnalysisDefaults
        {
            Scale = scale, Sigma = sigma, Grid = grid, Rasters = result, Mask = mask, UserMask = userMask,
            MaskFraction = fraction, MaskCounts = counts, ScaleSeconds = scaleSeconds, MaskSeconds = clock.Elapsed.TotalSeconds,
        };
        defaults._owned.AddRange(owned);
        return defaults;
    }

    /// <summary>σ for the comparison on <see cref="Rasters"/>: <paramref name="sigma"/> (canvas pixels) in working-grid pixels.</summary>
    public double OnGrid(double sigma) => Grid is null ? sigma : (Grid with { Sigma = sigma }).WorkingSigma;

    public void Dispose()
    {
        foreach (var r in _owned) r.Dispose();
        _owned.Clear();
    }
}
