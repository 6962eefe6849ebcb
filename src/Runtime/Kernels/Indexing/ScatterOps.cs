using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Kernels.Indexing;

/// <summary>How a scatter combines one source element into the element its index names.</summary>
internal interface IScatterOp<T> where T : unmanaged
{
    void Apply(ref T target, T value);

    /// <summary>
    /// Applies the op to a dense run, <c>target[i] = op(target[i], values[i])</c>, with vector instructions;
    /// false when the op has no vector form for <typeparamref name="T"/> (the caller then loops over <see cref="Apply"/>).
    /// </summary>
    bool TryApplyRun(Span<T> target, ReadOnlySpan<T> values);
}

/// <summary>Overwrites the target (scatter, index_put).</summary>
internal readonly struct AssignOp<T> : IScatterOp<T> where T : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply(ref T target, T value) => target = value;

    public bool TryApplyRun(Span<T> target, ReadOnlySpan<T> values)
    {
        values.CopyTo(target);
        return true;
    }
}

/// <summary>A binary reduction computed on the wide forms of elements: double for floats, long for integers and bool.</summary>
internal interface IWideOp
{
    double Apply(double a, double b);
    long Apply(long a, long b);
}

internal readonly struct SumOp : IWideOp
{
    public double Apply(double a, double b) => a + b;
    public long Apply(long a, long b) => a + b;
}

internal readonly struct ProdOp : IWideOp
{
    public double Apply(double a, double b) => a * b;
    public long Apply(long a, long b) => a * b;
}

/// <summary>The larger value; NaN wins on either side, as in PyTorch's scatter_reduce.</summary>
internal readonly struct MaxOp : IWideOp
{
    public double Apply(double a, double b) => double.IsNaN(b) || b > a ? b : a;
    public long Apply(long a, long b) => Math.Max(a, b);
}

/// <summary>The smaller value; NaN wins on either side.</summary>
internal readonly struct MinOp : IWideOp
{
    public double Apply(double a, double b) => double.IsNaN(b) || b < a ? b : a;
    public long Apply(long a, long b) => Math.Min(a, b);
}

/// <summary><c>a + alpha · b</c> (index_add); integer tensors use alpha truncated (bool: alpha ≠ 0), as PyTorch converts it to the dtype.</summary>
internal readonly struct ScaledSumOp(double alpha, long integerAlpha) : IWideOp
{
    public double Apply(double a, double b) => a + alpha * b;
    public long Apply(long a, long b) => a + integerAlpha * b;
}

/// <summary>
/// Applies a <see cref="IWideOp"/> to storage elements and rounds back to the storage type after every step,
/// as PyTorch's CPU scatter kernels do (float16 sums round at each addition; integers wrap; bool sums are ors).
/// </summary>
internal readonly struct Combine<T, E, W>(W op) : IScatterOp<T>
    where T : unmanaged where E : IElementIO<T> where W : struct, IWideOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply(ref T target, T value)
    {
        // Sums of the common dtypes in their own type: the same rounding, without the round trip through the wide form.
        if (typeof(W) == typeof(SumOp) && typeof(T) == typeof(float))
            Unsafe.As<T, float>(ref target) += Unsafe.As<T, float>(ref value);
        else if (typeof(W) == typeof(SumOp) && typeof(T) == typeof(double))
            Unsafe.As<T, double>(ref target) += Unsafe.As<T, double>(ref value);
        else if (typeof(W) == typeof(SumOp) && typeof(T) == typeof(long))
            Unsafe.As<T, long>(ref target) += Unsafe.As<T, long>(ref value);
        else
            target = E.IsFloat ? E.FromDouble(op.Apply(E.ToDouble(target), E.ToDouble(value))) : E.FromLong(op.Apply(E.ToLong(target), E.ToLong(value)));
    }

    /// <summary>Sums and products of float32, float64, int32 and int64 runs; they round (or wrap) exactly as <see cref="Apply"/> does.</summary>
    public bool TryApplyRun(Span<T> target, ReadOnlySpan<T> values)
    {
        bool sum = typeof(W) == typeof(SumOp);
        if (!sum && typeof(W) != typeof(ProdOp)) return false;
        if (typeof(T) == typeof(float)) Run(MemoryMarshal.Cast<T, float>(target), MemoryMarshal.Cast<T, float>(values), sum);
        else if (typeof(T) == typeof(double)) Run(MemoryMarshal.Cast<T, double>(target), MemoryMarshal.Cast<T, double>(values), sum);
        else if (typeof(T) == typeof(long)) Run(MemoryMarshal.Cast<T, long>(target), MemoryMarshal.Cast<T, long>(values), sum);
        else if (typeof(T) == typeof(int)) Run(MemoryMarshal.Cast<T, int>(target), MemoryMarshal.Cast<T, int>(values), sum);
        else return false;
        return true;
    }

    private static void Run<TNumber>(Span<TNumber> target, ReadOnlySpan<TNumber> values, bool sum) where TNumber : System.Numerics.INumber<TNumber>
    {
        if (sum) TensorPrimitives.Add(target, values, target);
        else TensorPrimitives.Multiply(target, values, target);
    }
}
