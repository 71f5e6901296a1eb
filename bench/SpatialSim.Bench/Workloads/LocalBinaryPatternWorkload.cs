using System.Text.Json.Nodes;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Bench.Workloads;

/// <summary>
/// local_binary_pattern: LocalBinaryPattern.Compute(image, P, R, Uniform) of a float32 map into a new float64 image
/// (skimage's local_binary_pattern also returns a new array). Summary: {"histogram": the count of each code 0 … P + 1},
/// counted outside the timed region; a code outside 0 … P + 1 (NaN included) is counted in "invalid".
/// </summary>
internal sealed class LocalBinaryPatternWorkload : Workload<double[]>
{
    private readonly float[] _image;
    private readonly int _width;
    private readonly int _height;
    private readonly int _points;
    private readonly double _radius;

    public LocalBinaryPatternWorkload(WorkloadRequest request)
    {
        _points = request.Integer("points");
        _radius = request.Number("radius");
        using var reader = NpyFloat32.Open(request.Input("image"));
        (_width, _height) = (reader.Width, reader.Height);
        _image = new float[(long)_width * _height];
        reader.ReadPlane(_image);
    }

    protected override double[] Execute() =>
        LocalBinaryPattern.Compute(_image, _width, _height, _points, _radius, LbpMethod.Uniform);

    protected override JsonObject Summarize(double[] codes)
    {
        var histogram = new long[_points + 2];
        long invalid = 0;
        foreach (double code in codes)
        {
            if (code >= 0 && code < histogram.Length && code == Math.Floor(code)) histogram[(int)code]++;
            else invalid++;
        }
        var summary = new JsonObject { ["histogram"] = new JsonArray(histogram.Select(n => (JsonNode)n).ToArray()) };
        if (invalid > 0) summary["invalid"] = invalid;
        return summary;
    }
}
