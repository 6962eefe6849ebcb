using System.Text;

namespace Kiln.Codegen.Tests;

public sealed class LlvmObjectCompilerTests
{
    [Fact]
    public void Emitted_object_is_an_elf_file_that_exports_the_function()
    {
        byte[] obj = LlvmObjectCompiler.EmitObject(TestKernels.Chain, LlvmTarget.Host);

        Assert.Equal([0x7F, (byte)'E', (byte)'L', (byte)'F'], obj[..4]);
        Assert.Equal(2, obj[4]); // ELFCLASS64
        Assert.Equal(1, BitConverter.ToUInt16(obj, 16)); // ET_REL: a relocatable object
        Assert.Contains("chain\0", Encoding.ASCII.GetString(obj), StringComparison.Ordinal);
    }

    [Fact]
    public void Baseline_and_host_targets_both_compile()
    {
        var baseline = LlvmTarget.Host with { Cpu = "x86-64", Features = "" };

        byte[] generic = LlvmObjectCompiler.EmitObject(TestKernels.Chain, baseline);
        byte[] host = LlvmObjectCompiler.EmitObject(TestKernels.Chain, LlvmTarget.Host);

        Assert.NotEqual(generic, host);
    }

    [Fact]
    public void Target_without_a_backend_is_refused_with_llvms_message()
    {
        var arm = new LlvmTarget("aarch64-unknown-linux-gnu", "generic", "");

        var error = Assert.Throws<LlvmException>(() => LlvmObjectCompiler.EmitObject(TestKernels.Chain, arm));

        Assert.Contains("no target for triple 'aarch64-unknown-linux-gnu'", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(error.LlvmMessage);
    }
}
