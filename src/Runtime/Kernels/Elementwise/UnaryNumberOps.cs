using System.Numerics;
using System.Numerics.Tensors;

namespace Kiln.Kernels.Elementwise;

/// <summary><c>-x</c> (integers wrap: <c>-(-128)</c> is -128 in int8).</summary>
internal readonly struct NegOp : INumberUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, INumber<T> => -x;
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Negate(x, d);
}

/// <summary><c>|x|</c> (integers wrap: <c>|-128|</c> is -128 in int8, as in C++).</summary>
internal readonly struct AbsOp : INumberUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, INumber<T> => T.IsNegative(x) ? -x : x;
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, INumber<T>
    {
        // TensorPrimitives.Abs throws on an integer MinValue, so only floats take it.
        if (TypeDispatch.IsFloat<T>())
        {
            TensorPrimitives.Abs(x, d);
            return;
        }
        for (int i = 0; i < x.Length; i++) d[i] = Apply(x[i]);
    }
}

/// <summary>-1, 0 or 1 by the sign of x (0 for NaN, as PyTorch's CPU kernel gives).</summary>
internal readonly struct SignOp : INumberUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, INumber<T> => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero;
}

/// <summary><c>x * x</c>.</summary>
internal readonly struct SquareOp : INumberUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, INumber<T> => x * x;
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Multiply(x, x, d);
}

/// <summary>Whether x is NaN (never for integers).</summary>
internal readonly struct IsNanOp : IPredicateOp
{
    public bool Apply<T>(T x) where T : unmanaged, INumber<T> => T.IsNaN(x);
}

/// <summary>Whether x is ±infinity (never for integers).</summary>
internal readonly struct IsInfOp : IPredicateOp
{
    public bool Apply<T>(T x) where T : unmanaged, INumber<T> => T.IsInfinity(x);
}

/// <summary>Whether x is neither NaN nor infinite (always for integers).</summary>
internal readonly struct IsFiniteOp : IPredicateOp
{
    public bool Apply<T>(T x) where T : unmanaged, INumber<T> => T.IsFinite(x);
}

/// <summary>Whether x is zero (NaN counts as true, i.e. nonzero, so its negation is false).</summary>
internal readonly struct LogicalNotOp : IPredicateOp
{
    public bool Apply<T>(T x) where T : unmanaged, INumber<T> => x == T.Zero;
}
