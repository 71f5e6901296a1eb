using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.Smoothing;
using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Ranking;

/// <summary>
/// One gene's map prepared for (smoothed, masked) Pearson correlation as a plain dot product:
/// the map s (smoothed with σ, or the normalised convolution blur(x·m)/blur(m) inside a tissue mask m),
/// centred on its mean over the tissue and scaled to unit norm over the tissue, zero outside:
/// <code>z = m·(s − s̄_m) / ‖m·(s − s̄_m)‖</code>
/// so that Σ_p z_a(p) z_b(p) is the Pearson correlation of the two maps over the tissue pixels, exactly as
/// <see cref="Similarity.SmoothedPearsonSimilarity"/> and <see cref="Similarity.PearsonSimilarity.CompareMasked"/>
/// compute it pair by pair. Shared by the masked Gram matrix (<see cref="MaskedCorrelationGram"/>) and the
/// toroidal-shift null of <see cref="ToroidalShiftTest"/>. Sums in float64, the map in float32.
/// </summary>
internal sealed class CorrelationMaps : IDisposable
{
    private readonly Tensor? _inside;   // float32 0/1 [H, W], null = whole canvas
    private readonly Tensor? _weight;   // blur(m) for the current σ
    private readonly double _sigma;
    private readonly GaussianMethod _method;
    private readonly ComputeDevice _device;
    private readonly long _count;

    /// <summary>Pixels that count (mask pixels inside, or the whole canvas).</summary>
    public long Count => _count;

    public CorrelationMaps(GeneRaster first, GeneRaster? mask, double sigma, GaussianMethod method)
    {
        _device = first.Device;
        _sigma = sigma;
        _method = method;
        if (mask is null) { _count = (long)first.Width * first.Height; return; }
        RasterChecks.RequireMaskFits(mask, first);
        using var scope = torch.NewDisposeScope();
        _inside = (mask.Values.to(first.Device.TorchDevice) > 0).to(ScalarType.Float32).MoveToOuterDisposeScope().DetachFromDisposeScope();
        _count = (long)_inside.sum(ScalarType.Float64).item<double>();
        if (sigma > 0) _weight = GaussianSmoothing.Blur(_inside, _device, sigma, method);
    }

    /// <summary>The 0/1 tissue indicator (float32 [H, W]) or null for the whole canvas. Owned by this object.</summary>
    public Tensor? Inside => _inside;

    /// <summary>The prepared map z of <paramref name="gene"/> (float32 [H, W], caller owns it), or null when the map is constant over the tissue.</summary>
    public Tensor? Prepare(GeneRaster gene)
    {
        using var scope = torch.NewDisposeScope();
        Tensor s;
        if (_inside is null)
            s = _sigma > 0 ? GaussianSmoothing.Blur(gene.Values, _device, _sigma, _method) : gene.Values.clone();
        else if (_sigma > 0)
        {
            using var product = gene.Values * _inside;
            using var blurred = GaussianSmoothing.Blur(product, _device, _sigma, _method);
            s = (blurred / _weight!.clamp_min(1e-12f)) * _inside;
        }
        else s = gene.Values * _inside;
        if (_count < 2) { s.Dispose(); return null; }
        double mean = s.sum(ScalarType.Float64).item<double>() / _count;
        s.sub_(mean);
        if (_inside is not null) s.mul_(_inside);
        double norm = Math.Sqrt(s.square().sum(ScalarType.Float64).item<double>());
        if (!(norm > 0) || !double.IsFinite(norm) || norm < 1e-6 * Math.Max(1e-30, Math.Abs(mean)) * Math.Sqrt(_count))
        {
            s.Dispose();
            return null;
        }
        s.div_(norm);
        return s.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        _inside?.Dispose();
        _weight?.Dispose();
    }
}
