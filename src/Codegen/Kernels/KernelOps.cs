using Kiln.IR;

namespace Kiln.Codegen.Kernels;

/// <summary>Writes one elementwise op's result for one element: the operands' values in, the result's value out.</summary>
/// <param name="body">Where the instructions go.</param>
/// <param name="x">The operands' values (the compute type; where's condition is an <c>i1</c>).</param>
/// <param name="attrs">The node's attributes.</param>
internal delegate string KernelOpEmitter(KernelBody body, IReadOnlyList<string> x, Attrs attrs);

/// <summary>An op the kernel generator compiles: its emitter, and whether operand 0 is a bool condition (where).</summary>
internal sealed record KernelOp(KernelOpEmitter Emit, bool ConditionFirst = false);

/// <summary>
/// The math of every elementwise op the kernel generator compiles, written once for float32 and float64 as LLVM IR.
/// Each formula is the one the eager kernel in <c>src/Runtime/Kernels/Elementwise</c> evaluates (same operation order,
/// same NaN and signed-zero rules, double precision where eager computes in double), so compiled and interpreted results
/// agree within the dtype's tolerance. exp and log are LLVM intrinsics, which the vectoriser maps to libmvec.
/// </summary>
internal static class KernelOps
{
    private const double GeluBeta = 0.7978845608028654; // √(2/π)
    private const double GeluKappa = 0.044715;

    /// <summary>The compiled ops by name.</summary>
    internal static IReadOnlyDictionary<string, KernelOp> Table { get; } = new Dictionary<string, KernelOp>(StringComparer.Ordinal)
    {
        ["neg"] = new((b, x, _) => b.Neg(x[0])),
        ["abs"] = new((b, x, _) => b.Intrinsic("fabs", x[0])),
        ["sign"] = new((b, x, _) => b.Select(b.Compare("ogt", x[0], b.Const(0)), b.Const(1),
            b.Select(b.Compare("olt", x[0], b.Const(0)), b.Const(-1), b.Const(0)))),
        ["square"] = new((b, x, _) => b.Mul(x[0], x[0])),
        ["exp"] = new((b, x, _) => b.Intrinsic("exp", x[0])),
        ["exp2"] = new((b, x, _) => b.Intrinsic("exp2", x[0])),
        ["expm1"] = new((b, x, _) => b.LibmInDouble("expm1", x[0])),
        ["log"] = new((b, x, _) => b.Intrinsic("log", x[0])),
        ["log2"] = new((b, x, _) => b.Intrinsic("log2", x[0])),
        ["log10"] = new((b, x, _) => b.Intrinsic("log10", x[0])),
        ["log1p"] = new((b, x, _) => b.LibmInDouble("log1p", x[0])),
        ["sqrt"] = new((b, x, _) => b.Intrinsic("sqrt", x[0])),
        ["rsqrt"] = new((b, x, _) => b.Div(b.Const(1), b.Intrinsic("sqrt", x[0]))),
        ["reciprocal"] = new((b, x, _) => b.Div(b.Const(1), x[0])),
        ["sin"] = new((b, x, _) => b.Intrinsic("sin", x[0])),
        ["cos"] = new((b, x, _) => b.Intrinsic("cos", x[0])),
        ["tan"] = Libm("tan"),
        ["asin"] = Libm("asin"),
        ["acos"] = Libm("acos"),
        ["atan"] = Libm("atan"),
        ["sinh"] = Libm("sinh"),
        ["cosh"] = Libm("cosh"),
        ["tanh"] = new(Tanh),
        ["sigmoid"] = new((b, x, _) => b.Div(b.Const(1), b.Add(b.Const(1), b.Intrinsic("exp", b.Neg(x[0]))))),
        ["erf"] = new((b, x, _) => b.LibmInDouble("erf", x[0])),
        ["erfc"] = new((b, x, _) => b.LibmInDouble("erfc", x[0])),
        ["floor"] = new((b, x, _) => b.Intrinsic("floor", x[0])),
        ["ceil"] = new((b, x, _) => b.Intrinsic("ceil", x[0])),
        ["round"] = new((b, x, _) => b.Intrinsic("roundeven", x[0])),
        ["trunc"] = new((b, x, _) => b.Intrinsic("trunc", x[0])),
        ["clamp"] = new(Clamp),
        ["relu"] = new((b, x, _) => b.Select(b.Compare("ugt", x[0], b.Const(0)), x[0], b.Const(0))),
        ["leaky_relu"] = new((b, x, a) =>
            b.Select(b.Compare("ogt", x[0], b.Const(0)), x[0], b.Mul(x[0], b.Const(a.GetDouble("negative_slope", 0.01))))),
        ["gelu"] = new(Gelu),
        ["silu"] = new((b, x, _) => b.Div(x[0], b.Add(b.Const(1), b.Intrinsic("exp", b.Neg(x[0]))))),
        ["softplus"] = new(Softplus),
        ["threshold_backward"] = new((b, x, a) =>
            b.Select(b.Compare("ole", x[1], b.Const(a.GetDouble("threshold", 0))), b.Const(0), x[0])),
        ["add"] = new((b, x, a) => b.Add(x[0], Scaled(b, x[1], a))),
        ["sub"] = new((b, x, a) => b.Sub(x[0], Scaled(b, x[1], a))),
        ["mul"] = new((b, x, _) => b.Mul(x[0], x[1])),
        ["div"] = new(Div),
        // A constant exponent 2 (a squared norm's) is x·x: the same correctly rounded value as pow, with no call.
        ["pow"] = new((b, x, _) => x[1] == b.Const(2) ? b.Mul(x[0], x[0]) : b.LibmInDouble("pow", x[0], x[1])),
        ["atan2"] = Libm("atan2"),
        ["maximum"] = new((b, x, _) => Maximum(b, x[0], x[1])),
        ["minimum"] = new((b, x, _) => Minimum(b, x[0], x[1])),
        ["remainder"] = new((b, x, _) => Remainder(b, x[0], x[1])),
        ["fmod"] = new((b, x, _) => b.Op("frem", x[0], x[1])),
        ["where"] = new((b, x, _) => b.Select(x[0], x[1], x[2]), ConditionFirst: true),
        ["lerp"] = new(Lerp),
    };

