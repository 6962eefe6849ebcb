using System.Numerics.Tensors;

namespace Kiln.Kernels.Indexing;

/// <summary><c>one_hot</c>: int64 rows of zeros with a one at each class index.</summary>
internal static class OneHotKernel
{
    /// <summary>
    /// The one-hot encoding of the int64 class indices in <paramref name="input"/>, with
    /// <paramref name="numClasses"/> classes (-1: one more than the largest index).
    /// </summary>
    /// <exception cref="ArgumentException">num_classes is below -1, or -1 with an empty input.</exception>
    /// <exception cref="IndexOutOfRangeException">A class index is negative or not below num_classes.</exception>
    internal static Tensor Run(Tensor input, long numClasses, long[] shape)
    {
        var classes = input.Contiguous();
        var values = classes.Span<long>();
        long max = values.IsEmpty ? -1 : TensorPrimitives.Max<long>(values);
        if (!values.IsEmpty && TensorPrimitives.Min<long>(values) is var min && min < 0)
            throw new IndexOutOfRangeException($"one_hot: class values must be non-negative, but got {min} (input of shape {Shapes.Format(input.shape)})");
        long count = numClasses == -1 ? max + 1 : numClasses;
        if (max >= count)
            throw new IndexOutOfRangeException($"one_hot: class value {max} is out of range for num_classes {count}");
        shape[^1] = count;
        var result = Tensor.Zeros(shape, DType.Int64);
        var output = result.Span<long>();
        for (int i = 0; i < values.Length; i++)
            output[(int)(i * count + values[i])] = 1;
        return result;
    }
}
