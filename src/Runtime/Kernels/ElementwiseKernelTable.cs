using Kiln.IR;
using F = Kiln.NN.Functional;

namespace Kiln.Kernels;

/// <summary>The CPU kernels of the elementwise, comparison and conversion op families, by op name.</summary>
internal static class ElementwiseKernelTable
{
    /// <summary>Each op's name with its kernel.</summary>
    internal static IEnumerable<(string Name, CpuKernel Kernel)> Entries =>
    [
        ("neg", (x, _) => [x[0].Neg()]),
        ("abs", (x, _) => [x[0].Abs()]),
        ("sign", (x, _) => [x[0].Sign()]),
        ("square", (x, _) => [x[0].Square()]),
        ("exp", (x, _) => [x[0].Exp()]),
        ("exp2", (x, _) => [x[0].Exp2()]),
        ("expm1", (x, _) => [x[0].Expm1()]),
        ("log", (x, _) => [x[0].Log()]),
        ("log2", (x, _) => [x[0].Log2()]),
        ("log10", (x, _) => [x[0].Log10()]),
        ("log1p", (x, _) => [x[0].Log1p()]),
        ("sqrt", (x, _) => [x[0].Sqrt()]),
        ("rsqrt", (x, _) => [x[0].Rsqrt()]),
        ("reciprocal", (x, _) => [x[0].Reciprocal()]),
        ("sin", (x, _) => [x[0].Sin()]),
        ("cos", (x, _) => [x[0].Cos()]),
        ("tan", (x, _) => [x[0].Tan()]),
        ("asin", (x, _) => [x[0].Asin()]),
        ("acos", (x, _) => [x[0].Acos()]),
        ("atan", (x, _) => [x[0].Atan()]),
        ("sinh", (x, _) => [x[0].Sinh()]),
        ("cosh", (x, _) => [x[0].Cosh()]),
        ("tanh", (x, _) => [x[0].Tanh()]),
        ("sigmoid", (x, _) => [x[0].Sigmoid()]),
        ("erf", (x, _) => [x[0].Erf()]),
        ("erfc", (x, _) => [x[0].Erfc()]),
        ("floor", (x, _) => [x[0].Floor()]),
        ("ceil", (x, _) => [x[0].Ceil()]),
        ("round", (x, _) => [x[0].Round()]),
        ("trunc", (x, _) => [x[0].Trunc()]),
        ("isnan", (x, _) => [x[0].IsNan()]),
        ("isinf", (x, _) => [x[0].IsInf()]),
        ("isfinite", (x, _) => [x[0].IsFinite()]),
        ("logical_not", (x, _) => [x[0].LogicalNot()]),
        ("clamp", (x, a) => [Clamp(x[0], a["min"], a["max"])]),
        ("relu", (x, _) => [x[0].Relu()]),
        ("leaky_relu", (x, a) => [F.LeakyRelu(x[0], a.GetDouble("negative_slope", 0.01))]),
        ("gelu", (x, a) => [F.Gelu(x[0], a.GetString("approximate", "none"))]),
        ("silu", (x, _) => [F.Silu(x[0])]),
        ("softplus", (x, a) => [F.Softplus(x[0], a.GetDouble("beta", 1), a.GetDouble("threshold", 20))]),
        ("threshold_backward", (x, a) => [Elementwise.ThresholdBackwardKernel.Run(x[0], x[1],
            a.GetOptionalDouble("threshold") ?? throw new ArgumentException("threshold_backward: the 'threshold' attribute is required"))]),
        ("add", (x, a) => [x[0].Add(x[1], a.GetDouble("alpha", 1))]),
        ("sub", (x, a) => [x[0].Sub(x[1], a.GetDouble("alpha", 1))]),
        ("mul", (x, _) => [x[0].Mul(x[1])]),
        ("div", (x, a) => [x[0].Div(x[1], a["rounding_mode"] as string)]),
        ("pow", (x, _) => [x[0].Pow(x[1])]),
        ("atan2", (x, _) => [x[0].Atan2(x[1])]),
        ("maximum", (x, _) => [x[0].Maximum(x[1])]),
        ("minimum", (x, _) => [x[0].Minimum(x[1])]),
        ("remainder", (x, _) => [x[0].Remainder(x[1])]),
        ("fmod", (x, _) => [x[0].Fmod(x[1])]),
        ("eq", (x, _) => [x[0].Eq(x[1])]),
        ("ne", (x, _) => [x[0].Ne(x[1])]),
        ("lt", (x, _) => [x[0].Lt(x[1])]),
        ("le", (x, _) => [x[0].Le(x[1])]),
        ("gt", (x, _) => [x[0].Gt(x[1])]),
        ("ge", (x, _) => [x[0].Ge(x[1])]),
        ("logical_and", (x, _) => [x[0].LogicalAnd(x[1])]),
        ("logical_or", (x, _) => [x[0].LogicalOr(x[1])]),
        ("logical_xor", (x, _) => [x[0].LogicalXor(x[1])]),
        ("where", (x, _) => [Tensor.Where(x[0], x[1], x[2])]),
        ("lerp", (x, _) => [x[0].Lerp(x[1], x[2])]),
        ("to", (x, a) => [x[0].To(a.GetDType("dtype") ?? throw new ArgumentException("to: the 'dtype' attribute is required"))]),
    ];

    /// <summary>clamp with attribute bounds: integer bounds (long) keep integer dtypes; any float bound makes both floats.</summary>
    private static Tensor Clamp(Tensor x, object? min, object? max) =>
        min is double || max is double ? x.Clamp(AsDouble(min), AsDouble(max)) : x.Clamp((long?)min, (long?)max);

    private static double? AsDouble(object? bound) => bound switch
    {
        null => null,
        long l => l,
        double d => d,
        _ => throw new ArgumentException($"clamp: bounds must be numbers, got {bound.GetType().Name}"),
    };
}
