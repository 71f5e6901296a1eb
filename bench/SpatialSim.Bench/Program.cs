using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using SpatialSim.Bench;
using SpatialSim.TorchCore.Devices;

// SpatialSim's side of the benchmark, driven by bench/Invoke-Benchmark.ps1 (which runs the Python peer,
// bench/peers/peer.py, with the same protocol). One JSON object per line on stdin; one answer per request on
// stdout, as a line starting with "@@bench " (anything else on stdout is not part of the protocol). Requests:
//   {"cmd":"info"}                          runtime versions and the workloads implemented here
//   {"cmd":"generate","spec":{…},"path":p} write a synthetic input file (see SyntheticData)
//   {"cmd":"prepare","workload":w,"params":{…},"inputs":{name:path}}  load the inputs (not timed)
//   {"cmd":"run"}                           run the prepared workload once, timed in-process
//   {"cmd":"release"}                       free the prepared workload
// Answers: {"ok":true,…}, {"ok":false,"skipped":reason} or {"ok":false,"error":message}. JSON has no NaN or
// infinity: such numbers are written as the strings "NaN", "Infinity", "-Infinity" (as peer.py does), and the
// orchestrator reports them as invalid outputs.
// End of input ends the worker.

const string AnswerPrefix = "@@bench ";
var answers = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
Console.SetOut(Console.Error);

Workload? prepared = null;
string? line;
while ((line = Console.In.ReadLine()) is not null)
{
    if (string.IsNullOrWhiteSpace(line)) continue;
    JsonObject answer;
    try
    {
        var request = JsonNode.Parse(line)!.AsObject();
        answer = (string?)request["cmd"] switch
        {
            "info" => Info(),
            "generate" => Generate(request),
            "prepare" => Prepare(request),
            "run" => Run(),
            "release" => Release(),
            var other => throw new ArgumentException($"Unknown command '{other}'."),
        };
        answer["ok"] = true;
    }
    catch (WorkloadSkippedException e)
    {
        answer = new JsonObject { ["ok"] = false, ["skipped"] = e.Message };
    }
    catch (Exception e)
    {
        answer = new JsonObject { ["ok"] = false, ["error"] = $"{e.GetType().Name}: {e.Message}" };
        Console.Error.WriteLine(e);
    }
    answers.WriteLine(AnswerPrefix + JsonAnswer.Write(answer));
}
prepared?.Dispose();
return 0;

JsonObject Info() => new()
{
    ["workloads"] = new JsonArray(WorkloadRegistry.Names.Select(n => (JsonNode)n).ToArray()),
    ["dotnet"] = RuntimeInformation.FrameworkDescription,
    ["torch"] = TorchRuntime.TorchVersion,
    ["torchSharp"] = TorchRuntime.TorchSharpVersion,
    ["torchThreads"] = TorchRuntime.Threads,
    ["processorCount"] = Environment.ProcessorCount,
    ["gc"] = System.Runtime.GCSettings.IsServerGC ? "server" : "workstation",
};

JsonObject Generate(JsonObject request)
{
    var clock = Stopwatch.StartNew();
    long bytes = SyntheticData.Generate(request["spec"]!.AsObject(), (string)request["path"]!);
    return new JsonObject { ["bytes"] = bytes, ["seconds"] = clock.Elapsed.TotalSeconds };
}

JsonObject Prepare(JsonObject request)
{
    Release();
    var inputs = request["inputs"]?.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!) ?? new Dictionary<string, string>();
    prepared = WorkloadRegistry.Create((string)request["workload"]!, new WorkloadRequest(request["params"]!.AsObject(), inputs));
    return new JsonObject();
}

JsonObject Run()
{
    var workload = prepared ?? throw new InvalidOperationException("No workload is prepared.");
    var sample = TimedRun.Measure(workload.Run);
    var answer = sample.ToJson();
    answer["result"] = workload.Summarize(sample.Output);
    (sample.Output as IDisposable)?.Dispose();
    return answer;
}

JsonObject Release()
{
    prepared?.Dispose();
    prepared = null;
    TimedRun.CollectGarbage();
    // Blocks the row freed are kept for reuse (LargeBufferPool, up to 60 s): returned here, so the next row's peak does
    // not hold them; within a row, later repetitions reuse them as a user's next command would.
    SpatialSim.TorchCore.LargeBufferPool.Trim();
    return new JsonObject();
}
