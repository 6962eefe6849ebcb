using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Kiln.NN;
using Kiln.Serialization;
using Kiln.Testing;
using Xunit.Abstractions;

namespace Kiln.Cli.Tests.Deployment;

/// <summary>
/// The deployment sample (samples/AotInference, docs/deployment.md) published with NativeAOT and run as a native
/// process on models traced and saved here: its outputs are bitwise the script module's own, and a malformed file is
/// one error line with exit code 1.
/// </summary>
[Collection(DefaultGeneratorCollection.Name)]
[Trait("Category", "Deployment")]
public sealed class AotSampleTests(AotSampleBinary sample, ITestOutputHelper log) : IClassFixture<AotSampleBinary>, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("kiln-aot-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Save(ScriptModule module, string name)
    {
        var path = Path.Combine(folder, name);
        module.Save(path);
        return path;
    }

    private string Write(Tensor tensor, string name)
    {
        var path = Path.Combine(folder, name);
        Npy.Write(path, tensor);
        return path;
    }

    private ProcessOutcome Run(params string[] args) => RunWith(null, args);

    private ProcessOutcome RunWith(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var run = ChildProcess.Run(sample.Path, args, environment: environment);
        log.WriteLine($"AotInference {string.Join(' ', args)}: exit {run.ExitCode}, stderr: {run.Stderr.TrimEnd()}");
        return run;
    }

    private static int[] Bits(Tensor t) => [.. t.ToArray<float>().Select(BitConverter.SingleToInt32Bits)];

    /// <summary>Runs the sample on <paramref name="input"/> and checks its .npy output against the loaded module's, bit for bit.</summary>
    private void AssertSameOutput(Module<Tensor, Tensor> net, Tensor input, string name)
    {
        net.Eval();
        var model = Save(Jit.Trace(net, input), name + ".kiln");
        var output = Path.Combine(folder, name + ".out.npy");
        var run = Run(model, "--input", Write(input, name + ".npy"), "--output", output);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Matches(@"^first result: [0-9.]+ ms after process start \([0-9.]+ ms after Main began\)\n$", run.Stderr.ReplaceLineEndings("\n"));
        var expected = ScriptModule.Load(model).Forward(input);
        var written = Npy.Read(output);
        Assert.Equal(expected.Shape, written.Shape);
        Assert.Equal(Bits(expected), Bits(written));
        Assert.Equal(Bits(net.Forward(input)), Bits(written));
    }

    [NativeAotFact]
    public void A_traced_mlp_gives_the_script_modules_output_bit_for_bit() =>
        AssertSameOutput(new Sequential(new Linear(64, 32), new ReLU(), new Linear(32, 10)), Tensor.Randn(4, 64), "mlp");

    [NativeAotFact]
    public void A_traced_conv_net_gives_the_script_modules_output_bit_for_bit() =>
        AssertSameOutput(
            new Sequential(new Conv2d(1, 4, 3, padding: 1), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(64, 10)),
            Tensor.Randn(3, 1, 8, 8), "conv");

    [NativeAotFact]
    public void Without_an_input_file_it_prints_the_output_for_a_seeded_random_input()
    {
        var net = new Sequential(new Linear(6, 3), new ReLU()).Eval();
        var model = Save(Jit.Trace(net, Tensor.Randn(2, 6)), "small.kiln");
        var run = Run(model, "--shape", "2x6", "--seed", "7");
        Assert.Equal(0, run.ExitCode);
        var input = Tensor.Randn([2, 6], generator: new Generator().ManualSeed(7));
        Assert.Equal($"float32[2, 3]\n{ScriptModule.Load(model).Forward(input)}\n", run.Stdout.ReplaceLineEndings("\n"));
    }

    [NativeAotFact]
    public void A_corrupt_or_missing_model_is_one_error_line_and_exit_code_1()
    {
        var net = new Sequential(new Linear(4, 2));
        var good = Save(Jit.Trace(net, Tensor.Randn(1, 4)), "good.kiln");
        var bytes = File.ReadAllBytes(good);
        var truncated = Path.Combine(folder, "truncated.kiln");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var flipped = Path.Combine(folder, "flipped.kiln");
        bytes[20] ^= 0xFF;
        File.WriteAllBytes(flipped, bytes);
        foreach (var bad in new[] { truncated, flipped })
        {
            string message = Assert.Throws<KilnFormatException>(() => ScriptModule.Load(bad)).Message;
            AssertOneErrorLine(Run(bad), message);
        }
        AssertOneErrorLine(Run(Path.Combine(folder, "none.kiln")), "none.kiln");
        AssertOneErrorLine(Run(good, "--shape", "1x5"), "ScriptModule loaded from");
    }

    [NativeAotFact(NeedsLlvm = true)] // saving the kernels needs libLLVM (running them does not)
    public void With_native_kernels_and_llvm_disabled_an_optimised_model_runs_its_stored_kernels()
    {
        Kiln.Random.ManualSeed(3);
        var net = new LstmGates().Eval();
        var input = Tensor.Randn(8, 24);
        var model = Path.Combine(folder, "lstm.kiln");
        Jit.Trace(net, input).Optimize().Save(model, new SaveOptions { Target = KernelTarget.Host });
        var expected = Jit.Trace(net, input).Forward(input);
        var noLlvm = new Dictionary<string, string?> { [Codegen.Llvm.EnvironmentVariable] = Codegen.Llvm.DisabledValue };
        string x = Write(input, "lstm.npy");
        foreach (bool native in new[] { true, false })
        {
            var output = Path.Combine(folder, $"lstm.{native}.out.npy");
            var run = RunWith(noLlvm, [model, "--input", x, "--output", output, .. native ? new[] { "--native-kernels" } : []]);
            Assert.Equal(0, run.ExitCode);
            // Trusted: the kernels come from the file (LLVM is off, so nothing else compiles them); else interpreted.
            Assert.Matches((native ? @"^kernels: [1-9][0-9]* native\n" : "^") + @"first result: [0-9.]+ ms after process start \([0-9.]+ ms after Main began\)\n$",
                run.Stderr.ReplaceLineEndings("\n"));
            var written = Npy.Read(output);
            Assert.Equal(expected.Shape, written.Shape);
            Assert.True(written.Sub(expected).Abs().Max().Item<float>() <= 1e-5f, $"native kernels {native}: the output differs from the unoptimised graph's");
        }
    }

    private static void AssertOneErrorLine(ProcessOutcome run, string contains) => run.AssertOneErrorLine("AotInference", contains);

    /// <summary>An LSTM cell's elementwise half over one linear layer's gates: one fused group of sigmoids, tanhs, products and sums.</summary>
    private sealed class LstmGates : Module<Tensor, Tensor>
    {
        private readonly Linear gates = new(24, 64);

        public override Tensor Forward(Tensor x)
        {
            var g = gates.Forward(x).Chunk(4, 1);
            var c = g[0].Sigmoid() * g[1].Tanh() + g[2].Sigmoid();
            return g[3].Sigmoid() * c.Tanh();
        }
    }
}

