namespace Kiln.NN;

public static partial class Functional
{
    /// <summary>softmax along <paramref name="dim"/> (<c>torch.nn.functional.softmax</c>), computed stably; floating dtypes only.</summary>
    /// <exception cref="ArgumentException">The dtype is not floating point or the dim is out of range.</exception>
    public static Tensor Softmax(Tensor input, long dim)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Softmax(dim);
    }

    /// <summary>log_softmax along <paramref name="dim"/> (<c>torch.nn.functional.log_softmax</c>), computed stably.</summary>
    /// <exception cref="ArgumentException">The dtype is not floating point or the dim is out of range.</exception>
    public static Tensor LogSoftmax(Tensor input, long dim)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.LogSoftmax(dim);
    }
}
