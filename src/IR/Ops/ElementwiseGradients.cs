using Kiln.IR.Autodiff;

namespace Kiln.IR.Ops;

/// <summary>
/// The gradient rules of the elementwise family (PyTorch's derivatives.yaml formulas), written once for eager
/// autograd and graph autodiff. Binary and ternary rules undo broadcasting and promotion with
/// <see cref="VjpValue.SumTo"/>; inputs that need no gradient get null.
/// </summary>
internal static class ElementwiseGradients
{
    private const double Ln2 = 0.69314718055994530942;
    private const double Ln10 = 2.30258509299404568402;
    private const double TwoOverSqrtPi = 1.12837916709551257390;
    private const double InvSqrt2Pi = 0.39894228040143267794;
    private const double SqrtTwoOverPi = 0.79788456080286535588;
    private const double GeluTanhKappa = 0.044715;

    private static readonly VjpRule TrueDivision = Binary(c => c.Grad / c.Input(1), c => -c.Grad * (c.Input(0) / c.Input(1) / c.Input(1)));

    /// <summary>A one-input rule: <paramref name="dx"/> maps the context to the input's gradient.</summary>
    internal static VjpRule Unary(Func<VjpContext, VjpValue> dx) => c => [c.NeedsInputGrad[0] ? dx(c) : null];

    /// <summary>The rule of a piecewise-constant op (sign, floor, round ...): zero almost everywhere.</summary>
    internal static VjpRule Zero { get; } = c =>
    {
        var grads = new VjpValue?[c.Inputs.Count];
        for (int i = 0; i < grads.Length; i++)
        {
            if (c.NeedsInputGrad[i]) grads[i] = c.Input(i).ZerosLike();
        }
        return grads;
    };

    /// <summary>
    /// A two-input rule: <paramref name="dself"/> and <paramref name="dother"/> give each input's gradient
    /// shaped like the broadcast result; it is summed back to the input's shape here.
    /// </summary>
    internal static VjpRule Binary(Func<VjpContext, VjpValue> dself, Func<VjpContext, VjpValue> dother) => c =>
    [
        c.NeedsInputGrad[0] ? dself(c).SumTo(c.Input(0).Shape, c.Input(0).DType) : null,
        c.NeedsInputGrad[1] ? dother(c).SumTo(c.Input(1).Shape, c.Input(1).DType) : null,
    ];

    /// <summary><paramref name="condition"/> ? <paramref name="a"/> : <paramref name="b"/> (the registry's <c>where</c>).</summary>
    internal static VjpValue Where(VjpValue condition, VjpValue a, VjpValue b) => condition.Call("where", null, a, b);

    /// <summary><paramref name="g"/> where <paramref name="mask"/> holds, else zero.</summary>
    internal static VjpValue Masked(VjpValue mask, VjpValue g) => Where(mask, g, g.Const(0));

    /// <summary>Applies comparison <paramref name="op"/> (<c>gt</c>, <c>eq</c> ...) to <paramref name="a"/> and <paramref name="b"/>.</summary>
    private static VjpValue Compare(string op, VjpValue a, VjpValue b) => a.Call(op, null, b);

    private static VjpValue Square(VjpValue x) => x * x;

    // ---- unary math ----

    internal static VjpRule Neg { get; } = Unary(c => -c.Grad);

    internal static VjpRule Abs { get; } = Unary(c => c.Grad * c.Input(0).Call("sign"));

    internal static VjpRule SquareRule { get; } = Unary(c => c.Grad * c.Input(0) * 2);

    internal static VjpRule Exp { get; } = Unary(c => c.Grad * c.Outputs[0]);

    internal static VjpRule Exp2 { get; } = Unary(c => c.Grad * c.Outputs[0] * Ln2);

    internal static VjpRule Expm1 { get; } = Unary(c => c.Grad * (c.Outputs[0] + 1));

    internal static VjpRule Log { get; } = Unary(c => c.Grad / c.Input(0));

    internal static VjpRule Log2 { get; } = Unary(c => c.Grad / (c.Input(0) * Ln2));

    internal static VjpRule Log10 { get; } = Unary(c => c.Grad / (c.Input(0) * Ln10));

    internal static VjpRule Log1p { get; } = Unary(c => c.Grad / (c.Input(0) + 1));

    internal static VjpRule Sqrt { get; } = Unary(c => c.Grad / (c.Outputs[0] * 2));

    internal static VjpRule Rsqrt { get; } = Unary(c => c.Grad * (c.Outputs[0] * Square(c.Outputs[0])) * -0.5);

    internal static VjpRule Reciprocal { get; } = Unary(c => -c.Grad * Square(c.Outputs[0]));

    internal static VjpRule Sin { get; } = Unary(c => c.Grad * c.Input(0).Call("cos"));

