using System.Text;
using Kiln.Graphs;
using Kiln.IR;
using Kiln.Passes;

namespace Kiln.Cli.Opt;

/// <summary>What <c>kiln opt</c> is asked to do with one <c>.kir</c> text.</summary>
/// <param name="Text">The <c>.kir</c> text.</param>
/// <param name="SourceName">How errors name the text's origin (its path, or <c>&lt;stdin&gt;</c>).</param>
/// <param name="Pipeline">The pipeline string (<c>O1,cse,autodiff{wrt=x}</c>); empty runs no passes.</param>
/// <param name="Verify">Whether to verify the parsed module, each graph after every pass, and the module at the end.</param>
/// <param name="Log">Where passes explain what they did, or null.</param>
/// <param name="ExplainFusion">
/// Whether only the fusion pass's lines go to <paramref name="Log"/> (<c>--explain-fusion</c>); the fusion pass then
/// runs after the pipeline when the pipeline does not name it.
/// </param>
/// <param name="CompileKernels">
/// Whether to compile the fused groups of the result as the runtime would, through the kernel cache
/// (<c>--compile-kernels</c>; <see cref="OptResult.KernelReport"/> says what happened).
/// </param>
internal sealed record OptRequest(
    string Text, string SourceName, string Pipeline, bool Verify = true, TextWriter? Log = null, bool ExplainFusion = false, bool CompileKernels = false);

/// <summary>The outcome of <c>kiln opt</c>: the transformed IR, or one line saying what went wrong.</summary>
/// <param name="Output">The printed IR, or null on failure.</param>
/// <param name="Error">The error on one line (<c>file.kir:3:7: expected ...</c>), or null on success.</param>
/// <param name="KernelReport">With <see cref="OptRequest.CompileKernels"/>: the kernels compiled and loaded from the cache.</param>
internal sealed record OptResult(string? Output, string? Error, string? KernelReport = null)
{
    /// <summary>Whether the text parsed and every pass ran.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>
/// The in-process core of <c>kiln opt</c>: parses <c>.kir</c> text (a module of one or more graphs), runs a
/// pass pipeline on each graph (folding constants with the CPU kernels) and prints the result, turning
/// parse, verifier, pipeline and pass errors into one line each. The command and the golden-file tests
/// both call it, so the tests see exactly what users see. Graphs the passes create (the fusion pass's
/// callees) are printed before their first caller.
/// </summary>
internal static class OptDriver
{
    /// <summary>Runs <paramref name="request"/>.</summary>
    public static OptResult Run(OptRequest request)
    {
        PassManager manager;
        try
        {
            // An empty pipeline means "parse, verify and print".
            manager = PassManager.Parse(request.Pipeline, verifyEach: request.Verify);
            if (request.ExplainFusion && !manager.Passes.Any(p => p.Name == FusionPass.PassName))
                manager = new PassManager([.. manager.Passes, new FusionPass()]) { VerifyEach = request.Verify };
        }
        catch (ArgumentException e)
        {
            return Failed($"--passes: {OneLine(e.Message)}");
        }
        try
        {
            var module = KirParser.ParseModule(request.Text, verify: request.Verify);
            using var fusionLines = request.ExplainFusion && request.Log is { } log ? new FusionLinesOnly(log) : null;
            var context = new PassContext { Evaluator = RuntimeConstantEvaluator.Evaluate, Log = fusionLines ?? request.Log };
            // Callers first (the text defines callees first): a pass that changes a graph's signature
            // (autodiff, specialize) must not change a callee before its callers are inlined.
            foreach (var graph in module.Graphs.Reverse()) manager.Run(graph, context);
            var output = WithNewCallees(module);
            // Each graph verified after each pass, so what fails now is a call left in a caller that no
            // longer fits its callee, transformed later (or a callee a pass created, checked here first).
            var stale = request.Verify ? output.Graphs.SelectMany(GraphVerifier.Check).ToArray() : [];
            return stale.Length == 0
                ? new OptResult(KirPrinter.Print(output), null, request.CompileKernels ? KernelCompilation.Compile(output) : null)
                : Failed($"{request.SourceName}: the pipeline changed a graph, and the calls of it left in another graph no longer fit (run inline first): {string.Join("; ", stale)}");
        }
        catch (KirParseException e)
        {
            // The message starts with "line:col: ", so prefixing the source gives file:line:col.
            return Failed($"{request.SourceName}:{e.Message}");
        }
        catch (Exception e) when (e is IrException or PassException)
        {
            return Failed($"{request.SourceName}: {OneLine(e.Message)}");
        }
    }

    /// <summary>
    /// <paramref name="module"/>'s graphs with the graphs they call that are not in it (created by a pass),
    /// each callee before its first caller, as the text form requires.
    /// </summary>
    /// <exception cref="IrException">A created callee has the name of another graph of the module.</exception>
    private static GraphModule WithNewCallees(GraphModule module)
    {
        var ordered = GraphModule.CalleesFirst(module.Graphs);
        var clash = ordered.GroupBy(g => g.Name).FirstOrDefault(g => g.Count() > 1);
        return clash is null ? new GraphModule(ordered)
            : throw new IrException([new IrError(null, null, "module", $"a pass created graph @{clash.Key}, but the module already has a graph of that name")]);
    }

    /// <summary>
    /// Joins a multi-line message (several verifier errors, a pass's report) into one line: a line ending in
    /// ':' runs on into the next, other lines are separated by "; ".
    /// </summary>
    internal static string OneLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var joined = lines.Length == 0 ? "" : lines[0];
        for (int i = 1; i < lines.Length; i++) joined += (joined.EndsWith(':') ? " " : "; ") + lines[i];
        return joined;
    }

    private static OptResult Failed(string error) => new(null, error);
}

/// <summary>A log that passes on only the fusion pass's lines (<c>kiln opt --explain-fusion</c>): <c>--explain</c>, filtered.</summary>
/// <param name="inner">Where the kept lines go.</param>
internal sealed class FusionLinesOnly(TextWriter inner) : TextWriter
{
    private readonly StringBuilder line = new();

    /// <inheritdoc/>
    public override Encoding Encoding => inner.Encoding;

    /// <inheritdoc/>
    public override void Write(char value)
    {
        if (value != '\n')
        {
            line.Append(value);
            return;
        }
        var text = line.ToString().TrimEnd('\r');
        line.Clear();
        if (FusionPass.IsLogLine(text)) inner.WriteLine(text);
    }
}
