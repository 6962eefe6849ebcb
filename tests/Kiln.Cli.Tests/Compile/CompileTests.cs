using Kiln.NN;
using Kiln.Serialization;
using Kiln.Testing;

namespace Kiln.Cli.Tests.Compile;

/// <summary>
/// <c>kiln compile</c> run as a process on C# files written here: a compiled MLP with weights from an eager twin runs
/// (through <c>kiln run</c>) bitwise equal to the twin, a data-dependent branch takes both sides, and C# errors,
/// [Script] diagnostics and bad options give compiler-style lines or one-line errors with exit code 1.
/// </summary>
[Collection(DefaultGeneratorCollection.Name)]
public sealed class CompileTests : IDisposable
{
    private const string Mlp = """
        using Kiln;
        using Kiln.NN;
        using F = Kiln.NN.Functional;

        namespace Models;

        [Script]
        public sealed class Net : Module
        {
            private readonly Linear fc1 = new(4, 8);
            private readonly Linear fc2 = new(8, 3);

            public Tensor Forward(Tensor x) => fc2.Forward(F.Relu(fc1.Forward(x)));
        }
        """;

    private const string Branchy = """
        using Kiln;
        using Kiln.NN;

        [Script]
        public sealed class Branchy : Module
        {
            private readonly Linear fc = new(4, 4);

            public Tensor Forward(Tensor x)
            {
                var h = fc.Forward(x);
                if ((h.Sum() > 0).Item<bool>())
                {
                    return h.Relu();
                }
                return -h;
            }
        }
        """;

    private readonly string folder = Directory.CreateTempSubdirectory("kiln-compile-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Weights(string name, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var path = Path.Combine(folder, name);
        Safetensors.Save(path, tensors);
        return path;
    }

    /// <summary>The 1-based line and column where <paramref name="marker"/> first occurs in <paramref name="text"/>.</summary>
    private static (int Line, int Column) Position(string text, string marker)
    {
        int at = text.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{marker}' is not in the source");
        int lineStart = text.LastIndexOf('\n', Math.Max(at - 1, 0)) + 1;
        return (text[..at].Count(c => c == '\n') + 1, at - lineStart + 1);
    }

    private static void AssertOneErrorLine(ProcessOutcome run, string contains) => run.AssertOneErrorLine("kiln compile", contains);

