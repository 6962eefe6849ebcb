using Kiln.IR;

namespace Kiln.Scripting;

/// <summary>
/// Makes dims of a traced graph symbolic only where that is checked: the module is traced a second time with every
/// symbolic dim grown, and the two graphs must be the same node for node (ops, attributes, constants, wiring); then
/// the first graph's input types get the symbols, every node's types are inferred again, and each inferred type
/// must fit both traces. A size baked into the trace fails one of these checks (KILN0102, naming the node).
/// </summary>
internal static class SymbolicTrace
{
    /// <summary>A symbolic dim of an example input with its size in the first trace and in the second.</summary>
    internal sealed record Resolved(int Input, int Dim, string Symbol, long Size, long OtherSize);

    /// <summary>Checks <paramref name="dims"/> against the example and picks the second trace's sizes (a different growth per symbol).</summary>
    /// <exception cref="ArgumentException">An input or dim is out of range, a symbol is not a name, a size is 0, or one symbol has two sizes.</exception>
    internal static IReadOnlyList<Resolved> Resolve(IEnumerable<SymbolicDim> dims, Tensor[] example, string api = "Jit.Trace")
    {
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var result = new List<Resolved>();
        foreach (var d in dims)
        {
            if (d.Input < 0 || d.Input >= example.Length)
                throw new ArgumentException($"{api}: symbolic dim {d} names input {d.Input}, but there are {example.Length} inputs");
            if (string.IsNullOrEmpty(d.Symbol) || !d.Symbol.All(c => char.IsLetterOrDigit(c) || c == '_') || char.IsDigit(d.Symbol[0]))
                throw new ArgumentException($"{api}: symbolic dim {d}: the symbol must be a name (letters, digits, _), got '{d.Symbol}'");
            var shape = example[d.Input].Shape;
            int dim = Shapes.WrapDim(api, d.Dim, shape.Length);
            long size = shape[dim];
            if (size == 0)
                throw new ArgumentException($"{api}: symbolic dim {dim} of input {d.Input} has size 0 in the example; give an example where it is at least 1");
            if (sizes.TryGetValue(d.Symbol, out var known) && known != size)
                throw new ArgumentException($"{api}: symbol ?{d.Symbol} is {known} in one input but {size} in dim {dim} of input {d.Input} (shape {Shapes.Format(shape)})");
            if (!sizes.ContainsKey(d.Symbol)) sizes[d.Symbol] = size;
            long growth = sizes.Keys.ToList().IndexOf(d.Symbol) + 1;
            if (!result.Any(r => r.Input == d.Input && r.Dim == dim)) result.Add(new Resolved(d.Input, dim, d.Symbol, size, size + growth));
        }
        return result;
    }

    /// <summary>The example with every symbolic dim grown to its second size, repeating the example's own slices (so values stay valid, e.g. indices).</summary>
    internal static Tensor[] Resize(Tensor[] example, IReadOnlyList<Resolved> dims)
    {
        using (Autograd.NoGrad())
        {
            var resized = (Tensor[])example.Clone();
            foreach (var d in dims)
            {
                var rows = new long[d.OtherSize];
                for (long i = 0; i < rows.Length; i++) rows[i] = i % d.Size;
                resized[d.Input] = resized[d.Input].IndexSelect(d.Dim, Tensor.FromArray(rows));
            }
            return resized;
        }
    }

    /// <summary>Checks that <paramref name="first"/> and <paramref name="second"/> agree and gives <paramref name="first"/>'s graph the symbolic types.</summary>
    /// <exception cref="ScriptException">KILN0102: the traces differ, or a type does not follow from the symbols.</exception>
    internal static void Generalize(GraphCapture first, GraphCapture second, IReadOnlyList<Resolved> dims)
    {
        var map = Match(first.Graph, second.Graph, dims);
        var graph = first.Graph;
        var inputs = graph.Inputs;
        for (int i = 0; i < inputs.Count; i++)
        {
            var type = inputs[i].TensorType;
            var shape = type.Shape.ToArray();
            foreach (var d in dims.Where(d => d.Input == i)) shape[d.Dim] = Dim.Sym(d.Symbol);
            inputs[i].Type = new TensorValueType(type.DType, shape);
        }
        var sizes = dims.DistinctBy(d => d.Symbol).ToDictionary(d => d.Symbol, d => d.Size, StringComparer.Ordinal);
        var otherSizes = dims.DistinctBy(d => d.Symbol).ToDictionary(d => d.Symbol, d => d.OtherSize, StringComparer.Ordinal);
        foreach (var node in graph.Body.Nodes)
        {
            IrType[] types;
            try
            {
                types = NodeTypes.Infer(node);
            }
            catch (ArgumentException e)
            {
                throw Baked(node, dims, $"cannot be typed with symbolic dims: {e.Message}", e);
            }
            for (int k = 0; k < types.Length; k++)
            {
                var result = node.Results[k];
                if (types[k] is TensorValueType t && (!Fits(t, result.Type, sizes) || !Fits(t, map[result].Type, otherSizes)))
                    throw Baked(node, dims, $"gives {result.Type} and {map[result].Type}, which do not follow the symbolic type {t}", null);
                result.Type = types[k];
            }
        }
        GraphVerifier.Verify(graph);
    }

    private static bool Fits(TensorValueType symbolic, IrType concrete, Dictionary<string, long> sizes) =>
        concrete is TensorValueType c && symbolic.Admits(c.ToConcrete(), new Dictionary<string, long>(sizes, StringComparer.Ordinal));

