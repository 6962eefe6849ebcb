using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels.Elementwise;

namespace Kiln;

// Comparisons, logical ops, NaN/infinity tests and where. Results are bool tensors; comparisons promote
// their operands to a common dtype first (a C# scalar only widens across categories, as in PyTorch).
public partial class Tensor
{
    /// <summary>Elementwise <c>this == other</c> (<c>torch.eq</c>).</summary>
    public Tensor Eq(Tensor other) => Compare(ComparisonOps.Eq, other, new EqOp());

    /// <summary>Elementwise <c>this == value</c>.</summary>
    public Tensor Eq(double value) => Compare(ComparisonOps.Eq, value, new EqOp());

    /// <summary>Elementwise <c>this == value</c>, compared in an integer dtype when this tensor is integral.</summary>
    public Tensor Eq(long value) => Compare(ComparisonOps.Eq, value, new EqOp());

    /// <summary>Elementwise <c>this != other</c> (<c>torch.ne</c>; true where either is NaN).</summary>
    public Tensor Ne(Tensor other) => Compare(ComparisonOps.Ne, other, new NeOp());

    /// <summary>Elementwise <c>this != value</c>.</summary>
    public Tensor Ne(double value) => Compare(ComparisonOps.Ne, value, new NeOp());

    /// <summary>Elementwise <c>this != value</c>.</summary>
    public Tensor Ne(long value) => Compare(ComparisonOps.Ne, value, new NeOp());

    /// <summary>Elementwise <c>this &lt; other</c> (<c>torch.lt</c>).</summary>
    public Tensor Lt(Tensor other) => Compare(ComparisonOps.Lt, other, new LtOp());

    /// <summary>Elementwise <c>this &lt; value</c>.</summary>
    public Tensor Lt(double value) => Compare(ComparisonOps.Lt, value, new LtOp());

    /// <summary>Elementwise <c>this &lt; value</c>.</summary>
    public Tensor Lt(long value) => Compare(ComparisonOps.Lt, value, new LtOp());

    /// <summary>Elementwise <c>this &lt;= other</c> (<c>torch.le</c>).</summary>
    public Tensor Le(Tensor other) => Compare(ComparisonOps.Le, other, new LeOp());

    /// <summary>Elementwise <c>this &lt;= value</c>.</summary>
    public Tensor Le(double value) => Compare(ComparisonOps.Le, value, new LeOp());

    /// <summary>Elementwise <c>this &lt;= value</c>.</summary>
    public Tensor Le(long value) => Compare(ComparisonOps.Le, value, new LeOp());

    /// <summary>Elementwise <c>this &gt; other</c> (<c>torch.gt</c>).</summary>
    public Tensor Gt(Tensor other) => Compare(ComparisonOps.Gt, other, new GtOp());

    /// <summary>Elementwise <c>this &gt; value</c>.</summary>
    public Tensor Gt(double value) => Compare(ComparisonOps.Gt, value, new GtOp());

    /// <summary>Elementwise <c>this &gt; value</c>.</summary>
    public Tensor Gt(long value) => Compare(ComparisonOps.Gt, value, new GtOp());

    /// <summary>Elementwise <c>this &gt;= other</c> (<c>torch.ge</c>).</summary>
    public Tensor Ge(Tensor other) => Compare(ComparisonOps.Ge, other, new GeOp());

    /// <summary>Elementwise <c>this &gt;= value</c>.</summary>
    public Tensor Ge(double value) => Compare(ComparisonOps.Ge, value, new GeOp());

    /// <summary>Elementwise <c>this &gt;= value</c>.</summary>
    public Tensor Ge(long value) => Compare(ComparisonOps.Ge, value, new GeOp());

    /// <summary>Where both are nonzero (<c>torch.logical_and</c>); each operand is read as bool on its own.</summary>
    public Tensor LogicalAnd(Tensor other) => Logical(ComparisonOps.LogicalAnd, other, new LogicalAndOp());

    /// <summary>Where either is nonzero (<c>torch.logical_or</c>).</summary>
    public Tensor LogicalOr(Tensor other) => Logical(ComparisonOps.LogicalOr, other, new LogicalOrOp());

    /// <summary>Where exactly one is nonzero (<c>torch.logical_xor</c>).</summary>
    public Tensor LogicalXor(Tensor other) => Logical(ComparisonOps.LogicalXor, other, new LogicalXorOp());

    /// <summary>Where this is zero (<c>torch.logical_not</c>; NaN counts as nonzero).</summary>
    public Tensor LogicalNot() => GradRecorder.Track(UnaryDriver.Predicate("logical_not", this, new LogicalNotOp(), UnaryMathOps.LogicalNot.DTypes), "logical_not", this);

