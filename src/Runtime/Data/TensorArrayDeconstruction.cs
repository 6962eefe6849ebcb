namespace Kiln.Data;

/// <summary>
/// Deconstruction of a tensor array, so that the batches of a <see cref="TensorDataset"/> unpack as a PyTorch
/// tuple does: <c>foreach (var (x, y) in loader)</c>.
/// </summary>
public static class TensorArrayDeconstruction
{
    /// <summary>The two tensors of a two-tensor array.</summary>
    /// <exception cref="ArgumentException">The array does not hold exactly two tensors.</exception>
    public static void Deconstruct(this Tensor[] tensors, out Tensor first, out Tensor second)
    {
        CheckLength(tensors, 2);
        (first, second) = (tensors[0], tensors[1]);
    }

    /// <summary>The three tensors of a three-tensor array.</summary>
    /// <exception cref="ArgumentException">The array does not hold exactly three tensors.</exception>
    public static void Deconstruct(this Tensor[] tensors, out Tensor first, out Tensor second, out Tensor third)
    {
        CheckLength(tensors, 3);
        (first, second, third) = (tensors[0], tensors[1], tensors[2]);
    }

    private static void CheckLength(Tensor[] tensors, int expected)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length != expected)
            throw new ArgumentException($"deconstruct: cannot unpack {tensors.Length} tensors into {expected} variables", nameof(tensors));
    }
}
