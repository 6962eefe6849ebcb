using Kiln.Optim;

namespace Kiln.Tests.Optim;

/// <summary>ZeroGrad, closures, param groups and the errors for bad options and parameters.</summary>
public sealed class OptimizerBehaviourTests
{
    private static Tensor Param(params long[] shape) => Tensor.Ones(shape).RequiresGrad_();

    [Fact]
    public void ZeroGrad_sets_gradients_to_null_by_default_or_zeroes_them()
    {
        var p = Param(3);
        var optimizer = new SGD([p], lr: 0.1);
        var grad = Tensor.Full([3], 2.0);
        p.Grad = grad;
        optimizer.ZeroGrad(setToNone: false);
        Assert.Same(grad, p.Grad);
        Assert.Equal([0f, 0f, 0f], grad.ToArray<float>());
        optimizer.ZeroGrad();
        Assert.Null(p.Grad);
    }

    [Fact]
    public void Step_skips_parameters_without_gradients_and_marks_written_ones_modified()
    {
        var p = Param(3);
        var q = Param(2);
        var optimizer = new Adam([p, q], lr: 0.1);
        p.Grad = Tensor.Full([3], 1.0);
        int version = p.Version;
        optimizer.Step();
        Assert.True(p.Version > version);
        Assert.Equal([1f, 1f], q.ToArray<float>());
        Assert.False(optimizer.State.ContainsKey(q));
        Assert.Equal(1, optimizer.State[p].Step);
        Assert.All(p.ToArray<float>(), v => Assert.Equal(0.9f, v, 1e-6f));
    }

    [Fact]
    public void Step_with_a_closure_returns_its_loss_and_records_it_under_no_grad()
    {
        var p = Tensor.FromArray(new[] { 1.0, -2.0 }).RequiresGrad_();
        var optimizer = new SGD([p], lr: 0.5);
        using var noGrad = global::Kiln.Autograd.NoGrad();
        var loss = optimizer.Step(() =>
        {
            Assert.True(global::Kiln.Autograd.IsGradEnabled);
            optimizer.ZeroGrad();
            p.Grad = Tensor.FromArray(new[] { 2.0, -4.0 });
            return Tensor.Scalar(5.0);
        });
        Assert.Equal(5.0, loss.Item<double>());
        Assert.Equal([0.0, 0.0], p.ToArray<double>());
    }

    [Fact]
    public void Optimizers_take_module_parameters()
    {
        List<Kiln.NN.Parameter> parameters = [new(Tensor.Ones(2)), new(Tensor.Ones(3))];
        var optimizer = new SGD(parameters, lr: 0.5);
        parameters[1].Grad = Tensor.Ones(3);
        optimizer.Step();
        Assert.Equal([1f, 1f], parameters[0].ToArray<float>());
        Assert.Equal([0.5f, 0.5f, 0.5f], parameters[1].ToArray<float>());
    }

    [Fact]
    public void Large_parameters_split_across_threads_update_every_element()
    {
        // Above the parallel grain, with a length that leaves a partial SIMD lane in each thread's chunk.
        const int n = (1 << 20) + 37;
        var values = Enumerable.Range(0, n).Select(i => (float)Math.Sin(i)).ToArray();
        var grads = Enumerable.Range(0, n).Select(i => (float)Math.Cos(i)).ToArray();
        var p = Tensor.FromArray(values).RequiresGrad_();
        p.Grad = Tensor.FromArray(grads);
        new SGD([p], lr: 0.1, weightDecay: 0.5).Step();
        var actual = p.ToArray<float>();
        for (int i = 0; i < n; i++)
            if (Math.Abs(actual[i] - (values[i] - 0.1 * (grads[i] + 0.5 * values[i]))) > 1e-6)
                Assert.Fail($"element {i}: expected {values[i] - 0.1 * (grads[i] + 0.5 * values[i])}, got {actual[i]}");
    }

