namespace Kiln.IR;

/// <summary>
/// Graphs that belong together: a model's forward graph and the helper and submodule graphs it calls.
/// A <c>.kir</c> file holds one module, each graph defined before the graphs that call it.
/// </summary>
public sealed class GraphModule
{
    private readonly List<Graph> graphs = [];

    /// <summary>A module holding <paramref name="graphs"/>, in order.</summary>
    /// <exception cref="ArgumentException">Two graphs have the same name.</exception>
    public GraphModule(IEnumerable<Graph> graphs)
    {
        foreach (var g in graphs) Add(g);
    }

    /// <summary>The graphs, callees before their callers.</summary>
    public IReadOnlyList<Graph> Graphs => graphs;

    /// <summary>The graph called <paramref name="name"/>, or null.</summary>
    public Graph? Find(string name) => graphs.Find(g => g.Name == name);

    /// <summary>Adds <paramref name="graph"/> at the end.</summary>
    /// <exception cref="ArgumentException">A graph of that name is already in the module.</exception>
    public void Add(Graph graph)
    {
        if (Find(graph.Name) is not null)
            throw new ArgumentException($"the module already has a graph named @{graph.Name}", nameof(graph));
        graphs.Add(graph);
    }

    /// <summary>The module's <c>.kir</c> text.</summary>
    public override string ToString() => KirPrinter.Print(this);

    /// <summary>
    /// <paramref name="roots"/> and every graph they call, directly or not, each once, callees before callers (the order
    /// the text form and the <c>.kiln</c> file store them in).
    /// </summary>
    public static IReadOnlyList<Graph> CalleesFirst(IEnumerable<Graph> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        var ordered = new List<Graph>();
        var seen = new HashSet<Graph>(ReferenceEqualityComparer.Instance);
        void Visit(Graph graph)
        {
            if (!seen.Add(graph)) return;
            foreach (var call in graph.AllNodes().Where(n => n.Callee is not null)) Visit(call.Callee!);
            ordered.Add(graph);
        }
        foreach (var root in roots) Visit(root);
        return ordered;
    }
}
