using System.Text.Json.Nodes;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.Similarity;

namespace SpatialSim.Bench.Workloads;

/// <summary>
/// sinkhorn_w2: the debiased Sinkhorn divergence between the two maps of a [2, n, n] stack (each normalised to unit
/// mass, cost = squared distance in pixels) at params epsilon (px²), stopping when the marginal error is below
/// tolerance or after maxIterations, as the peer's ot.sinkhorn2. Timed: everything a user's pair costs, both genes'
/// self terms and the a–b problem. Summary: {"w2Squared": the Distance, compared with the peer's exact emd2;
/// "iterations", "converged"} (the peer's sinkhorn2 returns the un-debiased transport cost ⟨P, M⟩ instead).
/// </summary>
internal sealed class SinkhornWorkload : Workload<SimilarityScore>
{
    private readonly GeneRaster _a;
    private readonly GeneRaster _b;
    private readonly SinkhornOptions _options;

    public SinkhornWorkload(WorkloadRequest request)
    {
        _options = new SinkhornOptions
        {
            Epsilon = request.Number("epsilon"),
            Tolerance = request.Number("tolerance"),
            MaxIterations = request.Integer("maxIterations"),
        };
        string path = request.Input("maps");
        using var reader = NpyFloat32.Open(path);
        var buffer = new float[(long)reader.Width * reader.Height];
        reader.ReadPlane(buffer);
        _a = GeneRaster.FromPlane(new RasterPlane("a", reader.Width, reader.Height, buffer, path), 1, ComputeDevice.Cpu);
        reader.ReadPlane(buffer);
        _b = GeneRaster.FromPlane(new RasterPlane("b", reader.Width, reader.Height, buffer, path), 1, ComputeDevice.Cpu);
    }

    protected override SimilarityScore Execute() => SinkhornSimilarity.Compare(_a, _b, _options);

    protected override JsonObject Summarize(SimilarityScore output) => new()
    {
        ["w2Squared"] = output.Details!["Distance"],
        ["entropic"] = output.Details["OT_ε"],
        ["iterations"] = (int)output.Details["Iterations"],
        ["epsilon"] = output.Details["Epsilon"],
        ["converged"] = output.Note is null,
    };

    public override void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }
}