    /// <summary>Pairs every value of <paramref name="a"/> with its counterpart in <paramref name="b"/>, checking that the graphs are the same.</summary>
    private static Dictionary<Value, Value> Match(Graph a, Graph b, IReadOnlyList<Resolved> dims)
    {
        var map = new Dictionary<Value, Value>();
        if (a.Body.Params.Count != b.Body.Params.Count || a.Parameters.Select(p => p.Name).SequenceEqual(b.Parameters.Select(p => p.Name)) is false)
            throw Differs(dims, $"reads parameters {Names(a.Parameters)} at the first sizes but {Names(b.Parameters)} at the second", null);
        for (int i = 0; i < a.Body.Params.Count; i++) map[a.Body.Params[i]] = b.Body.Params[i];
        var nodesA = a.Body.Nodes;
        var nodesB = b.Body.Nodes;
        for (int i = 0; i < Math.Min(nodesA.Count, nodesB.Count); i++)
        {
            var (na, nb) = (nodesA[i], nodesB[i]);
            if (na.Kind != nb.Kind || na.Name != nb.Name)
                throw Differs(dims, $"records {na.Name}{TraceDiagnostics.At(na.Span)} at the first sizes where it records {nb.Name}{TraceDiagnostics.At(nb.Span)} at the second: Forward runs different ops at different sizes", na.Span);
            if (na.Attrs.ToString() != nb.Attrs.ToString())
                throw Baked(na, dims, $"has attributes {na.Attrs} at the first sizes but {nb.Attrs} at the second", null);
            if (!SameConstant(na.Constant, nb.Constant))
                throw Baked(na, dims, $"is {Describe(na.Constant)} at the first sizes but {Describe(nb.Constant)} at the second", null);
            if (na.Operands.Count != nb.Operands.Count || na.Operands.Where((v, k) => map[v] != nb.Operands[k]).Any())
                throw Differs(dims, $"{na.Name}{TraceDiagnostics.At(na.Span)} reads different values at the two sizes", na.Span);
            for (int k = 0; k < na.Results.Count; k++) map[na.Results[k]] = nb.Results[k];
        }
        if (nodesA.Count != nodesB.Count)
        {
            var extra = (nodesA.Count > nodesB.Count ? nodesA : nodesB)[Math.Min(nodesA.Count, nodesB.Count)];
            throw Differs(dims, $"records {nodesA.Count} nodes at the first sizes but {nodesB.Count} at the second (first extra node: {extra.Name}{TraceDiagnostics.At(extra.Span)}): Forward's loops or branches depend on a symbolic size", extra.Span);
        }
        if (a.Outputs.Count != b.Outputs.Count || a.Outputs.Where((v, k) => map[v] != b.Outputs[k]).Any())
            throw Differs(dims, "returns different values at the two sizes", null);
        return map;
    }

    private static bool SameConstant(object? a, object? b) => (a, b) switch
    {
        (TensorConstant x, TensorConstant y) => x.Type.Equals(y.Type) && x.Data is Tensor tx && y.Data is Tensor ty && SameBits(tx, ty),
        _ => Equals(a, b),
    };

    private static bool SameBits(Tensor a, Tensor b)
    {
        for (long i = 0; i < a.Numel; i++)
        {
            if (BitConverter.DoubleToInt64Bits(a.GetAsDouble(i)) != BitConverter.DoubleToInt64Bits(b.GetAsDouble(i))) return false;
        }
        return true;
    }

    private static string Describe(object? constant) => constant switch
    {
        TensorConstant t when t.Data is Tensor data && data.Numel <= 8 => $"{t.Type} {data.ToString().ReplaceLineEndings(" ")}",
        TensorConstant t => t.Type.ToString(),
        null => "none",
        _ => Convert.ToString(constant, System.Globalization.CultureInfo.InvariantCulture) ?? "?",
    };

    private static string Names(IEnumerable<Value> values) => "[" + string.Join(", ", values.Select(v => v.Name)) + "]";

    private static string Sizes(IReadOnlyList<Resolved> dims) =>
        string.Join(", ", dims.DistinctBy(d => d.Symbol).Select(d => $"?{d.Symbol} = {d.Size} and {d.OtherSize}"));

    /// <summary>KILN0102 about a node whose attributes, constant or types bake in a size; a constant points at its first use.</summary>
    private static ScriptException Baked(Node node, IReadOnlyList<Resolved> dims, string problem, Exception? inner)
    {
        var span = node.Span ?? node.Results.SelectMany(r => r.Uses).Select(u => u.User?.Span).FirstOrDefault(s => s is not null);
        string what = node.Kind == NodeKind.Constant && node.Constant is TensorConstant c
            ? $"constant {c.Name}{(node.Span is null && span is not null ? $" (used{TraceDiagnostics.At(span)})" : "")}"
            : node.Name + TraceDiagnostics.At(span);
        return Differs(dims, $"{what} {problem}; the size is baked into the trace, so the graph would be wrong at other sizes", span, inner);
    }

    private static ScriptException Differs(IReadOnlyList<Resolved> dims, string problem, SourceSpan? span, Exception? inner = null) =>
        TraceDiagnostics.Error(TraceDiagnostics.NotSymbolic, $"tracing with symbolic dims ({Sizes(dims)}): {problem}", span,
            "trace without symbolic dims (the ScriptModule then traces once per input shape), derive sizes with tensor ops (ZerosLike, Reshape with -1), or use Jit.Script", inner);
}