    internal static VjpRule Cos { get; } = Unary(c => -c.Grad * c.Input(0).Call("sin"));

    internal static VjpRule Tan { get; } = Unary(c => c.Grad * (Square(c.Outputs[0]) + 1));

    internal static VjpRule Asin { get; } = Unary(c => c.Grad / (1 - Square(c.Input(0))).Call("sqrt"));

    internal static VjpRule Acos { get; } = Unary(c => -c.Grad / (1 - Square(c.Input(0))).Call("sqrt"));

    internal static VjpRule Atan { get; } = Unary(c => c.Grad / (Square(c.Input(0)) + 1));

    internal static VjpRule Sinh { get; } = Unary(c => c.Grad * c.Input(0).Call("cosh"));

    internal static VjpRule Cosh { get; } = Unary(c => c.Grad * c.Input(0).Call("sinh"));

    internal static VjpRule Tanh { get; } = Unary(c => c.Grad * (1 - Square(c.Outputs[0])));

    internal static VjpRule Sigmoid { get; } = Unary(c => c.Grad * c.Outputs[0] * (1 - c.Outputs[0]));

    internal static VjpRule Erf { get; } = Unary(c => c.Grad * (-Square(c.Input(0))).Call("exp") * TwoOverSqrtPi);

    internal static VjpRule Erfc { get; } = Unary(c => c.Grad * (-Square(c.Input(0))).Call("exp") * -TwoOverSqrtPi);

    /// <summary>
    /// clamp with scalar bounds: the gradient passes where <c>min &lt;= self &lt;= max</c> (bounds included, as
    /// PyTorch's clamp_backward).
    /// </summary>
    internal static VjpRule Clamp { get; } = Unary(c =>
    {
        var x = c.Input(0);
        double? min = c.Attrs.GetOptionalDouble("min"), max = c.Attrs.GetOptionalDouble("max");
        VjpValue? mask = null;
        if (min is { } lo) mask = Compare("ge", x, x.Const(lo));
        if (max is { } hi)
        {
            var below = Compare("le", x, x.Const(hi));
            mask = mask is null ? below : mask.Call("logical_and", null, below);
        }
        return Masked(mask ?? throw new InvalidOperationException("clamp: gradient rule: neither 'min' nor 'max' was recorded"), c.Grad);
    });

    // ---- activations ----

    /// <summary>relu: the gradient is zero where the result is ≤ 0 and passes elsewhere, NaN included (PyTorch's threshold_backward).</summary>
    internal static VjpRule Relu { get; } = Unary(c => ThresholdBackwardOf(c.Grad, c.Outputs[0], 0));

    /// <summary>threshold_backward is linear in grad_output (the same mask again); self only selects, so it gets none.</summary>
    internal static VjpRule ThresholdBackward { get; } = c =>
        [c.NeedsInputGrad[0] ? ThresholdBackwardOf(c.Grad, c.Input(1), c.Attrs.GetDouble("threshold", 0)).SumTo(c.Input(0).Shape, c.Input(0).DType) : null, null];

    private static VjpValue ThresholdBackwardOf(VjpValue grad, VjpValue self, double threshold) =>
        grad.Call("threshold_backward", new Attrs { { "threshold", threshold } }, self);

    internal static VjpRule LeakyRelu { get; } = Unary(c =>
        Where(Compare("gt", c.Input(0), c.Input(0).Const(0)), c.Grad, c.Grad * c.Attrs.GetDouble("negative_slope", 0.01)));

    internal static VjpRule Gelu { get; } = Unary(c =>
    {
        var x = c.Input(0);
        if (c.Attrs.GetString("approximate", "none") == "tanh")
        {
            var xSquared = Square(x);
            var inner = (x + x * xSquared * GeluTanhKappa) * SqrtTwoOverPi;
            var t = inner.Call("tanh");
            var left = (t + 1) * 0.5;
            var right = x * 0.5 * (1 - Square(t)) * SqrtTwoOverPi * (xSquared * (3 * GeluTanhKappa) + 1);
            return c.Grad * (left + right);
        }
        var cdf = ((x * Math.Sqrt(0.5)).Call("erf") + 1) * 0.5;
        var pdf = (Square(x) * -0.5).Call("exp") * InvSqrt2Pi;
        return c.Grad * (cdf + x * pdf);
    });

    internal static VjpRule Silu { get; } = Unary(c =>
    {
        var x = c.Input(0);
        var s = x.Call("sigmoid");
        return c.Grad * s * (x * (1 - s) + 1);
    });

