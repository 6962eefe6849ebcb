namespace Kiln.IR;

/// <summary>Infers a primitive's result types from its operand types and attributes, or throws naming it.</summary>
public delegate IrType[] PrimTypeRule(IReadOnlyList<IrType> operands, Attrs attrs);

/// <summary>Computes a pure primitive's results from constant operands (long, double, bool, lists as <c>IReadOnlyList&lt;object?&gt;</c>).</summary>
public delegate object?[] PrimEvaluator(IReadOnlyList<object?> operands, Attrs attrs);

/// <summary>
/// One IR primitive: arithmetic and comparison on scalars (shape arithmetic such as <c>x.Shape[0] / 2</c>),
/// conversions between scalars and 0-d tensors, and list operations. These are the IR's own operations
/// (TorchScript's <c>prim::</c> and <c>aten::add.int</c>), not tensor ops: tensor ops live in the
/// <see cref="OpRegistry"/>. Their text spelling is <see cref="Name"/>.
/// </summary>
public sealed record PrimDef
{
    /// <summary>The name in <c>.kir</c> text (<c>scalar_add</c>, <c>list_append</c>).</summary>
    public required string Name { get; init; }

    /// <summary>What the primitive does, in one line.</summary>
    public required string Description { get; init; }

    /// <summary>The attributes it takes (none for most).</summary>
    public IReadOnlyList<AttrDef> Attributes { get; init; } = [];

    /// <summary>The result types for given operand types.</summary>
    public required PrimTypeRule InferTypes { get; init; }

    /// <summary>
    /// Computes the results from constant operands (constant folding and executors share it), or null for
    /// primitives that read tensors (<c>tensor_size</c>, <c>tensor_item</c>): executors run those themselves.
    /// </summary>
    public PrimEvaluator? Evaluate { get; init; }

    /// <summary>Throws unless every attribute given is in <see cref="Attributes"/>.</summary>
    /// <exception cref="ArgumentException">An unknown attribute.</exception>
    public void ValidateAttributes(Attrs attrs)
    {
        foreach (var (name, _) in attrs)
        {
            if (!Attributes.Any(a => a.Name == name))
                throw new ArgumentException($"{Name}: unknown attribute '{name}'; it takes {(Attributes.Count == 0 ? "no attributes" : string.Join(", ", Attributes.Select(a => a.Name)))}");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
