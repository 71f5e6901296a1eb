using System.Management.Automation;

namespace SpatialSim.Cmdlets;

/// <summary>
/// Refuses NaN for a threshold parameter: no score is ≥ NaN, so it would silently select nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateNotNaNAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if (arguments is PSObject pso) arguments = pso.BaseObject;
        if (arguments is double d && double.IsNaN(d) || arguments is float f && float.IsNaN(f))
            throw new ValidationMetadataException("NaN is not a score threshold: no score is at least NaN, so nothing would be kept. Give a number, or leave the parameter out.");
    }
}
