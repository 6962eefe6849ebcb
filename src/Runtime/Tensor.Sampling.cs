using Kiln.Kernels.Sampling;

namespace Kiln;

public partial class Tensor
{
    /// <summary>
    /// 0/1 draws with this tensor's values as the probabilities of 1 (<c>torch.bernoulli(input)</c>), in this
    /// tensor's shape and floating dtype.
    /// </summary>
    /// <param name="generator">The generator to draw from; the default generator (<see cref="Random.ManualSeed"/>) when null.</param>
    /// <exception cref="ArgumentException">The dtype is not floating-point, or a value is outside [0, 1].</exception>
    public Tensor Bernoulli(Generator? generator = null)
    {
        Scripting.Tracer.CheckRandom("bernoulli");
        return BernoulliKernel.Run(this, null, generator);
    }

    /// <summary>0/1 draws, each 1 with probability <paramref name="p"/>, in this tensor's shape and dtype (<c>torch.bernoulli(input, p)</c>).</summary>
    /// <param name="p">The probability of 1, in [0, 1].</param>
    /// <param name="generator">The generator to draw from; the default generator when null.</param>
    /// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1].</exception>
    public Tensor Bernoulli(double p, Generator? generator = null)
    {
        Scripting.Tracer.CheckRandom("bernoulli");
        return BernoulliKernel.Run(this, p, generator);
    }

    /// <summary>
    /// Category indices (int64) drawn from the rows of this tensor of non-negative weights, which need not sum
    /// to 1 (<c>torch.multinomial</c>): [numSamples] for a 1-d tensor, [rows, numSamples] for a 2-d one.
    /// Without replacement a row gives each category at most once, its categories of weight 0 last.
    /// </summary>
    /// <param name="numSamples">Samples per row (at most the number of categories without replacement).</param>
    /// <param name="replacement">Whether a category may be drawn more than once.</param>
    /// <param name="generator">The generator to draw from; the default generator when null.</param>
    /// <exception cref="ArgumentException">The tensor is not a 1-d or 2-d float tensor, numSamples is not positive or too large, or a row has a negative, infinite or NaN weight or sums to 0.</exception>
    public Tensor Multinomial(long numSamples, bool replacement = false, Generator? generator = null)
    {
        Scripting.Tracer.CheckRandom("multinomial");
        return MultinomialKernel.Run(this, numSamples, replacement, generator);
    }
}
