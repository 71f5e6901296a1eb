using System.Runtime.InteropServices;
using TorchSharp;

namespace SpatialSim.TorchCore.Devices;

/// <summary>Loads libtorch once and reports what it runs with.</summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static bool _initialized;

    /// <summary>
    /// Loads TorchSharp's native back-end. The native libraries sit next to TorchSharp.dll (the staged module
    /// folder, or runtimes/&lt;rid&gt;/native for a test host); a load failure becomes an error that says what to do.
    /// </summary>
    public static void EnsureInitialized()
    {
        if (_initialized) return;
        lock (Gate)
        {
            if (_initialized) return;
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is not SpatialSimException)
            {
                string folder = Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "?";
                throw new SpatialSimException(ErrorKind.ResourceUnavailable,
                    $"libtorch could not be loaded from '{folder}' ({e.GetBaseException().Message}). " +
                    "Rebuild the module with 'dotnet pwsh ./build.ps1 Build', which stages the native libraries for this system " +
                    "(and repairs libLibTorchSharp.so for libstdc++ older than GCC 13).", e);
            }
            _initialized = true;
        }
    }

    public static string TorchVersion { get { EnsureInitialized(); return torch.__version__; } }

    public static int Threads { get { EnsureInitialized(); return torch.get_num_threads(); } }

    public static bool CudaAvailable { get { EnsureInitialized(); return torch.cuda.is_available(); } }

    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    public static string Platform => RuntimeInformation.RuntimeIdentifier;
}
