using Kiln.IR;

namespace Kiln;

/// <summary>
/// Records op calls into the autograd graph. Every differentiable public op ends with one of these
/// calls, naming the registry op and the attributes its gradient rule reads.
/// </summary>
internal static class GradRecorder
{
    /// <summary>Whether a call with this input must be recorded (for autograd, or by the active <see cref="Scripting.Tracer"/>).</summary>
    internal static bool IsNeeded(Tensor a) => (a.autograd is not null && a.RequiresGrad && GradMode.IsEnabled) || Scripting.Tracer.IsRecording;

    /// <summary>Whether a call with these inputs must be recorded.</summary>
    internal static bool IsNeeded(Tensor a, Tensor b) => (IsNeeded(a) || IsNeeded(b));

    /// <summary>Whether a call with these inputs must be recorded.</summary>
    internal static bool IsNeeded(IReadOnlyList<Tensor?> inputs) => NeedsGrad(inputs) || Scripting.Tracer.IsRecording;

    /// <summary>Whether a call with these inputs must be recorded for autograd.</summary>
    private static bool NeedsGrad(IReadOnlyList<Tensor?> inputs)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var t in inputs)
        {
            if (t is not null && t.autograd is not null && t.RequiresGrad) return true;
        }
        return false;
    }

    /// <summary>Records a one-input op when needed and returns its result.</summary>
    internal static Tensor Track(Tensor result, string op, Tensor a, Attrs? attrs = null) =>
        IsNeeded(a) ? Record(op, attrs ?? Attrs.Empty, [a], [result])[0] : result;

    /// <summary>Records a two-input op when needed and returns its result.</summary>
    internal static Tensor Track(Tensor result, string op, Tensor a, Tensor b, Attrs? attrs = null) =>
        IsNeeded(a, b) ? Record(op, attrs ?? Attrs.Empty, [a, b], [result])[0] : result;

    /// <summary>Records an op with any inputs when needed and returns its result.</summary>
    internal static Tensor Track(Tensor result, string op, IReadOnlyList<Tensor?> inputs, Attrs? attrs = null) =>
        IsNeeded(inputs) ? Record(op, attrs ?? Attrs.Empty, inputs, [result])[0] : result;

    /// <summary>Records an op with several results when needed and returns them.</summary>
    internal static Tensor[] Track(Tensor[] results, string op, IReadOnlyList<Tensor?> inputs, Attrs? attrs = null) =>
        IsNeeded(inputs) ? Record(op, attrs ?? Attrs.Empty, inputs, results) : results;

    /// <summary>
    /// Adds a node for <paramref name="op"/> whose floating-point results get it as their grad_fn.
    /// Results that share storage with an input (views) are marked so in-place writes to them can be refused.
    /// While tracing, the call also becomes a node of the traced graph.
    /// </summary>
    /// <exception cref="NotSupportedException">The op has floating-point results but no gradient rule.</exception>
    internal static Tensor[] Record(string op, Attrs attrs, IReadOnlyList<Tensor?> inputs, Tensor[] outputs)
    {
        if (Scripting.Tracer.IsRecording) Scripting.Tracer.Current!.Record(op, attrs, inputs, outputs);
        if (!NeedsGrad(inputs)) return outputs;
        var def = OpRegistry.Get(op);
        bool anyFloat = false;
        foreach (var o in outputs) anyFloat |= o.DType.IsFloatingPoint();
        if (!anyFloat) return outputs;
        if (def.Gradient is null)
            throw new NotSupportedException($"{op}: has no gradient rule, but an input requires grad; compute it under Autograd.NoGrad() or Detach() the inputs");
        var edges = new GradEdge?[inputs.Count];
        var saved = new SavedTensor?[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            var t = inputs[i];
            if (t is null) continue;
            saved[i] = new SavedTensor(t, op, i, isOutput: false);
            edges[i] = EdgeTo(t);
        }
        var savedOutputs = new SavedTensor[outputs.Length];
        for (int i = 0; i < outputs.Length; i++)
            savedOutputs[i] = new SavedTensor(outputs[i], op, i, isOutput: true);
        var node = new GradNode(def, attrs, saved, savedOutputs, edges);
        for (int i = 0; i < outputs.Length; i++)
        {
            var o = outputs[i];
            if (!o.DType.IsFloatingPoint()) continue;
            var meta = o.autograd ??= new AutogradMeta();
            meta.GradFn = node;
            meta.OutputIndex = i;
            foreach (var t in inputs)
            {
                if (t is not null && t.RequiresGrad && o.SharesStorageWith(t)) meta.IsViewOfGradTensor = true;
            }
        }
        return outputs;
    }

    /// <summary>Where a gradient for <paramref name="t"/> goes: its grad_fn, its leaf accumulator, or nowhere.</summary>
    internal static GradEdge? EdgeTo(Tensor t)
    {
        var meta = t.autograd;
        if (meta is null) return null;
        if (meta.GradFn is not null) return new GradEdge(meta.GradFn, meta.OutputIndex, null);
        return meta.RequiresGrad ? new GradEdge(null, 0, t) : null;
    }
}

