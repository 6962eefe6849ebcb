using System.Text.RegularExpressions;
using Kiln.Cli.Opt;
using Kiln.IR;
using Kiln.Passes;

namespace Kiln.Cli.Tests.Golden;

/// <summary><c>kiln opt</c> run as a process, as users run it: exit codes, standard output and one-line errors.</summary>
public class OptCommandTests
{
    private static readonly string Golden = Path.Combine(AppContext.BaseDirectory, "golden");

    private static ProcessOutcome Kiln(string? stdin, params string[] args) => KilnProcess.RunWithInput(stdin, args);

    [Fact]
    public void A_valid_file_prints_its_canonical_IR_and_exits_0()
    {
        var file = Path.Combine(Golden, "roundtrip", "mlp.kir");
        var run = Kiln(null, "opt", file, "-O", "0");
        Assert.Equal("", run.Stderr);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(KirPrinter.Print(KirParser.Parse(File.ReadAllText(file))), run.Stdout);
        Assert.StartsWith("graph @mlp(%x: f32[?b, 784], param %fc1.weight", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_file_gives_one_error_line_with_file_line_and_column_and_exits_1()
    {
        var file = Path.Combine(Golden, "invalid", "unknown-op.kir");
        var run = Kiln(null, "opt", file);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal($"kiln opt: error: {file}:4:16: no op or primitive named 'frob'", run.Stderr.TrimEnd('\n'));
    }

    [Fact]
    public void Verifier_errors_and_unknown_passes_are_one_line_each()
    {
        var several = Kiln(null, "opt", Path.Combine(Golden, "invalid", "several-errors.kir"));
        Assert.Equal(1, several.ExitCode);
        Assert.Single(several.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("%a = relu: result 0 (%a) is declared f32[4] but relu gives f32[3]; %b = neg: unknown attribute 'bad'", several.Stderr, StringComparison.Ordinal);

        var unknown = Kiln(null, "opt", Path.Combine(Golden, "roundtrip", "mlp.kir"), "--passes", "frobnicate");
        Assert.Equal(1, unknown.ExitCode);
        Assert.StartsWith("kiln opt: error: --passes: unknown pass 'frobnicate'; the passes are ", unknown.Stderr, StringComparison.Ordinal);
        Assert.Single(unknown.Stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Standard_input_is_read_for_a_dash_and_output_goes_to_the_file_given_with_o()
    {
        var text = File.ReadAllText(Path.Combine(Golden, "roundtrip", "if-on-tensor.kir"));
        var output = Path.Combine(Path.GetTempPath(), $"kiln-opt-{Guid.NewGuid():N}.kir");
        try
        {
            var run = Kiln(text, "opt", "-", "-o", output);
            Assert.Equal(("", 0), (run.Stderr, run.ExitCode));
            Assert.Equal("", run.Stdout);
            Assert.Equal(KirPrinter.Print(KirParser.Parse(text)), File.ReadAllText(output));
        }
        finally
        {
            File.Delete(output);
        }
        var bad = Kiln("graph @g(", "opt", "-");
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("kiln opt: error: <stdin>:1:10: expected ", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void No_verify_lets_shape_propagation_repair_stale_types_and_explain_logs_to_stderr()
    {
        var stale = Path.Combine(Golden, "shape-propagation", "regions.kir");
        Assert.Equal(1, Kiln(null, "opt", stale, "-p", "shape-propagation").ExitCode);
        var repaired = Kiln(null, "opt", stale, "-p", "shape-propagation", "--no-verify");
        Assert.Equal(0, repaired.ExitCode);
        Assert.Contains("%acc: f32[2, 3] = loop(%n, %go, %x) {", repaired.Stdout, StringComparison.Ordinal);

        var explained = Kiln(null, "opt", Path.Combine(Golden, "autodiff", "mlp.kir"), "-p", "autodiff", "--explain");
        Assert.Equal(0, explained.ExitCode);
        Assert.StartsWith("autodiff @mlp: gradients w.r.t. w, b;", explained.Stderr, StringComparison.Ordinal);
        Assert.Contains("%grad_w: f32[2, 3] = matmul(", explained.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_lists_every_registered_pass_and_pipeline()
    {
        var run = Kiln(null, "opt", "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Passes:", run.Stdout, StringComparison.Ordinal);
        foreach (var pass in PassRegistry.All)
            Assert.Matches($@"\n\s+{Regex.Escape(pass.Name)}\s+{Regex.Escape(pass.Description)}", run.Stdout);
        foreach (var pipeline in PassRegistry.PipelineNames)
            Assert.Matches($@"\n\s+{pipeline}  ", run.Stdout);
    }

    [Theory]
    [InlineData(null, null, "")]
    [InlineData(1, null, "O1")]
    [InlineData(null, "cse,dce", "cse,dce")]
    [InlineData(2, "autodiff{wrt=x,w}", "O2,autodiff{wrt=x,w}")]
    public void O_levels_run_before_the_passes(int? level, string? passes, string pipeline) =>
        Assert.Equal(pipeline, OptCommand.Pipeline(level, passes));

    [Fact]
    public void Multi_line_messages_become_one_line()
    {
        Assert.Equal("pass 'cse' left @g invalid: %a = relu: bad; %b = neg: worse", OptDriver.OneLine("pass 'cse' left @g invalid:\n%a = relu: bad\r\n%b = neg: worse\n"));
        Assert.Equal("plain", OptDriver.OneLine("plain"));
    }
}
