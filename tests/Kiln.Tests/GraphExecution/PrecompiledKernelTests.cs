using Kiln.Codegen;
using Kiln.Codegen.Kernels;
using Kiln.Graphs;
using Kiln.NN;
using Kiln.Serialization;
using Kiln.Testing;

namespace Kiln.Tests.GraphExecution;

/// <summary>
/// Kernels compiled ahead of time into a <c>.kiln</c> file (<see cref="SaveOptions.Target"/>): loaded and run only with
/// <see cref="LoadOptions.TrustNativeKernels"/>, skipped with one message for another target, refused as a format error
/// when their bytes are damaged; the outputs are the unoptimised graph's every time. (The same with LLVM disabled runs
/// in a child process: tests/Kiln.Cli.Tests/Deployment/AotSampleTests.cs.)
/// </summary>
public sealed class PrecompiledKernelTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("kiln-aotk-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>An LSTM cell's elementwise half: sigmoid and tanh gates, products and sums (one fused group).</summary>
    private sealed class LstmGates : Module
    {
        private readonly Linear gates = new(24, 64);

        public Tensor Forward(Tensor x, Tensor c)
        {
            var g = gates.Forward(x).Chunk(4, 1);
            var next = g[0].Sigmoid() * c + g[1].Sigmoid() * g[2].Tanh();
            return g[3].Sigmoid() * next.Tanh();
        }
    }

    private (ScriptModule Plain, string Path, Tensor X, Tensor C) SaveWithKernels(string name)
    {
        Kiln.Random.ManualSeed(11);
        var model = new LstmGates();
        model.Eval();
        var (x, c) = (Tensor.Randn(8, 24), Tensor.Randn(8, 16));
        var plain = Jit.Trace(model, x, c);
        var path = Path.Combine(folder, name);
        Jit.Trace(model, x, c).Optimize().Save(path, new SaveOptions { Target = KernelTarget.Host });
        return (plain, path, x, c);
    }

    private static void AssertClose(Tensor expected, Tensor actual) =>
        Assert.True(actual.Sub(expected).Abs().Max().Item<float>() <= 1e-5f, "the output differs from the unoptimised graph's");

    [LlvmFact] // saving kernels needs libLLVM
    public void Trusted_host_kernels_run_from_the_file_and_match_the_unoptimised_graph()
    {
        var (plain, path, x, c) = SaveWithKernels("lstm.kiln");
        var stored = KilnFile.Read(path);
        Assert.Equal(KilnFile.FormatVersion, stored.FormatVersion);
        Assert.NotNull(stored.Kernels);
        Assert.Contains(stored.Kernels!.Symbols, s => s.Callee.Contains("_fused_", StringComparison.Ordinal) && s.Layout.All(l => l == 'c'));

        long served = PrecompiledKernels.Served;
        var loaded = ScriptModule.Load(path, new LoadOptions { TrustNativeKernels = true });
        Assert.Null(loaded.NativeKernelMessage);
        Assert.Equal(stored.Kernels.Symbols.Count, loaded.NativeKernelCount);
        using (Autograd.NoGrad())
        {
            int runs = CompiledKernelStep.CompiledRuns;
            var actual = loaded.Forward(x, c);
            Assert.True(PrecompiledKernels.Served > served, "no kernel came from the file's library");
            Assert.True(CompiledKernelStep.CompiledRuns > runs, "no compiled kernel ran");
            AssertClose(plain.Forward(x, c), actual);
        }
    }

    [LlvmFact] // saving kernels needs libLLVM
    public void Without_trust_the_kernels_are_ignored_with_a_message_and_the_outputs_match()
    {
        var (plain, path, x, c) = SaveWithKernels("untrusted.kiln");
        foreach (var loaded in new[] { ScriptModule.Load(path), ScriptModule.Load(path, new LoadOptions()) })
        {
            Assert.Equal(0, loaded.NativeKernelCount);
            using (Autograd.NoGrad()) AssertClose(plain.Forward(x, c), loaded.Forward(x, c));
        }
        Assert.Contains("TrustNativeKernels", ScriptModule.Load(path, new LoadOptions()).NativeKernelMessage, StringComparison.Ordinal);
    }

    [LlvmFact] // saving kernels needs libLLVM
    public void Kernels_for_another_target_fall_back_with_one_message()
    {
        var (plain, path, x, c) = SaveWithKernels("arm.kiln");
        var contents = KilnFile.Read(path);
        var foreign = contents.Kernels! with { Target = new LlvmTarget("aarch64-unknown-linux-gnu", "neoverse-v2", "+sve2") };
        KilnFile.Write(path, contents with { Kernels = foreign });

        var loaded = ScriptModule.Load(path, new LoadOptions { TrustNativeKernels = true });
        Assert.Equal(0, loaded.NativeKernelCount);
        Assert.Contains("aarch64-unknown-linux-gnu", loaded.NativeKernelMessage, StringComparison.Ordinal);
        using (Autograd.NoGrad()) AssertClose(plain.Forward(x, c), loaded.Forward(x, c));
    }

    [LlvmFact] // saving kernels needs libLLVM
    public void Kernels_needing_missing_cpu_features_fall_back_with_one_message()
    {
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported) return; // this CPU has what the file asks for
        var (_, path, _, _) = SaveWithKernels("avx512.kiln");
        var contents = KilnFile.Read(path);
        KilnFile.Write(path, contents with { Kernels = contents.Kernels! with { Target = contents.Kernels.Target with { Features = "+avx512f" } } });
        var loaded = ScriptModule.Load(path, new LoadOptions { TrustNativeKernels = true });
        Assert.Equal(0, loaded.NativeKernelCount);
        Assert.Contains("avx512f", loaded.NativeKernelMessage, StringComparison.Ordinal);
    }

    [LlvmFact] // saving kernels needs libLLVM
    public void Damaged_kernel_bytes_are_a_format_error_naming_the_hash()
    {
        var (_, path, _, _) = SaveWithKernels("damaged.kiln");
        var bytes = File.ReadAllBytes(path);
        int elf = bytes.AsSpan().IndexOf("\u007fELF"u8);
        Assert.True(elf > 0, "the file holds no ELF library");
        bytes[elf + 200] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<KilnFormatException>(() => ScriptModule.Load(path, new LoadOptions { TrustNativeKernels = true }));
        Assert.Contains("model.kernels.sha256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_format_1_0_file_without_kernels_still_loads()
    {
        Kiln.Random.ManualSeed(2);
        var model = new LstmGates();
        var (x, c) = (Tensor.Randn(3, 24), Tensor.Randn(3, 16));
        var traced = Jit.Trace(model, x, c).Optimize();
        var path = Path.Combine(folder, "old.kiln");
        traced.Save(path);
        var bytes = File.ReadAllBytes(path);
        BitConverter.TryWriteBytes(bytes.AsSpan(10, 2), (ushort)0);
        File.WriteAllBytes(path, bytes);
        var contents = KilnFile.Read(path);
        Assert.Equal(new Version(1, 0), contents.FormatVersion);
        Assert.Null(contents.Kernels);
        var loaded = ScriptModule.Load(path, new LoadOptions { TrustNativeKernels = true });
        Assert.Null(loaded.NativeKernelMessage);
        using (Autograd.NoGrad()) AssertClose(traced.Forward(x, c), loaded.Forward(x, c));
    }
}
