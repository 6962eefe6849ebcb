namespace Kiln.Kernels.Pooling;

/// <summary>
/// pixel_shuffle and pixel_unshuffle as one strided copy: the input viewed with the factor split out of its
/// channels (or its height and width), permuted, and copied into a new dense tensor.
/// </summary>
internal static class PixelShuffleKernel
{
    /// <summary>[*, C·r², H, W] → [*, C, H·r, W·r]: out[c, h·r + i, w·r + j] = in[c·r² + i·r + j, h, w].</summary>
    internal static Tensor Shuffle(Tensor input, long[] outputShape, long r)
    {
        long batch = Shapes.Numel(input.shape.AsSpan(0, input.Dim - 3));
        long channels = outputShape[^3], height = input.shape[^2], width = input.shape[^1];
        var view = input.Reshape(batch, channels, r, r, height, width).Permute(0, 1, 4, 2, 5, 3);
        return Materialise(view, outputShape);
    }

    /// <summary>[*, C, H·r, W·r] → [*, C·r², H, W], the inverse of <see cref="Shuffle"/>.</summary>
    internal static Tensor Unshuffle(Tensor input, long[] outputShape, long r)
    {
        long batch = Shapes.Numel(input.shape.AsSpan(0, input.Dim - 3));
        long channels = input.shape[^3], height = outputShape[^2], width = outputShape[^1];
        var view = input.Reshape(batch, channels, height, r, width, r).Permute(0, 1, 3, 5, 2, 4);
        return Materialise(view, outputShape);
    }

    /// <summary>A new dense tensor holding <paramref name="view"/>'s elements, shaped <paramref name="shape"/>.</summary>
    private static Tensor Materialise(Tensor view, long[] shape)
    {
        var result = Tensor.Empty(view.DType, view.Shape);
        CopyKernel.Copy(view, result);
        return result.View(shape);
    }
}
