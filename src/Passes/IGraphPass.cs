using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// A transformation of one graph, in place. A pass must leave a graph that verifies; the
/// <see cref="PassManager"/> checks that after each pass when asked to (always, in the tests).
/// </summary>
public interface IGraphPass
{
    /// <summary>The name pipelines use (<c>canonicalize</c>, <c>cse</c>, <c>autodiff</c>).</summary>
    string Name { get; }

    /// <summary>Transforms <paramref name="graph"/>; returns whether anything changed.</summary>
    /// <exception cref="IrException">The graph cannot be transformed (the message names the node and its span).</exception>
    bool Run(Graph graph, PassContext context);
}
