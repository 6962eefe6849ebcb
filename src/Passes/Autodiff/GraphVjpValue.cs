using Kiln.IR;
using Kiln.IR.Autodiff;

namespace Kiln.Passes;

/// <summary>
/// A graph value inside a gradient rule: what the rule computes from it becomes nodes added by its
/// <see cref="GraphVjpEmitter"/>. Rules read sizes from <see cref="Shape"/>, so the value's type must have
/// concrete dims: graph autodiff runs on a specialized graph.
/// </summary>
public sealed class GraphVjpValue : VjpValue
{
    private readonly GraphVjpEmitter emitter;

    internal GraphVjpValue(GraphVjpEmitter emitter, Value value)
    {
        this.emitter = emitter;
        Value = value;
    }

    /// <summary>The graph value this wraps.</summary>
    public Value Value { get; }

    /// <inheritdoc/>
    public override IVjpEmitter Emitter => emitter;

    /// <inheritdoc/>
    public override DType DType => Value.TensorType.DType;

    /// <summary>The concrete dim sizes.</summary>
    /// <exception cref="InvalidOperationException">The value's type has a symbolic or data-dependent dim.</exception>
    public override long[] Shape => Value.TensorType.ToConcrete().Shape;
}
