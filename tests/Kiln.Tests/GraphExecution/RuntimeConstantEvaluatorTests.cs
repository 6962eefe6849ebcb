using Kiln.Graphs;
using Kiln.IR;
using static Kiln.Tests.GraphExecution.Models;

namespace Kiln.Tests.GraphExecution;

/// <summary>Constant folding's evaluator: registry ops on inline constants through the CPU kernels.</summary>
public sealed class RuntimeConstantEvaluatorTests
{
    private static DenseConstant[]? Fold(string op, Attrs attrs, params DenseConstant[] inputs) =>
        RuntimeConstantEvaluator.Evaluate(OpRegistry.Get(op), inputs, attrs);

    private static DenseConstant Values(TensorValueType type, params double[] values) => new(type, values);

    [Fact]
    public void Folds_an_op_into_a_constant_of_its_result_type()
    {
        var sum = Assert.Single(Fold("add", new Attrs { { "alpha", 2.0 } }, Values(F32(2, 2), 1, 2, 3, 4), Values(F32(2), 0.5, -1))!);

        Assert.Equal(F32(2, 2), sum.Type);
        Assert.Equal([2.0, 0, 4, 2], sum.Values);
    }

    [Fact]
    public void Uniform_results_become_splats_and_integer_and_bool_results_keep_their_dtype()
    {
        var zeros = Assert.Single(Fold("mul", Attrs.Empty, DenseConstant.Splat(F32(3, 4), 0), Values(F32(4), 1, 2, 3, 4))!);
        Assert.True(zeros.IsSplat);
        Assert.Equal(F32(3, 4), zeros.Type);

        var ints = TensorValueType.Of(DType.Int64, 3);
        var less = Assert.Single(Fold("lt", Attrs.Empty, Values(ints, 1, 5, 3), Values(ints, 2, 2, 3))!);
        Assert.Equal(TensorValueType.Of(DType.Bool, 3), less.Type);
        Assert.Equal([1.0, 0, 0], less.Values);
        var flipped = Assert.Single(Fold("logical_not", Attrs.Empty, less)!);
        Assert.Equal([0.0, 1, 1], flipped.Values);
    }

    [Fact]
    public void Ops_with_several_results_fold_to_several_constants()
    {
        var halves = Fold("chunk", new Attrs { { "chunks", 2 } }, Values(F32(4), 1, 2, 3, 4))!;

        Assert.Equal([[1.0, 2], [3.0, 4]], halves.Select(h => h.Values.ToArray()));
    }

    [Fact]
    public void Declines_random_ops_large_or_symbolic_tensors_inexact_results_and_inputs_the_kernel_rejects()
    {
        Assert.Null(Fold("dropout", Attrs.Empty, Values(F32(2), 1, 2)));
        Assert.Null(Fold("neg", Attrs.Empty, DenseConstant.Splat(F32(65, 64), 1)));
        Assert.Null(Fold("sum", Attrs.Empty, DenseConstant.Splat(F32(Batch, 2), 1)));
        var big = TensorValueType.Of(DType.Int64, 1);
        Assert.Null(Fold("add", Attrs.Empty, Values(big, 9007199254740992), Values(big, 1)));
        Assert.Null(Fold("matmul", Attrs.Empty, DenseConstant.Splat(F32(2, 3), 1), DenseConstant.Splat(F32(2, 3), 1)));
    }

    [Fact]
    public void Folds_at_the_element_limit()
    {
        var folded = Assert.Single(Fold("neg", Attrs.Empty, DenseConstant.Splat(F32(64, 64), 1))!);

        Assert.Equal(RuntimeConstantEvaluator.MaxElements, 64 * 64);
        Assert.Equal([-1.0], folded.Values);
    }
}
