using Kiln.Codegen;
using Kiln.NN;
using Kiln.Serialization;
using Kiln.Testing;

namespace Kiln.Cli.Tests.RunInspect;

/// <summary>
/// <c>kiln run</c> with LLVM disabled (<c>KILN_LLVM=off</c>, as on a machine without libLLVM): an optimised model's
/// fused groups run interpreted, or from the file's precompiled kernels with <c>--native-kernels</c>; kernels for
/// another target are one warning line and the same outputs. Every run's output matches the unoptimised graph's.
/// </summary>
[Collection(DefaultGeneratorCollection.Name)]
public sealed class NativeKernelRunTests : IDisposable
{
    private static readonly Dictionary<string, string?> NoLlvm = new() { [Llvm.EnvironmentVariable] = Llvm.DisabledValue };

    private readonly string folder = Directory.CreateTempSubdirectory("kiln-native-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>An LSTM cell's elementwise half over one linear layer's gates (one fused group).</summary>
    private sealed class LstmGates : Module<Tensor, Tensor>
    {
        private readonly Linear gates = new(12, 32);

        public override Tensor Forward(Tensor x)
        {
            var g = gates.Forward(x).Chunk(4, 1);
            var c = g[0].Sigmoid() * g[1].Tanh() + g[2].Sigmoid();
            return g[3].Sigmoid() * c.Tanh();
        }
    }

    /// <summary>A group reading a transposed view beside a contiguous tensor: a layout ('sc') with no stored variant of its own.</summary>
    private sealed class Transposed : Module<Tensor, Tensor>
    {
        public override Tensor Forward(Tensor x) => x.Transpose(0, 1).Sigmoid() * x.Tanh() + x.Sigmoid();
    }

    private (string Input, Tensor Expected) Save(string name, KernelTarget target, Module<Tensor, Tensor>? model = null, long[]? shape = null)
    {
        Kiln.Random.ManualSeed(9);
        var net = (model ?? new LstmGates()).Eval();
        var x = Tensor.Randn(shape ?? [6, 12]);
        var optimised = Jit.Trace(net, x).Optimize();
        Assert.Contains(optimised.Graph.AllNodes(), n => n.Callee?.Name.Contains("_fused_", StringComparison.Ordinal) == true);
        optimised.Save(Path.Combine(folder, name), new SaveOptions { Target = target });
        var input = Path.Combine(folder, name + ".x.npy");
        Npy.Write(input, x);
        return (input, Jit.Trace(net, x).Forward(x));
    }

    private ProcessOutcome Run(string model, string input, params string[] options) =>
        ChildProcess.Run(ChildProcess.DotnetHost,
            [Path.Combine(AppContext.BaseDirectory, "Kiln.Cli.dll"), "run", Path.Combine(folder, model), "--input", input, "--output", Path.Combine(folder, "out.npy"), .. options],
            environment: NoLlvm);

    /// <summary>Asserts the run succeeded silently and wrote <paramref name="expected"/>.</summary>
    private void AssertQuietRun(ProcessOutcome run, Tensor expected)
    {
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        AssertOutput(expected);
    }

    private void AssertOutput(Tensor expected)
    {
        var written = Npy.Read(Path.Combine(folder, "out.npy"));
        Assert.Equal(expected.Shape, written.Shape);
        Assert.True(written.Sub(expected).Abs().Max().Item<float>() <= 1e-5f, "the output differs from the unoptimised graph's");
    }

    [Fact]
    public void Without_llvm_an_optimised_model_runs_its_fused_groups_interpreted()
    {
        var (input, expected) = Save("plain.kiln", KernelTarget.None);
        AssertQuietRun(Run("plain.kiln", input), expected);
    }

    [LlvmFact] // saving kernels needs libLLVM
    public void Without_llvm_trusted_kernels_run_and_untrusted_ones_are_ignored()
    {
        var (input, expected) = Save("kernels.kiln", KernelTarget.X86_64);
        foreach (var options in new[] { new[] { "--native-kernels" }, [] })
        {
            AssertQuietRun(Run("kernels.kiln", input, options), expected);
        }
    }

    [LlvmFact] // saving kernels needs libLLVM
    public void Without_llvm_a_layout_with_no_stored_variant_runs_the_stored_all_strided_one()
    {
        var (input, expected) = Save("transposed.kiln", KernelTarget.Host, new Transposed(), [8, 8]);
        var stored = KilnFile.Read(Path.Combine(folder, "transposed.kiln")).Kernels!;
        Assert.DoesNotContain(stored.Symbols, s => s.Layout == "sc");
        Assert.Contains(stored.Symbols, s => s.Layout == "ss");
        AssertQuietRun(Run("transposed.kiln", input, "--native-kernels"), expected);
    }

    [LlvmFact] // saving kernels needs libLLVM
    public void Kernels_for_another_target_are_one_warning_line_and_the_same_output()
    {
        var (input, expected) = Save("arm.kiln", KernelTarget.X86_64);
        var path = Path.Combine(folder, "arm.kiln");
        var contents = KilnFile.Read(path);
        KilnFile.Write(path, contents with { Kernels = contents.Kernels! with { Target = new LlvmTarget("aarch64-unknown-linux-gnu", "generic", "") } });
        var run = Run("arm.kiln", input, "--native-kernels");
        Assert.Equal(0, run.ExitCode);
        var line = Assert.Single(run.Stderr.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
        Assert.StartsWith("kiln run: warning: precompiled kernels not used: they were compiled for aarch64-unknown-linux-gnu", line, StringComparison.Ordinal);
        Assert.Contains("interpreted", line, StringComparison.Ordinal);
        AssertOutput(expected);
    }
}