    /// <summary>softplus: <c>sigmoid(beta·x)</c>, or 1 where <c>beta·x &gt; threshold</c> (where the op returns x itself).</summary>
    internal static VjpRule Softplus { get; } = Unary(c =>
    {
        var scaled = c.Input(0) * c.Attrs.GetDouble("beta", 1);
        var linear = Compare("gt", scaled, scaled.Const(c.Attrs.GetDouble("threshold", 20)));
        return Where(linear, c.Grad, c.Grad * scaled.Call("sigmoid"));
    });

    // ---- binary math ----

    internal static VjpRule Add { get; } = Binary(c => c.Grad, c => c.Grad * c.Attrs.GetDouble("alpha", 1));

    internal static VjpRule Sub { get; } = Binary(c => c.Grad, c => c.Grad * -c.Attrs.GetDouble("alpha", 1));

    internal static VjpRule Mul { get; } = Binary(c => c.Grad * c.Input(1), c => c.Grad * c.Input(0));

    /// <summary>div: true division's quotient rule; with a rounding mode the result is piecewise constant (zero gradients, as PyTorch).</summary>
    internal static VjpRule Div { get; } = c => c.Attrs["rounding_mode"] is null ? TrueDivision(c) : Zero(c);

    /// <summary>
    /// pow: <c>exponent · self^(exponent-1)</c> (zero where the exponent is 0) and <c>result · log(self)</c>
    /// (zero where self is 0 and the exponent non-negative), PyTorch's pow_backward_self / _exponent.
    /// </summary>
    internal static VjpRule Pow { get; } = Binary(
        c =>
        {
            var (x, e) = (c.Input(0), c.Input(1));
            var d = c.Grad * e * x.Call("pow", null, e - 1);
            return Where(Compare("eq", e, e.Const(0)), d.Const(0), d);
        },
        c =>
        {
            var (x, e) = (c.Input(0), c.Input(1));
            var d = c.Grad * c.Outputs[0] * x.Call("log");
            var zeroBase = Compare("eq", x, x.Const(0)).Call("logical_and", null, Compare("ge", e, e.Const(0)));
            return Where(zeroBase, d.Const(0), d);
        });

    internal static VjpRule Atan2 { get; } = Binary(
        c => c.Grad * c.Input(1) / (Square(c.Input(0)) + Square(c.Input(1))),
        c => -c.Grad * c.Input(0) / (Square(c.Input(0)) + Square(c.Input(1))));

    /// <summary>
    /// maximum and minimum: the operand that wins takes the gradient and ties split it evenly; self gets none
    /// where <c>self selfLoses other</c> holds, other none where <c>self otherLoses other</c> holds.
    /// </summary>
    internal static VjpRule Extremum(string selfLoses, string otherLoses) => Binary(
        c => SplitTies(c, selfLoses),
        c => SplitTies(c, otherLoses));

    /// <summary>The gradient of one operand of maximum/minimum: 0 where <c>self op other</c>, half at ties, else all.</summary>
    private static VjpValue SplitTies(VjpContext c, string zeroWhere)
    {
        var (a, b, g) = (c.Input(0), c.Input(1), c.Grad);
        var ties = Where(Compare("eq", a, b), g * 0.5, g);
        return Where(Compare(zeroWhere, a, b), g.Const(0), ties);
    }

    /// <summary>remainder (<c>floor</c>) and fmod (<c>trunc</c>): <c>self - q·other</c> with q piecewise constant.</summary>
    internal static VjpRule Modulo(string roundingMode) => Binary(
        c => c.Grad,
        c => -c.Grad * c.Input(0).Call("div", new Attrs { { "rounding_mode", roundingMode } }, c.Input(1)));

    // ---- ternary ----

    internal static VjpRule WhereRule { get; } = c =>
    [
        null,
        c.NeedsInputGrad[1] ? Masked(c.Input(0), c.Grad).SumTo(c.Input(1).Shape, c.Input(1).DType) : null,
        c.NeedsInputGrad[2] ? Where(c.Input(0), c.Grad.Const(0), c.Grad).SumTo(c.Input(2).Shape, c.Input(2).DType) : null,
    ];

    internal static VjpRule Lerp { get; } = c =>
    {
        var (self, end, weight) = (c.Input(0), c.Input(1), c.Input(2));
        return
        [
            c.NeedsInputGrad[0] ? (c.Grad * (1 - weight)).SumTo(self.Shape, self.DType) : null,
            c.NeedsInputGrad[1] ? (c.Grad * weight).SumTo(end.Shape, end.DType) : null,
            c.NeedsInputGrad[2] ? (c.Grad * (end - self)).SumTo(weight.Shape, weight.DType) : null,
        ];
    };

    // ---- conversion ----

    /// <summary>to: the gradient converted back to the input's dtype (only floating inputs take one).</summary>
    internal static VjpRule To { get; } = c => [c.NeedsInputGrad[0] && c.Input(0).DType.IsFloatingPoint() ? c.Grad.To(c.Input(0).DType) : null];
}
