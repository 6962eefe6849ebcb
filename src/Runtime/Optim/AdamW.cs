namespace Kiln.Optim;

/// <summary>
/// Adam with decoupled weight decay (torch's <c>torch.optim.AdamW</c>): each step first shrinks the parameter by
/// <c>1 − lr·weight_decay</c>, then applies the <see cref="Adam"/> update to the plain gradient. Default weight decay 0.01.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>AdamW over <paramref name="parameters"/> (e.g. <c>module.Parameters()</c>).</summary>
    /// <param name="parameters">The tensors to optimise.</param>
    /// <param name="lr">The learning rate.</param>
    /// <param name="betas">The coefficients of the running averages of the gradient and its square, each in [0, 1); default (0.9, 0.999).</param>
    /// <param name="eps">The term added to the denominator for numerical stability.</param>
    /// <param name="weightDecay">The decoupled weight decay: parameters are multiplied by <c>1 − lr·weightDecay</c> each step.</param>
    /// <param name="amsgrad">Use the AMSGrad variant (the running maximum of the second moment).</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentException">An option is out of range, or a parameter is invalid (see <see cref="Optimizer"/>).</exception>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
        double weightDecay = 1e-2, bool amsgrad = false, bool maximize = false)
        : base(parameters, DefaultOptions(lr, betas, eps, weightDecay, amsgrad, maximize), decoupledWeightDecay: true)
    {
    }

    /// <summary>AdamW over param groups with per-group overrides; the other arguments are the defaults.</summary>
    /// <inheritdoc cref="AdamW(IEnumerable{Tensor}, double, ValueTuple{double, double}?, double, double, bool, bool)"/>
    public AdamW(IEnumerable<ParamGroup> paramGroups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
        double weightDecay = 1e-2, bool amsgrad = false, bool maximize = false)
        : base(paramGroups, DefaultOptions(lr, betas, eps, weightDecay, amsgrad, maximize), decoupledWeightDecay: true)
    {
    }
}
