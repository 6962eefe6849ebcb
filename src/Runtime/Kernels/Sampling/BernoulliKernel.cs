using Kiln.IR.Ops;

namespace Kiln.Kernels.Sampling;

/// <summary>
/// bernoulli: element i is 1 when random word i of the generator's stream is below p_i·2^32 (p_i the
/// element's probability, or one p for all), else 0, in the input's dtype. So p = 0 never gives 1 and
/// p = 1 always does, and the result depends only on the seed and the element's index.
/// </summary>
internal static class BernoulliKernel
{
    private const long Grain = 1 << 14;
    private const int Batch = 256;

    /// <summary>
    /// Draws with the probabilities held in <paramref name="input"/> (floating-point, every value in [0, 1]), or
    /// with probability <paramref name="p"/> for every element when it is given.
    /// </summary>
    /// <exception cref="ArgumentException">The dtype or p is invalid, or a probability is outside [0, 1] (or NaN).</exception>
    internal static Tensor Run(Tensor input, double? p, Generator? generator)
    {
        RandomOps.CheckBernoulli(input.DType, p);
        var draws = Tensor.Empty(DType.Bool, input.Shape);
        if (input.numel == 0) return draws.To(input.DType);
        var probabilities = p is null ? input.To(DType.Float64).Contiguous() : null;
        if (probabilities is not null)
            CheckProbabilities(probabilities, input.shape);
        var stream = (generator ?? Random.DefaultGenerator).Reserve(input.numel);
        double single = p ?? 0;
        CpuParallel.For(input.numel, Grain, (first, end) =>
        {
            Span<uint> words = stackalloc uint[Batch];
            for (long s = first; s < end; s += Batch)
            {
                int count = (int)Math.Min(Batch, end - s);
                stream.Words(s, words[..count]);
                var bits = draws.Span<byte>(s, count);
                var probs = probabilities is null ? default : probabilities.Span<double>(s, count);
                for (int i = 0; i < count; i++)
                    bits[i] = words[i] < Threshold(probabilities is null ? single : probs[i]) ? (byte)1 : (byte)0;
            }
        });
        return draws.To(input.DType);
    }

    /// <summary>The count of 32-bit words below which a draw succeeds: P(word &lt; t) = t / 2^32 ≈ p.</summary>
    private static ulong Threshold(double p) => (ulong)(p * 4294967296.0);

    private static void CheckProbabilities(Tensor probabilities, long[] shape)
    {
        var values = probabilities.Span<double>();
        for (int i = 0; i < values.Length; i++)
        {
            if (!(values[i] >= 0 && values[i] <= 1))
                throw new ArgumentException($"bernoulli: expects every probability to be in [0, 1], but element {i} (row-major) of the input of shape {Shapes.Format(shape)} is {values[i]}");
        }
    }
}