    private static void AssertBitwiseEqual(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.ToArray<float>().Select(BitConverter.SingleToInt32Bits), actual.ToArray<float>().Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>Runs <paramref name="model"/> with <c>kiln run</c> on <paramref name="input"/>; its output.</summary>
    private Tensor KilnRun(string model, Tensor input, string name)
    {
        var x = Path.Combine(folder, name + ".x.npy");
        var y = Path.Combine(folder, name + ".y.npy");
        Npy.Write(x, input);
        var run = KilnProcess.Run("run", model, "--input", x, "--output", y);
        Assert.Equal("", run.Stderr);
        Assert.Equal(0, run.ExitCode);
        return Npy.Read(y);
    }

    [Fact]
    public void A_compiled_mlp_with_an_eager_twins_weights_runs_bitwise_equal_to_the_twin()
    {
        var twin = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
        twin.Eval();
        var state = twin.StateDict().ToDictionary(p => p.Key.Replace("0.", "fc1.", StringComparison.Ordinal).Replace("2.", "fc2.", StringComparison.Ordinal), p => p.Value);
        var model = Path.Combine(folder, "net.kiln");
        var compile = KilnProcess.Run("compile", Write("Mlp.cs", Mlp), "--class", "Net", "--weights", Weights("w.safetensors", state),
            "--shape", "5x4", "-o", model);
        Assert.Equal("", compile.Stderr);
        Assert.Equal(0, compile.ExitCode);
        Assert.Equal($"wrote {model}: Net, inputs float32[5, 4], eval mode\n", compile.Stdout.ReplaceLineEndings("\n"));

        var input = Tensor.Randn(5, 4);
        AssertBitwiseEqual(twin.Forward(input), KilnRun(model, input, "mlp"));
        var loaded = ScriptModule.Load(model);
        Assert.False(loaded.Training);
        Assert.Equal(["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"], loaded.StateDict().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_dynamic_batch_file_runs_at_other_batch_sizes_bitwise_equal_to_the_twin()
    {
        var twin = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
        twin.Eval();
        var state = twin.StateDict().ToDictionary(p => p.Key.Replace("0.", "fc1.", StringComparison.Ordinal).Replace("2.", "fc2.", StringComparison.Ordinal), p => p.Value);
        var model = Path.Combine(folder, "any-batch.kiln");
        var compile = KilnProcess.Run("compile", Write("Mlp.cs", Mlp), "--class", "Net", "--weights", Weights("w.safetensors", state),
            "--shape", "5x4", "--dynamic-batch", "-o", model);
        Assert.Equal("", compile.Stderr);
        Assert.Equal($"wrote {model}: Net, inputs float32[5, 4] (dim 0 any size), eval mode\n", compile.Stdout.ReplaceLineEndings("\n"));
        Assert.Equal("f32[?b, 4]", ScriptModule.Load(model).Graph.Inputs[0].Type.ToString());
        foreach (var batch in new long[] { 2, 7 })
        {
            var input = Tensor.Randn(batch, 4);
            AssertBitwiseEqual(twin.Forward(input), KilnRun(model, input, $"b{batch}"));
        }
    }

    [Fact]
    public void A_data_dependent_if_takes_either_side_at_run_time()
    {
        // Identity weights: the branch sees the input itself, so x and -x take opposite sides.
        var state = new Dictionary<string, Tensor> { ["fc.weight"] = Tensor.Eye(4), ["fc.bias"] = Tensor.Zeros(4) };
        var model = Path.Combine(folder, "branchy.kiln");
        var compile = KilnProcess.Run("compile", Write("Branchy.cs", Branchy), "--class", "Branchy", "-w", Weights("b.safetensors", state),
            "-s", "3x4", "--train", "--output", model);
        Assert.Equal("", compile.Stderr);
        Assert.Equal(0, compile.ExitCode);
        Assert.EndsWith(", training mode\n", compile.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.True(ScriptModule.Load(model).Training);

        var x = Tensor.Randn(3, 4);
        var positive = x.Sum().Item<float>() > 0 ? x : -x;
        AssertBitwiseEqual(positive.Relu(), KilnRun(model, positive, "pos"));
        AssertBitwiseEqual(positive, KilnRun(model, -positive, "neg"));
    }

    [Fact]
    public void A_csharp_error_prints_like_the_compiler_with_the_path_as_given()
    {
        const string source = """
            using Kiln;
            using Kiln.NN;

            [Script]
            public sealed class Net : Module
            {
                public Tensor Forward(Tensor x) => x + y;
            }
            """;
        var path = Write("Bad.cs", source);
        var run = KilnProcess.Run("compile", path, "--class", "Net", "--shape", "2x2", "-o", Path.Combine(folder, "bad.kiln"));
        var (line, column) = Position(source, "y;");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal($"{path}({line},{column}): error CS0103: The name 'y' does not exist in the current context\n", run.Stderr.ReplaceLineEndings("\n"));
        Assert.False(File.Exists(Path.Combine(folder, "bad.kiln")));
    }

    [Fact]
    public void A_script_subset_error_prints_its_kiln_id_at_the_file_line_and_column()
    {
        const string source = """
            using Kiln;
            using Kiln.NN;

            [Script]
            public sealed class Net : Module
            {
                private int calls;

                public Tensor Forward(Tensor x)
                {
                    calls = calls + 1;
                    return x.Relu();
                }
            }
            """;
        var path = Write("Mutates.cs", source);
        var run = KilnProcess.Run("compile", path, "--class", "Net", "--shape", "2x2", "-o", Path.Combine(folder, "m.kiln"));
        var (line, column) = Position(source, "calls = calls + 1");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        var lines = run.Stderr.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith($"{path}({line},{column}): error KILN0007: ", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_lowering_error_prints_its_kiln_id_at_forward()
    {
        var path = Write("Mlp.cs", Mlp);
        var run = KilnProcess.Run("compile", path, "--class", "Models.Net", "--shape", "5x4", "--shape", "5x4", "-o", Path.Combine(folder, "two.kiln"));
        var (line, column) = Position(Mlp, "public Tensor Forward");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"{path}({line},{column}): error KILN0204: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Forward takes 1 inputs but 2 input types were given", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_class_is_one_line_naming_it_and_the_module_classes_there()
    {
        var run = KilnProcess.Run("compile", Write("Mlp.cs", Mlp), "--class", "Nope", "--shape", "5x4", "-o", Path.Combine(folder, "n.kiln"));
        AssertOneErrorLine(run, "no class 'Nope' in ");
        Assert.Contains("(module classes there: Models.Net)", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_shape_is_one_line_quoting_it()
    {
        var run = KilnProcess.Run("compile", Write("Mlp.cs", Mlp), "--class", "Net", "--shape", "5xq", "-o", Path.Combine(folder, "s.kiln"));
        AssertOneErrorLine(run, "--shape '5xq': 'q' is not a positive integer dim");
    }

    [Fact]
    public void Weights_that_do_not_match_are_one_line_naming_the_tensors()
    {
        var state = new Dictionary<string, Tensor>
        {
            ["fc1.weight"] = Tensor.Zeros(8, 5),
            ["fc1.bias"] = Tensor.Zeros(8),
            ["fc2.weight"] = Tensor.Zeros(3, 8),
        };
        var run = KilnProcess.Run("compile", Write("Mlp.cs", Mlp), "--class", "Net", "--weights", Weights("bad.safetensors", state),
            "--shape", "5x4", "-o", Path.Combine(folder, "w.kiln"));
        AssertOneErrorLine(run, "missing keys: fc2.bias");
        Assert.Contains("'fc1.weight' has shape [8, 5] in the state dict but [8, 4] in the module", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_describes_every_option()
    {
        var run = KilnProcess.Run("compile", "--help");
        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "--class", "--weights", "--shape", "--train", "--output" })
            Assert.Contains(option, run.Stdout, StringComparison.Ordinal);
    }

    private const string GatesSource = """
        using Kiln;
        using Kiln.NN;

        [Script]
        public sealed class Gates : Module
        {
            public Tensor Forward(Tensor x) => x.Sigmoid() * x.Tanh() + x.Neg().Sigmoid();
        }
        """;

    [Fact]
    public void A_target_without_optimize_is_one_error_line()
    {
        var path = Write("Gates.cs", GatesSource);
        var model = Path.Combine(folder, "gates.kiln");
        AssertOneErrorLine(KilnProcess.Run("compile", path, "--class", "Gates", "--shape", "4x8", "--target", "host", "-o", model), "--target host needs --optimize");
    }

    [LlvmFact] // compiling kernels needs libLLVM
    public void Optimize_with_a_target_stores_precompiled_kernels_that_run_when_trusted()
    {
        var path = Write("Gates.cs", GatesSource);
        var model = Path.Combine(folder, "gates.kiln");
        var compile = KilnProcess.Run("compile", path, "--class", "Gates", "--shape", "4x8", "--optimize", "--target", "x86_64", "-o", model);
        Assert.Equal("", compile.Stderr);
        Assert.Equal(0, compile.ExitCode);
        var kernels = KilnFile.Read(model).Kernels;
        Assert.NotNull(kernels);
        Assert.Equal("x86-64", kernels!.Target.Cpu);
        var inspect = KilnProcess.Run("inspect", model);
        Assert.Contains($"precompiled kernels ({kernels.Symbols.Count} for {kernels.Target}", inspect.Stdout, StringComparison.Ordinal);
        var loaded = ScriptModule.Load(model, new LoadOptions { TrustNativeKernels = true });
        Assert.Null(loaded.NativeKernelMessage);
        Assert.Equal(kernels.Symbols.Count, loaded.NativeKernelCount);
        var x = Tensor.Randn(4, 8);
        var expected = x.Sigmoid() * x.Tanh() + x.Neg().Sigmoid();
        Assert.True(loaded.Forward(x).Sub(expected).Abs().Max().Item<float>() <= 1e-5f, "the precompiled kernels' output differs from eager's");
    }
}
