using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO.Spots;

namespace SpatialSim.TorchCore.IO.Formats;

/// <summary>Everything a format's reader is asked for: the table options shared by every count input, and the format-specific ones.</summary>
public sealed record ImportRequest
{
    /// <summary>Pixel size, region, gene filter, MinTotal, bin size and pixel limit (count tables and spot data).</summary>
    public TableReadOptions Table { get; init; } = new();

    /// <summary>Whether the user gave the pixel size (spot data then bins coordinates by it instead of inferring a lattice).</summary>
    public bool PixelSizeGiven { get; init; }

    /// <summary>Images: the colour channel to read from a colour image.</summary>
    public int? Channel { get; init; }

    /// <summary>Where the rasters are made.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Cpu;

    /// <summary>Spot × gene data: spot table, layer, gene-name column, normalisation and spot quality control.</summary>
    public SpotReadOptions Spots { get; init; } = new();
}
