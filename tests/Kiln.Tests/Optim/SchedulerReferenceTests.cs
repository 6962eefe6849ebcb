using System.Text.Json;
using Kiln.Optim;

namespace Kiln.Tests.Optim;

/// <summary>Each scheduler's learning rates (and OneCycleLR's momentum) over its steps, against PyTorch's.</summary>
public sealed class SchedulerReferenceTests
{
    public static TheoryData<string> Cases() => new(OptimReference.CaseNames("schedulers"));

    public static TheoryData<string> PlateauCases() => new(OptimReference.CaseNames("plateaus"));

    /// <summary>A two-group optimiser like the script's: lrs from the case, SGD with momentum 0.9 or Adam.</summary>
    private static Optimizer NewOptimizer(JsonElement c)
    {
        var lrs = OptimReference.Doubles(c.GetProperty("lrs"));
        ParamGroup[] groups = [new([Tensor.Zeros(2).RequiresGrad_()]) { Lr = lrs[0] }, new([Tensor.Zeros(3).RequiresGrad_()]) { Lr = lrs[1] }];
        return c.GetProperty("optimizer").GetString() == "Adam" ? new Adam(groups) : new SGD(groups, momentum: 0.9);
    }

    private static LRScheduler NewScheduler(string name, Optimizer optimizer, JsonElement o)
    {
        double Get(string key, double fallback) => OptimReference.Option(o, key, fallback);
        int Int(string key) => o.GetProperty(key).GetInt32();
        return name switch
        {
            _ when name.StartsWith("step_lr", StringComparison.Ordinal) => new StepLR(optimizer, Int("stepSize"), Get("gamma", 0.1)),
            _ when name.StartsWith("multi_step_lr", StringComparison.Ordinal) =>
                new MultiStepLR(optimizer, o.GetProperty("milestones").EnumerateArray().Select(m => m.GetInt32()), Get("gamma", 0.1)),
            _ when name.StartsWith("exponential_lr", StringComparison.Ordinal) => new ExponentialLR(optimizer, Get("gamma", 0)),
            _ when name.StartsWith("cosine_annealing_lr", StringComparison.Ordinal) => new CosineAnnealingLR(optimizer, Int("tMax"), Get("etaMin", 0)),
            _ when name.StartsWith("linear_lr", StringComparison.Ordinal) =>
                new LinearLR(optimizer, Get("startFactor", 1.0 / 3), Get("endFactor", 1), Int("totalIters")),
            _ when name.StartsWith("one_cycle", StringComparison.Ordinal) => NewOneCycle(optimizer, o),
            _ => throw new ArgumentException($"unknown scheduler case {name}"),
        };
    }

    private static OneCycleLR NewOneCycle(Optimizer optimizer, JsonElement o)
    {
        var maxLrs = OptimReference.Doubles(o.GetProperty("maxLr"));
        if (maxLrs.Length == 1) maxLrs = [maxLrs[0], maxLrs[0]];
        var strategy = o.TryGetProperty("annealStrategy", out var s) && s.GetString() == "linear" ? AnnealStrategy.Linear : AnnealStrategy.Cos;
        return new OneCycleLR(optimizer, maxLrs, totalSteps: o.GetProperty("totalSteps").GetInt32(),
            pctStart: OptimReference.Option(o, "pctStart", 0.3), annealStrategy: strategy,
            cycleMomentum: !o.TryGetProperty("cycleMomentum", out var cm) || cm.GetBoolean(),
            baseMomentum: OptimReference.Option(o, "baseMomentum", 0.85), maxMomentum: OptimReference.Option(o, "maxMomentum", 0.95),
            divFactor: OptimReference.Option(o, "divFactor", 25), finalDivFactor: OptimReference.Option(o, "finalDivFactor", 1e4),
            threePhase: OptimReference.Flag(o, "threePhase"));
    }

    private static double Momentum(ParamGroup g) => g.HasOption("betas") ? g.Betas.Beta1 : g.Momentum;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Learning_rates_match_torch(string name)
    {
        var c = OptimReference.Case("schedulers", name);
        var optimizer = NewOptimizer(c);
        var scheduler = NewScheduler(name, optimizer, c.GetProperty("options"));
        var lrs = OptimReference.Doubles2(c.GetProperty("lr"));
        var momenta = c.GetProperty("momentum").EnumerateArray().ToArray();
        bool cyclesMomentum = name.StartsWith("one_cycle", StringComparison.Ordinal);
        for (int t = 0; t < lrs.Length; t++)
        {
            if (t > 0)
            {
                optimizer.Step();
                scheduler.Step();
            }
            Assert.Equal(t, scheduler.LastEpoch);
            var actual = optimizer.ParamGroups.Select(g => g.Lr).ToArray();
            OptimizerReferenceTests.AssertClose(lrs[t], actual, 1e-14, $"{name} lr after {t} steps");
            Assert.Equal(actual, scheduler.GetLastLr());
            if (cyclesMomentum)
                OptimizerReferenceTests.AssertClose(OptimReference.Doubles(momenta[t]), optimizer.ParamGroups.Select(Momentum).ToArray(), 1e-14,
                    $"{name} momentum after {t} steps");
        }
    }

    [Theory]
    [MemberData(nameof(PlateauCases))]
    public void Plateau_reductions_match_torch(string name)
    {
        var c = OptimReference.Case("plateaus", name);
        var o = c.GetProperty("options");
        var optimizer = new SGD([new ParamGroup([Tensor.Zeros(2).RequiresGrad_()]) { Lr = 0.1 }, new ParamGroup([Tensor.Zeros(3).RequiresGrad_()]) { Lr = 0.05 }]);
        double[] minLrs = o.TryGetProperty("minLr", out var m) ? OptimReference.Doubles(m) : [0, 0];
        var scheduler = new ReduceLROnPlateau(optimizer, minLrs,
            mode: o.GetProperty("mode").GetString() == "max" ? PlateauMode.Max : PlateauMode.Min,
            factor: o.GetProperty("factor").GetDouble(), patience: o.GetProperty("patience").GetInt32(),
            threshold: OptimReference.Option(o, "threshold", 1e-4),
            thresholdMode: o.TryGetProperty("thresholdMode", out var tm) && tm.GetString() == "abs" ? ThresholdMode.Abs : ThresholdMode.Rel,
            cooldown: o.TryGetProperty("cooldown", out var cd) ? cd.GetInt32() : 0, eps: OptimReference.Option(o, "eps", 1e-8));
        var metrics = OptimReference.Doubles(OptimReference.Json.GetProperty("plateauMetrics"));
        var expected = OptimReference.Doubles2(c.GetProperty("lr"));
        for (int t = 0; t < metrics.Length; t++)
        {
            scheduler.Step(metrics[t]);
            OptimizerReferenceTests.AssertClose(expected[t], optimizer.ParamGroups.Select(g => g.Lr).ToArray(), 1e-15, $"{name} after metric {t}");
        }
    }
}