    /// <summary>An op computed by the libm function of the same name in the compute type's precision.</summary>
    private static KernelOp Libm(string name) => new((b, x, _) => b.Libm(name, [.. x]));

    // The odd Taylor coefficients of tanh after x (x³, x⁵, ...), highest first, rounded to float as eager's VectorMath has them.
    private static readonly float[] TanhSeries =
    [
        -443861162f / 1856156927625f, 6404582f / 10854718875f, -929569f / 638512875f, 21844f / 6081075f,
        -1382f / 155925f, 62f / 2835f, -17f / 315f, 2f / 15f, -1f / 3f,
    ];

    /// <summary>
    /// tanh: float32 as eager's <c>VectorMath.Tanh</c> computes it (a series below |x| 0.55, else 1 − 2/(e^{2|x|} + 1)
    /// with x's sign) — vectorisable, where a libm <c>tanhf</c> call per lane is ~10× slower; float64 through libm, as eager.
    /// </summary>
    private static string Tanh(KernelBody b, IReadOnlyList<string> x, Attrs attrs)
    {
        if (!b.IsFloat32) return b.Libm("tanh", x[0]);
        string ax = b.Intrinsic("fabs", x[0]);
        string e = b.Intrinsic("exp", b.Add(ax, ax));
        string large = b.Sub(b.Const(1), b.Div(b.Const(2), b.Add(e, b.Const(1))));
        large = b.Select(b.Compare("olt", x[0], b.Const(0)), b.Neg(large), large);
        string x2 = b.Mul(x[0], x[0]);
        string p = b.Const(TanhSeries[0]);
        foreach (float c in TanhSeries.Skip(1)) p = b.Intrinsic("fma", p, x2, b.Const(c));
        string small = b.Intrinsic("fma", b.Mul(p, x2), x[0], x[0]);
        return b.Select(b.Compare("olt", ax, b.Const(0.55f)), small, large);
    }

    /// <summary><c>alpha · other</c> as eager's add and sub scale it (not at all when alpha is 1).</summary>
    private static string Scaled(KernelBody b, string other, Attrs attrs)
    {
        double alpha = attrs.GetDouble("alpha", 1);
        return alpha == 1 ? other : b.Mul(other, b.Const(alpha));
    }

    /// <summary><c>a &gt; b || isnan(a) ? a : b</c>: NaN if either is NaN.</summary>
    private static string Maximum(KernelBody b, string x, string y) =>
        b.Select(b.Logic("or", b.Compare("ogt", x, y), b.IsNaN(x)), x, y);

    /// <summary><c>a &lt; b || isnan(a) ? a : b</c>: NaN if either is NaN.</summary>
    private static string Minimum(KernelBody b, string x, string y) =>
        b.Select(b.Logic("or", b.Compare("olt", x, y), b.IsNaN(x)), x, y);

