using Kiln.IR;

namespace Kiln.Graphs;

/// <summary>Converts between inline graph constants (<see cref="DenseConstant"/>) and tensors.</summary>
internal static class DenseTensors
{
    /// <summary>
    /// A new tensor holding <paramref name="constant"/>; a splat's symbolic dims take their sizes from
    /// <paramref name="sizes"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A symbol has no size, or a dim is data-dependent.</exception>
    internal static Tensor ToTensor(DenseConstant constant, IReadOnlyDictionary<string, long> sizes)
    {
        var type = constant.Type;
        var shape = new long[type.Rank];
        for (int d = 0; d < shape.Length; d++)
        {
            var dim = type.Shape[d];
            shape[d] = dim.IsConstant ? dim.Size
                : dim.IsSymbol && sizes.TryGetValue(dim.Symbol!, out var size) ? size
                : throw new InvalidOperationException($"dense constant of type {type}: dim {d} ({dim}) has no size in this run" +
                    (dim.IsSymbol ? "; no input binds that symbol" : "; a constant cannot have a data-dependent dim"));
        }
        return constant.IsSplat
            ? Tensor.Full(shape, constant.Values[0], type.DType)
            : Tensor.FromArray(constant.Values.ToArray(), shape).ToUntracked(type.DType);
    }

    /// <summary>
    /// <paramref name="tensor"/> as an inline constant (a splat when every element is the same), or null when
    /// its values are not exact as doubles (int64 beyond 2^53).
    /// </summary>
    internal static DenseConstant? FromTensor(Tensor tensor)
    {
        var values = tensor.ToUntracked(DType.Float64).ToArray<double>();
        if (tensor.DType == DType.Int64 && !ExactInDouble(tensor.ToArray<long>(), values)) return null;
        var type = TensorValueType.FromConcrete(new TensorType(tensor.DType, tensor.Shape));
        // Bitwise, so -0.0 and 0.0 stay apart.
        bool splat = values.Length > 1 && Array.TrueForAll(values, v => BitConverter.DoubleToInt64Bits(v) == BitConverter.DoubleToInt64Bits(values[0]));
        return splat ? DenseConstant.Splat(type, values[0]) : new DenseConstant(type, values);
    }

    private static bool ExactInDouble(long[] exact, double[] converted)
    {
        for (int i = 0; i < exact.Length; i++)
        {
            if ((decimal)converted[i] != exact[i]) return false;
        }
        return true;
    }
}
