using Kiln.IR;

namespace Kiln.Kernels.Elementwise;

/// <summary>
/// Dtype rules every elementwise op shares: PyTorch's promotion of two tensors, the dtype the arithmetic
/// runs in, the dtype checks, and C# scalars wrapped as 0-d operands. <see cref="ElementwisePlan"/> applies them.
/// </summary>
internal static class Operands
{
    /// <summary>
    /// The dtype an op computes in: float16 and bfloat16 compute in float32 and round once at the end (as
    /// PyTorch's CPU kernels do); bool computes as uint8; integers compute as float32 for float-only ops.
    /// </summary>
    internal static DType ComputeDType(DType promoted, bool floatOnly) => promoted switch
    {
        DType.Float16 or DType.BFloat16 => DType.Float32,
        DType.Float32 or DType.Float64 => promoted,
        _ when floatOnly => DTypes.DefaultFloat,
        DType.Bool => DType.UInt8,
        _ => promoted,
    };

    /// <summary>
    /// Throws unless the operands' promoted dtype is allowed for <paramref name="op"/> (PyTorch dispatches on
    /// the common dtype, so e.g. <c>pow(bool, int64)</c> is fine while <c>pow(bool, bool)</c> is not).
    /// </summary>
    internal static void CheckPromoted(string op, DType promoted, ReadOnlySpan<Tensor> inputs, IReadOnlyList<DType> allowed)
    {
        if (allowed.Contains(promoted)) return;
        var given = new string[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) given[i] = inputs[i].DType.Name();
        string from = inputs.Length == 1 ? "" : $" (the promoted dtype of inputs {string.Join(", ", given)})";
        throw new ArgumentException($"{op}: dtype {promoted.Name()}{from} is not supported; expected one of {string.Join(", ", allowed.Select(d => d.Name()))}");
    }

    /// <summary>The promoted dtype of two tensor operands (0-d tensors have lower priority).</summary>
    internal static DType Promote(Tensor a, Tensor b) => DTypePromotion.ResultType(a.DType, a.Dim, b.DType, b.Dim);

    /// <summary>
    /// Checks that a result of dtype <paramref name="result"/> may be written into a tensor of dtype
    /// <paramref name="target"/> (PyTorch's can_cast: never down a category, float → int or int → bool).
    /// </summary>
    internal static void CheckCanCast(string op, DType result, DType target)
    {
        static int Category(DType d) => d == DType.Bool ? 0 : d.IsFloatingPoint() ? 2 : 1;
        if (Category(result) > Category(target))
            throw new InvalidOperationException($"{op}: result type {result.Name()} can't be cast to the desired output type {target.Name()}");
    }

    /// <summary>Whether <paramref name="value"/> is in the range of the integer dtype <paramref name="dtype"/>.</summary>
    internal static bool FitsInteger(long value, DType dtype) => dtype switch
    {
        DType.UInt8 => value is >= byte.MinValue and <= byte.MaxValue,
        DType.Int8 => value is >= sbyte.MinValue and <= sbyte.MaxValue,
        DType.Int16 => value is >= short.MinValue and <= short.MaxValue,
        DType.Int32 => value is >= int.MinValue and <= int.MaxValue,
        _ => true,
    };

    /// <summary>A 0-d tensor of dtype <paramref name="dtype"/> holding <paramref name="value"/> (a C# scalar operand).</summary>
    internal static Tensor WrapScalar(double value, DType dtype)
    {
        var t = Tensor.Empty(dtype, []);
        ElementStore.Set(t, 0, value);
        return t;
    }

    /// <summary>A 0-d tensor of dtype <paramref name="dtype"/> holding <paramref name="value"/>.</summary>
    internal static Tensor WrapScalar(long value, DType dtype)
    {
        var t = Tensor.Empty(dtype, []);
        ElementStore.Set(t, 0, value);
        return t;
    }
}
