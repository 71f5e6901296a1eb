using System.Runtime.CompilerServices;

namespace SpatialSim.TorchCore.IO;

/// <summary>One row's values: gene, pixel coordinates and count, checked and filed into the gene's accumulator.</summary>
internal sealed partial class CountTableParser
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void HandleRow(ReadOnlySpan<byte> gene, ReadOnlySpan<byte> xs, ReadOnlySpan<byte> ys, ReadOnlySpan<byte> cs, ReadOnlySpan<byte> qv)
    {
        if ((++_rowsRead & 0xFFFF) == 0)
        {
            _cancel.ThrowIfCancellationRequested();
            _genes.CompactIfDue(_path); // sums repeated pixels once the rows held pass the bound
        }

        if (!gene.IsEmpty && (gene[0] == (byte)' ' || gene[^1] == (byte)' ')) gene = gene.Trim((byte)' ');
        if (gene.IsEmpty)
            throw RowError($"the gene name (column '{_header!.Columns[_header.GeneColumn]}') is empty. Every row needs a gene; fix or remove the line.", gene);
        int px = ToPixel(xs, RoleX, gene);
        int py = ToPixel(ys, RoleY, gene);
        double count = _hasCount ? ParseCount(cs, gene) : 1.0;
        // Rows that are not data: below the decoding-quality floor, or of a control codeword. They do not shape the canvas.
        if (_hasQuality && ParseQuality(qv, gene) < _options.MinQuality)
        {
            _rowsLowQuality++;
            return;
        }
        if (!_options.IncludeControls && IsControl(gene))
        {
            _rowsControl++;
            if (!gene.SequenceEqual(_lastControl))
            {
                _lastControl = gene.ToArray();
                _controlNames.Add(System.Text.Encoding.UTF8.GetString(gene));
            }
            return;
        }

        if (px < _minX) _minX = px;
        if (px > _maxX) _maxX = px;
        if (py < _minY) _minY = py;
        if (py > _maxY) _maxY = py;
        if (_hasRegion && (px < _rx0 || px >= _rx1 || py < _ry0 || py >= _ry1))
        {
            _rowsOutside++;
            return;
        }

        var g = _last;
        if (g == null || !gene.SequenceEqual(g.Key))
        {
            g = _genes.GetOrAdd(gene);
            _last = g;
        }
        if (g.Keep) g.Add(((long)py << 32) | (uint)px, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ToPixel(ReadOnlySpan<byte> s, byte role, ReadOnlySpan<byte> gene)
    {
        if (Utf8Numbers.TryParseInteger(s, out long v))
        {
            if (_scaleMode == 2)
            {
                double q = ScaleFloor(v);
                if (!(q >= int.MinValue && q <= int.MaxValue)) throw CoordinateTooLarge(s, role, q, gene);
                return (int)q;
            }
            long p = _scaleMode == 0 ? v : v >= 0 ? v / _scaleInt : -((-v + _scaleInt - 1) / _scaleInt);
            if (p < int.MinValue || p > int.MaxValue) throw CoordinateTooLarge(s, role, p, gene);
            return (int)p;
        }
        if (Utf8Numbers.TryParseSimpleDecimal(s, out double d))
        {
            double q = _scaleMode == 0 ? Math.Floor(d) : ScaleFloor(d);
            if (!(q >= int.MinValue && q <= int.MaxValue)) throw CoordinateTooLarge(s, role, q, gene);
            return (int)q;
        }
        return ToPixelSlow(s, role, gene);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int ToPixelSlow(ReadOnlySpan<byte> s, byte role, ReadOnlySpan<byte> gene)
    {
        string axis = role == RoleX ? "x" : "y";
        string column = _header!.Columns[role == RoleX ? _header.XColumn : _header.YColumn];
        if (!Utf8Numbers.TryParseDouble(s, _decimalComma, out double d))
            throw RowError(s.Trim(" "u8).IsEmpty
                ? $"the {axis} coordinate (column '{column}') is empty. Every row needs x and y; fix or remove the line."
                : $"the {axis} coordinate '{Show(s)}' (column '{column}') is not a number. Coordinates must be numbers such as 12, -3 or 4.25; fix or remove the line.", gene);
        if (!double.IsFinite(d))
            throw RowError($"the {axis} coordinate '{Show(s)}' (column '{column}') is not a finite number. NaN and infinity cannot be placed on a raster; remove the line.", gene);
        double p = _scaleMode == 0 ? Math.Floor(d) : ScaleFloor(d);
        if (!(p >= int.MinValue && p <= int.MaxValue)) throw CoordinateTooLarge(s, role, p, gene);
        return (int)p;
    }

    /// <summary>floor(d / PixelSize), where a quotient within 1e-9 (relative) of a whole number counts as that number, so 0.3 / 0.1 is pixel 3.</summary>
    private double ScaleFloor(double d)
    {
        double q = d / _pixelSize;
        double r = Math.Round(q);
        return Math.Abs(q - r) <= 1e-9 * Math.Max(1.0, Math.Abs(r)) ? r : Math.Floor(q);
    }

    /// <summary><see cref="ControlProbes.Prefixes"/> as UTF-8 bytes.</summary>
    private static readonly byte[][] ControlPrefixes = ControlProbes.Prefixes.Select(System.Text.Encoding.UTF8.GetBytes).ToArray();

    /// <summary>Whether a byte starts some control prefix (either letter case): one lookup rejects almost every gene.</summary>
    private static readonly bool[] ControlFirstBytes = ControlFirstByteTable();

    private static bool[] ControlFirstByteTable()
    {
        var table = new bool[256];
        foreach (var prefix in ControlPrefixes)
        {
            table[char.ToUpperInvariant((char)prefix[0])] = true;
            table[char.ToLowerInvariant((char)prefix[0])] = true;
        }
        return table;
    }

    /// <summary><see cref="ControlProbes.IsControl"/> on the gene's bytes (ASCII case-insensitive), with no string per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsControl(ReadOnlySpan<byte> gene)
    {
        if (gene.IsEmpty || !ControlFirstBytes[gene[0]]) return false;
        foreach (var prefix in ControlPrefixes)
            if (gene.Length >= prefix.Length && System.Text.Ascii.EqualsIgnoreCase(gene[..prefix.Length], prefix)) return true;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double ParseQuality(ReadOnlySpan<byte> s, ReadOnlySpan<byte> gene)
    {
        if (Utf8Numbers.TryParseInteger(s, out long v)) return v;
        if (Utf8Numbers.TryParseSimpleDecimal(s, out double d)) return d;
        string column = _header!.Columns[_header.QualityColumn];
        if (!Utf8Numbers.TryParseDouble(s, _decimalComma, out d) || double.IsNaN(d))
            throw RowError($"the quality value '{Show(s)}' (column '{column}') is not a number. Fix or remove the line.", gene);
        return d;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double ParseCount(ReadOnlySpan<byte> s, ReadOnlySpan<byte> gene)
    {
        if (Utf8Numbers.TryParseInteger(s, out long v) && v >= 0) return v;
        if (Utf8Numbers.TryParseSimpleDecimal(s, out double d) && d >= 0) return d;
        return ParseCountSlow(s, gene);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private double ParseCountSlow(ReadOnlySpan<byte> s, ReadOnlySpan<byte> gene)
    {
        string column = _header!.Columns[_header.CountColumn];
        if (!Utf8Numbers.TryParseDouble(s, _decimalComma, out double d))
            throw RowError(s.Trim(" "u8).IsEmpty
                ? $"the count (column '{column}') is empty. Counts must be numbers of 0 or more; fix or remove the line."
                : $"the count '{Show(s)}' (column '{column}') is not a number. Counts must be numbers of 0 or more; fix or remove the line.", gene);
        if (!double.IsFinite(d))
            throw RowError($"the count '{Show(s)}' (column '{column}') is not a finite number (NaN or infinity). Counts must be numbers of 0 or more; fix or remove the line.", gene);
        if (d < 0)
            throw RowError($"the count '{Show(s)}' (column '{column}') is negative. Counts must be 0 or more; fix or remove the line.", gene);
        if (d > float.MaxValue)
            throw RowError($"the count '{Show(s)}' (column '{column}') is too large to store (more than {float.MaxValue:G3}).", gene);
        return d;
    }
}
