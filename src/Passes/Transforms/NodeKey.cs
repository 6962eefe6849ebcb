using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// What a node computes, as a dictionary key: two keys are equal when their nodes have the same kind, op
/// or primitive, operands (the same values), attributes, constant payload and result types. Floats
/// compare by bits, so <c>-0.0</c> and <c>0.0</c> differ and NaN equals itself.
/// </summary>
internal sealed class NodeKey : IEquatable<NodeKey>
{
    private readonly Node node;
    private readonly int hash;

    public NodeKey(Node node)
    {
        this.node = node;
        var h = new HashCode();
        h.Add(node.Kind);
        h.Add(node.Name);
        foreach (var o in node.Operands) h.Add(o.Id);
        foreach (var (name, _) in node.Attrs) h.Add(name);
        h.Add(node.Constant switch
        {
            DenseConstant d => HashCode.Combine(d.Type, d.Values.Count, d.Values.Count > 0 ? d.Values[0] : 0),
            double d => BitConverter.DoubleToInt64Bits(d).GetHashCode(),
            var other => other?.GetHashCode() ?? 0,
        });
        hash = h.ToHashCode();
    }

    public bool Equals(NodeKey? other) => other is not null && (ReferenceEquals(node, other.node) || Same(node, other.node));

    public override bool Equals(object? obj) => Equals(obj as NodeKey);

    public override int GetHashCode() => hash;

    private static bool Same(Node a, Node b) =>
        a.Kind == b.Kind
        && ReferenceEquals(a.Op, b.Op)
        && ReferenceEquals(a.Prim, b.Prim)
        && a.Operands.SequenceEqual(b.Operands)
        && SameAttrs(a.Attrs, b.Attrs)
        && SameConstant(a.Constant, b.Constant)
        && a.Results.Select(r => r.Type).SequenceEqual(b.Results.Select(r => r.Type));

    private static bool SameAttrs(Attrs a, Attrs b) =>
        a.Count() == b.Count() && a.Zip(b).All(p => p.First.Key == p.Second.Key && SameScalar(p.First.Value, p.Second.Value));

    private static bool SameConstant(object? a, object? b) => (a, b) switch
    {
        (DenseConstant x, DenseConstant y) => x.Type == y.Type && x.Values.Select(Bits).SequenceEqual(y.Values.Select(Bits)),
        // Records: the same name, type and payload reference.
        (TensorConstant x, TensorConstant y) => x == y,
        _ => SameScalar(a, b),
    };

    private static bool SameScalar(object? a, object? b) => (a, b) switch
    {
        (double x, double y) => Bits(x) == Bits(y),
        (long[] x, long[] y) => x.AsSpan().SequenceEqual(y),
        _ => Equals(a, b),
    };

    private static long Bits(double d) => BitConverter.DoubleToInt64Bits(d);
}
