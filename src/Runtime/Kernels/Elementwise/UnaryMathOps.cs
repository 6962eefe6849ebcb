using System.Numerics;
using System.Numerics.Tensors;

namespace Kiln.Kernels.Elementwise;

// Floating-point unary math. TensorPrimitives supplies the span form where its results stay within
// float32 tolerance of PyTorch's (relative 1.3e-6) everywhere, including near zero; exp2, sinh, log1p and
// expm1 lose relative accuracy there (or, for exp2, at large |x|), so they run element by element.

/// <summary><c>e^x</c>.</summary>
internal readonly struct ExpOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Exp(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Exp(x, d);
}

/// <summary><c>2^x</c>.</summary>
internal readonly struct Exp2Op : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Exp2(x);
}

/// <summary><c>e^x - 1</c>, accurate near zero.</summary>
internal readonly struct Expm1Op : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(SpecialFunctions.Expm1(double.CreateTruncating(x)));
}

/// <summary>The natural logarithm.</summary>
internal readonly struct LogOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Log(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Log(x, d);
}

/// <summary>The base-2 logarithm.</summary>
internal readonly struct Log2Op : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Log2(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Log2(x, d);
}

/// <summary>The base-10 logarithm.</summary>
internal readonly struct Log10Op : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Log10(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Log10(x, d);
}

/// <summary><c>log(1 + x)</c>, accurate near zero.</summary>
internal readonly struct Log1pOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(SpecialFunctions.Log1p(double.CreateTruncating(x)));
}

/// <summary>The square root.</summary>
internal readonly struct SqrtOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sqrt(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sqrt(x, d);
}

/// <summary><c>1 / sqrt(x)</c>.</summary>
internal readonly struct RsqrtOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.One / T.Sqrt(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.ReciprocalSqrt(x, d);
}

/// <summary><c>1 / x</c>.</summary>
internal readonly struct ReciprocalOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.One / x;
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Reciprocal(x, d);
}

/// <summary>The sine.</summary>
internal readonly struct SinOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sin(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sin(x, d);
}

/// <summary>The cosine.</summary>
internal readonly struct CosOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Cos(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Cos(x, d);
}

/// <summary>The tangent.</summary>
internal readonly struct TanOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Tan(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Tan(x, d);
}

/// <summary>The arcsine.</summary>
internal readonly struct AsinOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Asin(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Asin(x, d);
}

/// <summary>The arccosine.</summary>
internal readonly struct AcosOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Acos(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Acos(x, d);
}

/// <summary>The arctangent.</summary>
internal readonly struct AtanOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Atan(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Atan(x, d);
}

/// <summary>The hyperbolic sine.</summary>
internal readonly struct SinhOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sinh(x);
}

/// <summary>The hyperbolic cosine.</summary>
internal readonly struct CoshOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Cosh(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Cosh(x, d);
}

/// <summary>The hyperbolic tangent (float32 spans through <see cref="VectorMath.Tanh"/>).</summary>
internal readonly struct TanhOp : IFloatUnaryOp, IVectorKernel
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Tanh(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double)) TensorPrimitives.Tanh(x, d);
        else VectorMath.Map(x, d, this, this);
    }
    public Vector<float> Invoke(Vector<float> x) => VectorMath.Tanh(x);
}

/// <summary>The error function.</summary>
internal readonly struct ErfOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(SpecialFunctions.Erf(double.CreateTruncating(x)));
}

/// <summary>The complementary error function <c>1 - erf(x)</c>, accurate where it is tiny.</summary>
internal readonly struct ErfcOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(SpecialFunctions.Erfc(double.CreateTruncating(x)));
}

/// <summary>Rounds down.</summary>
internal readonly struct FloorOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Floor(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Floor(x, d);
}

/// <summary>Rounds up.</summary>
internal readonly struct CeilOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Ceiling(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Ceiling(x, d);
}

/// <summary>Rounds to the nearest integer, halves to even.</summary>
internal readonly struct RoundOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Round(x, MidpointRounding.ToEven);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Round(x, MidpointRounding.ToEven, d);
}

/// <summary>Rounds toward zero.</summary>
internal readonly struct TruncOp : IFloatUnaryOp
{
    public T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Truncate(x);
    public static bool HasSpan => true;
    public void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Truncate(x, d);
}
