namespace Kiln.Tests;

public class ElementwiseSmokeTests
{
    [Fact]
    public void Broadcast_add_of_column_and_row()
    {
        var a = Tensor.FromArray([1f, 2f, 3f], 3, 1);
        var b = Tensor.FromArray([10f, 20f], 1, 2);
        Assert.Equal([11f, 21f, 12f, 22f, 13f, 23f], (a + b).ToArray<float>());
        Assert.Equal([3, 2], (a + b).Shape);
    }

    [Fact]
    public void Int_tensor_plus_float_scalar_is_float32_and_plus_int_scalar_stays_int()
    {
        var a = Tensor.FromArray([1, 2, 3]);
        Assert.Equal(DType.Float32, (a + 0.5).DType);
        Assert.Equal(DType.Int32, (a + 2).DType);
        Assert.Equal([3, 4, 5], (a + 2).ToArray<int>());
    }

    [Fact]
    public void Transposed_view_minus_contiguous()
    {
        var a = Tensor.FromArray([1.0, 2, 3, 4, 5, 6], 2, 3);
        var t = a.Transpose(0, 1);
        Assert.False(t.IsContiguous);
        var r = t - Tensor.FromArray([1.0, 1, 1, 1, 1, 1], 3, 2);
        Assert.Equal([0.0, 3, 1, 4, 2, 5], r.ToArray<double>());
    }

    [Fact]
    public void In_place_add_on_int_rejects_float_result()
    {
        var a = Tensor.FromArray([1L, 2]);
        var e = Assert.Throws<InvalidOperationException>(() => a.Add_(0.5));
        Assert.Contains("add", e.Message);
        a.Add_(Tensor.FromArray([1L, 1]));
        Assert.Equal([2L, 3], a.ToArray<long>());
    }

    [Fact]
    public void Large_sigmoid_uses_threads_and_matches_scalar_formula()
    {
        var data = Enumerable.Range(0, 100_000).Select(i => (i - 50_000) / 10_000f).ToArray();
        var r = Tensor.FromArray(data).Sigmoid().ToArray<float>();
        for (int i = 0; i < data.Length; i += 997)
            Assert.Equal(1 / (1 + MathF.Exp(-data[i])), r[i], 1e-6f);
    }

    [Fact]
    public void Bool_add_is_logical_or()
    {
        var a = Tensor.FromArray([true, true, false]);
        var b = Tensor.FromArray([true, false, false]);
        var r = a + b;
        Assert.Equal(DType.Bool, r.DType);
        Assert.Equal([true, true, false], r.ToArray<bool>());
    }

    [Fact]
    public void Half_mul_rounds_once()
    {
        var a = Tensor.FromArray([(Half)1.5f, (Half)3f]);
        var r = a * a;
        Assert.Equal(DType.Float16, r.DType);
        Assert.Equal([(Half)2.25f, (Half)9f], r.ToArray<Half>());
    }

    [Fact]
    public void Floor_division_rounds_down_for_negative_integers()
    {
        var a = Tensor.FromArray([-7L, 7, -7, 7]);
        var b = Tensor.FromArray([2L, 2, -2, -2]);
        Assert.Equal([-4L, 3, 3, -4], a.Div(b, "floor").ToArray<long>());
        Assert.Equal([-3L, 3, 3, -3], a.Div(b, "trunc").ToArray<long>());
    }
}
