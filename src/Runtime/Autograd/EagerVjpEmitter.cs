using Kiln.IR;
using Kiln.IR.Autodiff;

namespace Kiln;

/// <summary>Runs gradient rules on tensors: each call executes at once (and records, when building a graph of the backward pass).</summary>
internal sealed class EagerVjpEmitter : IVjpEmitter
{
    internal static EagerVjpEmitter Instance { get; } = new();

    public VjpValue[] Call(string op, IReadOnlyList<VjpValue> inputs, Attrs attrs)
    {
        var tensors = new Tensor?[inputs.Count];
        for (int i = 0; i < tensors.Length; i++)
            tensors[i] = ((EagerVjpValue)inputs[i]).Tensor;
        return Wrap(OpDispatch.Call(op, tensors, attrs));
    }

    public VjpValue Zeros(DType dtype, long[] shape) => new EagerVjpValue(Tensor.Zeros(shape, dtype));

    public VjpValue Scalar(double value, DType dtype) => new EagerVjpValue(Tensor.Full([], value, dtype));

    internal static VjpValue[] Wrap(Tensor[] tensors)
    {
        var values = new VjpValue[tensors.Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = new EagerVjpValue(tensors[i]);
        return values;
    }
}

/// <summary>A tensor inside a gradient rule. A saved tensor is checked against in-place writes only when the rule uses it.</summary>
internal sealed class EagerVjpValue : VjpValue
{
    private readonly SavedTensor? saved;
    private Tensor? tensor;

    internal EagerVjpValue(Tensor tensor) => this.tensor = tensor;

    internal EagerVjpValue(SavedTensor saved) => this.saved = saved;

    internal Tensor Tensor => tensor ??= saved!.Get();

    public override IVjpEmitter Emitter => EagerVjpEmitter.Instance;

    public override DType DType => tensor?.DType ?? saved!.DType;

    public override long[] Shape => tensor?.shape ?? saved!.Shape;
}
