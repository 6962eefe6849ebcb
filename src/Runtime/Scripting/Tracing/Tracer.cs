using Kiln.IR;

namespace Kiln.Scripting;

/// <summary>
/// Records the tensor ops run on this thread into a graph while it is active (from construction until disposed):
/// each op Kiln records for autograd becomes a node built with <see cref="Builder"/>, its operands the values of
/// its input tensors and its results mapped to its output tensors. In-place ops are recorded functionally (the
/// tensor then maps to the new value); an in-place write into module state is a <see cref="GraphCapture.StateUpdates"/>
/// entry, recorded even under <c>Autograd.NoGrad()</c> (batch norm's running statistics). Tensors the tracer has not
/// seen are read through <see cref="GraphCapture.Bind"/>: module parameters and buffers become graph parameters, other
/// tensors constants holding a copy of their contents when first read (a later in-place write to such a tensor makes
/// a new constant). Turning a tensor computed from the declared inputs, or module state the pass updated, into a C#
/// value (<c>Item</c>, <c>ToArray</c>...) throws KILN0100 pointing at the line, since control flow on it would be
/// frozen; drawing random numbers into a new tensor throws KILN0103, since the draw would be frozen. Other ops run with
/// grad mode off (inside Kiln's kernels, or under <c>Autograd.NoGrad()</c>) are not recorded.
/// </summary>
public sealed class Tracer : IDisposable
{
    [ThreadStatic] private static Tracer? current;

    private readonly Tracer? previous;
    // Each traced tensor's value, with its storage's version when mapped: a write the tracer did not record changes it.
    private readonly Dictionary<Tensor, (Value Value, int Version)> values = new(ReferenceEqualityComparer.Instance);
    // Copies of the other tensors read so far (not parameters or buffers), with the version copied.
    private readonly Dictionary<Tensor, (Value Value, int Version)> constants = new(ReferenceEqualityComparer.Instance);
    // Values computed from the declared inputs: reading one into C# is data-dependent; parameters and constants are not.
    private readonly HashSet<Value> dataValues = [];
    // Tensors given empty autograd state when mapped, cleared again on Dispose when nothing else used it.
    private readonly List<Tensor> marked = [];
    private bool disposed;

    /// <summary>Starts recording into <paramref name="builder"/>'s block, binding outside tensors through <paramref name="capture"/>.</summary>
    public Tracer(GraphCapture capture, GraphBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(capture);
        ArgumentNullException.ThrowIfNull(builder);
        Capture = capture;
        Builder = builder;
        previous = current;
        current = this;
        // In-place ops look for autograd state before asking whether to record: buffers get some, so writes to them are seen.
        foreach (var state in capture.StateTensors) Mark(state);
    }

    /// <summary>The capture that binds tensors the traced code reads but did not compute.</summary>
    public GraphCapture Capture { get; }

    /// <summary>
    /// The builder nodes are added with. Each node gets the builder's <see cref="GraphBuilder.Span"/> when the caller
    /// set one, else the span of the user's code that ran the op (the first stack frame outside Kiln).
    /// </summary>
    public GraphBuilder Builder { get; }

    /// <summary>The active tracer of this thread, or null.</summary>
    internal static Tracer? Current => current;

    /// <summary>Whether an op run now must be recorded: a tracer is active and grad mode is on.</summary>
    internal static bool IsRecording => current is not null && GradMode.IsEnabled;

    /// <summary>Whether an in-place write into <paramref name="tensor"/> with grad mode off must be recorded: it is module state of the active tracer's capture.</summary>
    internal static bool IsStateWrite(Tensor tensor) => current is { } tracer && tracer.Capture.IsState(tensor);

    /// <summary>Declares <paramref name="tensor"/> as standing for <paramref name="value"/> (a graph input, or a call-site argument).</summary>
    public void Map(Tensor tensor, Value value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(value);
        MapResult(tensor, value);
        dataValues.Add(value);
    }

    /// <summary>Whether <paramref name="tensor"/> is an input or was computed by a recorded op.</summary>
    public bool IsTraced(Tensor tensor) => values.ContainsKey(tensor);

