namespace Kiln.IR;

/// <summary>
/// A tensor value's type in a graph: dtype and a shape whose dims may be symbols (<c>f32[?b, 784]</c>).
/// Concrete shapes convert to and from the registry's <see cref="TensorType"/>.
/// </summary>
public sealed class TensorValueType : IrType
{
    /// <summary>Creates a tensor type.</summary>
    public TensorValueType(DType dtype, IEnumerable<Dim> shape)
    {
        DType = dtype;
        Shape = [.. shape];
    }

    /// <summary>A tensor type from dims given inline: <c>TensorValueType.Of(DType.Float32, Dim.Sym("b"), 784)</c>.</summary>
    public static TensorValueType Of(DType dtype, params Dim[] shape) => new(dtype, shape);

    /// <summary>The graph type of a registry type (<see cref="TensorType.DataDependent"/> dims become <see cref="Dim.Dynamic"/>).</summary>
    public static TensorValueType FromConcrete(TensorType type) =>
        new(type.DType, type.Shape.Select(d => d == TensorType.DataDependent ? Dim.Dynamic : Dim.Of(d)));

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The dims, outermost first.</summary>
    public IReadOnlyList<Dim> Shape { get; }

    /// <summary>The number of dims.</summary>
    public int Rank => Shape.Count;

    /// <summary>Whether every dim is a constant.</summary>
    public bool IsConcrete => Shape.All(d => d.IsConstant);

    /// <summary>The symbols this type mentions, in order of first appearance.</summary>
    public IEnumerable<string> Symbols => Shape.Where(d => d.IsSymbol).Select(d => d.Symbol!).Distinct();

    /// <summary>The registry type, when every dim is a constant.</summary>
    /// <exception cref="InvalidOperationException">A dim is a symbol or dynamic.</exception>
    public TensorType ToConcrete() => IsConcrete
        ? new TensorType(DType, [.. Shape.Select(d => d.Size)])
        : throw new InvalidOperationException($"type {this} has symbolic dims; bind them to sizes first");

    /// <summary>The concrete type with each symbol replaced by its size in <paramref name="sizes"/>; dynamic dims stay <see cref="TensorType.DataDependent"/>.</summary>
    /// <exception cref="KeyNotFoundException">A symbol has no size.</exception>
    public TensorType Bind(IReadOnlyDictionary<string, long> sizes) => new(DType, [.. Shape.Select(d =>
        d.IsConstant ? d.Size
        : d.IsDynamic ? TensorType.DataDependent
        : sizes.TryGetValue(d.Symbol!, out var s) ? s : throw new KeyNotFoundException($"type {this}: no size given for symbol ?{d.Symbol}"))]);

    /// <summary>
    /// Whether a concrete tensor type fits this type, binding symbols to sizes in <paramref name="sizes"/> (a
    /// symbol seen before must have the same size again). The executor checks inputs with this.
    /// </summary>
    public bool Admits(TensorType actual, IDictionary<string, long> sizes)
    {
        if (actual.DType != DType || actual.Rank != Rank) return false;
        for (int i = 0; i < Rank; i++)
        {
            var d = Shape[i];
            long size = actual.Shape[i];
            if (d.IsSymbol)
            {
                if (sizes.TryGetValue(d.Symbol!, out var bound) && bound != size) return false;
                sizes[d.Symbol!] = size;
            }
            else if (!d.Admits(size))
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(IrType? other) =>
        other is TensorValueType t && t.DType == DType && t.Shape.SequenceEqual(Shape);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(DType);
        foreach (var d in Shape) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Formats like <c>f32[?b, 784]</c> (a 0-d tensor is <c>f32[]</c>).</summary>
    public override string ToString() => KirSyntax.DTypeName(DType) + "[" + string.Join(", ", Shape) + "]";
}
