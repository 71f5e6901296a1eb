using SpatialSim.TorchCore.Devices;
using Xunit;

namespace SpatialSim.TorchCore.Tests;

public class TorchRuntimeLoadTests
{
    private const string Limits =
        "Limit                     Soft Limit           Hard Limit           Units     \n" +
        "Max cpu time              unlimited            unlimited            seconds   \n" +
        "Max address space         {0}           unlimited            bytes     \n";

    [Fact]
    public void ReadsTheSoftAddressSpaceLimit()
    {
        Assert.Equal(3221225472L, TorchRuntime.AddressSpaceLimit(string.Format(Limits, "3221225472")));
        Assert.Null(TorchRuntime.AddressSpaceLimit(string.Format(Limits, "unlimited")));
        Assert.Null(TorchRuntime.AddressSpaceLimit(null));
        Assert.Null(TorchRuntime.AddressSpaceLimit("Max cpu time unlimited unlimited seconds\n"));
    }

    [Fact]
    public void ALoadFailureUnderAVirtualMemoryLimitSaysSoAndHowToFixIt()
    {
        var cause = new TypeInitializationException("TorchSharp.torch", new NotSupportedException("This application or script uses TorchSharp but doesn't contain a reference to libtorch-cpu-linux-x64.\nConsider…"));
        var limited = TorchRuntime.LoadFailure(cause, 3L << 30);
        Assert.Equal(ErrorKind.ResourceUnavailable, limited.Kind);
        Assert.Contains("3 GiB of virtual memory (ulimit -v)", limited.Message);
        Assert.Contains("ulimit -v unlimited", limited.Message);
        Assert.DoesNotContain("\n", limited.Message);
        Assert.Same(cause, limited.InnerException);

        var broken = TorchRuntime.LoadFailure(cause, null);
        Assert.Equal(ErrorKind.ResourceUnavailable, broken.Kind);
        Assert.Contains("build.ps1 Build", broken.Message);
        Assert.DoesNotContain("ulimit -v", broken.Message);
        Assert.DoesNotContain("ulimit -v", TorchRuntime.LoadFailure(cause, 64L << 30).Message);
    }
}
