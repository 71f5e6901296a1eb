using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using SpatialSim.TorchCore;
using SpatialSim.TorchCore.Devices;
using SpatialSim.TorchCore.IO;
using SpatialSim.TorchCore.IO.Formats;

namespace SpatialSim.Cmdlets;

/// <summary>
/// Completes -Gene with the genes at hand: the rasters already bound to -InputObject or -Reference, the rasters held by
/// the variable that starts the pipeline (<c>$rasters | Get-RankedPairs -Gene &lt;Tab&gt;</c>), or the genes of the count
/// table named by -Path (<c>Import-GeneRaster x.gem -Gene &lt;Tab&gt;</c>, also when that import starts the pipeline).
/// Reading a table for completion stops after <see cref="TableScanTime"/>; the genes seen by then are offered.
/// </summary>
public sealed class GeneNameCompleter : IArgumentCompleter
{
    internal static readonly TimeSpan TableScanTime = TimeSpan.FromSeconds(3);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IEnumerable<string> genes;
        try { genes = GenesAtHand(commandAst, fakeBoundParameters).Distinct(StringComparer.Ordinal).ToList(); }
        catch (Exception) { yield break; } // completion must never throw at the user
        var pattern = new WildcardPattern(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        foreach (var gene in genes.Where(pattern.IsMatch).OrderBy(g => g, StringComparer.OrdinalIgnoreCase))
        {
            string text = gene.Any(c => char.IsWhiteSpace(c) || "'\"$`;,(){}[]@#|&<>".Contains(c)) ? $"'{gene.Replace("'", "''")}'" : gene;
            yield return new CompletionResult(text, gene, CompletionResultType.ParameterValue, gene);
        }
    }

    private static IEnumerable<string> GenesAtHand(CommandAst commandAst, IDictionary bound)
    {
        foreach (string key in new[] { "InputObject", "Reference" })
            if (bound.Contains(key))
                foreach (var raster in Rasters(bound[key])) yield return raster.Gene;
        if (bound.Contains("Path") || bound.Contains("LiteralPath"))
            foreach (var gene in TableGenes(bound["Path"] ?? bound["LiteralPath"])) yield return gene;

        // The start of the pipeline this command is part of.
        if (commandAst.Parent is PipelineAst pipeline && pipeline.PipelineElements.Count > 1 && pipeline.PipelineElements[0] != commandAst)
        {
            switch (pipeline.PipelineElements[0])
            {
                case CommandExpressionAst { Expression: VariableExpressionAst variable }:
                    foreach (var raster in Rasters(InCurrentRunspace("param($Name) Get-Variable -Name $Name -ValueOnly -ErrorAction Ignore", variable.VariablePath.UserPath)))
                        yield return raster.Gene;
                    break;
                case CommandAst first when first.GetCommandName() is { } name &&
                                           name.Equals("Import-GeneRaster", StringComparison.OrdinalIgnoreCase):
                    foreach (var path in FirstPathArgument(first)) foreach (var gene in TableGenes(path)) yield return gene;
                    break;
            }
        }
    }

    /// <summary>The rasters in a value: a raster, or collections of them (nested up to <paramref name="depth"/> levels).</summary>
    private static IEnumerable<GeneRaster> Rasters(object? value, int depth = 3)
    {
        value = value is PSObject pso ? pso.BaseObject : value;
        if (value is GeneRaster single) { yield return single; yield break; }
        if (depth > 0 && value is IEnumerable many and not string)
            foreach (var item in many)
                foreach (var r in Rasters(item, depth - 1)) yield return r;
    }

    /// <summary>The literal path given to -Path/-LiteralPath or as the first positional argument of an Import-GeneRaster command.</summary>
    private static IEnumerable<string> FirstPathArgument(CommandAst command)
    {
        var elements = command.CommandElements;
        for (int i = 1; i < elements.Count; i++)
        {
            if (elements[i] is CommandParameterAst parameter)
            {
                bool isPath = "Path".StartsWith(parameter.ParameterName, StringComparison.OrdinalIgnoreCase) && parameter.ParameterName.Length > 0 ||
                              parameter.ParameterName.Equals("LiteralPath", StringComparison.OrdinalIgnoreCase);
                var argument = parameter.Argument ?? (i + 1 < elements.Count ? elements[i + 1] : null);
                if (isPath && argument is StringConstantExpressionAst s) { yield return s.Value; yield break; }
                if (parameter.Argument is null && parameter.ParameterName is not ("Verbose" or "Debug")) i++; // skip its value
                continue;
            }
            if (elements[i] is StringConstantExpressionAst positional) { yield return positional.Value; yield break; }
        }
    }

    /// <summary>Gene names of the inputs <paramref name="pathValue"/> names, from their format (images and .npy have no gene list).</summary>
    private static IEnumerable<string> TableGenes(object? pathValue)
    {
        var paths = (pathValue is PSObject p ? p.BaseObject : pathValue) switch
        {
            string s => new[] { s },
            IEnumerable e => e.Cast<object>().Select(o => o?.ToString() ?? "").ToArray(),
            _ => Array.Empty<string>(),
        };
        foreach (var path in paths)
        {
            string? full = InCurrentRunspace("param($Path) $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)", path)
                .OfType<string>().FirstOrDefault();
            if (full is null || (!File.Exists(full) && !Directory.Exists(full))) continue;
            foreach (var gene in ScanGenes(full)) yield return gene;
        }
    }

    /// <summary>
    /// Runs a small script in the shell's own runspace (a nested pipeline on the completion thread: the runspace is busy
    /// completing, so its SessionStateProxy cannot be used) and returns its output, unwrapped; nothing on any error.
    /// </summary>
    private static List<object> InCurrentRunspace(string script, object argument)
    {
        if (Runspace.DefaultRunspace is null) return new List<object>();
        try
        {
            using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            ps.AddScript(script).AddArgument(argument);
            return ps.Invoke().Where(o => o is not null).Select(o => o.BaseObject).ToList();
        }
        catch (Exception) { return new List<object>(); }
    }

    /// <summary>The input's gene names as its format lists them, for at most <see cref="TableScanTime"/>; none on any problem.</summary>
    private static List<string> ScanGenes(string path)
    {
        using var timeout = new CancellationTokenSource(TableScanTime);
        try
        {
            using var probe = new InputProbe(path);
            return InputFormatRegistry.Detect(probe).GeneNames(probe, timeout.Token).ToList();
        }
        catch (Exception e) when (e is SpatialSimException or OperationCanceledException or IOException or UnauthorizedAccessException) { return new List<string>(); }
    }
}

/// <summary>Completes -Device with the devices this machine has: Cpu, and Cuda (Cuda:N with several GPUs) only when a CUDA libtorch and a GPU are present.</summary>
public sealed class DeviceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var names = new List<(string Name, string Tip)> { ("Cpu", "CPU: SpatialSim's vectorised kernels") };
        try
        {
            var gpus = ComputeDevice.Available().Where(d => !d.IsCpu).ToList();
            if (gpus.Count > 0) names.Add(("Cuda", "the first CUDA GPU (libtorch/cuDNN)"));
            if (gpus.Count > 1) names.AddRange(gpus.Select(d => (d.ToString(), $"CUDA GPU number {d.Index}")));
        }
        catch (Exception) { /* no native runtime: CPU only */ }
        foreach (var (name, tip) in names)
            if (name.StartsWith(wordToComplete.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
                yield return new CompletionResult(name, name, CompletionResultType.ParameterValue, tip);
    }
}