/// <summary>
/// A <see cref="FactAttribute"/> skipped, with the reason, where NativeAOT cannot link (no C compiler and linker) or,
/// with <see cref="NeedsLlvm"/>, where libLLVM is missing.
/// </summary>
public sealed class NativeAotFactAttribute : FactAttribute
{
    /// <summary>Skips the test when <see cref="AotSampleBinary.MissingLinker"/> says why it cannot run.</summary>
    public NativeAotFactAttribute()
    {
        if (AotSampleBinary.MissingLinker() is { } why) Skip = why;
    }

    /// <summary>Whether the test also needs libLLVM 19; when set and LLVM is missing, the test is skipped saying so.</summary>
    public bool NeedsLlvm
    {
        get;
        init
        {
            field = value;
            if (value && Skip is null && LlvmFactAttribute.MissingReason is { } why) Skip = why;
        }
    }
}

/// <summary>samples/AotInference published once with NativeAOT into a temporary folder, for the tests of a class.</summary>
public sealed class AotSampleBinary : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("kiln-aot-publish-").FullName;
    private readonly Lazy<string> path;

    public AotSampleBinary(IMessageSink sink) => path = new Lazy<string>(() => Publish(sink));

    /// <summary>The native executable (published on first use, so skipped tests publish nothing).</summary>
    public string Path => path.Value;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Why NativeAOT cannot link here (on Linux it links with clang, else gcc), or null when it can.</summary>
    internal static string? MissingLinker() =>
        OperatingSystem.IsLinux() && !OnPath("clang") && !OnPath("gcc")
            ? "NativeAOT links with clang or gcc on Linux and neither is on PATH (apt-get install -y clang, as .ci/run does)"
            : null;

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator)
            .Any(dir => dir.Length > 0 && File.Exists(System.IO.Path.Combine(dir, tool)));

    private string Publish(IMessageSink sink)
    {
        var project = System.IO.Path.Combine(ChildProcess.RepositoryRoot(), "samples", "AotInference", "AotInference.csproj");
        var output = System.IO.Path.Combine(folder, "out");
        var clock = Stopwatch.StartNew();
        // Its own artifacts folder: the build the tests run from is left alone. For this CPU's instruction set, as the
        // JIT compiles for: the kernels pick their vector width and FMA use by it, so only then are results bitwise the same.
        var run = DotnetProcess.Dotnet(folder, new Dictionary<string, string>(), "publish", project, "-c", "Release", "-r", RuntimeIdentifier(), "-o", output,
            $"-p:IlcInstructionSet={InstructionSet()}", "--artifacts-path", System.IO.Path.Combine(folder, "artifacts"));
        Assert.True(run.ExitCode == 0, $"dotnet publish samples/AotInference failed: {run}");
        sink.OnMessage(new Xunit.Sdk.DiagnosticMessage($"AotSampleTests: NativeAOT publish of samples/AotInference took {clock.Elapsed.TotalSeconds:F0} s"));
        var binary = System.IO.Path.Combine(output, OperatingSystem.IsWindows() ? "AotInference.exe" : "AotInference");
        Assert.True(File.Exists(binary), $"dotnet publish wrote no {binary}");
        return binary;
    }

    /// <summary>
    /// This CPU's x86-64 level, else "native". Not "native" everywhere: ILCompiler 10.0.12 fails with
    /// NotSupportedException: Vector256 on "native" on an AVX-512 VM (Skylake-SP) that x86-64-v4 compiles for.
    /// </summary>
    private static string InstructionSet()
    {
        if (Avx512F.IsSupported && Avx512BW.IsSupported && Avx512CD.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported)
            return "x86-64-v4";
        return Avx2.IsSupported && Fma.IsSupported && Bmi1.IsSupported && Bmi2.IsSupported && Lzcnt.IsSupported ? "x86-64-v3" : "native";
    }

    private static string RuntimeIdentifier() => System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
}
