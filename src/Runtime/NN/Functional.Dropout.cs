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
        return DropoutRecorded("dropout", input, p, training, inplace, generator, feature: false);
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
        return DropoutRecorded("dropout2d", input, p, training, inplace, generator, feature: true);
    }

    /// <summary>
    /// Dropout as the public methods run it: the kernel alone when no gradient is needed, else the result and mask
    /// of <see cref="DropoutWithMask"/> recorded as the registry op (in place through <see cref="InPlaceGrad"/>).
    /// </summary>
    private static Tensor DropoutRecorded(string op, Tensor input, double p, bool training, bool inplace, Generator? generator, bool feature)
    {
        if (inplace && InPlaceGrad.IsNeeded(input, [input]))
            return InPlaceGrad.Run(input, op + "_", () => DropoutRecorded(op, input, p, training, inplace: false, generator, feature));
        if (inplace || !GradRecorder.IsNeeded(input))
            return DropoutKernel.Run(op, input, p, training, inplace, generator, feature);
        IR.Ops.RandomOps.CheckDropout(op, input.DType, input.shape, p, training, feature);
        if (!training || p == 0) return input;
        var (output, mask) = DropoutWithMask(op, input, p, training, generator, feature);
        return GradRecorder.Track([output, mask], op, [input], new IR.Attrs { { "p", p }, { "training", training } })[0];
    }

    /// <summary>
    /// The registry form of dropout and dropout2d: the result and the mask of factors (0 or 1/(1-p), one per channel
    /// for dropout2d) it was multiplied by. The mask comes from the same kernel and draws, applied to ones, so the
    /// result equals <see cref="Dropout"/>'s for the same generator state.
    /// </summary>
    internal static (Tensor Output, Tensor Mask) DropoutWithMask(string op, Tensor input, double p, bool training, Generator? generator, bool feature)
    {
        IR.Ops.RandomOps.CheckDropout(op, input.DType, input.shape, p, training, feature);
        var maskShape = IR.Ops.RandomOps.DropoutMaskShape(input.shape, feature);
        using (Autograd.NoGrad())
        {
            // A copy rather than the input itself, so that recording the result never touches the input's history.
            if (!training || p == 0 || input.numel == 0)
                return (input.Clone(), Tensor.Ones(maskShape, input.DType));
            var compute = input.DType == DType.Float64 ? DType.Float64 : DType.Float32;
            var factors = DropoutKernel.Run(op, Tensor.Ones(maskShape, compute), p, training, inplace: false, generator, feature);
            return (input.To(compute).Mul(factors).To(input.DType), factors.To(input.DType));
        }
    }
}
