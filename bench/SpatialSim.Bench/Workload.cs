using System.Text.Json.Nodes;

namespace SpatialSim.Bench;

/// <summary>What the orchestrator sends to prepare a workload: its parameters and the paths of its input files.</summary>
internal sealed record WorkloadRequest(JsonObject Parameters, IReadOnlyDictionary<string, string> Inputs)
{
    public double Number(string name) => (double)(Parameters[name] ?? throw Missing(name));

    public int Integer(string name) => (int)(Parameters[name] ?? throw Missing(name));

    public long[] Integers(string name) => (Parameters[name] ?? throw Missing(name)).AsArray().Select(n => (long)n!).ToArray();

    public string Input(string name) =>
        Inputs.TryGetValue(name, out var path) ? path : throw new ArgumentException($"Input '{name}' was not given.");

    private static ArgumentException Missing(string name) => new($"Parameter '{name}' was not given.");
}

/// <summary>
/// One benchmark workload on our side. The constructor loads the inputs (not timed); <see cref="Run"/> is the
/// timed operation; <see cref="Summarize"/> turns its output into the small JSON the orchestrator compares with
/// the peer's (bench/peers/peer.py produces the same shape for the same workload name). An output that is
/// <see cref="IDisposable"/> is disposed once summarized.
/// </summary>
internal abstract class Workload : IDisposable
{
    public abstract object? Run();

    public abstract JsonObject Summarize(object? output);

    public virtual void Dispose() { }
}

/// <summary>A workload with a typed output.</summary>
internal abstract class Workload<TOutput> : Workload
{
    public sealed override object? Run() => Execute();

    public sealed override JsonObject Summarize(object? output) => Summarize((TOutput)output!);

    protected abstract TOutput Execute();

    protected abstract JsonObject Summarize(TOutput output);
}

/// <summary>The workload cannot run here (e.g. it would not fit in memory); the reason goes in the table.</summary>
internal sealed class WorkloadSkippedException(string reason) : Exception(reason);
