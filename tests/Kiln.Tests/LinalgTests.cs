using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels;
using Kiln.NN;

namespace Kiln.Tests;

/// <summary>matmul, bmm, linear, outer and dot: shapes, broadcasting, dtypes, errors, and values checked against PyTorch 1.13.</summary>
public class LinalgTests
{
    private static Tensor Seq(float scale, float shift, params long[] shape)
    {
        var data = new float[Shapes.Numel(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = i * scale + shift;
        return Tensor.FromArray(data, shape);
    }

    private static Tensor Rand(int seed, params long[] shape)
    {
        var rng = new System.Random(seed);
        var data = new float[Shapes.Numel(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return Tensor.FromArray(data, shape);
    }

    private static void AssertClose(double[] expected, Tensor actual, double tol = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Numel);
        for (int i = 0; i < expected.Length; i++)
        {
            double v = actual.GetAsDouble(i);
            Assert.True(Math.Abs(v - expected[i]) <= tol * (1 + Math.Abs(expected[i])), $"element {i}: {v}, expected {expected[i]}");
        }
    }

    /// <summary>matmul in double precision by the definition, walking the broadcast batch dims one by one.</summary>
    private static double[] NaiveMatmul(Tensor a, Tensor b)
    {
        var a2 = a.Dim == 1 ? a.Unsqueeze(0) : a;
        var b2 = b.Dim == 1 ? b.Unsqueeze(1) : b;
        long[] batch = Shapes.Broadcast("test", a2.Shape[..^2], b2.Shape[..^2]);
        var ae = a2.Expand([.. batch, .. a2.Shape[^2..]]).Contiguous();
        var be = b2.Expand([.. batch, .. b2.Shape[^2..]]).Contiguous();
        long m = a2.Size(-2), k = a2.Size(-1), n = b2.Size(-1), count = Shapes.Numel(batch);
        var result = new double[count * m * n];
        for (long t = 0; t < count; t++)
            for (long i = 0; i < m; i++)
                for (long j = 0; j < n; j++)
                {
                    double sum = 0;
                    for (long p = 0; p < k; p++)
                        sum += ae.GetAsDouble(t * m * k + i * k + p) * be.GetAsDouble(t * k * n + p * n + j);
                    result[(t * m + i) * n + j] = sum;
                }
        return result;
    }

    public static TheoryData<long[], long[], long[]> MatmulShapes => new()
    {
        { [3], [3], [] },
        { [2, 3], [3], [2] },
        { [3], [3, 4], [4] },
        { [2, 3], [3, 4], [2, 4] },
        { [2, 1, 3, 4], [5, 4, 6], [2, 5, 3, 6] },
        { [7, 2, 3], [3, 4], [7, 2, 4] },
        { [2, 3], [7, 3, 4], [7, 2, 4] },
        { [3], [2, 3, 6], [2, 6] },
        { [2, 3, 6], [6], [2, 3] },
        { [2, 3, 4], [1, 4, 6], [2, 3, 6] },
        { [0, 3], [3], [0] },
        { [2, 0, 3, 4], [1, 4, 6], [2, 0, 3, 6] },
    };

    [Theory]
    [MemberData(nameof(MatmulShapes))]
    public void Matmul_gives_torchs_shapes_and_the_definitions_values(long[] a, long[] b, long[] expected)
    {
        var ta = Rand(1, a);
        var tb = Rand(2, b);
        var result = ta.Matmul(tb);
        Assert.Equal(expected, result.Shape);
        Assert.Equal(expected, LinalgOps.Matmul.InferTypes([new TensorType(DType.Float32, a), new TensorType(DType.Float32, b)], Attrs.Empty)[0].Shape);
        AssertClose(NaiveMatmul(ta, tb), result);
    }

    [Fact]
    public void Matmul_matches_torch_values()
    {
        var mm = Seq(0.25f, -1, 3, 4).Matmul(Seq(0.2f, -2, 4, 5));
        AssertClose([2.5, 1.99999976, 1.49999988, 1.0, 0.50000018, 0.5, 0.80000007, 1.10000014, 1.39999986, 1.69999981, -1.5, -0.39999986, 0.70000052, 1.79999959, 2.89999962], mm);

        var bcast = Seq(0.1f, -0.5f, 2, 1, 2, 3).Matmul(Seq(1 / 7f, -1, 3, 3, 2));
        Assert.Equal([2, 3, 2, 2], bcast.Shape);
        AssertClose([0.91428566, 0.74285716, 0.27142856, 0.22857141, -0.11428577, -0.28571427, 0.01428571, -0.02857143, -1.14285719, -1.31428576, -0.24285713, -0.28571424,
            -0.37142858, -0.2857143, -1.01428568, -0.79999995, 0.14285716, 0.22857141, 0.27142864, 0.48571426, 0.65714288, 0.74285716, 1.55714297, 1.77142859], bcast);

        AssertClose([6.0, 9.0, 12.0], Tensor.FromArray([1f, 2f]).Matmul(Seq(1, 0, 2, 3)));
    }

    [Fact]
    public void Transposed_and_strided_views_multiply_like_their_contiguous_copies()
    {
        var a = Rand(3, 40, 70).Transpose(0, 1);
        var b = Rand(4, 90, 40).Transpose(0, 1);
        AssertClose(NaiveMatmul(a.Contiguous(), b.Contiguous()), a.Matmul(b));
        var strided = Rand(5, 70, 2 * 33).Slice(1, step: 2);
        AssertClose(NaiveMatmul(strided.Contiguous(), Rand(6, 33, 20)), strided.Matmul(Rand(6, 33, 20)));
        var expanded = Rand(7, 1, 4, 5).Expand(6, 4, 5);
        AssertClose(NaiveMatmul(expanded.Contiguous(), Rand(8, 6, 5, 3)), expanded.Matmul(Rand(8, 6, 5, 3)));
    }

    [Fact]
    public void Batched_products_match_the_definition_for_large_and_small_matrices_on_two_threads()
    {
        // Many small products run in parallel across the batch; large ones split each product.
        var small = (Rand(9, 64, 5, 7), Rand(10, 64, 7, 3));
        AssertClose(NaiveMatmul(small.Item1, small.Item2), small.Item1.Matmul(small.Item2));
        var large = (Rand(11, 3, 70, 90), Rand(12, 3, 90, 80).Transpose(1, 2).Contiguous().Transpose(1, 2));
        AssertClose(NaiveMatmul(large.Item1, large.Item2), large.Item1.Matmul(large.Item2));
        // A shared B folds the batch into the rows of one product.
        var folded = (Rand(13, 4, 25, 30), Rand(14, 30, 20));
        AssertClose(NaiveMatmul(folded.Item1, folded.Item2), folded.Item1.Matmul(folded.Item2));
    }

    [Fact]
    public void Empty_dims_give_zeros_or_empty_results()
    {
        var k0 = Rand(1, 3, 0).Matmul(Rand(2, 0, 4));
        Assert.Equal([3, 4], k0.Shape);
        Assert.All(k0.ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.Equal([0, 5], Rand(1, 0, 4).Matmul(Rand(2, 4, 5)).Shape);
        Assert.Equal([3, 0], Rand(1, 3, 4).Matmul(Rand(2, 4, 0)).Shape);
        Assert.Equal(0f, Rand(1, 0).Matmul(Rand(2, 0)).Item<float>());
        Assert.Equal([2, 3, 5], Rand(1, 2, 3, 0).Bmm(Rand(2, 2, 0, 5)).Shape);
    }

    [Fact]
    public void Matmul_errors_name_the_op_and_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Rand(1, 2, 3).Matmul(Rand(2, 4, 5)));
        Assert.Equal("matmul: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Rand(1, 3).Matmul(Rand(2, 4)));
        Assert.Contains("matmul: shapes [3] and [4] cannot be multiplied (3 != 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Rand(1, 2, 2, 3, 4).Matmul(Rand(2, 5, 4, 6)));
        Assert.Contains("matmul: shapes [2, 2, 3, 4] and [5, 4, 6]", e.Message);
        Assert.Contains("batch dims [2, 2] and [5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Scalar(1f).Matmul(Rand(2, 3)));
        Assert.Contains("matmul: both arguments need to be at least 1-d, but they are 0-d and 1-d", e.Message);
        e = Assert.Throws<ArgumentException>(() => Rand(1, 2, 3).Matmul(Rand(2, 3, 4).To(DType.Float64)));
        Assert.Contains("matmul", e.Message);
        Assert.Contains("float32 and float64", e.Message);
        e = Assert.Throws<ArgumentException>(() => Rand(1, 2, 3).To(DType.Bool).Matmul(Rand(2, 3, 4).To(DType.Bool)));
        Assert.Contains("matmul: not implemented for bool", e.Message);
    }

    [Fact]
    public void Bmm_requires_3d_operands_with_equal_batches()
    {
        var t = Tensor.FromArray(new float[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, 2, 3, 2).Transpose(1, 2);
        var u = Seq(1, -5, 2, 3, 2);
        AssertClose([-10, -4, -19, -10, 80, 104, 89, 116], t.Bmm(u));
        Assert.Contains("bmm: shapes [2, 3, 4] and [3, 4, 5] have different batch sizes (2 != 3)",
            Assert.Throws<ArgumentException>(() => Rand(1, 2, 3, 4).Bmm(Rand(2, 3, 4, 5))).Message);
        Assert.Contains("bmm: shapes [2, 3, 4] and [2, 5, 5] cannot be multiplied (4 != 5)",
            Assert.Throws<ArgumentException>(() => Rand(1, 2, 3, 4).Bmm(Rand(2, 2, 5, 5))).Message);
        Assert.Contains("bmm: expected 3-d tensors, but got shapes [3, 4] and [4, 5]",
            Assert.Throws<ArgumentException>(() => Rand(1, 3, 4).Bmm(Rand(2, 4, 5))).Message);
    }

    [Fact]
    public void Linear_matches_torch_for_matrix_vector_and_batched_inputs()
    {
        var x = Seq(1, -2.5f, 2, 3);
        var w = Seq(1 / 3f, -1.5f, 4, 3);
        var b = Tensor.FromArray([0.5f, -1f, 2f, 0.25f]);
        AssertClose([6.41666651, 0.41666675, -1.08333349, -7.33333349, -4.08333302, -1.08333337, 6.41666698, 9.16666698], Functional.Linear(x, w, b));
        AssertClose([-1.16666675, -0.66666687, 4.33333397, 4.58333349], Functional.Linear(Tensor.FromArray([1f, -2f, 3f]), w, b));
        AssertClose([7.41666651, 2.91666675, -1.58333349, -6.08333349, -3.08333302, 1.41666663, 5.91666698, 10.41666698], Functional.Linear(x, w, Tensor.Scalar(1.5f)));

        var x3 = Rand(1, 5, 2, 3);
        var y = Functional.Linear(x3, w);
        Assert.Equal([5, 2, 4], y.Shape);
        AssertClose(NaiveMatmul(x3, w.Transpose(0, 1)), y);
        Assert.Equal([5, 2], Functional.Linear(x3, Rand(2, 3)).Shape);
        var empty = Functional.Linear(Rand(1, 2, 0), Rand(2, 4, 0), b);
        AssertClose([0.5, -1, 2, 0.25, 0.5, -1, 2, 0.25], empty);
    }

    [Fact]
    public void Linear_errors_name_the_shapes_and_dtypes()
    {
        Assert.Contains("linear: input shape [2, 3] and weight shape [4, 5] cannot be multiplied (3 != 5)",
            Assert.Throws<ArgumentException>(() => Functional.Linear(Rand(1, 2, 3), Rand(2, 4, 5))).Message);
        Assert.Contains("linear: bias of shape [5] does not broadcast to the output shape [2, 4]",
            Assert.Throws<ArgumentException>(() => Functional.Linear(Rand(1, 2, 3), Rand(2, 4, 3), Rand(3, 5))).Message);
        Assert.Contains("linear: expected input and bias to have the same dtype, but got float32 and float64",
            Assert.Throws<ArgumentException>(() => Functional.Linear(Rand(1, 2, 3), Rand(2, 4, 3), Rand(3, 4).To(DType.Float64))).Message);
        Assert.Contains("linear: the input must be at least 1-d",
            Assert.Throws<ArgumentException>(() => Functional.Linear(Tensor.Scalar(1f), Rand(2, 4, 3))).Message);
        Assert.Contains("linear: the weight must be 2-d",
            Assert.Throws<ArgumentException>(() => Functional.Linear(Rand(1, 2, 3), Rand(2, 2, 4, 3))).Message);
    }

    [Fact]
    public void Outer_promotes_dtypes_and_supports_bool()
    {
        var r = Tensor.FromArray([1, -2, 300]).Outer(Tensor.FromArray(new sbyte[] { 7, -8 }));
        Assert.Equal(DType.Int32, r.DType);
        Assert.Equal([7, -8, -14, 16, 2100, -2400], r.ToArray<int>());
        var bools = Tensor.FromArray([true, false]).Outer(Tensor.FromArray([true, true, false]));
        Assert.Equal(DType.Bool, bools.DType);
        Assert.Equal([true, true, false, false, false, false], bools.ToArray<bool>());
        var mixed = Tensor.FromArray([1.5f, 2f]).Outer(Tensor.FromArray([2L, 3L]));
        Assert.Equal(DType.Float32, mixed.DType);
        Assert.Equal([3f, 4.5f, 4f, 6f], mixed.ToArray<float>());
        Assert.Equal([0, 4], Rand(1, 0).Outer(Rand(2, 4)).Shape);
        Assert.Contains("outer: expected 1-d vectors, but got shapes [3, 1] and [4]",
            Assert.Throws<ArgumentException>(() => Rand(1, 3, 1).Outer(Rand(2, 4))).Message);
    }

    [Fact]
    public void Dot_requires_equal_lengths_and_dtypes()
    {
        Assert.Equal(1.2, Tensor.FromArray([0.1, 0.2, 0.3]).Dot(Tensor.FromArray([4.0, -5.0, 6.0])).Item<double>(), 12);
        Assert.Equal(32L, Tensor.FromArray([1L, 2L, 3L]).Dot(Tensor.FromArray([4L, 5L, 6L])).Item<long>());
        var strided = Rand(1, 40).Slice(0, step: 2);
        Assert.Equal(NaiveMatmul(strided.Contiguous(), Rand(2, 20))[0], strided.Dot(Rand(2, 20)).Item<float>(), 5);
        Assert.Equal(0f, Rand(1, 0).Dot(Rand(1, 0)).Item<float>());
        Assert.Equal([], Rand(1, 5).Dot(Rand(2, 5)).Shape);
        Assert.Contains("dot: vectors of shapes [3] and [4] have different lengths (3 != 4)",
            Assert.Throws<ArgumentException>(() => Rand(1, 3).Dot(Rand(2, 4))).Message);
        Assert.Contains("dot: expected both operands to have the same dtype, but got float32 and float64",
            Assert.Throws<ArgumentException>(() => Rand(1, 3).Dot(Rand(2, 3).To(DType.Float64))).Message);
        Assert.Contains("dot: expected 1-d vectors, but got shapes [3, 1] and [3]",
            Assert.Throws<ArgumentException>(() => Rand(1, 3, 1).Dot(Rand(2, 3))).Message);
    }

    [Fact]
    public void Integer_products_wrap_like_torch()
    {
        var a = Tensor.FromArray(new sbyte[] { 100, 100, 3, -7 }, 2, 2);
        var b = Tensor.FromArray(new sbyte[] { 100, 1, 100, 2 }, 2, 2);
        Assert.Equal(new sbyte[] { 32, 44, 112, -11 }, a.Matmul(b).ToArray<sbyte>());
        var i64 = Tensor.FromArray([1L, 2L, 3L, 4L, 5L, 6L], 2, 3).Matmul(Tensor.FromArray([1L, -1L, 2L], 3));
        Assert.Equal([5L, 11L], i64.ToArray<long>());
    }

    [Fact]
    public void Low_precision_floats_multiply_in_float32_and_round_once()
    {
        var a = Seq(1 / 3f, -1.7f, 3, 4).To(DType.BFloat16);
        var b = Seq(0.2f, -0.3f, 4, 2).To(DType.BFloat16);
        var r = a.Matmul(b);
        Assert.Equal(DType.BFloat16, r.DType);
        AssertClose([-0.76953125, -1.734375, 0.828125, 0.9296875, 2.421875, 3.609375], r, 1e-2);
        var h = Rand(1, 5, 9).To(DType.Float16);
        var hw = Rand(2, 9, 6).To(DType.Float16);
        var half = h.Matmul(hw);
        Assert.Equal(DType.Float16, half.DType);
        AssertClose(NaiveMatmul(h.To(DType.Float32), hw.To(DType.Float32)), half, 2e-3);
        Assert.Equal(DType.Float16, h[0].Dot(h[1]).DType);
    }

    [Fact]
    public void The_kernel_table_runs_every_linalg_op_on_every_sample_with_the_inferred_type()
    {
        foreach (var op in LinalgOps.All)
        {
            Assert.Equal("linalg", op.Family);
            Assert.Same(op, OpRegistry.Get(op.Name));
            var ids = op.Samples().Select(s => s.Id).ToArray();
            Assert.True(ids.Length == ids.Distinct().Count(), $"{op.Name}: sample ids repeat");
            int seed = 0;
            foreach (var sample in op.Samples())
            {
                var inputs = sample.Inputs.Select(spec => Build(spec, ++seed)).ToArray();
                var expected = op.InferTypes(sample.Inputs.Select(s => new TensorType(s.DType, s.Shape)).ToArray(), sample.Attrs)[0];
                var result = CpuKernels.Invoke(op.Name, inputs, sample.Attrs)[0];
                Assert.True(expected.DType == result.DType && expected.Shape.SequenceEqual(result.Shape), $"{op.Name} {sample.Id}: got {result.DType.Name()}{Shapes.Format(result.Shape)}, expected {expected}");
            }
        }
    }

    /// <summary>A tensor laid out as the sample asks, with small integer values so every dtype holds them.</summary>
    private static Tensor Build(TensorSpec spec, int seed)
    {
        long[] stored = spec.Layout switch
        {
            SampleLayout.Transposed => [.. spec.Shape[..^2], spec.Shape[^1], spec.Shape[^2]],
            SampleLayout.Strided => [.. spec.Shape[..^1], spec.Shape[^1] * 2],
            SampleLayout.Expanded => [1, .. spec.Shape[1..]],
            _ => spec.Shape,
        };
        var rng = new System.Random(seed);
        var data = new double[Shapes.Numel(stored)];
        for (int i = 0; i < data.Length; i++) data[i] = rng.Next(-3, 4);
        var t = Tensor.FromArray(data, stored).To(spec.DType == DType.UInt8 ? DType.Int64 : spec.DType).To(spec.DType);
        return spec.Layout switch
        {
            SampleLayout.Transposed => t.Transpose(-1, -2),
            SampleLayout.Strided => t.Slice(-1, step: 2),
            SampleLayout.Expanded => t.Expand(spec.Shape),
            _ => t,
        };
    }
}
