using System.Text.Json.Nodes;
using SpatialSim.TorchCore.Smoothing;

namespace SpatialSim.Bench.Workloads;

/// <summary>
/// gaussian_blur: one float32 image blurred with σ (scipy conventions: 'reflect', truncate 4σ) into a buffer
/// allocated beforehand (the peer, too, writes into a preallocated output). Summary: the output's values at the
/// probe pixels (flat indices) and its float64 sum.
/// </summary>
internal sealed class GaussianBlurWorkload : Workload<float[]>
{
    private readonly float[] _image;
    private readonly float[] _output;
    private readonly int _width;
    private readonly int _height;
    private readonly double _sigma;
    private readonly long[] _probes;

    public GaussianBlurWorkload(WorkloadRequest request)
    {
        _sigma = request.Number("sigma");
        _probes = request.Integers("probes");
        using var reader = NpyFloat32.Open(request.Input("image"));
        (_width, _height) = (reader.Width, reader.Height);
        _image = new float[(long)_width * _height];
        reader.ReadPlane(_image);
        _output = new float[_image.Length];
    }

    protected override float[] Execute()
    {
        CpuGaussianBlur.Blur(_image, _output, _width, _height, _sigma);
        return _output;
    }

    protected override JsonObject Summarize(float[] output) => new()
    {
        ["probes"] = new JsonArray(_probes.Select(i => (JsonNode)(double)output[i]).ToArray()),
        ["sum"] = output.Sum(v => (double)v),
    };
}
