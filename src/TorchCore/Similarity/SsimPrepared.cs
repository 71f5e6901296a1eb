using TorchSharp;
using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// One gene's SSIM statistics at one scale: the (not normalised) values x, the window means μ = G*x and
/// E[x²] = G*x² (float32, G the truncated Gaussian), and the normalisation x' = (x − Shift)·Scale applied
/// inside the fused pass. Made by <see cref="SsimSimilarity.Prepare"/>; dispose when done.
/// </summary>
public sealed class SsimPrepared : IPreparedGene
{
    public string Gene { get; }
    public int Width { get; }
    public int Height { get; }
    public SsimOptions Options { get; }
    /// <summary>Why SSIM is undefined for this gene (all zero, constant), or null.</summary>
    public string? Undefined { get; }
    public bool IsDefined => Undefined is null;

    internal Tensor? Values { get; }
    internal Tensor? Mean { get; }
    internal Tensor? MeanSquare { get; }
    internal double Shift { get; }
    internal double Scale { get; }
    internal bool UseTorch { get; }
    private readonly bool _ownsValues;

    private SsimPrepared(string gene, int width, int height, SsimOptions options, string? undefined,
        Tensor? values, bool ownsValues, Tensor? mean, Tensor? meanSquare, double shift, double scale, bool useTorch)
    {
        Gene = gene; Width = width; Height = height; Options = options; Undefined = undefined;
        Values = values; _ownsValues = ownsValues; Mean = mean; MeanSquare = meanSquare; Shift = shift; Scale = scale; UseTorch = useTorch;
    }

    internal static SsimPrepared Degenerate(GeneRaster raster, SsimOptions options, string why) =>
        new(raster.Gene, raster.Width, raster.Height, options, why, null, false, null, null, 0, 0, false);

    /// <summary>
    /// Statistics of <paramref name="values"/> (owned, i.e. disposed with the statistics, only when <paramref name="ownsValues"/>).
    /// <paramref name="precompute"/>: blur x and x² now; otherwise (CPU only) the comparison makes them strip by strip.
    /// </summary>
    internal static SsimPrepared Create(string gene, Tensor values, bool ownsValues, SsimOptions options,
        double shift, double scale, bool useTorch, bool precompute)
    {
        int h = (int)values.shape[0], w = (int)values.shape[1];
        if (!useTorch && (!values.is_contiguous() || values.dtype != ScalarType.Float32))
        {
            var copy = values.to(ScalarType.Float32).contiguous();
            copy.DetachFromDisposeScope();
            if (ownsValues) values.Dispose();
            (values, ownsValues) = (copy, true);
        }
        Tensor? mean = null, meanSquare = null;
        if (useTorch)
        {
            using var scope = torch.NewDisposeScope();
            mean = SsimCore.TorchBlur(values, options.Sigma);
            meanSquare = SsimCore.TorchBlur(values.square(), options.Sigma);
        }
        else if (precompute)
        {
            using var scope = torch.NewDisposeScope();
            mean = torch.empty(new long[] { h, w }, ScalarType.Float32).DetachFromDisposeScope();
            SsimCore.CpuBlur(values, mean, options.Sigma);
            meanSquare = torch.empty(new long[] { h, w }, ScalarType.Float32).DetachFromDisposeScope();
            SsimCore.Multiply(values, values, meanSquare);
            SsimCore.CpuBlur(meanSquare, meanSquare, options.Sigma);
        }
        return new SsimPrepared(gene, w, h, options, null, values, ownsValues, mean, meanSquare, shift, scale, useTorch);
    }

    public void Dispose()
    {
        Mean?.Dispose();
        MeanSquare?.Dispose();
        if (_ownsValues) Values?.Dispose();
    }
}
