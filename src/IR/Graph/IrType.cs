namespace Kiln.IR;

/// <summary>
/// The static type of a graph value: a tensor (<see cref="TensorValueType"/>), a scalar, a tuple, a list or
/// an optional. Types compare by structure; <see cref="object.ToString"/> gives the <c>.kir</c> spelling.
/// </summary>
public abstract class IrType : IEquatable<IrType>
{
    private protected IrType()
    {
    }

    /// <inheritdoc/>
    public abstract bool Equals(IrType? other);

    /// <inheritdoc/>
    public sealed override bool Equals(object? obj) => Equals(obj as IrType);

    /// <inheritdoc/>
    public abstract override int GetHashCode();

    /// <summary>Structural equality.</summary>
    public static bool operator ==(IrType? a, IrType? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Structural inequality.</summary>
    public static bool operator !=(IrType? a, IrType? b) => !(a == b);
}

/// <summary>The kinds of scalar (non-tensor) values: loop counters, conditions, constants.</summary>
public enum ScalarKind : byte
{
    /// <summary>A 64-bit integer (<c>int</c>).</summary>
    Int,
    /// <summary>A 64-bit float (<c>float</c>).</summary>
    Float,
    /// <summary>A boolean (<c>bool</c>).</summary>
    Bool,
}

/// <summary>A scalar value's type: <c>int</c>, <c>float</c> or <c>bool</c>.</summary>
public sealed class ScalarType : IrType
{
    private ScalarType(ScalarKind kind) => Kind = kind;

    /// <summary>The 64-bit integer type.</summary>
    public static ScalarType Int { get; } = new(ScalarKind.Int);

    /// <summary>The 64-bit float type.</summary>
    public static ScalarType Float { get; } = new(ScalarKind.Float);

    /// <summary>The boolean type.</summary>
    public static ScalarType Bool { get; } = new(ScalarKind.Bool);

    /// <summary>Which scalar this is.</summary>
    public ScalarKind Kind { get; }

    /// <inheritdoc/>
    public override bool Equals(IrType? other) => other is ScalarType s && s.Kind == Kind;

    /// <inheritdoc/>
    public override int GetHashCode() => (int)Kind;

    /// <summary>Formats as <c>int</c>, <c>float</c> or <c>bool</c>.</summary>
    public override string ToString() => Kind switch
    {
        ScalarKind.Int => "int",
        ScalarKind.Float => "float",
        _ => "bool",
    };
}

/// <summary>A fixed-length tuple of values of possibly different types: <c>tuple&lt;f32[3], int&gt;</c>.</summary>
public sealed class TupleType(IReadOnlyList<IrType> elements) : IrType
{
    /// <summary>The element types, in order.</summary>
    public IReadOnlyList<IrType> Elements { get; } = [.. elements];

    /// <inheritdoc/>
    public override bool Equals(IrType? other) => other is TupleType t && t.Elements.SequenceEqual(Elements);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var e in Elements) h.Add(e);
        return h.ToHashCode();
    }

    /// <summary>Formats as <c>tuple&lt;f32[3], int&gt;</c>.</summary>
    public override string ToString() => "tuple<" + string.Join(", ", Elements) + ">";
}

/// <summary>A list of any length whose elements share one type (a <c>List&lt;Tensor&gt;</c>): <c>list&lt;f32[?, 3]&gt;</c>.</summary>
public sealed class ListType(IrType element) : IrType
{
    /// <summary>The element type.</summary>
    public IrType Element { get; } = element;

    /// <inheritdoc/>
    public override bool Equals(IrType? other) => other is ListType l && l.Element == Element;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(1, Element);

    /// <summary>Formats as <c>list&lt;f32[3]&gt;</c>.</summary>
    public override string ToString() => "list<" + Element + ">";
}

/// <summary>A value that is either of type <see cref="Inner"/> or none: <c>optional&lt;f32[3]&gt;</c>.</summary>
public sealed class OptionalType(IrType inner) : IrType
{
    /// <summary>The type of the value when present.</summary>
    public IrType Inner { get; } = inner;

    /// <inheritdoc/>
    public override bool Equals(IrType? other) => other is OptionalType o && o.Inner == Inner;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(2, Inner);

    /// <summary>Formats as <c>optional&lt;f32[3]&gt;</c>.</summary>
    public override string ToString() => "optional<" + Inner + ">";
}
