namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// The dual potentials of a multiscale Sinkhorn solve on its current level, with a scratch array of the same size,
/// carried to finer levels (<see cref="SinkhornPyramid.Upsample"/>) as the solve proceeds. Potentials are in the
/// current level's own px² (a full-resolution value divided by 4^L).
/// </summary>
internal sealed class SinkhornLevelPotentials
{
    private readonly SinkhornPyramid _pyramid;
    public int Level { get; private set; }
    public double[][] Potentials { get; }
    public double[] Scratch { get; private set; }

    /// <summary><paramref name="count"/> potentials, all zero, on <paramref name="level"/>.</summary>
    public SinkhornLevelPotentials(SinkhornPyramid pyramid, int level, int count)
    {
        _pyramid = pyramid;
        Level = level;
        int n = pyramid[level].Length;
        Potentials = Enumerable.Range(0, count).Select(_ => new double[n]).ToArray();
        Scratch = new double[n];
    }

    /// <summary>Carries the potentials down to <paramref name="level"/> (no change when it is not finer than the current one).</summary>
    public void MoveTo(int level)
    {
        for (; Level > level; Level--)
        {
            var from = _pyramid[Level];
            var to = _pyramid[Level - 1];
            for (int k = 0; k < Potentials.Length; k++) Potentials[k] = SinkhornPyramid.Upsample(Potentials[k], from, to);
            Scratch = new double[to.Length];
        }
    }
}
