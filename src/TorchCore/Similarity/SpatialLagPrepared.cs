using static TorchSharp.torch;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// One gene prepared for <see cref="LeeLSimilarity"/> or <see cref="MoranBVSimilarity"/>: its centred unit-norm map
/// Z = (x − x̄)/‖x − x̄‖ and spatial lag LagZ = W·Z (float32 [H, W] on the gene's device). For a gene the statistics are
/// undefined for (constant) both maps are NaN, so every product with them is NaN too. Owns the tensors: dispose it.
/// </summary>
public sealed class SpatialLagPrepared : IPreparedGene
{
    internal SpatialLagPrepared(GeneRaster gene, Tensor z, Tensor lagZ, string? undefined)
    {
        Gene = gene.Gene; Width = gene.Width; Height = gene.Height; Z = z; LagZ = lagZ; Undefined = undefined;
    }

    public string Gene { get; }
    public int Width { get; }
    public int Height { get; }
    public string? Undefined { get; }
    public Tensor Z { get; }
    public Tensor LagZ { get; }

    public void Deconstruct(out Tensor z, out Tensor lagZ) => (z, lagZ) = (Z, LagZ);

    public void Dispose()
    {
        Z.Dispose();
        LagZ.Dispose();
    }
}
