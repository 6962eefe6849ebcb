using Kiln.IR;
using Kiln.Tests.OpInfo;
using Xunit.Sdk;

namespace Kiln.Tests.Gradients;

/// <summary>Every differentiable op's gradient rule, checked by finite differences in float64 on its reference samples.</summary>
public sealed class GradCheckTests
{
    /// <summary>The most samples checked per op (finite differences run the op twice per input element).</summary>
    private const int SamplesPerOp = 6;

    /// <summary>The most floating-point input elements a checked sample may have.</summary>
    private const long MaxElements = 120;

    /// <summary>The (op, sample) pairs checked: small floating-point samples with finite values.</summary>
    public static TheoryData<OpCase> Cases()
    {
        var data = new TheoryData<OpCase>();
        foreach (var op in OpRegistry.All.Where(o => o.Gradient is not null && !o.IsRandom))
        {
            if (!ReferenceData.Ops.TryGetValue(op.Name, out var file)) continue;
            foreach (var sample in file.Samples.Where(s => IsCheckable(s) && !WritesOnePlaceTwice(s)).Take(SamplesPerOp))
                data.Add(new OpCase(op.Name, sample.Id));
        }
        return data;
    }

    /// <summary>
    /// Whether a non-accumulating write op gets repeated indices: then the last write wins, finite differences
    /// see one of the writes and PyTorch's gradient (like Kiln's) counts all of them — the gradient is not defined.
    /// </summary>
    private static bool WritesOnePlaceTwice(ReferenceSample s)
    {
        if (s.Op is not ("scatter" or "index_put") || s.Attrs.GetBool("accumulate", false)) return false;
        long rows = Math.Max(1, s.Inputs[0].Spec.Shape.FirstOrDefault(1));
        return s.Inputs.Where(i => i.Spec.DType == DType.Int64).Any(i =>
        {
            var values = i.Values.EnumerateArray().Where(v => v.ValueKind == System.Text.Json.JsonValueKind.Number).Select(v => ((v.GetInt64() % rows) + rows) % rows).ToArray();
            return values.Length != values.Distinct().Count();
        });
    }

    private static bool IsCheckable(ReferenceSample s)
    {
        if (s.Error is not null || s.Inputs.Count == 0) return false;
        var floats = s.Inputs.Where(i => i.Spec.DType.IsFloatingPoint()).ToArray();
        if (floats.Length == 0 || floats.Any(i => i.Spec.DType is not (DType.Float32 or DType.Float64))) return false;
        if (floats.Sum(i => Shapes.Numel(i.Spec.Shape)) is 0 or > MaxElements) return false;
        return floats.All(i => i.Values.EnumerateArray().All(v => v.ValueKind == System.Text.Json.JsonValueKind.Number));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradient_matches_finite_differences(OpCase @case)
    {
        var reference = ReferenceData.Get(@case.Op, @case.Name);
        var inputs = reference.Inputs.Select(i => LayoutBuilder.Build(i.Spec, i.Values)).ToArray();
        var problems = GradCheck.Run(@case.Op, inputs, reference.Attrs);
        if (problems.Count > 0)
            throw new XunitException($"{@case}: the gradient rule disagrees with finite differences:\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public void Ops_with_floating_results_have_a_gradient_rule_or_are_listed_as_not_differentiable()
    {
        // *_backward primitives are gradients themselves; without a rule they support first-order gradients only.
        var missing = OpRegistry.All.Where(o => o.Gradient is null && !NotDifferentiable.Contains(o.Name) && !o.Name.EndsWith("_backward", StringComparison.Ordinal)
            && o.DTypes.Any(d => d.IsFloatingPoint()) && !o.Family.Equals("comparison", StringComparison.Ordinal)).Select(o => o.Name).Order().ToArray();
        Assert.True(missing.Length == 0, $"ops without a gradient rule: {string.Join(", ", missing)}");
    }

    /// <summary>Ops whose floating-point results have no useful gradient (integer-valued or index results, sampling).</summary>
    private static readonly HashSet<string> NotDifferentiable = new(StringComparer.Ordinal)
    {
        "isnan", "isinf", "isfinite", "logical_not", "argmax", "argmin", "all", "any", "argsort", "nonzero", "searchsorted",
        "one_hot", "unique", "bernoulli", "multinomial",
    };
}