    /// <summary>In place: each element becomes 1 (true) where it was zero, else 0.</summary>
    public Tensor LogicalNot_() => InPlaceNeedsGrad()
        ? InPlaceWithGrad("logical_not_", static t => t.LogicalNot())
        : UnaryDriver.Predicate("logical_not", this, new LogicalNotOp(), UnaryMathOps.LogicalNot.DTypes, this);

    /// <summary>Where this is NaN (<c>torch.isnan</c>; never for integers).</summary>
    public Tensor IsNan() => GradRecorder.Track(UnaryDriver.Predicate("isnan", this, new IsNanOp(), UnaryMathOps.IsNan.DTypes), "isnan", this);

    /// <summary>Where this is ±infinity (<c>torch.isinf</c>).</summary>
    public Tensor IsInf() => GradRecorder.Track(UnaryDriver.Predicate("isinf", this, new IsInfOp(), UnaryMathOps.IsInf.DTypes), "isinf", this);

    /// <summary>Where this is neither NaN nor infinite (<c>torch.isfinite</c>).</summary>
    public Tensor IsFinite() => GradRecorder.Track(UnaryDriver.Predicate("isfinite", this, new IsFiniteOp(), UnaryMathOps.IsFinite.DTypes), "isfinite", this);

    /// <summary>
    /// <c>condition ? x : y</c>, elementwise (<c>torch.where</c>): the three broadcast together and x and y
    /// promote to a common dtype.
    /// </summary>
    /// <exception cref="ArgumentException">The condition is not bool, or the shapes do not broadcast.</exception>
    public static Tensor Where(Tensor condition, Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return TrackWhere(condition, x, y, TernaryDriver.Where(condition, x, y, Operands.Promote(x, y), TernaryOps.Where.DTypes));
    }

    /// <summary><c>condition ? x : y</c> with a scalar <paramref name="y"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor x, double y)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(x);
        var scalar = x.Scalar(y, out var promoted);
        return TrackWhere(condition, x, scalar, TernaryDriver.Where(condition, x, scalar, promoted, TernaryOps.Where.DTypes));
    }

    /// <summary><c>condition ? x : y</c> with a scalar <paramref name="x"/>.</summary>
    public static Tensor Where(Tensor condition, double x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(y);
        var scalar = y.Scalar(x, out var promoted);
        return TrackWhere(condition, scalar, y, TernaryDriver.Where(condition, scalar, y, promoted, TernaryOps.Where.DTypes));
    }

    /// <summary>This tensor where <paramref name="condition"/> holds, else <paramref name="other"/> (<c>Tensor.where</c>).</summary>
    public Tensor Where(Tensor condition, Tensor other) => Where(condition, this, other);

    /// <summary>Records where (the condition takes no gradient, but a tracer records it; a C# scalar operand is a 0-d tensor).</summary>
    private static Tensor TrackWhere(Tensor condition, Tensor x, Tensor y, Tensor result) =>
        AnyAutograd(condition, x, y) ? GradRecorder.Track(result, "where", [condition, x, y]) : result;

    private Tensor Compare<TOp>(OpDef def, Tensor other, TOp op) where TOp : struct, ICompareOp
    {
        ArgumentNullException.ThrowIfNull(other);
        return Compared(def, other, Operands.Promote(this, other), op);
    }

    private Tensor Compare<TOp>(OpDef def, double value, TOp op) where TOp : struct, ICompareOp => Compared(def, Scalar(value, out var p), p, op);

    private Tensor Compare<TOp>(OpDef def, long value, TOp op) where TOp : struct, ICompareOp => Compared(def, Scalar(value, out var p), p, op);

    // Comparisons have no gradient; recording them lets a tracer see them.
    private Tensor Compared<TOp>(OpDef def, Tensor other, DType promoted, TOp op) where TOp : struct, ICompareOp =>
        GradRecorder.Track(BinaryDriver.Compare(def.Name, this, other, promoted, op, def.DTypes), def.Name, this, other);

    // Each operand is made bool first, so no value is rounded by promotion (1e-300 in float64 stays true).
    private Tensor Logical<TOp>(OpDef def, Tensor other, TOp op) where TOp : struct, ICompareOp
    {
        ArgumentNullException.ThrowIfNull(other);
        return GradRecorder.Track(BinaryDriver.Compare(def.Name, ToUntracked(DType.Bool), other.ToUntracked(DType.Bool), DType.Bool, op, def.DTypes), def.Name, this, other);
    }
}
