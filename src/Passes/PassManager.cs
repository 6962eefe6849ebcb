using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Runs passes in order over a graph. With <see cref="VerifyEach"/> the verifier runs after every pass,
/// so a pass that breaks the graph is named at once; errors name the pass and the passes before it.
/// </summary>
public sealed class PassManager
{
    /// <summary>A manager running <paramref name="passes"/> in order.</summary>
    public PassManager(IEnumerable<IGraphPass> passes) => Passes = [.. passes];

    /// <summary>The passes, in order.</summary>
    public IReadOnlyList<IGraphPass> Passes { get; }

    /// <summary>Whether to verify the graph after each pass (tests always do; it costs a walk of the graph).</summary>
    public bool VerifyEach { get; init; } = true;

    /// <summary>
    /// A manager for a pipeline string: a named pipeline (<c>O1</c>), or pass names separated by commas,
    /// each with optional options in braces (<c>canonicalize,cse,autodiff{wrt=fc1.weight,fc1.bias}</c>);
    /// named pipelines may appear among the passes. An empty string runs nothing.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown pass or pipeline, bad options, or unbalanced braces.</exception>
    public static PassManager Parse(string pipeline, bool verifyEach = true) =>
        new(PipelineParser.Parse(pipeline)) { VerifyEach = verifyEach };

    /// <summary>Runs every pass on <paramref name="graph"/>, in place.</summary>
    /// <exception cref="PassException">A pass failed or left an invalid graph.</exception>
    public void Run(Graph graph, PassContext? context = null)
    {
        context ??= new PassContext();
        var done = new List<string>();
        foreach (var pass in Passes)
        {
            try
            {
                pass.Run(graph, context);
            }
            catch (Exception e) when (e is IrException or ArgumentException or InvalidOperationException)
            {
                throw new PassException(pass.Name, [.. done], $"failed on @{graph.Name}: {e.Message}", e);
            }
            if (VerifyEach && GraphVerifier.Check(graph) is { Count: > 0 } errors)
                throw new PassException(pass.Name, [.. done], $"left @{graph.Name} invalid:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}", new IrException(errors));
            done.Add(pass.Name);
        }
    }
}
