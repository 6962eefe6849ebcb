namespace Kiln.NN;

/// <summary>Helpers on parameters and their gradients (torch's <c>torch.nn.utils</c>).</summary>
public static partial class Utils
{
    /// <summary>
    /// Scales the gradients of <paramref name="parameters"/> in place so that their total norm (the norm of the vector
    /// of all gradient elements) is at most <paramref name="maxNorm"/> (torch's <c>clip_grad_norm_</c>): each gradient is
    /// multiplied by <c>min(1, maxNorm / (total + 1e-6))</c>. Parameters without a gradient are ignored.
    /// </summary>
    /// <param name="parameters">The parameters, typically <c>module.Parameters()</c>.</param>
    /// <param name="maxNorm">The largest total norm allowed.</param>
    /// <param name="normType">The order p of the norm; <see cref="double.PositiveInfinity"/> for the largest absolute value.</param>
    /// <param name="errorIfNonfinite">Throw when the total norm is NaN or infinite, instead of scaling by it.</param>
    /// <returns>The total norm of the gradients before clipping, as a 0-d tensor (0 when no parameter has a gradient).</returns>
    /// <exception cref="InvalidOperationException"><paramref name="errorIfNonfinite"/> is set and the total norm is not finite.</exception>
    public static Tensor ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2, bool errorIfNonfinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return Tensor.Scalar(0f);
        using var noGrad = Autograd.NoGrad();
        var total = double.IsPositiveInfinity(normType)
            ? Tensor.Stack(grads.Select(g => g.Abs().Max()).ToList()).Max()
            : Tensor.Stack(grads.Select(g => g.Norm(normType)).ToList()).Norm(normType);
        if (errorIfNonfinite && !double.IsFinite(total.To(DType.Float64).Item<double>()))
            throw new InvalidOperationException($"ClipGradNorm: the total norm of order {normType} of the gradients is non-finite, so it cannot be clipped; " +
                "pass errorIfNonfinite: false to scale the gradients by the non-finite norm anyway");
        var scale = (maxNorm / (total + 1e-6)).Clamp(max: 1.0);
        foreach (var g in grads) g.Mul_(scale);
        return total;
    }

    /// <summary>
    /// Clamps every gradient element of <paramref name="parameters"/> to [−<paramref name="clipValue"/>, <paramref name="clipValue"/>]
    /// in place (torch's <c>clip_grad_value_</c>). Parameters without a gradient are ignored.
    /// </summary>
    /// <param name="parameters">The parameters, typically <c>module.Parameters()</c>.</param>
    /// <param name="clipValue">The largest absolute value allowed.</param>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var noGrad = Autograd.NoGrad();
        foreach (var p in parameters)
            p.Grad?.Clamp_(-clipValue, clipValue);
    }
}
