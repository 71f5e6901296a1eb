namespace SpatialSim.TorchCore;

/// <summary>
/// The non-zero pixels of one raster in managed memory: row-major pixel indices <c>y·Width + x</c>, sorted
/// ascending and unique, with their values (float32). 8 bytes per stored pixel, so a gene with 1% of
/// 10000² pixels set takes 8 MB instead of the 400 MB of its dense float32 raster. Immutable.
/// </summary>
public sealed class SparsePixels
{
    private readonly int[] _index;
    private readonly float[] _values;

    public int Width { get; }
    public int Height { get; }
    /// <summary>Stored pixels.</summary>
    public int Count => _index.Length;
    /// <summary>Pixel indices (<c>y·Width + x</c>), ascending, unique.</summary>
    public ReadOnlySpan<int> Index => _index;
    /// <summary>Values of the pixels in <see cref="Index"/>.</summary>
    public ReadOnlySpan<float> Values => _values;
    /// <summary>Managed memory held (indices and values).</summary>
    public long Bytes => 8L * _index.Length;

    private SparsePixels(int width, int height, int[] index, float[] values)
    {
        Width = width;
        Height = height;
        _index = index;
        _values = values;
    }

    /// <summary>The non-zero pixels of a row-major <paramref name="width"/>×<paramref name="height"/> dense plane (copied).</summary>
    public static SparsePixels FromDense(int width, int height, ReadOnlySpan<float> plane)
    {
        if (plane.Length != (long)width * height)
            throw new ArgumentException($"The plane holds {plane.Length} values, expected {width}×{height}.", nameof(plane));
        int count = 0;
        foreach (float v in plane) if (v != 0) count++;
        var index = new int[count];
        var values = new float[count];
        for (int i = 0, k = 0; k < count; i++)
            if (plane[i] != 0) { index[k] = i; values[k++] = plane[i]; }
        return FromEntries(width, height, index, values);
    }

    /// <summary>
    /// Pixels at <paramref name="index"/> (any order, repeats summed) with <paramref name="values"/>
    /// (null: each entry counts 1). The arrays are not modified; when the indices are already ascending and unique
    /// they are kept as they are (not copied), so the caller must not change them afterwards.
    /// </summary>
    public static SparsePixels FromEntries(int width, int height, int[] index, float[]? values)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if ((long)width * height > int.MaxValue)
            throw new ArgumentException($"A sparse raster holds at most {int.MaxValue:N0} pixels; {width}×{height} is more.");
        if (values is null)
        {
            values = new float[index.Length];
            Array.Fill(values, 1f);
        }
        if (values.Length != index.Length) throw new ArgumentException("Index and values differ in length.");
        long pixels = (long)width * height;
        bool sortedUnique = true;
        for (int i = 0; i < index.Length; i++)
        {
            if ((uint)index[i] >= pixels)
                throw new ArgumentOutOfRangeException(nameof(index), $"Pixel index {index[i]} is outside the {width}×{height} raster.");
            if (i > 0 && index[i] <= index[i - 1]) sortedUnique = false;
        }
        if (!sortedUnique)
        {
            index = (int[])index.Clone();
            values = (float[])values.Clone();
            Array.Sort(index, values);
            int m = 0;
            for (int i = 0; i < index.Length; i++)
            {
                if (m > 0 && index[m - 1] == index[i]) values[m - 1] += values[i];
                else { index[m] = index[i]; values[m] = values[i]; m++; }
            }
            if (m < index.Length)
            {
                Array.Resize(ref index, m);
                Array.Resize(ref values, m);
            }
        }
        return new SparsePixels(width, height, index, values);
    }

    /// <summary>The first stored entry at or after pixel row <paramref name="y"/>.</summary>
    public int RowStart(int y)
    {
        if (y <= 0) return 0;
        if (y >= Height) return _index.Length;
        int i = Array.BinarySearch(_index, y * Width);
        return i >= 0 ? i : ~i;
    }

    /// <summary>
    /// Writes rows [<paramref name="y0"/>, <paramref name="y0"/> + rows) densely into <paramref name="destination"/>
    /// (rows × Width floats, row-major); pixels not stored become 0.
    /// </summary>
    public void CopyRows(int y0, int rows, Span<float> destination)
    {
        if (y0 < 0 || rows < 0 || y0 + rows > Height) throw new ArgumentOutOfRangeException(nameof(rows));
        long length = (long)rows * Width;
        if (destination.Length < length) throw new ArgumentException("Destination too short.", nameof(destination));
        destination[..(int)length].Clear();
        int start = RowStart(y0), end = RowStart(y0 + rows), offset = y0 * Width;
        for (int i = start; i < end; i++) destination[_index[i] - offset] = _values[i];
    }

    /// <summary>
    /// Rows [<paramref name="y0"/>, <paramref name="y0"/> + rows) of the raster filtered along y with the symmetric
    /// kernel <paramref name="kernel"/> (2r + 1 taps, r ≤ Height) in scipy's 'reflect' mode at the top and bottom of
    /// the raster — the first pass of <see cref="Smoothing.CpuGaussianBlur.Blur(ReadOnlySpan{float}, Span{float}, int, int, double, Smoothing.GaussianMethod, double, int)"/> — written densely to
    /// <paramref name="destination"/>. Only the stored pixels are visited (2r + 1 multiply-adds each), so a sparse
    /// gene costs a fraction of a dense pass, and rows outside the strip are never made.
    /// </summary>
    public void FilterAlongY(int y0, int rows, ReadOnlySpan<float> kernel, Span<float> destination)
    {
        int r = kernel.Length / 2, h = Height, w = Width;
        if (kernel.Length % 2 == 0 || r > h) throw new ArgumentException("The kernel must have 2r + 1 taps with r ≤ Height.", nameof(kernel));
        if (y0 < 0 || rows < 0 || y0 + rows > h) throw new ArgumentOutOfRangeException(nameof(rows));
        var output = destination[..(rows * w)];
        output.Clear();
        int q0 = Math.Max(0, y0 - r), q1 = Math.Min(h, y0 + rows + r);
        var starts = new int[q1 - q0 + 1];
        int at = RowStart(q0);
        for (int q = q0; q < q1; q++)
        {
            starts[q - q0] = at;
            long end = (long)(q + 1) * w;
            while (at < _index.Length && _index[at] < end) at++;
        }
        starts[q1 - q0] = at;
        var index = _index;
        var values = _values;
        for (int y = y0; y < y0 + rows; y++)
        {
            var row = output.Slice((y - y0) * w, w);
            for (int t = -r; t <= r; t++)
            {
                int q = y + t;
                if (q < 0) q = -1 - q;
                else if (q >= h) q = 2 * h - 1 - q;
                int s = starts[q - q0], e = starts[q - q0 + 1];
                if (s == e) continue;
                float k = kernel[t + r];
                int offset = q * w;
                for (int i = s; i < e; i++) row[index[i] - offset] += k * values[i];
            }
        }
    }

    /// <summary>The whole raster, dense and row-major.</summary>
    public float[] ToDense()
    {
        var dense = new float[(long)Width * Height];
        CopyRows(0, Height, dense);
        return dense;
    }
}
