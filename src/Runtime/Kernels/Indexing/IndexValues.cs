using System.Numerics.Tensors;

namespace Kiln.Kernels.Indexing;

/// <summary>Checks index tensors against the dim they index before any kernel reads or writes through them.</summary>
internal static class IndexValues
{
    /// <summary>
    /// <paramref name="index"/> as a contiguous int64 tensor whose values all lie in [0, <paramref name="size"/>):
    /// with <paramref name="allowNegative"/>, values in [-size, 0) count from the end and are wrapped (in a copy;
    /// the caller's tensor is never changed).
    /// </summary>
    /// <exception cref="IndexOutOfRangeException">A value is outside the dim; the message names the op, the value, the dim and its size.</exception>
    internal static Tensor Checked(string op, Tensor index, long size, int dim, bool allowNegative)
    {
        var t = index.To(DType.Int64).Contiguous();
        var values = t.Span<long>();
        if (values.IsEmpty) return t;
        long min = TensorPrimitives.Min<long>(values), max = TensorPrimitives.Max<long>(values);
        long low = allowNegative ? -size : 0;
        if (min < low || max >= size)
        {
            foreach (long v in values)
            {
                if (v < low || v >= size) throw OutOfRange(op, v, dim, size);
            }
        }
        if (min >= 0) return t;
        if (ReferenceEquals(t, index)) t = t.Clone();
        foreach (ref long v in t.Span<long>())
        {
            if (v < 0) v += size;
        }
        return t;
    }

    /// <summary>The exception for an index value outside its dim.</summary>
    internal static IndexOutOfRangeException OutOfRange(string op, long value, int dim, long size) =>
        new($"{op}: index {value} is out of bounds for dim {dim} with size {size}");
}
