using Kiln.IR;

namespace Kiln.Graphs;

/// <summary>
/// Runs an IR primitive: the pure scalar and list ones through <see cref="PrimDef.Evaluate"/> (the code
/// constant folding uses), the ones that read or make tensors (<c>tensor_size</c>, <c>tensor_numel</c>,
/// <c>tensor_item</c>, <c>tensor_from_scalar</c>) here.
/// </summary>
internal sealed class PrimStep(Node node) : Step(node)
{
    private readonly PrimEvaluator evaluate = node.Prim!.Evaluate ?? TensorPrimitive(node);

    internal override void Execute(Frame frame)
    {
        var operands = new object?[Operands.Length];
        for (int k = 0; k < operands.Length; k++) operands[k] = Operand(frame, k);
        SetResults(frame, evaluate(operands, Node.Attrs));
    }

    private static PrimEvaluator TensorPrimitive(Node node) => node.Prim!.Name switch
    {
        "tensor_size" => (v, a) => [TensorOperand(v).Size(a.GetLong("dim", 0))],
        "tensor_numel" => (v, _) => [TensorOperand(v).Numel],
        "tensor_item" => (v, _) => [Item(TensorOperand(v))],
        "tensor_from_scalar" => FromScalar(((TensorValueType)node.Result.Type).DType),
        var name => throw new NotSupportedException($"the executor cannot run primitive {name} ({node})"),
    };

    private static Tensor TensorOperand(IReadOnlyList<object?> operands) =>
        operands[0] as Tensor ?? throw new InvalidOperationException($"operand 0 is {ValueBinder.Describe(operands[0])}, not a tensor");

    private static object Item(Tensor t) => t.DType switch
    {
        DType.Bool => t.Item<bool>(),
        var d when d.IsFloatingPoint() => t.ToUntracked(DType.Float64).Item<double>(),
        _ => t.ToUntracked(DType.Int64).Item<long>(),
    };

    private static PrimEvaluator FromScalar(DType dtype) => (v, _) => [v[0] switch
    {
        long l => Tensor.Full([], l, dtype),
        double d => Tensor.Full([], d, dtype),
        bool b => Tensor.Full([], b, dtype),
        var other => throw new InvalidOperationException($"operand 0 is {ValueBinder.Describe(other)}, not a scalar"),
    }];
}
