namespace Kiln.IR;

/// <summary>The static type of a tensor value: element dtype and shape.</summary>
public sealed class TensorType : IEquatable<TensorType>
{
    /// <summary>Creates a tensor type.</summary>
    public TensorType(DType dtype, long[] shape)
    {
        DType = dtype;
        Shape = shape;
    }

    /// <summary>
    /// A dim whose size depends on the data, not on the input types (nonzero's row count, unique's length):
    /// a type rule reports it as this value.
    /// </summary>
    public const long DataDependent = -1;

    /// <summary>Whether <paramref name="actual"/> (a concrete result) fits this inferred type; <see cref="DataDependent"/> dims match any size.</summary>
    public bool Admits(TensorType actual) =>
        actual.DType == DType && actual.Rank == Rank && Shape.Zip(actual.Shape).All(p => p.First == DataDependent || p.First == p.Second);

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The sizes of the dims, outermost first.</summary>
    public long[] Shape { get; }

    /// <summary>The number of dims.</summary>
    public int Rank => Shape.Length;

    /// <inheritdoc/>
    public bool Equals(TensorType? other) => other is not null && other.DType == DType && other.Shape.AsSpan().SequenceEqual(Shape);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TensorType);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(DType);
        foreach (var d in Shape) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Formats like <c>float32[2, 3]</c>.</summary>
    public override string ToString() => DType.Name() + Shapes.Format(Shape);
}
