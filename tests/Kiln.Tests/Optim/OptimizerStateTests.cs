using Kiln.Optim;

namespace Kiln.Tests.Optim;

/// <summary>State dicts and files: an optimiser restored after some steps continues exactly like the original.</summary>
public sealed class OptimizerStateTests
{
    public static TheoryData<string> Cases() => new(["sgd_nesterov", "adam_maximize_skip", "adamw_wd_amsgrad", "rmsprop_all", "adagrad_decay"]);

    /// <summary>Runs <paramref name="steps"/> steps of a case in float64 and returns the parameters and optimiser.</summary>
    private static (Tensor[] Params, Optimizer Optimizer) Start(string name, int steps)
    {
        var c = OptimReference.Case("optimizers", name);
        var parameters = OptimReference.NewParams(DType.Float64);
        var optimizer = OptimReference.NewOptimizer(c.GetProperty("optimizer").GetString()!, c.GetProperty("options"), parameters);
        for (int t = 0; t < steps; t++)
        {
            OptimReference.SetGrads(parameters, t, c.GetProperty("skip").GetBoolean());
            optimizer.Step();
        }
        return (parameters, optimizer);
    }

    /// <summary>A fresh optimiser of the same kind (default options) over copies of <paramref name="parameters"/>.</summary>
    private static (Tensor[] Params, Optimizer Optimizer) Fresh(string name, Tensor[] parameters)
    {
        var c = OptimReference.Case("optimizers", name);
        var copies = parameters.Select(p => p.Detach().Clone().RequiresGrad_()).ToArray();
        var defaults = System.Text.Json.JsonDocument.Parse("""{"lr": 0.5}""").RootElement;
        return (copies, OptimReference.NewOptimizer(c.GetProperty("optimizer").GetString()!, defaults, copies));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loading_a_state_dict_continues_like_the_original(string name)
    {
        var (parameters, optimizer) = Start(name, 2);
        var (copies, restored) = Fresh(name, parameters);
        restored.LoadStateDict(optimizer.StateDict());
        Assert.Equal(optimizer.ParamGroups[0].Options.OrderBy(o => o.Key), restored.ParamGroups[0].Options.OrderBy(o => o.Key));
        var c = OptimReference.Case("optimizers", name);
        OptimizerReferenceTests.Run(restored, copies, c, "float64", 1e-12, name, firstStep: 2);
        OptimizerReferenceTests.Run(optimizer, parameters, c, "float64", 1e-12, name, firstStep: 2);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_saved_file_continues_like_the_original(string name)
    {
        var (parameters, optimizer) = Start(name, 3);
        string path = Path.Combine(Path.GetTempPath(), $"kiln-optim-{name}-{Guid.NewGuid():N}.safetensors");
        try
        {
            optimizer.Save(path);
            var (copies, restored) = Fresh(name, parameters);
            restored.Load(path);
            OptimizerReferenceTests.Run(restored, copies, OptimReference.Case("optimizers", name), "float64", 1e-12, name, firstStep: 3);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_state_dict_names_state_like_torch_and_is_a_snapshot()
    {
        var (parameters, optimizer) = Start("adam_amsgrad", 2);
        var dict = optimizer.StateDict();
        Assert.Equal(["state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq", "state.1.exp_avg", "state.1.exp_avg_sq", "state.1.max_exp_avg_sq"],
            dict.Tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, dict.Scalars["state"]!["1"]!["step"]!.GetValue<long>());
        var group = dict.Scalars["param_groups"]![0]!;
        Assert.Equal("[0,1]", group["params"]!.ToJsonString());
        Assert.Equal("[0.9,0.999]", group["betas"]!.ToJsonString());
        Assert.True(group["amsgrad"]!.GetValue<bool>());
        var before = dict.Tensors["state.0.exp_avg"].ToArray<double>();
        OptimReference.SetGrads(parameters, 2, skip: false);
        optimizer.Step();
        Assert.Equal(before, dict.Tensors["state.0.exp_avg"].ToArray<double>());
        Assert.NotEqual(before, optimizer.State[parameters[0]].Buffers["exp_avg"].ToArray<double>());
    }

    [Fact]
    public void Loading_into_a_differently_shaped_optimiser_throws()
    {
        var (parameters, optimizer) = Start("adam", 1);
        var one = new Adam([parameters[0]]);
        var e = Assert.Throws<ArgumentException>(() => one.LoadStateDict(optimizer.StateDict()));
        Assert.Contains("param group 0 has 2 parameters in the state dict, 1 in the optimiser", e.Message, StringComparison.Ordinal);
        var two = new Adam([new ParamGroup([parameters[0]]), new ParamGroup([parameters[1]])]);
        e = Assert.Throws<ArgumentException>(() => two.LoadStateDict(optimizer.StateDict()));
        Assert.Contains("1 param groups, the optimiser has 2", e.Message, StringComparison.Ordinal);
        var swapped = new Adam([parameters[1], parameters[0]]);
        e = Assert.Throws<ArgumentException>(() => swapped.LoadStateDict(optimizer.StateDict()));
        Assert.Contains("state tensor 'state.0.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scheduler_state_dicts_restore_progress()
    {
        var p = Tensor.Zeros(2).RequiresGrad_();
        var optimizer = new SGD([p], lr: 0.1);
        var scheduler = new CosineAnnealingLR(optimizer, tMax: 6);
        for (int i = 0; i < 4; i++) scheduler.Step();
        var saved = optimizer.StateDict();
        var schedulerState = scheduler.StateDict();
        scheduler.Step();

        var q = Tensor.Zeros(2).RequiresGrad_();
        // torch's order: build the optimiser and scheduler, then load the optimiser's state, then the scheduler's.
        var optimizer2 = new SGD([q], lr: 0.7);
        var scheduler2 = new CosineAnnealingLR(optimizer2, tMax: 6);
        optimizer2.LoadStateDict(saved);
        scheduler2.LoadStateDict(schedulerState);
        Assert.Equal(4, scheduler2.LastEpoch);
        scheduler2.Step();
        Assert.Equal(optimizer.ParamGroups[0].Lr, optimizer2.ParamGroups[0].Lr, 1e-15);
        Assert.Equal(scheduler.GetLastLr(), scheduler2.GetLastLr());

        var plateau = new ReduceLROnPlateau(optimizer, patience: 0);
        plateau.Step(1.0);
        plateau.Step(2.0);
        var plateau2 = new ReduceLROnPlateau(optimizer2, patience: 0);
        plateau2.LoadStateDict(plateau.StateDict());
        Assert.Equal(1.0, plateau2.Best);
        Assert.Equal(2, plateau2.LastEpoch);
        Assert.Equal(plateau.GetLastLr(), plateau2.GetLastLr());
    }
}
