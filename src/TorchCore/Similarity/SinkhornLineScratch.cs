using System.Numerics;
using System.Runtime.CompilerServices;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// The working arrays of <see cref="SinkhornGrid.LogSumExpLine"/> for lines of up to n pixels, made once per thread
/// and pass and reused line after line: the terms h, their envelope, the per-block bounds, and the tables of the
/// factored sums (the Gibbs kernel K(d) = exp(−d²/ε) and u_j = exp(h_j − c_k); see
/// <see cref="SinkhornGrid.FactoredSpanNats"/>).
/// </summary>
/// <remarks>
/// Arrays indexed by pixel are padded to whole blocks of <see cref="SinkhornGrid.Block"/>, with h = −∞ (no mass) in the
/// padding. The kernel table is rebuilt only when ε changes (the ε-scaling steps), at 2·R + 8 doubles for a reach of
/// R = 8Δ + 7 pixels, Δ the farthest block pair summed factored.
/// </remarks>
internal sealed class SinkhornLineScratch
{
    private const int Block = SinkhornGrid.Block;

    public readonly double[] H, Top, Intercepts, BlockMax, FromLeft, FromRight, LeftMax, RightMax, Boundaries;
    public readonly int[] Parabolas;

    public SinkhornLineScratch(int n)
    {
        int blocks = (n + Block - 1) / Block;
        H = new double[blocks * Block];
        Array.Fill(H, double.NegativeInfinity);
        Top = new double[blocks * Block];
        Intercepts = new double[blocks * Block];
        BlockMax = new double[blocks];
        FromLeft = new double[blocks];
        FromRight = new double[blocks];
        LeftMax = new double[blocks];
        RightMax = new double[blocks];
        Boundaries = new double[n + 1];
        Parabolas = new int[n];
        Scaled = new double[blocks * Block];
    }

    /// <summary>u_j = exp(h_j − c_k), c_k the largest h of j's block (0 where h is −∞): the factored sums' first factor.</summary>
    public readonly double[] Scaled;
    /// <summary>K(d) = exp(−d²/ε) at index d + KernelRadius, for |d| ≤ KernelRadius (+7 padding): the Gibbs kernel of <see cref="KernelEpsilon"/>.</summary>
    public double[] Kernel = Array.Empty<double>();
    public int KernelRadius;
    private double KernelEpsilon = double.NaN;
    private int _factoredBlocks;

    /// <summary>
    /// How many blocks apart a pair may be and still be summed factored at this ε (−1: none), with the kernel table
    /// for it, made once per ε and line length.
    /// </summary>
    public int PrepareFactored(double eps, int blocks)
    {
        if (eps == KernelEpsilon) return Math.Min(_factoredBlocks, blocks - 1);
        // (8Δ + 7)² ≤ 600 ε: the largest distance within a pair Δ blocks apart.
        double reach = Math.Sqrt(SinkhornGrid.FactoredSpanNats * eps);
        int apart = reach < Block - 1 ? -1 : (int)Math.Min((reach - (Block - 1)) / Block, blocks - 1);
        KernelEpsilon = eps;
        _factoredBlocks = apart;
        if (apart < 0) return -1;
        KernelRadius = Block * apart + Block - 1;
        if (Kernel.Length < 2 * KernelRadius + Block) Kernel = new double[2 * KernelRadius + Block];
        for (int i = 0; i < 2 * KernelRadius + Block; i++)
        {
            double d = i - KernelRadius;
            Kernel[i] = Math.Exp(-d * d / eps);
        }
        return apart;
    }

    /// <summary>Fills <see cref="Scaled"/> from H and BlockMax.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ScaleByBlockMax(int blocks, bool precise)
    {
        int vc = Vector<double>.Count;
        for (int k = 0; k < blocks; k++)
        {
            double c = BlockMax[k];
            int j0 = k * Block;
            if (c == double.NegativeInfinity)
            {
                Array.Clear(Scaled, j0, Block);
                continue;
            }
            var cv = new Vector<double>(c);
            for (int v = 0; v < Block; v += vc)
                VectorMath.Exp(new Vector<double>(H, j0 + v) - cv, precise).CopyTo(Scaled, j0 + v);
        }
    }
}
