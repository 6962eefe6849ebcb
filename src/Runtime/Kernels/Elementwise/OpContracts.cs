using System.Numerics;

namespace Kiln.Kernels.Elementwise;

// Elementwise ops are small structs: the instance method Apply is the per-element function (it may carry
// attributes such as a slope). An op with a vectorised span form (usually TensorPrimitives) sets the
// static HasSpan, which the JIT folds, and implements ApplySpan; the drivers call it for rows where every
// operand is contiguous (or, for binary ops, one is a broadcast scalar). The destination span may be the
// very same memory as an input (in-place ops), never a partial overlap.

/// <summary>A unary op defined on floating-point values (integer inputs are converted to float first).</summary>
internal interface IFloatUnaryOp
{
    T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;

    static virtual bool HasSpan => false;

    void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        throw new NotSupportedException("this op has no span form");
}

/// <summary>A unary op defined on every numeric type in its own arithmetic (neg, abs, sign ...).</summary>
internal interface INumberUnaryOp
{
    T Apply<T>(T x) where T : unmanaged, INumber<T>;

    static virtual bool HasSpan => false;

    void ApplySpan<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, INumber<T> =>
        throw new NotSupportedException("this op has no span form");
}

/// <summary>A unary predicate with a bool result (isnan, logical_not ...).</summary>
internal interface IPredicateOp
{
    bool Apply<T>(T x) where T : unmanaged, INumber<T>;
}

/// <summary>A binary op defined on every numeric type in its own arithmetic (add, mul, maximum ...).</summary>
internal interface INumberBinaryOp
{
    T Apply<T>(T a, T b) where T : unmanaged, INumber<T>;

    static virtual bool HasSpan => false;

    void ApplySpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> =>
        throw new NotSupportedException("this op has no span form");

    void ApplySpan<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> =>
        throw new NotSupportedException("this op has no span form");

    void ApplySpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> =>
        throw new NotSupportedException("this op has no span form");
}

/// <summary>A binary op defined on floating-point values (atan2, true division ...).</summary>
internal interface IFloatBinaryOp
{
    T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>;

    static virtual bool HasSpan => false;

    void ApplySpan<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        throw new NotSupportedException("this op has no span form");

    void ApplySpan<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        throw new NotSupportedException("this op has no span form");

    void ApplySpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        throw new NotSupportedException("this op has no span form");
}

/// <summary>A binary predicate with a bool result (comparisons, logical and/or/xor).</summary>
internal interface ICompareOp
{
    bool Apply<T>(T a, T b) where T : unmanaged, INumber<T>;
}

/// <summary>A ternary op in each dtype's own arithmetic (clamp with bounds).</summary>
internal interface INumberTernaryOp
{
    T Apply<T>(T a, T b, T c) where T : unmanaged, INumber<T>;

    static virtual bool HasSpan => false;

    /// <summary>The span form for a contiguous first operand with the other two broadcast scalars.</summary>
    void ApplySpan<T>(ReadOnlySpan<T> a, T b, T c, Span<T> d) where T : unmanaged, INumber<T> =>
        throw new NotSupportedException("this op has no span form");
}

/// <summary>A ternary op defined on floating-point values (lerp).</summary>
internal interface IFloatTernaryOp
{
    T Apply<T>(T a, T b, T c) where T : unmanaged, IFloatingPointIeee754<T>;
}
