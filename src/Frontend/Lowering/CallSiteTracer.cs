using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using Kiln.Frontend.Analyzers;
using Kiln.Frontend.Sources;
using Kiln.IR;
using Kiln.Scripting;
using Microsoft.CodeAnalysis;

namespace Kiln.Frontend.Lowering;

/// <summary>The outcome of a traced library call: its result (graph values for tensors) and the tensors it changed in place.</summary>
/// <param name="Result">The call's result, tensors replaced by graph tensors.</param>
/// <param name="Mutated">Each argument tensor the call changed in place, with its new value.</param>
internal sealed record TracedCall(object? Result, IReadOnlyList<(GraphTensor Old, GraphTensor New)> Mutated);

/// <summary>
/// Call-site tracing: a call into Kiln (a tensor method or operator, a Functional, a built-in layer's Forward) is
/// captured by running the real method on stand-in tensors of the arguments' types under a <see cref="Tracer"/>
/// that maps them to the arguments' graph values, so whatever ops the method runs are recorded, with no table of
/// methods. Module state the call writes (batch norm's running statistics) becomes a state update of the capture,
/// which later calls read; the live tensors keep their values. When the arguments have symbolic dims the call is
/// recorded at two stand-in sizes and must record the same nodes, attributes, constants and state updates both
/// times; otherwise the graph cannot be symbolic there (KILN0202). A call that creates a random tensor is refused by
/// the tracer (KILN0103): the graph would repeat one draw.
/// </summary>
/// <param name="capture">The capture the graph is built in.</param>
/// <param name="standIns">The stand-in sizes of the symbols.</param>
internal sealed class CallSiteTracer(GraphCapture capture, StandIns standIns)
{
    // Stand-in data is drawn from a private generator so scripting leaves the user's random stream alone.
    private readonly Generator generator = new(seed: 0x6b696c6e);

    /// <summary>Runs <paramref name="method"/> on <paramref name="receiver"/> and <paramref name="arguments"/> (which may hold graph values), recording into <paramref name="builder"/>.</summary>
    /// <exception cref="ScriptException">The call fails, or records differently at two sizes of a symbolic dim.</exception>
    public TracedCall Invoke(MethodBase method, object? receiver, object?[] arguments, GraphBuilder builder, SyntaxNode syntax)
    {
        var tensors = new List<GraphTensor>();
        Collect(receiver, tensors);
        foreach (var a in arguments) Collect(a, tensors);
        // The real method runs on stand-in data: module state it updates (batch norm's running statistics) is put back.
        var state = State(receiver, arguments);
        var random = Kiln.Random.DefaultGenerator.GetState();
        bool symbolic = standIns.Any && tensors.Any(t => !t.Type.IsConcrete);
        try
        {
            var before = capture.StateUpdates.ToArray();
            // Dead nodes (what the method computed for its own eager bookkeeping) are dropped before comparing.
            var first = Record(method, receiver, arguments, builder, syntax, standIns.First);
            first.Prune();
            if (symbolic)
            {
                // The second recording starts from the same state as the first, and its updates are dropped with it.
                var after = capture.StateUpdates.ToArray();
                capture.ResetStateUpdates(before);
                var second = Record(method, receiver, arguments, builder, syntax, standIns.Second);
                second.Prune();
                var difference = Difference(first, second);
                second.Remove();
                capture.ResetStateUpdates(after);
                if (difference is not null) throw NotSymbolic(syntax, difference);
            }
            return first.Call;
        }
        catch (ScriptException e) when (symbolic && e.Diagnostics is not [{ Id: ScriptDiagnosticIds.SymbolicDimAsInt }])
        {
            // A call that fails on symbolic inputs (a size baked into a reshape) may work with concrete shapes.
            throw NotSymbolic(syntax, e.Diagnostics.Count > 0 ? e.Diagnostics[0].Message : e.Message);
        }
        finally
        {
            // Stand-in calls leave the user's random stream where it was.
            Kiln.Random.DefaultGenerator.SetState(random);
            using (Autograd.NoGrad())
            {
                foreach (var (live, saved) in state) live.Copy_(saved);
            }
        }
    }

