using Kiln.Cli.Run;
using Kiln.NN;
using Kiln.Serialization;

namespace Kiln.Cli.Tests.RunInspect;

/// <summary>
/// <c>kiln run</c> and <c>kiln inspect</c> run as processes on a model traced and saved here: outputs bitwise equal
/// to the script module's own, the file's contents printed, and one-line errors with exit code 1 on bad input.
/// </summary>
[Collection(DefaultGeneratorCollection.Name)]
public sealed class RunInspectTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("kiln-run-").FullName;
    private readonly string model;
    private readonly Tensor input = Tensor.Randn(2, 4);
    private readonly Tensor expected;

    public RunInspectTests()
    {
        var net = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
        var traced = Jit.Trace(net, input);
        model = Path.Combine(folder, "net.kiln");
        traced.Save(model);
        expected = traced.Forward(input);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Input(Tensor tensor, string name = "x.npy")
    {
        var path = Path.Combine(folder, name);
        Npy.Write(path, tensor);
        return path;
    }

    private static void AssertOneErrorLine(ProcessOutcome run, string verb, string contains) => run.AssertOneErrorLine($"kiln {verb}", contains);

    [Fact]
    public void Run_writes_the_output_bitwise_equal_to_the_script_modules_own()
    {
        var output = Path.Combine(folder, "y.npy");
        var run = KilnProcess.Run("run", model, "--input", Input(input), "--output", output);
        Assert.Equal("", run.Stderr);
        Assert.Equal(0, run.ExitCode);
        var written = Npy.Read(output);
        Assert.Equal([2L, 3L], written.Shape);
        Assert.Equal(expected.ToArray<float>().Select(BitConverter.SingleToInt32Bits), written.ToArray<float>().Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(ScriptModule.Load(model).Forward(input).ToArray<float>(), written.ToArray<float>());
    }

    [Fact]
    public void Run_without_output_prints_the_dtype_shape_and_values()
    {
        var run = KilnProcess.Run("run", model, "-i", Input(input));
        Assert.Equal("", run.Stderr);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"float32[2, 3]\n{expected}\n", run.Stdout.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Further_outputs_go_next_to_the_first_with_their_index()
    {
        Assert.Equal("out.npy", RunCommand.OutputPath("out.npy", 0));
        Assert.Equal("out.1.npy", RunCommand.OutputPath("out.npy", 1));
        Assert.Equal(Path.Combine("d", "out.2.npy"), RunCommand.OutputPath(Path.Combine("d", "out.NPY"), 2));
        Assert.Equal("out.3.npy", RunCommand.OutputPath("out", 3));
    }

    [Fact]
    public void Inspect_prints_the_version_producer_graph_text_tensors_and_metadata()
    {
        var run = KilnProcess.Run("inspect", model);
        Assert.Equal("", run.Stderr);
        Assert.Equal(0, run.ExitCode);
        var contents = KilnFile.Read(model);
        Assert.Contains($"format version: {KilnFile.FormatVersion}\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"producer: Kiln {contents.Producer.Version}\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains(Kiln.IR.KirPrinter.Print(contents.Graphs.Graphs[0]).TrimEnd('\n'), run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\n  0\.weight +parameter +float32\[8, 4\] +128 B\n", run.Stdout);
        Assert.Matches(@"\n  2\.bias +parameter +float32\[3\] +12 B\n", run.Stdout);
        Assert.Contains("tensors (4, 268 B in all):", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("  kiln.script.modules: ", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_or_input_is_one_error_line()
    {
        AssertOneErrorLine(KilnProcess.Run("run", Path.Combine(folder, "none.kiln"), "--input", Input(input)), "run", "none.kiln");
        AssertOneErrorLine(KilnProcess.Run("run", model, "--input", Path.Combine(folder, "none.npy")), "run", "none.npy");
        AssertOneErrorLine(KilnProcess.Run("inspect", Path.Combine(folder, "none.kiln")), "inspect", "none.kiln");
    }

    [Fact]
    public void A_malformed_kiln_file_gives_the_format_exceptions_message()
    {
        var bad = Path.Combine(folder, "bad.kiln");
        File.WriteAllBytes(bad, File.ReadAllBytes(model)[..30]);
        string message = Assert.Throws<KilnFormatException>(() => KilnFile.Read(bad)).Message;
        AssertOneErrorLine(KilnProcess.Run("run", bad, "--input", Input(input)), "run", message);
        AssertOneErrorLine(KilnProcess.Run("inspect", bad), "inspect", message);
    }

    [Fact]
    public void A_malformed_npy_input_names_the_file_and_the_field()
    {
        var bad = Path.Combine(folder, "bad.npy");
        File.WriteAllText(bad, "not numpy");
        AssertOneErrorLine(KilnProcess.Run("run", model, "--input", bad), "run", $"{bad}: invalid .npy file: magic: ");
    }

    [Fact]
    public void Inputs_that_no_stored_graph_takes_are_one_error_line()
    {
        AssertOneErrorLine(KilnProcess.Run("run", model, "--input", Input(Tensor.Randn(2, 5))), "run", "ScriptModule loaded from");
        AssertOneErrorLine(KilnProcess.Run("run", model, "--input", Input(input), "--input", Input(input, "y.npy")), "run", "ScriptModule loaded from");
        // The model was traced in training mode, so there is no graph for evaluation mode.
        AssertOneErrorLine(KilnProcess.Run("run", model, "--input", Input(input), "--eval"), "run", "ScriptModule loaded from");
    }

    [Fact]
    public void Help_documents_the_output_naming()
    {
        var run = KilnProcess.Run("run", "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("out.npy, out.1.npy", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("--eval", run.Stdout, StringComparison.Ordinal);
    }
}
