namespace Kiln.Optim;

/// <summary>
/// The base of Kiln's optimisers (torch's <c>torch.optim.Optimizer</c>): parameters in <see cref="ParamGroups"/> with
/// per-group options, per-parameter <see cref="State"/>, <see cref="ZeroGrad"/>, <see cref="Step()"/> and state dicts.
/// </summary>
/// <remarks>
/// A subclass passes its default options (by torch's names) to the constructor and implements <see cref="StepGroup"/>,
/// which runs under <see cref="Autograd.NoGrad"/> and updates the group's parameters that have a gradient.
/// </remarks>
public abstract partial class Optimizer
{
    private readonly List<ParamGroup> groups = [];
    private readonly Dictionary<Tensor, ParameterState> state = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, object?> defaults;

    /// <summary>An optimiser of <paramref name="parameters"/>, all in one group with the default options.</summary>
    /// <param name="parameters">The tensors to optimise: floating-point leaves, typically <c>module.Parameters()</c>.</param>
    /// <param name="defaults">The default options by torch's names; every group gets those it does not set itself.</param>
    /// <exception cref="ArgumentException">The parameter list is empty, or holds a non-leaf, non-floating or repeated tensor, or an option is invalid.</exception>
    protected Optimizer(IEnumerable<Tensor> parameters, IReadOnlyDictionary<string, object?> defaults)
        : this([new ParamGroup(parameters ?? throw new ArgumentNullException(nameof(parameters)))], defaults)
    {
    }

    /// <summary>An optimiser of several param groups, each with its own option overrides.</summary>
    /// <param name="paramGroups">The groups; options a group leaves unset take the defaults.</param>
    /// <param name="defaults">The default options by torch's names.</param>
    /// <exception cref="ArgumentException">There are no parameters, a parameter is in two groups or is not a floating-point leaf, or an option is invalid.</exception>
    protected Optimizer(IEnumerable<ParamGroup> paramGroups, IReadOnlyDictionary<string, object?> defaults)
    {
        ArgumentNullException.ThrowIfNull(paramGroups);
        ArgumentNullException.ThrowIfNull(defaults);
        this.defaults = new Dictionary<string, object?>(defaults, StringComparer.Ordinal);
        var list = paramGroups.ToList();
        if (list.Sum(g => g?.Params.Count ?? 0) == 0)
            throw new ArgumentException($"{Name}: got an empty parameter list");
        foreach (var group in list) AddParamGroup(group);
    }

    /// <summary>The optimiser's name in messages (its class name).</summary>
    protected string Name => GetType().Name;

    /// <summary>The param groups, in order (torch's <c>optimizer.param_groups</c>).</summary>
    public IReadOnlyList<ParamGroup> ParamGroups => groups;

    /// <summary>The default options by torch's names (torch's <c>optimizer.defaults</c>).</summary>
    public IReadOnlyDictionary<string, object?> Defaults => defaults;

    /// <summary>The state of each parameter that has taken a step (torch's <c>optimizer.state</c>), keyed by the parameter itself.</summary>
    public IReadOnlyDictionary<Tensor, ParameterState> State => state;

    /// <summary>Adds a group of parameters with its own options (torch's <c>add_param_group</c>), e.g. when unfreezing layers.</summary>
    /// <exception cref="ArgumentException">A parameter is already optimised, repeated, not a leaf or not floating point, or an option is invalid.</exception>
    public void AddParamGroup(ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var inGroup = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < group.Params.Count; i++)
        {
            var p = group.Params[i];
            string where = $"parameter {i} of param group {groups.Count} ({p.DType.Name()}{Shapes.Format(p.shape)})";
            if (!p.DType.IsFloatingPoint())
                throw new ArgumentException($"{Name}: can only optimise floating-point tensors, {where} is {p.DType.Name()}");
            if (!p.IsLeaf)
                throw new ArgumentException($"{Name}: can't optimise a non-leaf tensor: {where} was computed by {p.GradFn!.Name}; pass a leaf, e.g. its Detach().RequiresGrad_()");
            if (!inGroup.Add(p))
                throw new ArgumentException($"{Name}: {where} appears twice in its param group");
            if (groups.Any(g => g.Params.Contains(p, ReferenceEqualityComparer.Instance)))
                throw new ArgumentException($"{Name}: {where} appears in more than one param group");
        }
        foreach (var (key, value) in defaults) group.SetDefault(key, value);
        OptionChecks.Validate(Name, group, groups.Count);
        groups.Add(group);
    }

    /// <summary>
    /// Resets the gradients of all optimised parameters (torch's <c>zero_grad</c>): sets them to null by default, as
    /// torch 2.x does, or fills them with zeros when <paramref name="setToNone"/> is false.
    /// </summary>
    public void ZeroGrad(bool setToNone = true)
    {
        using var noGrad = Autograd.NoGrad();
        foreach (var group in groups)
            foreach (var p in group.Params)
            {
                if (p.Grad is not { } grad) continue;
                if (setToNone) p.Grad = null;
                else if (grad.IsLeaf) grad.Zero_();
                else p.Grad = Tensor.ZerosLike(grad);
            }
    }

    /// <summary>Takes one optimisation step: updates every parameter that has a gradient; parameters whose gradient is null are skipped.</summary>
    public void Step()
    {
        using var noGrad = Autograd.NoGrad();
        foreach (var group in groups) StepGroup(group);
    }

    /// <summary>
    /// Evaluates <paramref name="closure"/> (which typically zeroes the gradients, computes the loss and calls
    /// <c>Backward</c>) with gradients enabled, then takes a step; returns the closure's loss.
    /// </summary>
    public Tensor Step(Func<Tensor> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        Tensor loss;
        using (Autograd.EnableGrad()) loss = closure();
        Step();
        return loss;
    }

    /// <summary>Updates the parameters of <paramref name="group"/> that have a gradient; runs with grad mode off.</summary>
    protected abstract void StepGroup(ParamGroup group);

    /// <summary>The parameters of <paramref name="group"/> that have a gradient, each with its state (created on first use).</summary>
    protected IEnumerable<(Tensor Param, Tensor Grad, ParameterState State)> ParamsWithGrad(ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        foreach (var p in group.Params)
        {
            if (p.Grad is not { } grad) continue;
            if (!state.TryGetValue(p, out var s)) state[p] = s = new ParameterState();
            yield return (p, grad, s);
        }
    }

    /// <summary>A new state buffer for <paramref name="param"/>: contiguous, in the dtype the fused updates compute in, filled with <paramref name="value"/>.</summary>
    protected static Tensor NewBuffer(Tensor param, double value = 0)
    {
        ArgumentNullException.ThrowIfNull(param);
        return Tensor.Full(param.Shape, value, FusedUpdate.ComputeDType(param.DType));
    }
}
