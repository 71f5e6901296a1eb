using System.Reflection;
using SpatialSim.TorchCore.Ranking;

namespace SpatialSim.TorchCore.Similarity;

/// <summary>
/// The registry of measures (every <see cref="ISimilarityMeasure"/> class of this assembly, one per
/// <see cref="SimilarityMethod"/>), and comparing two rasters with any measure, by name.
/// </summary>
public static class SimilarityMeasures
{
    private static readonly Lazy<MeasureDescriptor[]> Registry = new(Discover);

    /// <summary>Every measure, in <see cref="SimilarityMethod"/> order.</summary>
    public static IReadOnlyList<MeasureDescriptor> All => Registry.Value;

    /// <summary>The measure of <paramref name="method"/>.</summary>
    public static MeasureDescriptor For(SimilarityMethod method)
    {
        var all = Registry.Value;
        int index = (int)method;
        return index >= 0 && index < all.Length && all[index].Method == method ? all[index]
            : throw new SpatialSimException(ErrorKind.InvalidArgument, $"Unknown similarity method '{method}'.");
    }

    /// <summary>
    /// The classes implementing <see cref="ISimilarityMeasure"/>, made into descriptors; every <see cref="SimilarityMethod"/>
    /// must have exactly one (a missing or repeated measure is a programming error, reported at first use).
    /// </summary>
    private static MeasureDescriptor[] Discover()
    {
        var create = typeof(MeasureDescriptor).GetMethod(nameof(MeasureDescriptor.Create), BindingFlags.NonPublic | BindingFlags.Static)!;
        var createPrepared = typeof(MeasureDescriptor).GetMethod(nameof(MeasureDescriptor.CreatePrepared), BindingFlags.NonPublic | BindingFlags.Static)!;
        var found = new List<MeasureDescriptor>();
        foreach (var type in typeof(ISimilarityMeasure).Assembly.GetTypes())
        {
            if (type.IsInterface || type.IsAbstract || !typeof(ISimilarityMeasure).IsAssignableFrom(type)) continue;
            var prepared = type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IPreparedMeasure<>));
            var factory = prepared is null ? create.MakeGenericMethod(type) : createPrepared.MakeGenericMethod(type, prepared.GetGenericArguments()[0]);
            found.Add((MeasureDescriptor)factory.Invoke(null, null)!);
        }
        var methods = Enum.GetValues<SimilarityMethod>();
        var registry = new MeasureDescriptor[methods.Length];
        foreach (var method in methods)
        {
            var matches = found.Where(d => d.Method == method).ToList();
            if (matches.Count != 1 || (int)method != Array.IndexOf(methods, method))
                throw new InvalidOperationException(
                    $"SimilarityMethod.{method} needs exactly one ISimilarityMeasure class; found {matches.Count} ({string.Join(", ", matches.Select(m => m.Type.Name))}).");
            registry[(int)method] = matches[0];
        }
        return registry;
    }

    /// <summary>Two rasters of one canvas compared with <paramref name="method"/>; -Pyramid averages the levels.</summary>
    public static SimilarityScore Compare(SimilarityMethod method, GeneRaster a, GeneRaster b, SimilarityOptions options)
    {
        RasterChecks.RequireSameCanvas(a.Gene, a.Width, a.Height, b.Gene, b.Width, b.Height);
        var measure = For(method);
        measure.Check(options);
        return options.Pyramid > 1 ? CompareOnPyramid(measure, a, b, options) : measure.Compare(a, b, options);
    }

    /// <summary>The measure on each level of a Gaussian pyramid of both rasters; Score = mean over levels (Details "level k").</summary>
    private static SimilarityScore CompareOnPyramid(MeasureDescriptor measure, GeneRaster a, GeneRaster b, SimilarityOptions options)
    {
        var levelsA = GaussianPyramid.Levels(a, options.Pyramid);
        var levelsB = GaussianPyramid.Levels(b, options.Pyramid);
        var masks = options.Mask is null ? null : GaussianPyramid.Levels(options.Mask, options.Pyramid);
        try
        {
            var details = new Dictionary<string, double>();
            double sum = 0;
            string? note = null;
            for (int l = 0; l < options.Pyramid; l++)
            {
                var levelOptions = options with { Pyramid = 1, Mask = masks?[l] };
                var s = measure.Compare(levelsA[l], levelsB[l], levelOptions);
                details[$"level {l}"] = s.Score;
                sum += s.Score;
                note ??= s.Note;
            }
            return new SimilarityScore(sum / options.Pyramid, note, details);
        }
        finally
        {
            foreach (var r in levelsA.Skip(1).Concat(levelsB.Skip(1)).Concat(masks?.Skip(1) ?? Enumerable.Empty<GeneRaster>())) r.Dispose();
        }
    }

    public static PatternSimilarity Measure(SimilarityMethod method, GeneRaster a, GeneRaster b, SimilarityOptions options)
    {
        var score = Compare(method, a, b, options);
        return new PatternSimilarity
        {
            GeneA = a.Gene, GeneB = b.Gene, Method = method.ToString(), Score = score.Score,
            Parameters = options.Describe(method, a.Height, a.Width), Note = score.Note, Details = score.Details,
        };
    }
}
