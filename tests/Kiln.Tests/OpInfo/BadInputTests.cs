using Kiln.IR;
using Kiln.Kernels;
using Xunit.Sdk;

namespace Kiln.Tests.OpInfo;

/// <summary>Bad inputs to every op (see <see cref="BadInputs"/>) throw exceptions whose messages say what is wrong.</summary>
public sealed class BadInputTests
{
    /// <summary>Every (op, kind of bad input) pair.</summary>
    public static TheoryData<OpCase> Cases()
    {
        var data = new TheoryData<OpCase>();
        foreach (var c in BadInputs.All())
            data.Add(new OpCase(c.Op, c.Kind));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_throws_naming_the_op_and_the_problem(OpCase @case)
    {
        var (op, kind) = (@case.Op, @case.Name);
        var c = BadInputs.For(OpRegistry.Get(op)).Single(b => b.Kind == kind);
        var inputs = c.Inputs.Select(s => LayoutBuilder.Zeros(s.DType, s.Shape)).ToArray();
        string call = $"{op}({string.Join(", ", c.Inputs.Select(i => i.DType.Name() + Shapes.Format(i.Shape)))}) {c.Attrs}";

        var error = Record.Exception(() => CpuKernels.Invoke(op, inputs, c.Attrs));

        if (error is not (ArgumentException or InvalidOperationException))
        {
            throw new XunitException($"{kind}: {call} should throw an ArgumentException or InvalidOperationException, but it "
                + (error is null ? "returned a result" : $"threw {error.GetType().Name}: {error.Message}"));
        }
        var missing = c.MustMention.Where(m => !error.Message.Contains(m, StringComparison.Ordinal)).ToArray();
        Assert.True(missing.Length == 0, $"{kind}: {call} threw \"{error.Message}\", which does not mention {string.Join(" or ", missing.Select(m => $"'{m}'"))}");
    }

    [Fact]
    public void Every_op_family_has_a_bad_input_case_beyond_the_input_count()
    {
        var covered = BadInputs.All().Where(c => c.Kind != BadInputs.WrongInputCount).Select(c => OpRegistry.Get(c.Op).Family).ToHashSet();
        var uncovered = OpRegistry.All.Where(o => !o.IsRandom).Select(o => o.Family).Distinct().Where(f => !covered.Contains(f)).ToArray();
        Assert.True(uncovered.Length == 0, $"op families with no bad-input case: {string.Join(", ", uncovered)}");
    }
}
