using Kiln.IR.Ops;
using Kiln.Kernels.Indexing;

namespace Kiln.NN;

public static partial class Functional
{
    /// <summary>
    /// The one-hot encoding of the int64 class indices in <paramref name="tensor"/>
    /// (<c>torch.nn.functional.one_hot</c>): an int64 tensor of tensor's shape followed by
    /// <paramref name="numClasses"/>, with a 1 at each index. -1 means one more than the largest index.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not int64, num_classes is below -1, or it is -1 and the tensor is empty.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is negative or not below num_classes.</exception>
    public static Tensor OneHot(Tensor tensor, long numClasses = -1)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var shape = IndexingRules.OneHotShape(Calls.Of("one_hot", IndexingOps.OneHot, tensor), tensor.shape, tensor.DType, numClasses);
        return OneHotKernel.Run(tensor, numClasses, shape);
    }
}
