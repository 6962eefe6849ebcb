using Kiln.IR;

namespace Kiln.Graphs;

/// <summary>
/// Binds a graph's parameters and its unbound tensor constants (a <see cref="TensorConstant"/> whose
/// <see cref="TensorConstant.Data"/> is null, as after parsing) to tensors by name, checking each against
/// its type; tensor constants of called graphs bind from the same names.
/// </summary>
internal sealed class ParameterBinding
{
    // The tensors of the tensor constants that hold none, by name.
    private readonly Dictionary<string, Tensor> unbound = new(StringComparer.Ordinal);

    /// <summary>Binds <paramref name="given"/> to <paramref name="graph"/>.</summary>
    /// <exception cref="ArgumentException">A parameter is missing, extra, or of the wrong dtype or shape; the message lists every one.</exception>
    internal ParameterBinding(Graph graph, IReadOnlyDictionary<string, Tensor> given)
    {
        var problems = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var binder = new ValueBinder();
        var names = new ValueNamer(graph);
        var parameters = new List<Tensor>();
        // The names the graph binds, for messages: its parameters', then its unbound tensor constants'.
        var expected = new List<string>();
        foreach (var p in graph.Parameters)
        {
            string name = p.Name ?? names[p][1..];
            if (Check(given.GetValueOrDefault(name), p.Type, $"parameter {name}", binder, problems) is { } tensor) parameters.Add(tensor);
            used.Add(name);
            expected.Add(name);
        }
        foreach (var constant in TensorConstants(graph))
        {
            var type = TensorValueType.FromConcrete(constant.Type);
            if (constant.Data is null)
            {
                if (!expected.Contains($"@{constant.Name}"))
                {
                    expected.Add($"@{constant.Name}");
                    if (Check(given.GetValueOrDefault(constant.Name), type, $"tensor constant @{constant.Name}", new ValueBinder(), problems) is { } t)
                        unbound[constant.Name] = t;
                }
                used.Add(constant.Name);
            }
            else if (constant.Data is not Tensor data)
            {
                problems.Add($"tensor constant @{constant.Name} holds a {constant.Data.GetType().Name}, not a Kiln.Tensor");
            }
            else
            {
                Check(data, type, $"tensor constant @{constant.Name}", new ValueBinder(), problems);
            }
        }
        var extra = given.Keys.Where(k => !used.Contains(k)).Order(StringComparer.Ordinal).ToArray();
        if (extra.Length > 0)
            problems.Add($"{string.Join(", ", extra)} {(extra.Length == 1 ? "is" : "are")} not a parameter or tensor constant of the graph (it takes {(expected.Count == 0 ? "none" : string.Join(", ", expected))})");
        if (problems.Count > 0)
            throw new ArgumentException($"graph @{graph.Name}: {string.Join("; ", problems)}", nameof(given));
        Parameters = parameters;
        Sizes = binder.Sizes;
    }

    /// <summary>The tensor of each of the graph's parameters, in order.</summary>
    internal IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The sizes the parameters give dim symbols (usually none: weights have constant shapes).</summary>
    internal IReadOnlyDictionary<string, long> Sizes { get; }

    /// <summary>The tensor a tensor constant stands for.</summary>
    internal Tensor TensorOf(TensorConstant constant) => constant.Data as Tensor ?? unbound[constant.Name];

    private static Tensor? Check(Tensor? tensor, IrType type, string what, ValueBinder binder, List<string> problems)
    {
        if (tensor is null)
        {
            problems.Add($"{what} ({type}) is missing");
            return null;
        }
        try
        {
            binder.Bind(tensor, type, what);
            return tensor;
        }
        catch (ArgumentException e)
        {
            problems.Add(e.Message);
            return null;
        }
    }

    /// <summary>The tensor constants of <paramref name="graph"/> and of the graphs it calls.</summary>
    private static IEnumerable<TensorConstant> TensorConstants(Graph graph)
    {
        var seen = new HashSet<Graph>();
        var pending = new Stack<Graph>([graph]);
        while (pending.TryPop(out var g))
        {
            if (!seen.Add(g)) continue;
            foreach (var node in g.AllNodes())
            {
                if (node.Constant is TensorConstant c) yield return c;
                if (node.Callee is { } callee) pending.Push(callee);
            }
        }
    }
}
