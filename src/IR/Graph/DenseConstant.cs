namespace Kiln.IR;

/// <summary>
/// A tensor constant written inline in the graph: either one value filling the whole tensor (a splat,
/// which may have symbolic dims: zeros of <c>f32[?b, 512]</c>) or every element in row-major order
/// (concrete shapes only). Values are held as doubles: exact for floats, integers up to 2^53 and bools.
/// Printed <c>dense&lt;0.0&gt;</c> or <c>dense&lt;[1.0, 2.0]&gt;</c>. Large weights are <see cref="TensorConstant"/>s instead.
/// </summary>
public sealed class DenseConstant
{
    /// <summary>Creates an inline constant.</summary>
    /// <exception cref="ArgumentException">The values are neither one (a splat) nor one per element of a concrete shape.</exception>
    public DenseConstant(TensorValueType type, IReadOnlyList<double> values)
    {
        if (values.Count != 1 && !(type.IsConcrete && values.Count == Shapes.Numel([.. type.Shape.Select(d => d.Size)])))
            throw new ArgumentException(
                $"dense constant of type {type}: expected {(type.IsConcrete ? $"1 value (a splat) or {Shapes.Numel([.. type.Shape.Select(d => d.Size)])} (one per element)" : "1 value (a splat: the shape is symbolic)")}, got {values.Count}", nameof(values));
        Type = type;
        Values = [.. values];
    }

    /// <summary>A constant of type <paramref name="type"/> with every element <paramref name="value"/>.</summary>
    public static DenseConstant Splat(TensorValueType type, double value) => new(type, [value]);

    /// <summary>The constant's type.</summary>
    public TensorValueType Type { get; }

    /// <summary>One value (a splat) or every element, row-major.</summary>
    public IReadOnlyList<double> Values { get; }

    /// <summary>Whether one value fills the whole tensor.</summary>
    public bool IsSplat => Values.Count == 1;

    /// <summary>Formats as <c>dense&lt;0.5&gt;</c> or <c>dense&lt;[1, 2]&gt;</c>, each value spelled for the dtype.</summary>
    public override string ToString()
    {
        var values = Values.Select(Format).ToArray();
        return "dense<" + (IsSplat ? values[0] : "[" + string.Join(", ", values) + "]") + ">";
    }

    private string Format(double v) =>
        Type.DType == DType.Bool ? (v != 0 ? "true" : "false")
        : Type.DType.IsFloatingPoint() ? KirSyntax.FormatDouble(v)
        : KirSyntax.FormatAttribute((long)v);
}