/// <summary>In-place ops under autograd: the rules PyTorch applies, and recording as an out-of-place op plus a copy.</summary>
internal static class InPlaceGrad
{
    /// <summary>
    /// Whether an in-place op on <paramref name="self"/> with these inputs must go through <see cref="Run"/>: for
    /// autograd or the tracer, or (grad mode off) as a write into module state that the active tracer records.
    /// </summary>
    internal static bool IsNeeded(Tensor self, IReadOnlyList<Tensor?> inputs) =>
        GradMode.IsEnabled ? self.RequiresGrad || GradRecorder.IsNeeded(inputs) : Scripting.Tracer.IsStateWrite(self);

    /// <summary>Whether an in-place op on <paramref name="self"/> with one other input must go through <see cref="Run"/> (no list allocated).</summary>
    internal static bool IsNeeded(Tensor self, Tensor other) =>
        GradMode.IsEnabled ? self.RequiresGrad || other.RequiresGrad || Scripting.Tracer.IsRecording : Scripting.Tracer.IsStateWrite(self);

    /// <summary>
    /// Runs the out-of-place form (which records a node that saves the old <paramref name="self"/>),
    /// writes its result into <paramref name="self"/>, and makes that node <paramref name="self"/>'s grad_fn.
    /// With grad mode off (a write into module state while tracing) the tracer records the write instead.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="self"/> is a leaf that requires grad.</exception>
    /// <exception cref="NotSupportedException"><paramref name="self"/> is a view of a tensor with a gradient history.</exception>
    internal static Tensor Run(Tensor self, string op, Func<Tensor> outOfPlace)
    {
        if (!GradMode.IsEnabled) return Scripting.Tracer.Current!.WriteState(self, op, outOfPlace);
        Check(self, op);
        var result = outOfPlace();
        self.Overwrite(result);
        if (Scripting.Tracer.IsRecording) Scripting.Tracer.Current!.RecordInPlace(self, result, op);
        var meta = self.autograd ??= new AutogradMeta();
        meta.GradFn = result.autograd?.GradFn;
        meta.OutputIndex = result.autograd?.OutputIndex ?? 0;
        return self;
    }

    /// <summary>
    /// <see cref="Check"/> for in-place ops with no out-of-place form to record (fill_, zero_): while tracing they are
    /// refused on traced tensors and module state, whose new contents the graph would otherwise never compute.
    /// </summary>
    internal static void CheckUnrecorded(Tensor self, string op)
    {
        if (Scripting.Tracer.Current is { } tracer && (tracer.IsTraced(self) || tracer.Capture.IsState(self)))
            throw Scripting.TraceDiagnostics.Unrecorded(op, "write the new contents out of place (x * 0, Tensor.FullLike) or Copy_ them in");
        Check(self, op);
    }

    /// <summary>Refuses in-place writes that would make gradients wrong.</summary>
    internal static void Check(Tensor self, string op)
    {
        if (!GradMode.IsEnabled || self.autograd is null) return;
        if (self.IsLeaf && self.RequiresGrad)
            throw new InvalidOperationException(
                $"{op}: a leaf tensor that requires grad (shape {Shapes.Format(self.shape)}) cannot be modified in place while grad mode is on; " +
                "do the update inside `using (Autograd.NoGrad())` (as optimisers do), or Clone() it first");
        if (self.autograd.IsViewOfGradTensor)
            throw new NotSupportedException(
                $"{op}: in-place modification of a view of a tensor that requires grad (shape {Shapes.Format(self.shape)}) is not supported; " +
                "Clone() the view, or build the result out of place");
    }
}
