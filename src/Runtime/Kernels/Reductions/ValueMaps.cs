using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Kiln.Kernels.Reductions;

/// <summary>
/// What a summing reduction adds up for each element: the element itself (sum, mean), |x| and x² (norms),
/// exp(x - max) (logsumexp), (x - mean)² (var) ... <see cref="SumBlock"/> is the vectorised sum of a
/// contiguous block of at most <see cref="Cascade{TAcc}.Block"/> elements.
/// </summary>
internal interface IValueMap<T, TAcc> where T : unmanaged where TAcc : unmanaged
{
    /// <summary>The value added for element <paramref name="x"/>.</summary>
    TAcc Apply(T x);

    /// <summary>The sum of <see cref="Apply"/> over a short contiguous block.</summary>
    TAcc SumBlock(ReadOnlySpan<T> xs);
}

/// <summary>Sums over spans that have no vectorised form.</summary>
internal static class ValueMaps
{
    /// <summary>The sum of <paramref name="map"/> over <paramref name="xs"/>, one element at a time.</summary>
    internal static TAcc Loop<T, TAcc, TMap>(in TMap map, ReadOnlySpan<T> xs)
        where T : unmanaged where TAcc : unmanaged, INumberBase<TAcc> where TMap : struct, IValueMap<T, TAcc>
    {
        TAcc sum = TAcc.Zero;
        foreach (var x in xs) sum += map.Apply(x);
        return sum;
    }

    /// <summary><paramref name="xs"/> as a span of <typeparamref name="TAcc"/>, when the two types are the same.</summary>
    internal static bool TrySame<T, TAcc>(ReadOnlySpan<T> xs, out ReadOnlySpan<TAcc> same)
        where T : unmanaged where TAcc : unmanaged
    {
        same = typeof(T) == typeof(TAcc) ? MemoryMarshal.Cast<T, TAcc>(xs) : default;
        return typeof(T) == typeof(TAcc);
    }
}

/// <summary>x itself, widened to the accumulator type.</summary>
internal readonly struct IdentityMap<T, TAcc> : IValueMap<T, TAcc>
    where T : unmanaged, INumberBase<T> where TAcc : unmanaged, INumberBase<TAcc>
{
    public TAcc Apply(T x) => TAcc.CreateTruncating(x);

    public TAcc SumBlock(ReadOnlySpan<T> xs)
    {
        if (ValueMaps.TrySame<T, TAcc>(xs, out var same))
            return TensorPrimitives.Sum(same);
        Span<TAcc> wide = stackalloc TAcc[xs.Length];
        TensorPrimitives.ConvertTruncating(xs, wide);
        return TensorPrimitives.Sum<TAcc>(wide);
    }
}

/// <summary>|x| (the 1-norm).</summary>
internal readonly struct AbsMap<T, TAcc> : IValueMap<T, TAcc>
    where T : unmanaged, INumberBase<T> where TAcc : unmanaged, INumberBase<TAcc>
{
    public TAcc Apply(T x) => TAcc.Abs(TAcc.CreateTruncating(x));

    public TAcc SumBlock(ReadOnlySpan<T> xs) =>
        ValueMaps.TrySame<T, TAcc>(xs, out var same) ? TensorPrimitives.SumOfMagnitudes(same) : ValueMaps.Loop<T, TAcc, AbsMap<T, TAcc>>(this, xs);
}

/// <summary>x² (the 2-norm).</summary>
internal readonly struct SquareMap<T, TAcc> : IValueMap<T, TAcc>
    where T : unmanaged, INumberBase<T> where TAcc : unmanaged, INumberBase<TAcc>
{
    public TAcc Apply(T x)
    {
        var v = TAcc.CreateTruncating(x);
        return v * v;
    }

    public TAcc SumBlock(ReadOnlySpan<T> xs) =>
        ValueMaps.TrySame<T, TAcc>(xs, out var same) ? TensorPrimitives.SumOfSquares(same) : ValueMaps.Loop<T, TAcc, SquareMap<T, TAcc>>(this, xs);
}

/// <summary>1 for a nonzero element (NaN included), else 0 (the "0-norm" counts nonzeros).</summary>
internal readonly struct NonZeroMap<T, TAcc> : IValueMap<T, TAcc>
    where T : unmanaged, INumberBase<T> where TAcc : unmanaged, INumberBase<TAcc>
{
    public TAcc Apply(T x) => x != T.Zero ? TAcc.One : TAcc.Zero;

    public TAcc SumBlock(ReadOnlySpan<T> xs) => ValueMaps.Loop<T, TAcc, NonZeroMap<T, TAcc>>(this, xs);
}

/// <summary>|x|^p (the p-norm for any other p).</summary>
internal readonly struct PowAbsMap<T, TAcc>(TAcc p) : IValueMap<T, TAcc>
    where T : unmanaged, INumberBase<T> where TAcc : unmanaged, IFloatingPointIeee754<TAcc>
{
    public TAcc Apply(T x) => TAcc.Pow(TAcc.Abs(TAcc.CreateTruncating(x)), p);

    public TAcc SumBlock(ReadOnlySpan<T> xs) => ValueMaps.Loop<T, TAcc, PowAbsMap<T, TAcc>>(this, xs);
}

/// <summary>exp(x - shift): logsumexp's terms, shifted by the maximum so none overflows.</summary>
internal readonly struct ExpShiftMap<T, TAcc>(TAcc shift) : IValueMap<T, TAcc>
    where T : unmanaged, INumberBase<T> where TAcc : unmanaged, IFloatingPointIeee754<TAcc>
{
    public TAcc Apply(T x) => TAcc.Exp(TAcc.CreateTruncating(x) - shift);

    public TAcc SumBlock(ReadOnlySpan<T> xs)
    {
        if (!ValueMaps.TrySame<T, TAcc>(xs, out var same))
            return ValueMaps.Loop<T, TAcc, ExpShiftMap<T, TAcc>>(this, xs);
        Span<TAcc> terms = stackalloc TAcc[same.Length];
        TensorPrimitives.Subtract(same, shift, terms);
        TensorPrimitives.Exp(terms, terms);
        return TensorPrimitives.Sum<TAcc>(terms);
    }
}

/// <summary>(x - mean)²: var's second pass, in double.</summary>
internal readonly struct SquaredDeviationMap<T>(double mean) : IValueMap<T, double>
    where T : unmanaged, INumberBase<T>
{
    public double Apply(T x)
    {
        double d = double.CreateTruncating(x) - mean;
        return d * d;
    }

    public double SumBlock(ReadOnlySpan<T> xs)
    {
        Span<double> deviations = stackalloc double[xs.Length];
        TensorPrimitives.ConvertTruncating(xs, deviations);
        TensorPrimitives.Subtract(deviations, mean, deviations);
        return TensorPrimitives.SumOfSquares<double>(deviations);
    }
}
