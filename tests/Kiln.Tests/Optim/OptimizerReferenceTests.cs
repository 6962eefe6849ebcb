using System.Text.Json;
using Kiln.Optim;

namespace Kiln.Tests.Optim;

/// <summary>Each optimiser and option combination replays PyTorch's 5 steps from the same start with the same gradients.</summary>
public sealed class OptimizerReferenceTests
{
    public static TheoryData<string> Cases() => new(OptimReference.CaseNames("optimizers"));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64_steps_match_torch(string name) => Replay(name, DType.Float64, tolerance: 1e-12);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32_steps_match_torch(string name) => Replay(name, DType.Float32, tolerance: 2e-6);

    private static void Replay(string name, DType dtype, double tolerance)
    {
        var c = OptimReference.Case("optimizers", name);
        var parameters = OptimReference.NewParams(dtype);
        var optimizer = OptimReference.NewOptimizer(c.GetProperty("optimizer").GetString()!, c.GetProperty("options"), parameters);
        Run(optimizer, parameters, c, dtype == DType.Float64 ? "float64" : "float32", tolerance, name);
    }

    /// <summary>Steps <paramref name="optimizer"/> through the case's gradients, comparing the parameters with torch's after each step.</summary>
    internal static void Run(Optimizer optimizer, Tensor[] parameters, JsonElement c, string trajectory, double tolerance, string name, int firstStep = 0)
    {
        bool skip = c.GetProperty("skip").GetBoolean();
        var expected = c.GetProperty(trajectory).EnumerateArray().Select(OptimReference.Doubles2).ToArray();
        for (int t = firstStep; t < expected.Length; t++)
        {
            OptimReference.SetGrads(parameters, t, skip);
            optimizer.Step();
            for (int i = 0; i < parameters.Length; i++)
                AssertClose(expected[t][i], parameters[i].To(DType.Float64).ToArray<double>(), tolerance, $"{name} step {t} param {i}");
        }
    }

    internal static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
            if (!(Math.Abs(expected[k] - actual[k]) <= tolerance * (1 + Math.Abs(expected[k]))))
                Assert.Fail($"{what}, element {k}: expected {expected[k]:R}, got {actual[k]:R}");
    }

    [Fact]
    public void Per_group_overrides_give_the_same_steps_as_constructor_options()
    {
        // adamw_wd_amsgrad through a param group that overrides the defaults of a plain AdamW.
        var c = OptimReference.Case("optimizers", "adamw_wd_amsgrad");
        var parameters = OptimReference.NewParams(DType.Float64);
        var group = new ParamGroup(parameters) { Lr = 0.02, WeightDecay = 0.3, ["amsgrad"] = true };
        var optimizer = new AdamW([group]);
        Assert.Equal(0.02, optimizer.ParamGroups[0].Lr);
        Assert.Equal((0.9, 0.999), optimizer.ParamGroups[0].Betas);
        Run(optimizer, parameters, c, "float64", 1e-12, "adamw_wd_amsgrad");
    }

    [Fact]
    public void Two_groups_step_with_their_own_options()
    {
        // Each parameter in its own group: sgd_momentum's options for the first, sgd_nesterov's for the second.
        var momentum = OptimReference.Case("optimizers", "sgd_momentum");
        var nesterov = OptimReference.Case("optimizers", "sgd_nesterov");
        var parameters = OptimReference.NewParams(DType.Float64);
        var optimizer = new SGD([new ParamGroup([parameters[0]]) { Lr = 0.1, Momentum = 0.9 },
                                 new ParamGroup([parameters[1]]) { Lr = 0.1, Momentum = 0.9, WeightDecay = 0.01, ["nesterov"] = true }]);
        for (int t = 0; t < 5; t++)
        {
            OptimReference.SetGrads(parameters, t, skip: false);
            optimizer.Step();
            AssertClose(OptimReference.Doubles(momentum.GetProperty("float64")[t][0]), parameters[0].ToArray<double>(), 1e-12, $"group 0 step {t}");
            AssertClose(OptimReference.Doubles(nesterov.GetProperty("float64")[t][1]), parameters[1].ToArray<double>(), 1e-12, $"group 1 step {t}");
        }
    }

    [Fact]
    public void Non_contiguous_and_float16_parameters_are_updated_through_working_copies()
    {
        var c = OptimReference.Case("optimizers", "adam_amsgrad");
        var expected = OptimReference.Doubles(c.GetProperty("float64")[0][0]);
        var grad = OptimReference.Grads[0][0];

        // A transposed (non-contiguous) float64 parameter whose gradient is transposed the same way.
        var t = Tensor.FromArray(OptimReference.Initial[0], 2, 3).T.Contiguous().T.RequiresGrad_();
        Assert.False(t.IsContiguous);
        t.Grad = Tensor.FromArray(grad, 2, 3).T.Contiguous().T;
        new Adam([t], lr: 0.01, amsgrad: true).Step();
        AssertClose(expected, t.Contiguous().ToArray<double>(), 1e-12, "transposed param");

        var h = Tensor.FromArray(OptimReference.Initial[0], 2, 3).To(DType.Float16).RequiresGrad_();
        h.Grad = Tensor.FromArray(grad, 2, 3).To(DType.Float16);
        var adam = new Adam([h], lr: 0.01, amsgrad: true);
        adam.Step();
        Assert.Equal(DType.Float16, h.DType);
        Assert.Equal(DType.Float32, adam.State[h].Buffers["exp_avg"].DType);
        AssertClose(expected, h.To(DType.Float64).ToArray<double>(), 2e-3, "float16 param");
    }
}