    /// <summary>clamp: <c>minimum(maximum(x, min), max)</c>, each bound only when given.</summary>
    private static string Clamp(KernelBody b, IReadOnlyList<string> x, Attrs attrs)
    {
        string r = x[0];
        if (attrs.GetOptionalDouble("min") is double low) r = Maximum(b, r, b.Const(low));
        if (attrs.GetOptionalDouble("max") is double high) r = Minimum(b, r, b.Const(high));
        return r;
    }

    /// <summary>Python's modulo: fmod, moved by the divisor when the signs differ.</summary>
    private static string Remainder(KernelBody b, string x, string y)
    {
        string r = b.Op("frem", x, y);
        string signsDiffer = b.Logic("xor", b.Compare("olt", y, b.Const(0)), b.Compare("olt", r, b.Const(0)));
        return b.Select(b.Logic("and", b.Compare("une", r, b.Const(0)), signsDiffer), b.Add(r, y), r);
    }

    /// <summary>True division, or rounded toward zero or down (PyTorch's floor division, as eager computes it).</summary>
    private static string Div(KernelBody b, IReadOnlyList<string> x, Attrs attrs)
    {
        string quotient = b.Div(x[0], x[1]);
        switch (attrs["rounding_mode"] as string)
        {
            case null: return quotient;
            case "trunc": return b.Intrinsic("trunc", quotient);
        }
        string mod = b.Op("frem", x[0], x[1]);
        string div = b.Div(b.Sub(x[0], mod), x[1]);
        string signsDiffer = b.Logic("xor", b.Compare("olt", x[1], b.Const(0)), b.Compare("olt", mod, b.Const(0)));
        string adjust = b.Logic("and", b.Compare("une", mod, b.Const(0)), signsDiffer);
        div = b.Select(adjust, b.Sub(div, b.Const(1)), div);
        string floor = b.Intrinsic("floor", div);
        string rounded = b.Select(b.Compare("ogt", b.Sub(div, floor), b.Const(0.5)), b.Add(floor, b.Const(1)), floor);
        string result = b.Select(b.Compare("oeq", div, b.Const(0)), b.Intrinsic("copysign", b.Const(0), quotient), rounded);
        return b.Select(b.Compare("oeq", x[1], b.Const(0)), quotient, result);
    }

    /// <summary>Exact GELU <c>x·0.5·(1 + erf(x·√½))</c> (erf in double), or the tanh form <c>x / (1 + exp(-2u))</c>.</summary>
    private static string Gelu(KernelBody b, IReadOnlyList<string> x, Attrs attrs)
    {
        if (attrs.GetString("approximate", "none") == "tanh")
        {
            string cube = b.Mul(b.Mul(b.Mul(b.Const(GeluKappa), x[0]), x[0]), x[0]);
            string u = b.Mul(b.Const(GeluBeta), b.Add(x[0], cube));
            return b.Div(x[0], b.Add(b.Const(1), b.Intrinsic("exp", b.Neg(b.Add(u, u)))));
        }
        string erf = b.LibmInDouble("erf", b.Mul(x[0], b.Const(Math.Sqrt(0.5))));
        return b.Mul(b.Mul(x[0], b.Const(0.5)), b.Add(b.Const(1), erf));
    }

    /// <summary><c>x</c> where <c>beta·x</c> exceeds the threshold, else <c>log1p(exp(beta·x)) / beta</c> (log1p in double).</summary>
    private static string Softplus(KernelBody b, IReadOnlyList<string> x, Attrs attrs)
    {
        string beta = b.Const(attrs.GetDouble("beta", 1));
        string bx = b.Mul(x[0], beta);
        string smooth = b.Div(b.LibmInDouble("log1p", b.Intrinsic("exp", bx)), beta);
        return b.Select(b.Compare("ogt", bx, b.Const(attrs.GetDouble("threshold", 20))), x[0], smooth);
    }

    /// <summary><c>start + w·(end − start)</c> when |w| &lt; ½, else <c>end − (end − start)·(1 − w)</c>.</summary>
    private static string Lerp(KernelBody b, IReadOnlyList<string> x, Attrs attrs)
    {
        string diff = b.Sub(x[1], x[0]);
        string near = b.Add(x[0], b.Mul(x[2], diff));
        string far = b.Sub(x[1], b.Mul(diff, b.Sub(b.Const(1), x[2])));
        return b.Select(b.Compare("olt", b.Intrinsic("fabs", x[2]), b.Const(0.5)), near, far);
    }
}
