using Kiln.IR;

namespace Kiln.Frontend.Lowering;

/// <summary>
/// A tensor computed by the graph. During lowering every C# value is either a script-time value (an ordinary
/// object: an int, a long[], the live module, a parameter tensor) or holds graph values: this, a
/// <see cref="GraphScalar"/>, or a <see cref="ScriptList"/> or <see cref="ScriptTuple"/> of them.
/// </summary>
/// <param name="Value">The graph value.</param>
internal sealed record GraphTensor(Value Value)
{
    /// <summary>The tensor's graph type.</summary>
    public TensorValueType Type => Value.TensorType;
}

/// <summary>An int, float or bool computed by the graph from tensor data (<c>t.Item&lt;float&gt;()</c>, a comparison of such values).</summary>
/// <param name="Value">The graph value (type <c>int</c>, <c>float</c> or <c>bool</c>).</param>
/// <param name="ClrType">The C# type the source gives it (float and double are both graph floats).</param>
internal sealed record GraphScalar(Value Value, Type ClrType);

/// <summary>
/// A <c>List&lt;Tensor&gt;</c> or array whose elements may be graph values: its length is known at script time,
/// its elements are tracked one by one.
/// </summary>
/// <param name="Items">The elements (script-time values or graph values).</param>
/// <param name="ClrType">The C# collection type (<c>List&lt;Tensor&gt;</c>, <c>Tensor[]</c>), used when the list is passed to library code.</param>
internal sealed record ScriptList(List<object?> Items, Type ClrType);

/// <summary>A C# tuple whose elements may be graph values.</summary>
/// <param name="Items">The elements, in order.</param>
internal sealed record ScriptTuple(object?[] Items);

/// <summary>
/// <c>x.Shape</c> of a tensor whose shape has symbolic dims: its length and its constant dims are known at
/// script time; reading a symbolic dim as a C# value means the graph must be specialised.
/// </summary>
/// <param name="Dims">The dims.</param>
internal sealed record SymbolicShape(IReadOnlyList<Dim> Dims);

/// <summary>How a statement finished: normally, or by break, continue or return (with the returned value).</summary>
internal readonly record struct Completion(CompletionKind Kind, object? Value = null)
{
    /// <summary>The statement ran to its end.</summary>
    public static Completion Normal => default;
}

/// <summary>The ways a statement can finish.</summary>
internal enum CompletionKind
{
    /// <summary>Ran to its end.</summary>
    Normal,
    /// <summary>Left the innermost loop.</summary>
    Break,
    /// <summary>Went on with the innermost loop's next iteration.</summary>
    Continue,
    /// <summary>Returned from the method.</summary>
    Return,
}