    [Fact]
    public void AddParamGroup_adds_parameters_with_their_own_options()
    {
        var p = Param(2);
        var q = Param(2);
        var optimizer = new SGD([p], lr: 0.1, momentum: 0.9);
        optimizer.AddParamGroup(new ParamGroup([q]) { Lr = 0.01 });
        Assert.Equal(2, optimizer.ParamGroups.Count);
        Assert.Equal(0.01, optimizer.ParamGroups[1].Lr);
        Assert.Equal(0.9, optimizer.ParamGroups[1].Momentum);
        var e = Assert.Throws<ArgumentException>(() => optimizer.AddParamGroup(new ParamGroup([p])));
        Assert.Contains("more than one param group", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Func<Optimizer>> BadOptions() => new()
    {
        { "invalid lr -0.1", () => new SGD([Param(2)], lr: -0.1) },
        { "invalid momentum -1", () => new SGD([Param(2)], momentum: -1) },
        { "nesterov momentum requires a momentum > 0 and zero dampening (got momentum 0, dampening 0)", () => new SGD([Param(2)], nesterov: true) },
        { "nesterov momentum requires a momentum > 0 and zero dampening (got momentum 0.9, dampening 0.1)", () => new SGD([Param(2)], momentum: 0.9, dampening: 0.1, nesterov: true) },
        { "invalid beta parameter at index 0: 1 (must be in [0, 1))", () => new Adam([Param(2)], betas: (1.0, 0.999)) },
        { "invalid beta parameter at index 1: -0.5", () => new AdamW([Param(2)], betas: (0.9, -0.5)) },
        { "invalid eps -1E-08", () => new Adam([Param(2)], eps: -1e-8) },
        { "invalid weight_decay -0.01", () => new AdamW([Param(2)], weightDecay: -0.01) },
        { "invalid alpha -0.5", () => new RMSprop([Param(2)], alpha: -0.5) },
        { "invalid lr_decay -1", () => new Adagrad([Param(2)], lrDecay: -1) },
        { "invalid initial_accumulator_value -1", () => new Adagrad([Param(2)], initialAccumulatorValue: -1) },
        { "param group 1: invalid lr -1", () => new SGD([new ParamGroup([Param(2)]), new ParamGroup([Param(2)]) { Lr = -1 }]) },
        { "got an empty parameter list", () => new Adam(Array.Empty<Tensor>()) },
        { "can only optimise floating-point tensors, parameter 0 of param group 0 (int64[2]) is int64", () => new SGD([Tensor.Zeros([2], DType.Int64)]) },
        { "appears twice in its param group", () => { var p = Param(2); return new SGD([p, p]); } },
        { "appears in more than one param group", () => { var p = Param(2); return new SGD([new ParamGroup([p]), new ParamGroup([Param(1), p])]); } },
        { "can't optimise a non-leaf tensor", () => new SGD([Param(2) * 2]) },
        { "option 'lr' holds True, expected a number", () => new SGD([new ParamGroup([Param(2)]) { ["lr"] = true }]) },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Bad_options_and_parameters_throw_naming_the_problem(string message, Func<Optimizer> create)
    {
        var e = Assert.Throws<ArgumentException>(() => create());
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scheduler_arguments_are_checked()
    {
        var optimizer = new SGD([Param(2)], lr: 0.1);
        Assert.Contains("stepSize must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => new StepLR(optimizer, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("startFactor must be in (0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new LinearLR(optimizer, startFactor: 0)).Message, StringComparison.Ordinal);
        Assert.Contains("factor must be < 1", Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(optimizer, factor: 1)).Message, StringComparison.Ordinal);
        Assert.Contains("give either totalSteps or both epochs and stepsPerEpoch", Assert.Throws<ArgumentException>(() => new OneCycleLR(optimizer, 1.0)).Message, StringComparison.Ordinal);
        Assert.Contains("cycleMomentum needs an optimiser with momentum or betas",
            Assert.Throws<ArgumentException>(() => new OneCycleLR(new Adagrad([Param(2)]), 1.0, totalSteps: 10)).Message, StringComparison.Ordinal);
        Assert.Contains("option 'initial_lr' is not set in param group 0",
            Assert.Throws<ArgumentException>(() => new ExponentialLR(new SGD([Param(2)]), 0.5, lastEpoch: 3)).Message, StringComparison.Ordinal);

        var oneCycle = new OneCycleLR(new SGD([Param(2)], momentum: 0.9), 1.0, totalSteps: 3);
        for (int i = 0; i < 3; i++) oneCycle.Step();
        Assert.Contains("tried to step 4 times; the schedule has 3 total steps",
            Assert.Throws<InvalidOperationException>(oneCycle.Step).Message, StringComparison.Ordinal);
    }
}
