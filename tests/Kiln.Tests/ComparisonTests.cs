namespace Kiln.Tests;

// Expected values come from PyTorch 1.13 (/usr/bin/python3), as noted per test.
public class ComparisonTests
{
    [Fact]
    public void Comparison_operators_accept_tensors_and_scalars_on_either_side()
    {
        var x = Tensor.FromArray([1, 2, 3]);
        Assert.Equal([true, false, false], (x < 1.5).ToArray<bool>());
        Assert.Equal([true, true, false], (x <= 2).ToArray<bool>());
        Assert.Equal([false, true, true], (1.5 < x).ToArray<bool>());
        Assert.Equal([false, true, true], (x >= Tensor.FromArray([2, 2, 2])).ToArray<bool>());
        Assert.Equal([false, false, true], (x > Tensor.FromArray([2L])).ToArray<bool>());
        Assert.Equal([true, false, true], x.Ne(2L).ToArray<bool>());
        Assert.Equal([false, true, false], x.Eq(2.0).ToArray<bool>());
    }

    [Fact]
    public void Nan_compares_unequal_to_everything()
    {
        var x = Tensor.FromArray([float.NaN, 1f]);
        Assert.Equal([false, true], x.Eq(x).ToArray<bool>());
        Assert.Equal([true, false], x.Ne(x).ToArray<bool>());
        Assert.Equal([false, false], x.Lt(Tensor.FromArray([float.PositiveInfinity, 1f])).ToArray<bool>());
        Assert.Equal([false, true], x.Ge(x).ToArray<bool>());
    }

    [Fact]
    public void Integer_scalars_compare_in_the_tensors_integer_dtype()
    {
        // torch 1.13: tensor([1, 2], dtype=uint8) < -1 is [True, True] (-1 wraps to 255); == 257 is [True, False].
        var u = Tensor.FromArray([(byte)1, (byte)2]);
        Assert.Equal([true, true], (u < -1L).ToArray<bool>());
        Assert.Equal([true, false], u.Eq(257L).ToArray<bool>());
        // A float scalar compares in float32: tensor([True, False]) < 0.5 is [False, True].
        Assert.Equal([false, true], (Tensor.FromArray([true, false]) < 0.5).ToArray<bool>());
    }

    [Fact]
    public void Logical_ops_read_each_operand_as_bool_without_promotion()
    {
        // torch.logical_and(tensor([0., nan, -0.]), tensor([1, 1, 1])) == [False, True, False]
        var a = Tensor.FromArray([0f, float.NaN, -0f]);
        Assert.Equal([false, true, false], a.LogicalAnd(Tensor.FromArray([1, 1, 1])).ToArray<bool>());
        // A float64 0-d value too small for float32 is still true.
        Assert.Equal([true], Tensor.FromArray([1f]).LogicalAnd(Tensor.Scalar(1e-300)).ToArray<bool>());
        Assert.Equal([true, true, false], a.LogicalOr(Tensor.FromArray([1L, 0L, 0L])).ToArray<bool>());
        Assert.Equal([true, false, false], a.LogicalXor(Tensor.FromArray([true, true, false])).ToArray<bool>());
    }

    [Fact]
    public void Mask_operators_combine_bool_tensors_only()
    {
        var x = Tensor.FromArray([-1f, 0.5f, 2f]);
        var inside = (x > 0) & (x < 1);
        Assert.Equal([false, true, false], inside.ToArray<bool>());
        Assert.Equal([true, false, true], (!inside).ToArray<bool>());
        Assert.Equal([true, true, false], ((x < 0) | inside).ToArray<bool>());
        Assert.Equal([true, false, false], ((x < 1) ^ inside).ToArray<bool>());
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromArray([1, 2]) & Tensor.FromArray([3, 4]));
        Assert.Contains("int32", e.Message);
    }

    [Fact]
    public void Where_broadcasts_and_promotes()
    {
        // torch.where(tensor([True, False]), tensor([1, 2]), tensor([1.5, 2.5])) == [1., 2.5]
        var r = Tensor.Where(Tensor.FromArray([true, false]), Tensor.FromArray([1L, 2L]), Tensor.FromArray([1.5f, 2.5f]));
        Assert.Equal(DType.Float32, r.DType);
        Assert.Equal([1f, 2.5f], r.ToArray<float>());
        // A 0-d operand of the same category does not widen: where(cond, int8 tensor, tensor(300)) stays int8, 300 wraps to 44.
        var w = Tensor.Where(Tensor.FromArray([true, false]), Tensor.FromArray([(sbyte)1, (sbyte)2]), Tensor.Scalar(300L));
        Assert.Equal([(sbyte)1, (sbyte)44], w.ToArray<sbyte>());
        var grid = Tensor.Where(Tensor.FromArray([true, false], 2, 1), Tensor.FromArray([1.0, 2.0, 3.0]), 0.0);
        Assert.Equal([2L, 3L], grid.Shape);
        Assert.Equal([1.0, 2.0, 3.0, 0.0, 0.0, 0.0], grid.ToArray<double>());
        Assert.Equal([5.0, 2.0], Tensor.FromArray([1.0, 2.0]).Where(Tensor.FromArray([false, true]), Tensor.FromArray([5.0, 6.0])).ToArray<double>());
    }

    [Fact]
    public void Where_rejects_a_non_bool_condition_and_mismatched_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Where(Tensor.FromArray([1L, 0L]), Tensor.FromArray([1f, 2f]), Tensor.FromArray([3f, 4f])));
        Assert.Contains("where", e.Message);
        Assert.Contains("int64", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Where(Tensor.FromArray([true, false], 2, 1), Tensor.FromArray([1f, 2f, 3f]), Tensor.FromArray([4f, 5f])));
        Assert.Contains("where", e.Message);
        Assert.Contains("[3]", e.Message);
    }
}
