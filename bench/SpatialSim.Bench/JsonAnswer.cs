using System.Text.Json.Nodes;

namespace SpatialSim.Bench;

/// <summary>
/// Writes a worker's answer as one line of JSON. JSON has no literal for NaN or ±infinity, and System.Text.Json
/// throws on them; a workload whose output holds one (a bug worth reporting, not a crash) gets them written as the
/// strings "NaN", "Infinity" and "-Infinity" — what peer.py writes too — which the orchestrator flags as invalid.
/// </summary>
internal static class JsonAnswer
{
    public static string Write(JsonObject answer)
    {
        try
        {
            return answer.ToJsonString();
        }
        catch (ArgumentException)
        {
            return ReplaceNonFinite(answer)!.ToJsonString();
        }
    }

    /// <summary>A copy of <paramref name="node"/> with every non-finite number replaced by its name as a string.</summary>
    internal static JsonNode? ReplaceNonFinite(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj) copy[key] = ReplaceNonFinite(value);
                return copy;
            case JsonArray array:
                return new JsonArray(array.Select(ReplaceNonFinite).ToArray());
            case JsonValue value:
                if (value.TryGetValue<double>(out double d) && !double.IsFinite(d)) return JsonValue.Create(Name(d));
                if (value.TryGetValue<float>(out float f) && !float.IsFinite(f)) return JsonValue.Create(Name(f));
                return JsonNode.Parse(value.ToJsonString());
            default:
                return null;
        }
    }

    private static string Name(double d) => double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
}
