using System.Numerics;
using System.Numerics.Tensors;
using Kiln.IR.Ops;

namespace Kiln.Kernels.Sampling;

/// <summary>
/// dropout and dropout2d: element i (or every element of channel group i) is kept and scaled by 1/(1-p) when
/// random word i of the generator's stream is at least p·2^32, else multiplied by 0 (so, as in PyTorch, an
/// infinite or NaN input gives NaN rather than 0). The words depend only on the seed and the element's
/// index, not on how the work is split across threads.
/// </summary>
internal static class DropoutKernel
{
    /// <summary>Elements below which the work stays on the calling thread.</summary>
    private const long Grain = 1 << 14;

    /// <summary>Words drawn at a time.</summary>
    private const int Batch = 256;

    /// <summary>
    /// Dropout of <paramref name="input"/>: the input itself when not training or p is 0 (as PyTorch returns
    /// it); else a new tensor, or the input overwritten when <paramref name="inplace"/>.
    /// <paramref name="feature"/> draws once per index of the first two dims (dropout2d) instead of per element.
    /// </summary>
    /// <exception cref="ArgumentException">p is outside [0, 1], or the input is not floating-point (or, for dropout2d, not at least 2-d) while training.</exception>
    internal static Tensor Run(string op, Tensor input, double p, bool training, bool inplace, Generator? generator, bool feature)
    {
        RandomOps.CheckDropout(op, input.DType, input.shape, p, training, feature);
        if (!training || p == 0 || input.numel == 0) return input;
        var compute = input.DType == DType.Float64 ? DType.Float64 : DType.Float32;
        var source = input.To(compute).Contiguous();
        var result = Tensor.Empty(compute, input.Shape);
        long groups = feature ? input.shape[0] * input.shape[1] : input.numel;
        var stream = (generator ?? Random.DefaultGenerator).Reserve(groups);
        // Kept when the word is at least p·2^32: p = 1 keeps nothing.
        ulong threshold = (ulong)Math.Ceiling(p * 4294967296.0);
        double keepScale = p < 1 ? 1 / (1 - p) : 0;
        if (compute == DType.Float64) Apply<double>(source, result, stream, groups, threshold, keepScale);
        else Apply<float>(source, result, stream, groups, threshold, (float)keepScale);
        var output = result.To(input.DType);
        return inplace ? input.Copy_(output) : output;
    }

    private static void Apply<T>(Tensor source, Tensor result, PhiloxStream stream, long groups, ulong threshold, T keepScale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long groupSize = source.numel / groups;
        CpuParallel.For(groups, Math.Max(1, Grain / groupSize), (first, end) =>
        {
            Span<uint> words = stackalloc uint[Batch];
            for (long g = first; g < end; g += Batch)
            {
                int count = (int)Math.Min(Batch, end - g);
                stream.Words(g, words[..count]);
                if (groupSize == 1)
                {
                    var src = source.Span<T>(g, count);
                    var dst = result.Span<T>(g, count);
                    for (int i = 0; i < count; i++)
                        dst[i] = src[i] * (words[i] >= threshold ? keepScale : T.Zero);
                    continue;
                }
                for (int i = 0; i < count; i++)
                {
                    long start = (g + i) * groupSize;
                    TensorPrimitives.Multiply(source.Span<T>(start, groupSize), words[i] >= threshold ? keepScale : T.Zero, result.Span<T>(start, groupSize));
                }
            }
        });
    }
}
