using Kiln.Codegen.Native;

namespace Kiln.Codegen.Tests;

public sealed class LlvmAvailabilityTests
{
    [Fact]
    public void Llvm_19_is_loaded()
    {
        Assert.True(Llvm.IsAvailable, Llvm.UnavailableReason);
        Assert.Null(Llvm.UnavailableReason);
        Assert.Equal(19, Llvm.Version.Major);
    }

    [Fact]
    public void Missing_library_is_reported_with_the_install_hint()
    {
        bool found = LlvmLibrary.TryFind(["libLLVM-kiln-missing.so.19"], out _, out nint handle, out string failure);

        Assert.False(found);
        Assert.Equal(0, handle);
        Assert.Equal("libLLVM 19 not found: apt-get install libllvm19 (tried libLLVM-kiln-missing.so.19)", failure);
        Assert.Contains("apt-get install libllvm19", new LlvmUnavailableException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_target_is_this_x86_64_machine()
    {
        var host = LlvmTarget.Host;

        Assert.StartsWith("x86_64", host.Triple, StringComparison.Ordinal);
        Assert.NotEmpty(host.Cpu);
        Assert.Contains("+sse2", host.Features, StringComparison.Ordinal);
    }
}
