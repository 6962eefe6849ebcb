using Kiln.NN;
using Kiln.Optim;

namespace Kiln.Tests;

/// <summary>
/// Linear keeps its weight packed across calls (<see cref="Kernels.Gemm.PackedWeightCache"/>): every route by which a
/// weight can change between two calls must make the second call see the new values, never the stale packed copy.
/// </summary>
public class PackedWeightCacheTests
{
    // 64 rows: past the few-rows path, so the product packs B; odd sizes off every kernel's tile.
    private const int Rows = 64, In = 37, Out = 70;

    /// <summary>Each way a weight's contents can change, applied to a Linear layer.</summary>
    public static TheoryData<string> Routes => new(Mutations.Keys);

    private static readonly Dictionary<string, Action<Linear>> Mutations = new()
    {
        ["SGD.Step"] = l => Step(new SGD(l.Parameters(), lr: 0.5), l),
        ["Adam.Step"] = l => Step(new Adam(l.Parameters(), lr: 0.5), l),
        ["Add_"] = l => NoGrad(() => l.Weight.Add_(Tensor.Ones(Out, In))),
        ["Mul_"] = l => NoGrad(() => l.Weight.Mul_(-3.0)),
        ["Sqrt_"] = l => NoGrad(() => l.Weight.Abs_().Sqrt_()),
        ["Clamp_"] = l => NoGrad(() => l.Weight.Clamp_(min: 0.0)),
        ["Copy_"] = l => NoGrad(() => l.Weight.Copy_(Tensor.Rand(Out, In))),
        ["Fill_"] = l => NoGrad(() => l.Weight.Fill_(0.25)),
        ["Zero_"] = l => NoGrad(() => l.Weight.Zero_()),
        ["MaskedFill_"] = l => NoGrad(() => l.Weight.MaskedFill_(l.Weight.Gt(0.0), 2.0)),
        ["Scatter_"] = l => NoGrad(() => l.Weight.Scatter_(1, Tensor.Zeros([Out, 1], DType.Int64), 9.0)),
        ["IndexAdd_"] = l => NoGrad(() => l.Weight.IndexAdd_(0, Tensor.FromArray(new long[] { 3 }), Tensor.Ones(1, In))),
        ["indexer set"] = l => NoGrad(() => l.Weight[5] = Tensor.Full([In], 4.0)),
        ["in-place op on a view"] = l => NoGrad(() => l.Weight.Narrow(1, 2, 3).Fill_(-1.0)),
        ["Functional.Relu inplace"] = l => NoGrad(() => Functional.Relu(l.Weight, inplace: true)),
        ["Functional.LeakyRelu inplace"] = l => NoGrad(() => Functional.LeakyRelu(l.Weight, 0.5, inplace: true)),
        ["Functional.Silu inplace"] = l => NoGrad(() => Functional.Silu(l.Weight, inplace: true)),
        ["Functional.Dropout inplace"] = l => NoGrad(() => Functional.Dropout(l.Weight, 0.5, inplace: true)),
        ["Random_"] = l => NoGrad(() => l.Weight.Random_(-3, 3)),
        ["Uniform_"] = l => NoGrad(() => l.Weight.Uniform_(-2, 2)),
        ["Normal_"] = l => NoGrad(() => l.Weight.Normal_()),
        ["Init.KaimingUniform_"] = l => Init.KaimingUniform_(l.Weight),
        ["Init.XavierNormal_"] = l => Init.XavierNormal_(l.Weight),
        ["Init.Orthogonal_"] = l => Init.Orthogonal_(l.Weight),
        ["Init.Constant_"] = l => Init.Constant_(l.Weight, 0.5),
        ["LoadStateDict"] = l => l.LoadStateDict(new Linear(In, Out).StateDict()),
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public void A_weight_changed_between_two_calls_gives_the_new_result(string route)
    {
        var layer = new Linear(In, Out);
        var x = Tensor.Rand(Rows, In);
        Tensor before;
        // Two calls: the packed copy is reused, so after the write the weight counts as written now and then, and is
        // packed afresh (not left unpacked as a weight in training is).
        using (Autograd.NoGrad())
        {
            layer.Forward(x);
            before = layer.Forward(x);
        }
        AssertClose(Reference(x, layer), before);
        Assert.NotNull(layer.Weight.storage.PackedWeights);
        Mutations[route](layer);
        Tensor after;
        using (Autograd.NoGrad()) after = layer.Forward(x);
        AssertClose(Reference(x, layer), after);
        Assert.True(MaxDiff(before, after) > 1e-3, $"{route} did not change the weight");
    }

    [Theory]
    [InlineData(new long[] { 1, In })]
    [InlineData(new long[] { 5, In })]
    [InlineData(new long[] { 49, In })]
    [InlineData(new long[] { 200, In })]
    [InlineData(new long[] { 3, 40, In })]
    public void Every_batch_shape_matches_an_uncached_weight(long[] shape)
    {
        var layer = new Linear(In, Out);
        var x = Tensor.Rand(shape);
        using var noGrad = Autograd.NoGrad();
        for (int i = 0; i < 2; i++)
            AssertClose(Reference(x, layer), layer.Forward(x));
    }

    [Theory]
    [InlineData("float32")]
    [InlineData("float64")]
    public void A_bias_the_tiles_cannot_start_from_is_added_whole(string dtypeName)
    {
        var dtype = dtypeName == "float32" ? DType.Float32 : DType.Float64;
        var layer = new Linear(In, Out, dtype: dtype);
        var x = Tensor.Rand([3, 40, In], dtype);
        // Every other element of a longer vector: not contiguous, so it is copied into the result before the product.
        var strided = Tensor.Rand([Out, 2], dtype).Select(1, 0);
        Assert.False(strided.IsContiguous);
        using var noGrad = Autograd.NoGrad();
        var expected = x.Matmul(layer.Weight.Detach().Clone().T) + strided;
        for (int i = 0; i < 2; i++)
        {
            AssertClose(expected, Functional.Linear(x, layer.Weight, strided));
            AssertClose(expected, Functional.Linear(x, layer.Weight, strided.Contiguous()));
        }
    }

    [Fact]
    public void Double_weights_are_cached_and_refreshed()
    {
        var layer = new Linear(In, Out, dtype: DType.Float64);
        var x = Tensor.Rand([Rows, In], DType.Float64);
        AssertClose(Reference(x, layer), layer.Forward(x), tol: 1e-12);
        NoGrad(() => layer.Weight.Mul_(2.0));
        AssertClose(Reference(x, layer), layer.Forward(x), tol: 1e-12);
    }

    [Fact]
    public void Repeated_calls_reuse_one_packed_copy_and_a_write_replaces_it()
    {
        var layer = new Linear(In, Out);
        var x = Tensor.Rand(Rows, In);
        using var noGrad = Autograd.NoGrad();
        layer.Forward(x);
        var first = layer.Weight.storage.PackedWeights!;
        layer.Forward(x);
        Assert.Same(first, layer.Weight.storage.PackedWeights);
        for (int i = 0; i < 5; i++)
        {
            layer.Weight.Mul_(1.5);
            AssertClose(Reference(x, layer), layer.Forward(x));
        }
        Assert.Single(layer.Weight.storage.PackedWeights!);
    }

    [Fact]
    public void Activations_and_detached_weights_are_not_cached()
    {
        var w = Tensor.Rand(Out, In);
        var x = Tensor.Rand(Rows, In);
        Functional.Linear(x, w);
        Functional.Linear(x, w);
        Assert.Null(w.storage.PackedWeights);
    }

    [Fact]
    public void A_leaf_that_requires_grad_is_cached_and_trains_correctly()
    {
        var w = Tensor.Rand(Out, In).RequiresGrad_();
        var x = Tensor.Rand(Rows, In);
        var y = Functional.Linear(x, w);
        Assert.NotNull(w.storage.PackedWeights);
        y.Sum().Backward();
        NoGrad(() => w.Sub_(w.Grad!, alpha: 0.1));
        AssertClose(x.Matmul(w.Detach().T), Functional.Linear(x, w).Detach());
    }

    [Fact]
    public void A_weight_written_after_every_product_is_left_unpacked_until_it_settles()
    {
        var layer = new Linear(In, Out);
        var x = Tensor.Rand(Rows, In);
        var optimizer = new SGD(layer.Parameters(), lr: 0.1);
        for (int step = 0; step < 4; step++)
        {
            // One product a step, as in training: it sees that step's weight, packed (the first) or read in place (the rest).
            var expected = Reference(x, layer);
            var y = layer.Forward(x);
            AssertClose(expected, y.Detach());
            Assert.Equal(step == 0, Packed(layer) is not null);
            y.Square().Sum().Backward();
            optimizer.Step();
        }
        // Settled: the first product after training finds a newer version than its mark and still reads the weight
        // itself; the next finds it unchanged and packs it; the one after reuses that copy.
        using (Autograd.NoGrad())
        {
            AssertClose(Reference(x, layer), layer.Forward(x));
            Assert.Null(Packed(layer));
            AssertClose(Reference(x, layer), layer.Forward(x));
            var packed = Packed(layer);
            Assert.NotNull(packed);
            AssertClose(Reference(x, layer), layer.Forward(x));
            Assert.Same(packed, Packed(layer));
        }
    }

    /// <summary>The packed copy the layer's weight storage holds for its product, or null (none, or a training mark).</summary>
    private static object? Packed(Linear layer) => Assert.Single(layer.Weight.storage.PackedWeights!).Packed;

    [Fact]
    public void Parameters_sharing_a_storage_keep_separate_packed_copies()
    {
        var whole = new Parameter(Tensor.Rand(Out, In));
        // 40 of the 70 outputs: wide enough to be packed (fewer than a sliver's columns are dot products, never packed).
        var top = new Parameter(whole.Detach().Narrow(0, 10, 40));
        var x = Tensor.Rand(Rows, In);
        using var noGrad = Autograd.NoGrad();
        for (int i = 0; i < 2; i++)
        {
            AssertClose(x.Matmul(whole.Detach().Clone().T), Functional.Linear(x, whole));
            AssertClose(x.Matmul(top.Detach().Clone().T), Functional.Linear(x, top));
        }
        Assert.Equal(2, whole.storage.PackedWeights!.Length);
        top.Fill_(1.0);
        AssertClose(x.Matmul(whole.Detach().Clone().T), Functional.Linear(x, whole));
        AssertClose(x.Matmul(top.Detach().Clone().T), Functional.Linear(x, top));
    }

    [Fact]
    public void Threads_running_one_model_at_once_all_get_the_right_result()
    {
        var layer = new Linear(300, 200);
        var inputs = Enumerable.Range(0, 16).Select(_ => Tensor.Rand(Rows, 300)).ToArray();
        var expected = inputs.Select(x => Reference(x, layer)).ToArray();
        for (int round = 0; round < 3; round++)
        {
            var results = new Tensor[inputs.Length];
            Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            {
                using var noGrad = Autograd.NoGrad();
                results[i] = layer.Forward(inputs[i]);
            });
            for (int i = 0; i < inputs.Length; i++) AssertClose(expected[i], results[i]);
        }
    }

    /// <summary>The layer's result through a copy of its weights, which linear does not cache.</summary>
    private static Tensor Reference(Tensor x, Linear layer)
    {
        using var noGrad = Autograd.NoGrad();
        return Functional.Linear(x, layer.Weight.Detach().Clone(), layer.Bias!.Detach().Clone());
    }

    private static void Step(Optimizer optimizer, Linear layer)
    {
        layer.Forward(Tensor.Rand(Rows, In)).Square().Sum().Backward();
        optimizer.Step();
    }

    private static void NoGrad(Action write)
    {
        using var noGrad = Autograd.NoGrad();
        write();
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tol = 1e-5)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double scale = 1 + expected.To(DType.Float64).Abs().Max().Item<double>();
        Assert.True(MaxDiff(expected, actual) <= tol * scale, $"max difference {MaxDiff(expected, actual)} (scale {scale})");
    }

    private static double MaxDiff(Tensor a, Tensor b) => a.To(DType.Float64).Sub(b.To(DType.Float64)).Abs().Max().Item<double>();
}
