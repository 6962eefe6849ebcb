using Kiln.IR;
using Kiln.Kernels;
using Xunit.Sdk;

namespace Kiln.Tests.OpInfo;

/// <summary>
/// Every op sample, run through the CPU kernels and compared with PyTorch's results from the reference
/// files (tests/Kiln.Tests/Reference, written by tests/reference/generate.sh); plus the checks that
/// keep the registry, the kernels and the reference files in step.
/// </summary>
public sealed class OpInfoTests
{
    private const string Regenerate = "run tests/reference/generate.sh to regenerate the reference files";

    /// <summary>Every (op, sample id) pair of the reference files.</summary>
    public static TheoryData<OpCase> Samples()
    {
        var data = new TheoryData<OpCase>();
        foreach (var file in ReferenceData.Ops.Values.OrderBy(f => f.Op, StringComparer.Ordinal))
        {
            foreach (var sample in file.Samples)
                data.Add(new OpCase(file.Op, sample.Id));
        }
        return data;
    }

    /// <summary>Every op that has a reference file.</summary>
    public static TheoryData<string> ReferencedOps() => new(ReferenceData.Ops.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Samples))]
    public void Kernel_matches_torch(OpCase @case)
    {
        var (op, sample) = (@case.Op, @case.Name);
        var reference = ReferenceData.Get(op, sample);
        var live = RegistrySamples.Find(op, sample)
            ?? throw new XunitException($"{op} [{sample}] is in the reference files but no longer a sample of the op: {Regenerate}");
        var inputs = reference.Inputs.Select(i => LayoutBuilder.Build(i.Spec, i.Values)).ToArray();
        string what = $"{op} [{sample}]" + (reference.Note is { } note ? $" (torch's result {note})" : "");

        if (reference.Error is { } torchError)
        {
            var error = Record.Exception(() => CpuKernels.Invoke(op, inputs, live.Attrs));
            if (error is not (ArgumentException or InvalidOperationException))
            {
                throw new XunitException($"{what}: torch raises \"{torchError}\", so Kiln should throw an ArgumentException or InvalidOperationException, but it "
                    + (error is null ? "returned a result" : $"threw {error.GetType().Name}: {error.Message}"));
            }
            Assert.True(error.Message.Contains(op, StringComparison.Ordinal), $"{what}: the message \"{error.Message}\" does not name the op");
            return;
        }

        var outputs = CpuKernels.Invoke(op, inputs, live.Attrs);
        Assert.True(outputs.Length == reference.Outputs.Count, $"{what}: Kiln returns {outputs.Length} output(s), torch {reference.Outputs.Count}");
        for (int i = 0; i < outputs.Length; i++)
        {
            var expected = reference.Outputs[i];
            ResultComparer.AssertMatches($"{what} output {i}", outputs[i], expected, live.Tolerance ?? Tolerance.For(expected.DType));
        }
        for (int i = 0; i < inputs.Length; i++)
        {
            var spec = reference.Inputs[i].Spec;
            ResultComparer.AssertMatches($"{what} input {i} (an op must not change its inputs)", inputs[i],
                new ReferenceOutput(spec.DType, spec.Shape, reference.Inputs[i].Values), new Tolerance(0, 0));
        }
    }

    [Theory]
    [MemberData(nameof(ReferencedOps))]
    public void Type_rule_agrees_with_torch(string op)
    {
        var def = OpRegistry.Find(op) ?? throw new XunitException($"there is a reference file for '{op}' but no such op: {Regenerate}");
        var problems = new List<string>();
        foreach (var sample in ReferenceData.Ops[op].Samples)
        {
            var types = sample.Inputs.Select(i => new TensorType(i.Spec.DType, i.Spec.Shape)).ToArray();
            var torch = sample.Error is { } e ? $"torch raises \"{e}\"" : "torch gives " + string.Join(", ", sample.Outputs.Select(o => new TensorType(o.DType, o.Shape)));
            try
            {
                var inferred = def.InferTypes(types, sample.Attrs);
                bool same = sample.Error is null && inferred.Length == sample.Outputs.Count
                    && inferred.Zip(sample.Outputs).All(p => p.First.Admits(new TensorType(p.Second.DType, p.Second.Shape)));
                if (!same)
                    problems.Add($"[{sample.Id}]: InferTypes gives {string.Join<TensorType>(", ", inferred)}; {torch}");
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                if (sample.Error is null)
                    problems.Add($"[{sample.Id}]: InferTypes throws \"{ex.Message}\"; {torch}");
                else if (!ex.Message.Contains(op, StringComparison.Ordinal))
                    problems.Add($"[{sample.Id}]: InferTypes's message \"{ex.Message}\" does not name the op");
            }
        }
        Assert.True(problems.Count == 0, $"{op}: the type rule disagrees with torch on {problems.Count} sample(s):\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public void Reference_files_match_the_registry_samples()
    {
        var problems = new List<string>();
        foreach (var op in OpRegistry.All.Where(o => !o.IsRandom))
        {
            if (!ReferenceData.Ops.TryGetValue(op.Name, out var file))
            {
                problems.Add($"{op.Name}: no reference file");
                continue;
            }
            if (file.Family != op.Family)
                problems.Add($"{op.Name}: the reference file says family '{file.Family}', the registry '{op.Family}'");
            var recorded = file.Samples.ToDictionary(s => s.Id, StringComparer.Ordinal);
            var current = op.Samples().ToArray();
            foreach (var sample in current)
            {
                if (!recorded.TryGetValue(sample.Id, out var reference))
                    problems.Add($"{op.Name}: sample [{sample.Id}] has no reference");
                else if (reference.Inputs.Count != sample.Inputs.Count
                    || !reference.Inputs.Zip(sample.Inputs).All(p => SampleCodec.SameSpec(p.First.Spec, p.Second))
                    || !SampleCodec.SameAttrs(reference.Attrs, sample.Attrs))
                    problems.Add($"{op.Name}: sample [{sample.Id}] has other inputs or attributes than its reference");
            }
            foreach (var id in recorded.Keys.Except(current.Select(s => s.Id)))
                problems.Add($"{op.Name}: reference sample [{id}] is no longer a sample of the op");
            if (current.Length != current.DistinctBy(s => s.Id).Count())
                problems.Add($"{op.Name}: two samples have the same id");
        }
        foreach (var name in ReferenceData.Ops.Keys.Where(n => OpRegistry.Find(n) is null or { IsRandom: true }))
            problems.Add($"{name}: a reference file exists but no such (non-random) op is registered");
        Assert.True(problems.Count == 0, $"The reference files are stale: {Regenerate}. {problems.Count} problem(s):\n  " + string.Join("\n  ", problems.Take(40)));
    }

    [Fact]
    public void Every_op_has_a_cpu_kernel_and_every_cpu_kernel_an_op()
    {
        var ops = OpRegistry.All.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var kernels = CpuKernels.Names.ToHashSet(StringComparer.Ordinal);
        Assert.True(ops.SetEquals(kernels),
            $"ops without a CPU kernel: [{string.Join(", ", ops.Except(kernels).Order())}]; CPU kernels without an op: [{string.Join(", ", kernels.Except(ops).Order())}]");
    }

    [Fact]
    public void Every_op_has_samples()
    {
        var without = OpRegistry.All.Where(o => !o.Samples().Any()).Select(o => o.Name).ToArray();
        Assert.True(OpRegistry.All.Count > 0, "the op registry is empty");
        Assert.True(without.Length == 0, $"ops without samples: {string.Join(", ", without)}");
    }
}
