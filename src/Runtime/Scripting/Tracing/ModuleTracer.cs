using System.Runtime.CompilerServices;
using Kiln.IR;
using Kiln.NN;

namespace Kiln.Scripting;

/// <summary>
/// Traces a module's <c>Forward</c> on example inputs into a graph (what <c>Jit.Trace</c> does): the inputs are graph
/// inputs named after Forward's parameters, every op recorded by a <see cref="Tracer"/>, the returned tensor (or the
/// elements of a returned tuple) the outputs, followed by the module state Forward updates
/// (<see cref="GraphCapture.StateUpdates"/>). The module's buffers are restored afterwards, so tracing leaves the
/// module as it was (batch-norm statistics included): only running the graph updates them.
/// </summary>
internal static class ModuleTracer
{
    /// <summary>The graph of <paramref name="module"/>'s Forward on <paramref name="example"/>, with the dims <paramref name="options"/> marks made symbolic.</summary>
    /// <exception cref="ScriptException">Forward does something tracing cannot record faithfully (KILN0100, KILN0101, KILN0102).</exception>
    /// <exception cref="ArgumentException">Forward does not take the inputs given, or a symbolic dim is invalid.</exception>
    internal static GraphCapture Trace(Module module, Tensor[] example, TraceOptions options)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(example);
        ArgumentNullException.ThrowIfNull(options);
        for (int i = 0; i < example.Length; i++)
        {
            if (example[i] is null) throw new ArgumentNullException(nameof(example), $"Jit.Trace: example input {i} is null");
        }
        var forward = ForwardMethod.Find(module, example.Length);
        var symbols = SymbolicTrace.Resolve(options.All(example.Length), example);
        var buffers = SaveBuffers(module);
        try
        {
            var first = TraceOnce(module, forward, example);
            if (symbols.Count > 0)
                SymbolicTrace.Generalize(first, TraceOnce(module, forward, SymbolicTrace.Resize(example, symbols)), symbols);
            return first;
        }
        finally
        {
            RestoreBuffers(buffers);
        }
    }

    private static GraphCapture TraceOnce(Module module, ForwardMethod forward, Tensor[] example)
    {
        var capture = new GraphCapture(module, module.GetType().Name);
        var graph = capture.Graph;
        var inputs = Distinct(example);
        // Recording follows grad mode (off inside kernels), so it must be on for the model's own code.
        using (GradMode.Set(true))
        using (var tracer = new Tracer(capture, new GraphBuilder(graph)))
        {
            for (int i = 0; i < inputs.Length; i++)
                tracer.Map(inputs[i], graph.AddInput(forward.InputName(i), TensorValueType.Of(inputs[i].DType, [.. inputs[i].Shape.Select(Dim.Of)])));
            var result = forward.Invoke(module, inputs);
            graph.SetOutputs(Outputs(tracer, module, result));
        }
        capture.AddStateOutputs();
        RemoveDeadNodes(graph);
        GraphVerifier.Verify(graph);
        return capture;
    }

    /// <summary>The graph outputs for what Forward returned: a tensor or list, or each element of a tuple (nested tuples become tuple values).</summary>
    private static Value[] Outputs(Tracer tracer, Module module, object? result) => result switch
    {
        Tensor t => [tracer.ValueOf(t)],
        ITuple tuple => [.. Enumerable.Range(0, tuple.Length).Select(i => Element(tracer, module, tuple[i], $"element {i} of the returned tuple"))],
        _ => [Element(tracer, module, result, "Forward's result")],
    };

    private static Value Element(Tracer tracer, Module module, object? element, string what) => element switch
    {
        Tensor t => tracer.ValueOf(t),
        ITuple tuple => tracer.Builder.Tuple([.. Enumerable.Range(0, tuple.Length).Select(i => Element(tracer, module, tuple[i], $"element {i} of {what}"))]),
        IReadOnlyList<Tensor> list => List(tracer, module, list, what),
        _ => throw NotTensor(module, element, what),
    };

    /// <summary>A list value of the tensors (which must all have one type: a graph list holds one element type).</summary>
    private static Value List(Tracer tracer, Module module, IReadOnlyList<Tensor> list, string what)
    {
        var values = list.Select(tracer.ValueOf).ToArray();
        if (values.Length == 0 || values.Any(v => !v.Type.Equals(values[0].Type)))
        {
            throw TraceDiagnostics.Error(TraceDiagnostics.Untraceable,
                $"tracing {module.GetType().Name}: {what} is a list of {(values.Length == 0 ? "no tensors" : string.Join(", ", values.Select(v => v.Type)))}; a graph list holds tensors of one type",
                null, "return a tuple, or stack the tensors into one");
        }
        return tracer.Builder.List(values[0].Type, values);
    }

    private static ScriptException NotTensor(Module module, object? value, string what) => TraceDiagnostics.Error(TraceDiagnostics.Untraceable,
        $"tracing {module.GetType().Name}: {what} is {(value is null ? "null" : "a " + value.GetType().Name)}; a traced graph returns tensors, and tuples and lists of them",
        null, "return tensors only (wrap numbers in tensors, leave optional results out), or use Jit.Script");

    /// <summary>The inputs, with a tensor given more than once replaced by copies, so each graph input has its own tensor.</summary>
    private static Tensor[] Distinct(Tensor[] example)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        using (Autograd.NoGrad()) return [.. example.Select(t => seen.Add(t) ? t : t.Clone())];
    }

    /// <summary>Removes nodes whose results nothing uses (ops Kiln ran inside other ops' implementations, such as dtype casts for a kernel).</summary>
    private static void RemoveDeadNodes(Graph graph)
    {
        var nodes = graph.Body.Nodes;
        for (int i = nodes.Count - 1; i >= 0; i--)
        {
            if (nodes[i].Results.All(r => r.Uses.Count == 0)) graph.Body.Remove(nodes[i]);
        }
    }

    private static (Tensor Buffer, Tensor Saved)[] SaveBuffers(Module module)
    {
        using (Autograd.NoGrad()) return [.. module.Buffers().Select(b => (b, b.Clone()))];
    }

    private static void RestoreBuffers((Tensor Buffer, Tensor Saved)[] buffers)
    {
        using (Autograd.NoGrad())
        {
            foreach (var (buffer, saved) in buffers) buffer.Copy_(saved);
        }
    }
}
