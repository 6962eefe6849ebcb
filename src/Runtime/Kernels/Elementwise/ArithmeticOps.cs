using System.Numerics;
using System.Numerics.Tensors;

namespace Kiln.Kernels.Elementwise;

/// <summary><c>a + b</c>; on bool it is logical or (the result is normalised to 0/1).</summary>
internal readonly struct AddOp : INumberBinaryOp
{
    public T Apply<T>(T a, T b) where T : unmanaged, INumber<T> => a + b;
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Add(a, b, d);
    public void ApplySpan<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Add(a, b, d);
    public void ApplySpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Add(b, a, d);
}

/// <summary><c>a - b</c>.</summary>
internal readonly struct SubOp : INumberBinaryOp
{
    public T Apply<T>(T a, T b) where T : unmanaged, INumber<T> => a - b;
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Subtract(a, b, d);
    public void ApplySpan<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Subtract(a, b, d);
    public void ApplySpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Subtract(a, b, d);
}

/// <summary><c>a * b</c>; on bool it is logical and.</summary>
internal readonly struct MulOp : INumberBinaryOp
{
    public T Apply<T>(T a, T b) where T : unmanaged, INumber<T> => a * b;
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Multiply(a, b, d);
    public void ApplySpan<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Multiply(a, b, d);
    public void ApplySpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Multiply(b, a, d);
}

/// <summary>True division <c>a / b</c> (integers are divided as floats, as in PyTorch).</summary>
internal readonly struct DivOp : IFloatBinaryOp
{
    public T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(a, b, d);
    public void ApplySpan<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(a, b, d);
    public void ApplySpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(a, b, d);
}

/// <summary>Division rounded toward zero (<c>rounding_mode="trunc"</c>); integer division by zero throws.</summary>
internal readonly struct DivTruncOp : INumberBinaryOp
{
    public T Apply<T>(T a, T b) where T : unmanaged, INumber<T> =>
        TypeDispatch.IsFloat<T>() ? T.CreateTruncating(Math.Truncate(double.CreateTruncating(a / b))) : IntegerMath.Quotient(a, b);
}

/// <summary>Division rounded down (<c>rounding_mode="floor"</c>), computed as PyTorch does so results agree at the edges.</summary>
internal readonly struct DivFloorOp : INumberBinaryOp
{
    public T Apply<T>(T a, T b) where T : unmanaged, INumber<T>
    {
        if (!TypeDispatch.IsFloat<T>())
        {
            T q = IntegerMath.Quotient(a, b);
            return (a < T.Zero) != (b < T.Zero) && IntegerMath.Remainder(a, b) != T.Zero ? q - T.One : q;
        }
        if (b == T.Zero) return a / b;
        T mod = a % b;
        T div = (a - mod) / b;
        if (mod != T.Zero && (b < T.Zero) != (mod < T.Zero)) div -= T.One;
        if (div == T.Zero) return T.CopySign(T.Zero, a / b);
        T floor = T.CreateTruncating(Math.Floor(double.CreateTruncating(div)));
        return div - floor > T.CreateTruncating(0.5) ? floor + T.One : floor;
    }
}

/// <summary>Python's modulo: the remainder has the divisor's sign (<c>torch.remainder</c>).</summary>
internal readonly struct RemainderOp : INumberBinaryOp
{
    public T Apply<T>(T a, T b) where T : unmanaged, INumber<T>
    {
        T r = TypeDispatch.IsFloat<T>() ? a % b : IntegerMath.Remainder(a, b);
        return r != T.Zero && (b < T.Zero) != (r < T.Zero) ? r + b : r;
    }
}

/// <summary>C's fmod: the remainder has the dividend's sign (<c>torch.fmod</c>).</summary>
internal readonly struct FmodOp : INumberBinaryOp
{
    public T Apply<T>(T a, T b) where T : unmanaged, INumber<T> => TypeDispatch.IsFloat<T>() ? a % b : IntegerMath.Remainder(a, b);
}

