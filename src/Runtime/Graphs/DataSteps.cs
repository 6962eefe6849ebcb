using Kiln.IR;

namespace Kiln.Graphs;

/// <summary>Runs a registry op through <see cref="OpDispatch"/>: the eager kernels, recording autograd when an input requires grad.</summary>
internal sealed class OpStep(Node node) : Step(node)
{
    private readonly string op = node.Op!.Name;

    internal override void Execute(Frame frame)
    {
        var inputs = new Tensor?[Operands.Length];
        for (int k = 0; k < inputs.Length; k++)
        {
            inputs[k] = Operand(frame, k) as Tensor
                ?? throw new InvalidOperationException($"input {k} ({Node.Op!.Inputs[Math.Min(k, Node.Op.Inputs.Count - 1)]}) is {ValueBinder.Describe(Operand(frame, k))}, not a tensor");
        }
        SetResults(frame, OpDispatch.Call(op, inputs, Node.Attrs));
    }
}

/// <summary>
/// Yields a constant: a scalar or none as is, a tensor constant's tensor (shared, like a weight), or a new
/// tensor for an inline dense constant (a splat's symbolic dims sized by this run's inputs).
/// </summary>
/// <param name="node">The constant node.</param>
/// <param name="tensor">The tensor of a <see cref="TensorConstant"/>, or null for other payloads.</param>
internal sealed class ConstantStep(Node node, Tensor? tensor) : Step(node)
{
    internal override void Execute(Frame frame) => SetResult(frame, Node.Constant switch
    {
        DenseConstant dense => DenseTensors.ToTensor(dense, frame.Sizes),
        TensorConstant => tensor,
        var scalar => scalar,
    });
}

/// <summary>Builds a tuple or a list (both held as <c>object?[]</c>) from the operands.</summary>
internal sealed class PackStep(Node node) : Step(node)
{
    internal override void Execute(Frame frame)
    {
        var items = new object?[Operands.Length];
        for (int k = 0; k < items.Length; k++) items[k] = Operand(frame, k);
        SetResult(frame, items);
    }
}

/// <summary>Element <c>index</c> (an attribute) of a tuple.</summary>
internal sealed class TupleGetStep(Node node) : Step(node)
{
    private readonly long index = node.Attrs.GetLong("index", -1);

    internal override void Execute(Frame frame)
    {
        var tuple = Operand(frame, 0) as object?[] ?? throw new InvalidOperationException($"operand is {ValueBinder.Describe(Operand(frame, 0))}, not a tuple");
        SetResult(frame, index >= 0 && index < tuple.Length ? tuple[index]
            : throw new InvalidOperationException($"index {index} is out of range for a tuple of {tuple.Length}"));
    }
}

/// <summary>The element of a list at an index (negative counts from the end, as in Python).</summary>
internal sealed class ListGetStep(Node node) : Step(node)
{
    internal override void Execute(Frame frame)
    {
        var list = Operand(frame, 0) as IReadOnlyList<object?> ?? throw new InvalidOperationException($"operand 0 is {ValueBinder.Describe(Operand(frame, 0))}, not a list");
        long index = ScalarValues.Integer(Operand(frame, 1), "the index");
        long at = index < 0 ? index + list.Count : index;
        SetResult(frame, at >= 0 && at < list.Count ? list[(int)at]
            : throw new InvalidOperationException($"index {index} is out of range for a list of {list.Count}"));
    }
}

/// <summary>Runs a called graph on the operands (its inputs and parameters, checked against its types), yielding its outputs.</summary>
internal sealed class CallStep(Node node, GraphPlan callee) : Step(node)
{
    internal override void Execute(Frame frame)
    {
        var parameters = callee.Graph.Body.Params;
        if (parameters.Count != Operands.Length)
            throw new InvalidOperationException($"@{callee.Graph.Name} takes {parameters.Count} argument(s) (its inputs and parameters), got {Operands.Length}");
        var binder = new ValueBinder();
        var arguments = new object?[Operands.Length];
        for (int k = 0; k < arguments.Length; k++)
            arguments[k] = binder.Bind(Operand(frame, k), parameters[k].Type, $"argument {k} of @{callee.Graph.Name}");
        SetResults(frame, callee.Run(arguments, binder.Sizes, frame.Observer));
    }
}
