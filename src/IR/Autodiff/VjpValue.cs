namespace Kiln.IR.Autodiff;

/// <summary>
/// A tensor value inside a gradient rule: a concrete tensor in eager mode, a graph value in autodiff.
/// Its operators call registered ops through its <see cref="Emitter"/>, so a rule reads like the math.
/// </summary>
public abstract class VjpValue
{
    /// <summary>The emitter that made this value and builds everything computed from it.</summary>
    public abstract IVjpEmitter Emitter { get; }

    /// <summary>The element type.</summary>
    public abstract DType DType { get; }

    /// <summary>The dim sizes, outermost first.</summary>
    public abstract long[] Shape { get; }

    /// <summary>The number of dims.</summary>
    public int Rank => Shape.Length;

    /// <summary>Applies op <paramref name="op"/> to this value and <paramref name="others"/>; its single result.</summary>
    public VjpValue Call(string op, Attrs? attrs = null, params VjpValue[] others) =>
        Emitter.Call(op, [this, .. others], attrs ?? Attrs.Empty)[0];

    /// <summary>Elementwise sum with broadcasting.</summary>
    public static VjpValue operator +(VjpValue a, VjpValue b) => a.Call("add", null, b);

    /// <summary>Elementwise difference with broadcasting.</summary>
    public static VjpValue operator -(VjpValue a, VjpValue b) => a.Call("sub", null, b);

    /// <summary>Elementwise product with broadcasting.</summary>
    public static VjpValue operator *(VjpValue a, VjpValue b) => a.Call("mul", null, b);

    /// <summary>Elementwise quotient with broadcasting.</summary>
    public static VjpValue operator /(VjpValue a, VjpValue b) => a.Call("div", null, b);

    /// <summary>Negation.</summary>
    public static VjpValue operator -(VjpValue a) => a.Call("neg");

    /// <summary>This value times a constant.</summary>
    public static VjpValue operator *(VjpValue a, double c) => a * a.Emitter.Scalar(c, a.DType);

    /// <summary>A constant times this value.</summary>
    public static VjpValue operator *(double c, VjpValue a) => a * c;

    /// <summary>This value plus a constant.</summary>
    public static VjpValue operator +(VjpValue a, double c) => a + a.Emitter.Scalar(c, a.DType);

    /// <summary>This value minus a constant.</summary>
    public static VjpValue operator -(VjpValue a, double c) => a - a.Emitter.Scalar(c, a.DType);

    /// <summary>A constant minus this value.</summary>
    public static VjpValue operator -(double c, VjpValue a) => a.Emitter.Scalar(c, a.DType) - a;

    /// <summary>This value divided by a constant.</summary>
    public static VjpValue operator /(VjpValue a, double c) => a * (1 / c);

    /// <summary>A 0-d constant of this value's dtype.</summary>
    public VjpValue Const(double value) => Emitter.Scalar(value, DType);

    /// <summary>Zeros of this value's dtype and shape.</summary>
    public VjpValue ZerosLike() => Emitter.Zeros(DType, Shape);

    /// <summary>This value converted to <paramref name="dtype"/> (itself when it already has it).</summary>
    public VjpValue To(DType dtype) => dtype == DType ? this : Call("to", new Attrs { { "dtype", dtype } });

    /// <summary>The sum over <paramref name="dims"/> (all dims when empty).</summary>
    public VjpValue Sum(long[] dims, bool keepdim = false) => Call("sum", new Attrs { { "dim", dims }, { "keepdim", keepdim } });

    /// <summary>This value with shape <paramref name="shape"/>.</summary>
    public VjpValue Reshape(long[] shape) => Shape.AsSpan().SequenceEqual(shape) ? this : Call("reshape", new Attrs { { "shape", shape } });

    /// <summary>This value broadcast to <paramref name="shape"/>.</summary>
    public VjpValue Expand(long[] shape) => Shape.AsSpan().SequenceEqual(shape) ? this : Call("expand", new Attrs { { "size", shape } });

    /// <summary>This value with dims <paramref name="dim0"/> and <paramref name="dim1"/> swapped.</summary>
    public VjpValue Transpose(long dim0, long dim1) => Call("transpose", new Attrs { { "dim0", dim0 }, { "dim1", dim1 } });

    /// <summary>
    /// The gradient of a broadcast operand: this value (shaped like the broadcast result) summed back to
    /// <paramref name="shape"/> and cast to <paramref name="dtype"/>, undoing broadcasting and promotion.
    /// </summary>
    public VjpValue SumTo(long[] shape, DType dtype)
    {
        var s = Shape;
        int lead = s.Length - shape.Length;
        var dims = new List<long>();
        for (int i = 0; i < s.Length; i++)
        {
            if (i < lead || (shape[i - lead] == 1 && s[i] != 1))
                dims.Add(i);
        }
        var reduced = dims.Count == 0 ? this : Sum([.. dims], keepdim: true);
        return reduced.Reshape(shape).To(dtype);
    }

    /// <summary>Applies a unary op with attributes.</summary>
    public VjpValue Call(string op, Attrs attrs) => Emitter.Call(op, [this], attrs)[0];
}
