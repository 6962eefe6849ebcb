using Kiln.Kernels.Sampling;

namespace Kiln.NN;

public static partial class Functional
{
    /// <summary>
    /// Dropout (<c>torch.nn.functional.dropout</c>): while training, zeroes each element with probability
    /// <paramref name="p"/> and scales the others by 1/(1-p); otherwise (or with p = 0) returns the input itself.
    /// </summary>
    /// <param name="input">A floating-point tensor (any dtype when not training).</param>
    /// <param name="p">The probability of zeroing an element, in [0, 1].</param>
    /// <param name="training">Whether to apply dropout.</param>
    /// <param name="inplace">Whether to write the result into <paramref name="input"/>.</param>
    /// <param name="generator">The generator to draw from; the default generator (<see cref="Random.ManualSeed"/>) when null.</param>
    /// <exception cref="ArgumentException">p is outside [0, 1], or the input is not floating-point while training.</exception>
    public static Tensor Dropout(Tensor input, double p = 0.5, bool training = true, bool inplace = false, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        return DropoutKernel.Run("dropout", input, p, training, inplace, generator, feature: false);
    }

    /// <summary>
    /// Channel dropout (<c>torch.nn.functional.dropout2d</c>): while training, zeroes whole channels, one draw per
    /// index of the first two dims ([N, C, H, W]: each of the N·C maps), and scales the rest by 1/(1-p). As in
    /// PyTorch, a 3-d input is read as [N, C, L] (one draw per (n, c) row), not as an unbatched [C, H, W].
    /// Otherwise (or with p = 0) returns the input itself.
    /// </summary>
    /// <param name="input">A floating-point tensor of at least 2 dims while training.</param>
    /// <param name="p">The probability of zeroing a channel, in [0, 1].</param>
    /// <param name="training">Whether to apply dropout.</param>
    /// <param name="inplace">Whether to write the result into <paramref name="input"/>.</param>
    /// <param name="generator">The generator to draw from; the default generator when null.</param>
    /// <exception cref="ArgumentException">p is outside [0, 1], or the input is not floating-point or has fewer than 2 dims while training.</exception>
    public static Tensor Dropout2d(Tensor input, double p = 0.5, bool training = true, bool inplace = false, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        return DropoutKernel.Run("dropout2d", input, p, training, inplace, generator, feature: true);
    }
}
