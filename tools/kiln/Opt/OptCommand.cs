using System.CommandLine;
using System.Globalization;
using System.Text;
using Kiln.Passes;

namespace Kiln.Cli.Opt;

/// <summary>
/// <c>kiln opt file.kir --passes canonicalize,cse</c>: reads a <c>.kir</c> graph, runs passes on it and
/// prints the transformed IR (like <c>mlir-opt</c>). Errors are one line on standard error, with exit code 1.
/// </summary>
internal static class OptCommand
{
    /// <summary>The command, with the registered passes and pipelines listed in its help.</summary>
    internal static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The .kir file to read, or '-' for standard input" };
        var passes = new Option<string>("--passes", "-p") { Description = "Passes to run, in order: names separated by commas, each with options in braces (autodiff{wrt=x,w}); named pipelines may appear among them" };
        var level = new Option<int?>("-O") { Description = "Run the named pipeline O0, O1 or O2 before --passes" };
        level.AcceptOnlyFromAmong("0", "1", "2");
        var noVerify = new Option<bool>("--no-verify") { Description = "Do not verify the parsed graph, nor the graph after each pass" };
        var explain = new Option<bool>("--explain") { Description = "Print what each pass did, and why it left things alone, to standard error" };
        var explainFusion = new Option<bool>("--explain-fusion") { Description = "Print why neighbouring ops were not fused (the fuse pass's --explain lines) to standard error; runs fuse after the pipeline when it does not name it (with --explain, every pass's lines print and the pipeline runs as given)" };
        var compileKernels = new Option<bool>("--compile-kernels") { Description = "Compile the fused groups of the result as the runtime would, through the kernel cache (KILN_CACHE_DIR; 'off' disables it), and print how many were compiled and how many came from the cache to standard error" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the IR to this file instead of standard output" };
        var command = new Command("opt", Describe())
        {
            file, passes, level, noVerify, explain, explainFusion, compileKernels, output,
        };
        command.SetAction(result => Run(
            result.GetRequiredValue(file),
            Pipeline(result.GetValue(level), result.GetValue(passes)),
            verify: !result.GetValue(noVerify),
            log: result.GetValue(explain) || result.GetValue(explainFusion) ? Console.Error : null,
            onlyFusion: result.GetValue(explainFusion) && !result.GetValue(explain),
            result.GetValue(compileKernels),
            result.GetValue(output)));
        return command;
    }

    /// <summary>The pipeline string for <c>-O</c> <paramref name="level"/> followed by <paramref name="passes"/>.</summary>
    internal static string Pipeline(int? level, string? passes) =>
        string.Join(",", new[] { level is { } n ? "O" + n.ToString(CultureInfo.InvariantCulture) : null, passes }.Where(p => !string.IsNullOrWhiteSpace(p)));

    private static int Run(string path, string pipeline, bool verify, TextWriter? log, bool onlyFusion, bool compileKernels, string? outputPath)
    {
        string text;
        try
        {
            text = path == "-" ? Console.In.ReadToEnd() : File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail($"cannot read '{path}': {e.Message}");
        }
        var result = OptDriver.Run(new OptRequest(text, path == "-" ? "<stdin>" : path, pipeline, verify, log, onlyFusion, compileKernels));
        if (result.Error is { } error) return Fail(error);
        if (result.KernelReport is { } report) Console.Error.WriteLine(report);
        if (outputPath is null)
        {
            Console.Out.Write(result.Output);
            return 0;
        }
        try
        {
            File.WriteAllText(outputPath, result.Output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail($"cannot write '{outputPath}': {e.Message}");
        }
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("kiln opt: error: " + message);
        return 1;
    }

    /// <summary>The command's description: what it does, then every registered pass and named pipeline.</summary>
    private static string Describe()
    {
        var sb = new StringBuilder("Parse a .kir file (one graph, or several: a module), run passes on each graph and print the transformed IR");
        sb.Append("\n\nPasses:");
        if (PassRegistry.All.Count == 0) sb.Append(" (none registered)");
        int width = PassRegistry.All.Select(p => p.Name.Length).DefaultIfEmpty(0).Max();
        foreach (var pass in PassRegistry.All) sb.Append("\n  ").Append(pass.Name.PadRight(width)).Append("  ").Append(pass.Description);
        sb.Append("\n\nPipelines:");
        foreach (var name in PassRegistry.PipelineNames)
        {
            var members = PassRegistry.Pipeline(name)!;
            sb.Append("\n  ").Append(name).Append("  ").Append(members.Count == 0 ? "(no passes)" : string.Join(",", members));
        }
        return sb.ToString();
    }
}