    /// <summary>
    /// The C# value a library parameter of <paramref name="type"/> receives for <paramref name="value"/>: graph tensors
    /// become stand-ins made by <paramref name="standIn"/> (null: graph values are not allowed), script lists and
    /// tuples become real arrays, lists and value tuples.
    /// </summary>
    public static object? Realize(object? value, Type type, Func<GraphTensor, Tensor>? standIn)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        switch (value)
        {
            case GraphTensor tensor when standIn is not null:
                return standIn(tensor);
            case ScriptList list:
                var element = ScriptLowerer.ElementType(type.IsArray || type.IsGenericType ? type : list.ClrType);
                var items = list.Items.Select(i => Realize(i, element, standIn)).ToArray();
                var array = Array.CreateInstance(element, items.Length);
                for (int i = 0; i < items.Length; i++) array.SetValue(items[i], i);
                if (type.IsArray || type.IsInterface && type.IsAssignableFrom(array.GetType())) return array;
                var collection = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
                foreach (var item in items) collection.Add(item);
                return collection;
            case ScriptTuple tuple when type.IsValueType && typeof(ITuple).IsAssignableFrom(type):
                var fields = type.GetGenericArguments();
                return Activator.CreateInstance(type, [.. tuple.Items.Select((item, i) => Realize(item, fields[i], standIn))]);
            case GraphTensor or GraphScalar or SymbolicShape or ScriptTuple:
                throw new ArgumentException($"a graph value cannot be passed as a {type.Name} here");
            default:
                return value;
        }
    }

    private Recording Record(MethodBase method, object? receiver, object?[] arguments, GraphBuilder builder, SyntaxNode syntax, IReadOnlyDictionary<string, long> sizes)
    {
        var standIns = new Dictionary<GraphTensor, Tensor>();
        Tensor StandIn(GraphTensor t) => standIns.TryGetValue(t, out var d) ? d : standIns[t] = Make(t.Type, sizes, syntax);
        var parameters = method.GetParameters();
        object? self;
        object?[] args;
        try
        {
            self = receiver is GraphTensor g ? StandIn(g) : receiver;
            args = [.. arguments.Select((a, i) => Realize(a, parameters[i].ParameterType, StandIn))];
        }
        catch (ArgumentException e)
        {
            throw ScriptErrors.Lowering(syntax, e.Message, e);
        }
        int mark = capture.Graph.ValueCount;
        var earlier = capture.StateUpdates.Select(u => u.Value).ToHashSet();
        // Only ops run with grad mode on are recorded, and scripting may be asked for under NoGrad.
        using var grad = Autograd.EnableGrad();
        using var tracer = new Tracer(capture, builder);
        foreach (var (tensor, standIn) in standIns) tracer.Map(standIn, tensor.Value);
        var result = Import(Run(method, self, args, syntax), tracer);
        var mutated = standIns.Select(p => (Old: p.Key, New: tracer.ValueOf(p.Value)))
            .Where(p => p.New != p.Old.Value).Select(p => (p.Old, new GraphTensor(p.New))).ToList();
        var updates = capture.StateUpdates.Where(u => !earlier.Contains(u.Value)).ToList();
        return new Recording(new TracedCall(result, mutated), updates, mark, builder.Block, capture.Graph.Body);
    }

    private ScriptException NotSymbolic(SyntaxNode syntax, string reason) =>
        ScriptErrors.At(syntax, ScriptDiagnosticIds.SymbolicDimAsInt, string.Join(", ", standIns.First.Keys.Select(s => "?" + s)) + $" ({reason})");

    /// <summary>Copies of the module buffers and tensors a call could change in place.</summary>
    private static List<(Tensor Live, Tensor Saved)> State(object? receiver, object?[] arguments)
    {
        var tensors = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var value in arguments.Prepend(receiver))
        {
            if (value is NN.Module module) tensors.UnionWith(module.Buffers());
            else if (value is Tensor tensor and not NN.Parameter) tensors.Add(tensor);
        }
        using (Autograd.NoGrad()) return [.. tensors.Select(t => (t, t.Clone()))];
    }

    private static object? Run(MethodBase method, object? self, object?[] args, SyntaxNode syntax)
    {
        try
        {
            return method is ConstructorInfo constructor ? constructor.Invoke(args) : method.Invoke(self, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            throw inner switch
            {
                ScriptException { Diagnostics: [{ Id: ScriptDiagnosticIds.TraceTensorToValue }, ..] } =>
                    ScriptErrors.At(syntax, ScriptDiagnosticIds.NotScriptTimeConstant, ScriptErrors.Shorten(syntax)),
                // The tracer already points at the call (the builder's span is the call site's).
                ScriptException { Diagnostics: [{ Id: ScriptDiagnosticIds.TraceRandomFrozen }, ..] } random => random,
                _ => ScriptErrors.Lowering(syntax, inner.Message, inner),
            };
        }
    }

    private Tensor Make(TensorValueType type, IReadOnlyDictionary<string, long> sizes, SyntaxNode syntax)
    {
        var concrete = type.Bind(sizes);
        if (concrete.Shape.Any(d => d == TensorType.DataDependent))
            throw ScriptErrors.Lowering(syntax, $"a tensor of type {type}, whose size depends on the data, passed to a library call");
        // Zeros for integer and bool tensors keep them valid as indices; floats get small random values.
        return type.DType.IsFloatingPoint()
            ? Tensor.Rand(concrete.Shape.ToArray(), type.DType, generator: generator)
            : Tensor.Zeros(concrete.Shape.ToArray(), type.DType);
    }

    private static object? Import(object? value, Tracer tracer) => value switch
    {
        Tensor t => new GraphTensor(tracer.ValueOf(t)),
        ITuple tuple when value.GetType().IsValueType => new ScriptTuple([.. Enumerable.Range(0, tuple.Length).Select(i => Import(tuple[i], tracer))]),
        IEnumerable sequence when ScriptLowerer.ContainsTensor(value.GetType()) => new ScriptList([.. sequence.Cast<object?>().Select(i => Import(i, tracer))], value.GetType()),
        _ => value,
    };

    private static void Keep(object? value, HashSet<Value> kept)
    {
        var tensors = new List<GraphTensor>();
        Collect(value, tensors);
        kept.UnionWith(tensors.Select(t => t.Value));
    }

    private static void Collect(object? value, List<GraphTensor> tensors)
    {
        switch (value)
        {
            case GraphTensor t:
                tensors.Add(t);
                break;
            case ScriptList list:
                foreach (var item in list.Items) Collect(item, tensors);
                break;
            case ScriptTuple tuple:
                foreach (var item in tuple.Items) Collect(item, tensors);
                break;
        }
    }

    /// <summary>
    /// What one recording of a call added: its result, the state it updated, and the nodes (in its block, and constants
    /// in the body) made after value id <c>mark</c>.
    /// </summary>
    private sealed class Recording(TracedCall call, IReadOnlyList<StateUpdate> updates, int mark, Block block, Block body)
    {
        private Dictionary<Value, string>? made;

        public TracedCall Call { get; } = call;

        public IReadOnlyList<StateUpdate> Updates { get; } = updates;

        // Tensor constants are in Constants, also when the block is the body (and holds nothing older than them).
        public List<Node> Nodes { get; } = [.. New(block.Nodes.Reverse().TakeWhile(n => First(n) >= mark).Reverse(), mark).Where(n => n.Constant is not TensorConstant)];

        public List<Node> Constants { get; } = [.. New(body.Nodes.TakeWhile(n => n.Kind == NodeKind.Constant && n.Constant is TensorConstant), mark)];

        // The results of the recorded nodes by position: result j of node i is "i.j".
        private Dictionary<Value, string> Made() => made ??= Nodes
            .SelectMany((n, i) => n.Results.Select((r, j) => (r, $"{i}.{j}")))
            .ToDictionary(p => p.r, p => p.Item2);

        /// <summary>
        /// A token for <paramref name="value"/> that is equal in two recordings exactly when it plays the same part:
        /// module parameters by name, tensor constants by content (either recording may be the first to bind them),
        /// values the recording made by their position in it, others by identity.
        /// </summary>
        public string Token(Value value) => value switch
        {
            { ParamOf: not null } when value.Graph.IsParameter(value) => "param " + value.Name,
            { Producer: { Kind: NodeKind.Constant, Constant: TensorConstant c } } => "constant " + c.Type.DType + Shapes.Format(c.Type.Shape) + " " + Content(c.Data),
            _ => Made().TryGetValue(value, out var position) ? position : "#" + value.Id.ToString(CultureInfo.InvariantCulture),
        };

        /// <summary>
        /// Removes the nodes and constants whose results nothing reads: only the call's results, changed arguments and
        /// state updates can be read later.
        /// </summary>
        public void Prune()
        {
            var kept = new HashSet<Value>();
            Keep(Call.Result, kept);
            foreach (var (_, changed) in Call.Mutated) kept.Add(changed.Value);
            kept.UnionWith(Updates.Select(u => u.Value));
            RemoveWhere(Nodes, block, n => n.Results.All(r => r.Uses.Count == 0 && !kept.Contains(r)));
            RemoveWhere(Constants, body, c => c.Result.Uses.Count == 0 && !kept.Contains(c.Result));
        }

        /// <summary>Removes every node of the recording (a recording made only to compare with another).</summary>
        public void Remove()
        {
            RemoveWhere(Nodes, block, _ => true);
            RemoveWhere(Constants, body, c => c.Result.Uses.Count == 0);
        }

        // Last first, so a node is removed after the nodes that read it.
        private static void RemoveWhere(List<Node> nodes, Block from, Func<Node, bool> remove)
        {
            for (int i = nodes.Count - 1; i >= 0; i--)
            {
                if (!remove(nodes[i])) continue;
                from.Remove(nodes[i]);
                nodes.RemoveAt(i);
            }
        }

        private static IEnumerable<Node> New(IEnumerable<Node> nodes, int mark) => nodes.Where(n => First(n) >= mark);

        private static int First(Node node) => node.Results.Count == 0 ? int.MaxValue : node.Results[0].Id;
    }

    /// <summary>How two recordings of a call differ, or null when they record the same thing.</summary>
    private string? Difference(Recording a, Recording b)
    {
        if (a.Nodes.Count != b.Nodes.Count) return $"{a.Nodes.Count} nodes at one size, {b.Nodes.Count} at another";
        for (int i = 0; i < a.Nodes.Count; i++)
        {
            var (x, y) = (a.Nodes[i], b.Nodes[i]);
            if (NodeText(x, a) != NodeText(y, b)) return $"'{x.Name}' records {NodeText(x, a)} at one size and {NodeText(y, b)} at another";
            if (x.Attrs.Any(attr => Longs(attr.Value).Any(standIns.IsFirst))) return $"an attribute of '{x.Name}' holds a stand-in size";
            if (x.Operands.Select(o => o.Producer?.Constant).OfType<TensorConstant>().Any(c => c.Data is Tensor t && !t.DType.IsFloatingPoint()
                && t.DType != DType.Bool && t.To(DType.Int64).ToArray<long>().Any(standIns.IsFirst)))
                return $"a constant read by '{x.Name}' holds a stand-in size";
        }
        string ra = ResultText(a.Call.Result, a), rb = ResultText(b.Call.Result, b);
        if (ra != rb) return $"the call returns {ra} at one size and {rb} at another";
        return Effects(a) == Effects(b) ? null : "it changes its arguments or module state in place differently";
    }

    /// <summary>What a recording changes in place: its arguments' new values, and each state update's name and value.</summary>
    private static string Effects(Recording r) => string.Join(",",
        r.Call.Mutated.Select(m => r.Token(m.New.Value)).Concat(r.Updates.Select(u => u.Name + "=" + r.Token(u.Value))));

    private static string NodeText(Node node, Recording r) =>
        node.Name + "(" + string.Join(", ", node.Operands.Select(r.Token)) + ") {"
        + string.Join(", ", node.Attrs.Select(a => a.Key + "=" + AttrText(a.Value))) + "} -> "
        + string.Join(", ", node.Results.Select(v => v.Type));

    private static string ResultText(object? value, Recording r) => value switch
    {
        GraphTensor t => r.Token(t.Value) + ":" + t.Type,
        ScriptTuple tuple => "(" + string.Join(", ", tuple.Items.Select(i => ResultText(i, r))) + ")",
        ScriptList list => "[" + string.Join(", ", list.Items.Select(i => ResultText(i, r))) + "]",
        _ => AttrText(value),
    };

    private static string AttrText(object? value) => value switch
    {
        null => "none",
        string s => s,
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(AttrText)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static IEnumerable<long> Longs(object? value) => value switch
    {
        long l => [l],
        int i => [i],
        IEnumerable items and not string => items.Cast<object?>().SelectMany(Longs),
        _ => [],
    };

    // A tensor constant's content as a hash of its values (same values, same hash within the process).
    private static string Content(object? data)
    {
        if (data is not Tensor t) return AttrText(data);
        var hash = new HashCode();
        foreach (var v in t.To(DType.Float64).ToArray<double>()) hash.Add(v);
        return hash.ToHashCode().ToString(CultureInfo.InvariantCulture);
    }
}