    /// <summary>
    /// The value of a traced tensor; for a parameter or buffer of the module its <see cref="GraphCapture.Bind"/> value; for
    /// any other tensor a constant holding a copy of its current contents.
    /// </summary>
    /// <exception cref="ScriptException">KILN0101: a traced tensor was written in place by something the tracer does not record.</exception>
    public Value ValueOf(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (values.TryGetValue(tensor, out var traced))
        {
            if (traced.Version == tensor.Version) return traced.Value;
            var span = Builder.Span ?? UserCode.Span();
            throw TraceDiagnostics.Error(TraceDiagnostics.Untraceable,
                $"tracing: a traced tensor{TraceDiagnostics.At(span)} was written in place by an op the tracer does not record (Fill_, Zero_, or a write under Autograd.NoGrad()), so its value in the graph would be stale",
                span, "build the value out of place (Tensor.ZerosLike, Tensor.Where), or use Jit.Script");
        }
        if (Capture.IsState(tensor)) return Capture.Bind(tensor);
        if (constants.TryGetValue(tensor, out var constant) && constant.Version == tensor.Version) return constant.Value;
        Tensor copy;
        using (GradMode.Set(false)) copy = tensor.Clone();
        var value = Capture.Bind(copy);
        constants[tensor] = (value, tensor.Version);
        return value;
    }

    /// <summary>Stops recording: the tracer that was active before this one becomes active again.</summary>
    public void Dispose()
    {
        if (disposed) return;
        if (!ReferenceEquals(current, this))
            throw new InvalidOperationException("Tracer: tracers must be disposed in the reverse order of their creation, on the thread that created them");
        disposed = true;
        current = previous;
        foreach (var t in marked)
        {
            if (t.autograd is { RequiresGrad: false, GradFn: null, Grad: null, RetainsGrad: false, IsViewOfGradTensor: false }) t.autograd = null;
        }
    }

