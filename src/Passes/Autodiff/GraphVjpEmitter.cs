using Kiln.IR;
using Kiln.IR.Autodiff;

namespace Kiln.Passes;

/// <summary>
/// Runs gradient rules on a graph: each op a rule applies becomes a node added through a
/// <see cref="GraphBuilder"/> (types inferred from the registry), and zeros and scalars become inline
/// splat constants. The same rules drive eager autograd, so both compute the same formulas.
/// </summary>
/// <param name="builder">Where the nodes go.</param>
public sealed class GraphVjpEmitter(GraphBuilder builder) : IVjpEmitter
{
    /// <summary>The builder the nodes are added through.</summary>
    public GraphBuilder Builder { get; } = builder;

    /// <summary>Wraps a graph value of this emitter's graph for a gradient rule.</summary>
    public GraphVjpValue Wrap(Value value) => new(this, value);

    /// <inheritdoc/>
    /// <exception cref="IrException">The op rejects the inputs or attributes.</exception>
    public VjpValue[] Call(string op, IReadOnlyList<VjpValue> inputs, Attrs attrs)
    {
        var values = new Value[inputs.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = inputs[i] is GraphVjpValue v ? v.Value
                : throw new ArgumentException($"{op}: input {i} is a {inputs[i].GetType().Name}, not a graph value of this emitter", nameof(inputs));
        }
        return [.. Builder.AddMulti(op, values, attrs).Select(Wrap)];
    }

    /// <inheritdoc/>
    public VjpValue Zeros(DType dtype, long[] shape) => Splat(dtype, shape, 0);

    /// <inheritdoc/>
    public VjpValue Scalar(double value, DType dtype) => Splat(dtype, [], value);

    private GraphVjpValue Splat(DType dtype, long[] shape, double value) =>
        Wrap(Builder.Constant(DenseConstant.Splat(new TensorValueType(dtype, shape.Select(Dim.Of)), value)));
}