/// <summary>
/// <c>a ** b</c>. Floats use <see cref="Math.Pow"/>; integers stay integers (wrapping on overflow), and a
/// negative exponent gives 0 except for bases 1 and -1, as in PyTorch.
/// </summary>
internal readonly struct PowOp : INumberBinaryOp
{
    public T Apply<T>(T a, T b) where T : unmanaged, INumber<T> =>
        TypeDispatch.IsFloat<T>() ? T.CreateTruncating(Math.Pow(double.CreateTruncating(a), double.CreateTruncating(b))) : IntegerMath.Power(a, b);
}

/// <summary>
/// <c>x ** exponent</c> for a scalar exponent on floats, with PyTorch's special cases (2 → x·x, 3 → x·x·x,
/// 0.5 → sqrt, -0.5 → rsqrt, -1 → 1/x, -2 → 1/(x·x)), which also decide the edge values (pow(-inf, 0.5) is
/// NaN, as sqrt gives). Other exponents are first rounded to the compute type, as C++'s pow(float, float) sees them.
/// </summary>
internal readonly struct PowScalarOp(double exponent) : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => exponent switch
    {
        2 => x * x,
        3 => x * x * x,
        0.5 => T.Sqrt(x),
        -0.5 => T.One / T.Sqrt(x),
        -1 => T.One / x,
        -2 => T.One / (x * x),
        _ => T.CreateTruncating(Math.Pow(double.CreateTruncating(x), double.CreateTruncating(T.CreateTruncating(exponent)))),
    };

    public static bool HasSpan => true;

    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (exponent)
        {
            case 2: TensorPrimitives.Multiply(x, x, d); break;
            case 0.5: TensorPrimitives.Sqrt(x, d); break;
            case -0.5: TensorPrimitives.ReciprocalSqrt(x, d); break;
            case -1: TensorPrimitives.Reciprocal(x, d); break;
            default:
                for (int i = 0; i < x.Length; i++) d[i] = Apply(x[i]);
                break;
        }
    }
}

/// <summary>The larger of a and b; NaN if either is NaN (<c>torch.maximum</c>).</summary>
internal readonly struct MaximumOp : INumberBinaryOp
{
    public T Apply<T>(T a, T b) where T : unmanaged, INumber<T> => a > b || T.IsNaN(a) ? a : b;
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Max(a, b, d);
    public void ApplySpan<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Max(a, b, d);
    public void ApplySpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Max(b, a, d);
}

/// <summary>The smaller of a and b; NaN if either is NaN (<c>torch.minimum</c>).</summary>
internal readonly struct MinimumOp : INumberBinaryOp
{
    public T Apply<T>(T a, T b) where T : unmanaged, INumber<T> => a < b || T.IsNaN(a) ? a : b;
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Min(a, b, d);
    public void ApplySpan<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Min(a, b, d);
    public void ApplySpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Min(b, a, d);
}

/// <summary>The angle of the point (b, a): <c>atan2(a, b)</c>.</summary>
internal readonly struct Atan2Op : IFloatBinaryOp
{
    public T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Atan2(a, b);
}

/// <summary>
/// <c>min(max(x, low), high)</c> with NaN propagation from every operand, so a lower bound above the upper
/// one gives the upper bound, as in PyTorch's clamp.
/// </summary>
internal readonly struct ClampOp : INumberTernaryOp
{
    public T Apply<T>(T x, T low, T high) where T : unmanaged, INumber<T> =>
        default(MinimumOp).Apply(default(MaximumOp).Apply(x, low), high);

    public static bool HasSpan => true;

    public void ApplySpan<T>(ReadOnlySpan<T> x, T low, T high, Span<T> d) where T : unmanaged, INumber<T>
    {
        TensorPrimitives.Max(x, low, d);
        TensorPrimitives.Min(d, high, d);
    }
}

/// <summary>
/// Linear interpolation <c>self + weight·(end − self)</c>, evaluated from whichever end is nearer the
/// weight (PyTorch's formula), so weight 1 gives exactly <c>end</c>.
/// </summary>
internal readonly struct LerpOp : IFloatTernaryOp
{
    public T Apply<T>(T start, T end, T weight) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.Abs(weight) < T.CreateTruncating(0.5) ? start + weight * (end - start) : end - (end - start) * (T.One - weight);
}