    /// <summary>Records op <paramref name="op"/> (called by <see cref="GradRecorder.Record"/>): a node whose results map to <paramref name="outputs"/>.</summary>
    /// <exception cref="ScriptException">KILN0101: the call cannot be expressed in the IR.</exception>
    internal void Record(string op, Attrs attrs, IReadOnlyList<Tensor?> inputs, Tensor[] outputs)
    {
        var span = Builder.Span ?? UserCode.Span();
        int count = inputs.Count;
        while (count > 0 && inputs[count - 1] is null) count--;
        var operands = new Value[count];
        bool data = false;
        for (int i = 0; i < count; i++)
        {
            var input = inputs[i] ?? throw TraceDiagnostics.Error(TraceDiagnostics.Untraceable,
                $"tracing: {op}{TraceDiagnostics.At(span)} leaves out input {i} but gives a later one, which a graph node cannot express", span,
                "pass the input explicitly, or use Jit.Script");
            operands[i] = ValueOf(input);
            data |= dataValues.Contains(operands[i]);
        }
        var results = Add(op, operands, attrs, span);
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < outputs.Length; i++)
        {
            var type = results[i].TensorType;
            if (!type.Admits(new TensorType(outputs[i].DType, outputs[i].Shape), sizes))
                throw new InvalidOperationException(
                    $"tracing: {op} {attrs}{TraceDiagnostics.At(span)} infers result {i} as {type}, but the eager op gave {outputs[i].DType.Name()}{Shapes.Format(outputs[i].Shape)}; the op records incomplete attributes (a Kiln bug)");
            MapResult(outputs[i], results[i]);
            if (data) dataValues.Add(results[i]);
        }
    }

    /// <summary>
    /// Records an in-place op functionally: <paramref name="self"/> now holds <paramref name="result"/>'s value (called by
    /// <see cref="InPlaceGrad.Run"/> after it wrote the out-of-place result into <paramref name="self"/>).
    /// </summary>
    /// <exception cref="ScriptException">KILN0101: another traced tensor shares <paramref name="self"/>'s storage (a view), and would keep stale values.</exception>
    /// <exception cref="ScriptException">KILN0101: module state is written inside an If or Loop block, which cannot pass the new value out.</exception>
    internal void RecordInPlace(Tensor self, Tensor result, string op)
    {
        if (!values.TryGetValue(result, out var traced)) return;
        foreach (var other in values.Keys)
        {
            if (!ReferenceEquals(other, self) && !ReferenceEquals(other, result) && other.SharesStorageWith(self))
            {
                var span = UserCode.Span();
                throw TraceDiagnostics.Error(TraceDiagnostics.Untraceable,
                    $"tracing: {op}{TraceDiagnostics.At(span)} writes in place into a tensor that shares its storage with another traced tensor (a view of it, or its base); the trace records in-place ops as new values, so the other would keep the old ones",
                    span, "use the out-of-place op (e.g. Relu() rather than Relu_())");
            }
        }
        if (!Capture.IsState(self))
        {
            MapResult(self, traced.Value);
            return;
        }
        if (Builder.Block != Capture.Graph.Body)
        {
            var span = Builder.Span ?? UserCode.Span();
            throw TraceDiagnostics.Error(TraceDiagnostics.Untraceable,
                $"tracing: {op}{TraceDiagnostics.At(span)} updates module state {Capture.StateName(self)} inside a branch or loop on tensor data, which cannot pass the new value out",
                span, "update the state outside the branch (call the layer before it), or evaluate the layer in Eval() mode there");
        }
        Capture.UpdateState(self, traced.Value);
    }

    /// <summary>
    /// Records a write into module state made with grad mode off (called by <see cref="InPlaceGrad.Run"/> for such a
    /// write while this tracer is active, as batch norm updates its running statistics): the op's out-of-place form
    /// runs with grad mode on, so its ops are recorded, and its result is written into <paramref name="state"/> and
    /// becomes the state's new value. The state gets no autograd history, as in eager mode.
    /// </summary>
    internal Tensor WriteState(Tensor state, string op, Func<Tensor> outOfPlace)
    {
        Tensor result;
        using (GradMode.Set(true)) result = outOfPlace();
        state.Overwrite(result);
        RecordInPlace(state, result, op);
        return state;
    }

    /// <summary>Throws KILN0103 when random numbers are drawn into a new tensor while a tracer is active (called by the random creation and fill ops).</summary>
    /// <exception cref="ScriptException">KILN0103.</exception>
    internal static void CheckRandom(string op)
    {
        if (current is { } tracer) throw TraceDiagnostics.RandomTensor(op, tracer.Builder.Span ?? UserCode.Span());
    }

    /// <summary>
    /// Throws KILN0100 when user code reads a tensor computed from the inputs into C#, or a module reads state the pass
    /// updated (called by Item, ToArray and CopyTo).
    /// </summary>
    /// <exception cref="ScriptException">KILN0100.</exception>
    internal static void CheckRead(Tensor tensor, string accessor)
    {
        if (current is not { } tracer) return;
        // State the pass updated changes from run to run: a module (a Kiln layer too) acting on its value would freeze it.
        if (tracer.Capture.IsUpdated(tensor) && UserCode.CalledFromModuleCode(accessor))
            throw TraceDiagnostics.StateRead(accessor, tracer.Capture.StateName(tensor));
        if (!tracer.values.TryGetValue(tensor, out var traced) || !tracer.dataValues.Contains(traced.Value)) return;
        if (UserCode.CalledFromUserCode(accessor)) throw TraceDiagnostics.DataRead(accessor);
    }

    private Value[] Add(string op, Value[] operands, Attrs attrs, SourceSpan? span)
    {
        var saved = Builder.Span;
        Builder.Span = span;
        try
        {
            return Builder.AddMulti(op, operands, attrs);
        }
        catch (IrException e)
        {
            throw TraceDiagnostics.Error(TraceDiagnostics.Untraceable, $"tracing: {op}{TraceDiagnostics.At(span)} cannot be recorded: {e.Message}", span, null, e);
        }
        finally
        {
            Builder.Span = saved;
        }
    }

    private void MapResult(Tensor tensor, Value value)
    {
        values[tensor] = (value, tensor.Version);
        // Kiln's ops look for autograd state before asking whether to record: give traced tensors some.
        Mark(tensor);
    }

    private void Mark(Tensor tensor)
    {
        if (tensor.autograd is null)
        {
            tensor.autograd = new AutogradMeta();
            marked.Add(tensor);
        }
    }
}
