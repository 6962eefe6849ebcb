using System.Runtime.Intrinsics;
using Kiln.Kernels.Attention;
using Kiln.Kernels.Gemm;
using F = Kiln.NN.Functional;

namespace Kiln.Tests;

/// <summary>
/// scaled_dot_product_attention beyond the OpInfo samples: the blocked kernel against a direct float64
/// computation with blocks of a few keys (so every row crosses several blocks), masks that hide whole rows
/// or whole blocks, results that do not depend on the thread count, dropout statistics and the fast exp.
/// </summary>
public class AttentionTests
{
    /// <summary>Batch entries, queries, keys, embedding, value dims, key block, causal.</summary>
    public static TheoryData<int, int, int, int, int, int, bool> Cases => new()
    {
        { 2, 5, 7, 4, 3, 3, false },
        { 1, 17, 40, 8, 5, 7, false },
        { 3, 33, 20, 6, 9, 4, true },
        { 2, 20, 33, 5, 4, 6, true },
        { 1, 70, 70, 16, 16, 256, true },
        { 2, 1, 9, 3, 2, 2, false },
        { 1, 40, 1, 3, 2, 1, true },
        // Packed queries and outputs of 2,000 queries exceed one chunk's budget: two chunks.
        { 1, 2000, 50, 64, 64, 32, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Blocked_kernel_matches_direct_attention(int batch, int l, int s, int e, int ev, int keyBlock, bool causal)
    {
        var (q, k, v) = Inputs(batch, l, s, e, ev, seed: l * 31 + s);

        var result = AttentionKernel.Run(q, k, v, null, 0, causal, null, null, keyBlock);

        AssertClose(Direct(q, k, v, null, causal, 1 / Math.Sqrt(e)), result, 2e-5);
    }

    [Fact]
    public void Every_micro_kernel_this_cpu_runs_gives_the_same_attention()
    {
        var (q, k, v) = Inputs(2, 37, 19, 5, 7, seed: 12);
        var mask = Tensor.Randn([37, 19], generator: new Generator(13));
        var m = mask.ToArray<float>();
        var expectedCausal = Direct(q, k, v, null, true, 1 / Math.Sqrt(5));
        var expectedMasked = Direct(q, k, v, (_, i, j) => m[i * 19 + j], false, 1 / Math.Sqrt(5));

        foreach (var kernel in new[] { MicroKernelChoice.Fma512, MicroKernelChoice.Fma256, MicroKernelChoice.Portable }.Where(Gemm.IsSupported<float>))
        {
            var causal = AttentionKernel.Run(q, k, v, null, 0, true, null, null, 5, kernel);
            var masked = AttentionKernel.Run(q.To(DType.Float64), k.To(DType.Float64), v.To(DType.Float64), mask, 0, false, null, null, 4, kernel);

            AssertClose(expectedCausal, causal, 2e-5);
            AssertClose(expectedMasked, masked.To(DType.Float32), 1e-6);
        }
    }

    /// <summary>Key block and queries: 19 queries go through the sliver panels, 6 or fewer one row group at a time.</summary>
    [Theory]
    [InlineData(3, 19)]
    [InlineData(8, 19)]
    [InlineData(256, 19)]
    [InlineData(3, 6)]
    [InlineData(256, 5)]
    public void Masks_hiding_whole_rows_give_zeros_and_hidden_first_blocks_are_rescaled_away(int keyBlock, int L)
    {
        const int S = 12;
        var (q, k, v) = Inputs(2, L, S, 4, 3, seed: 5);
        var allowed = new bool[2 * L * S];
        var random = new System.Random(11);
        for (int b = 0; b < 2; b++)
        {
            for (int i = 0; i < L; i++)
            {
                for (int j = 0; j < S; j++)
                {
                    // Row 3 sees nothing; row 4 only the last key (its first blocks are all hidden); the rest are random.
                    bool attend = i switch { 3 => false, 4 => j == S - 1, _ => random.NextDouble() < 0.5 };
                    allowed[(b * L + i) * S + j] = attend;
                }
            }
        }
        var mask = Tensor.FromArray(allowed, 2, L, S);

        var result = AttentionKernel.Run(q, k, v, mask, 0, false, null, null, keyBlock);

        AssertClose(Direct(q, k, v, (b, i, j) => allowed[(b * L + i) * S + j] ? 0 : double.NegativeInfinity, false, 0.5), result, 2e-5);
        var values = result.ToArray<float>();
        Assert.All(values.AsSpan(3 * 3, 3).ToArray(), x => Assert.Equal(0f, x));
        Assert.Equal(v.Select(0, 0).Select(0, S - 1).ToArray<float>(), values.AsSpan(4 * 3, 3).ToArray());
    }

    [Fact]
    public void Additive_masks_broadcast_along_queries_keys_and_batch()
    {
        const int B = 2, H = 3, L = 21, S = 10;
        var (q, k, v) = Inputs(B * H, L, S, 4, 5, seed: 9);
        q = q.Reshape(B, H, L, 4);
        k = k.Reshape(B, H, S, 4);
        v = v.Reshape(B, H, S, 5);
        var random = new System.Random(4);
        float[] padding = [.. Enumerable.Range(0, B * S).Select(_ => (float)(random.NextDouble() * 4 - 2))];
        float[] rows = [.. Enumerable.Range(0, L * S).Select(_ => (float)(random.NextDouble() * 4 - 2))];
        var perBatch = Tensor.FromArray(padding, B, 1, 1, S);
        var shared = Tensor.FromArray(rows, L, S);

        var byKey = AttentionKernel.Run(q, k, v, perBatch, 0, false, null, null, 4);
        var byQuery = AttentionKernel.Run(q, k, v, shared, 0, false, null, null, 4);

        var q3 = q.Reshape(B * H, L, 4);
        var k3 = k.Reshape(B * H, S, 4);
        var v3 = v.Reshape(B * H, S, 5);
        AssertClose(Direct(q3, k3, v3, (b, _, j) => padding[b / H * S + j], false, 0.5), byKey, 2e-5);
        AssertClose(Direct(q3, k3, v3, (_, i, j) => rows[i * S + j], false, 0.5), byQuery, 2e-5);
    }

    [Fact]
    public void Causal_rows_see_only_earlier_keys_when_there_are_more_queries_than_keys()
    {
        var (q, k, v) = Inputs(1, 6, 3, 2, 2, seed: 2);

        var values = F.ScaledDotProductAttention(q, k, v, isCausal: true).ToArray<float>();

        // Query 0 sees key 0 alone; queries 2 to 5 see every key, so rows 3 to 5 depend only on their own query.
        Assert.Equal(v.Select(0, 0).Select(0, 0).ToArray<float>(), values[..2]);
        AssertClose(Direct(q, k, v, null, false, 1 / Math.Sqrt(2)).AsSpan(6, 6).ToArray(), values[6..], 2e-6);
    }

    [Fact]
    public void Strided_and_permuted_inputs_give_the_same_result_as_contiguous_ones()
    {
        // Multi-head attention reads [B, L, H, E] projections as [B, H, L, E] through a transpose.
        var projected = Tensor.Randn([2, 37, 3, 8], generator: new Generator(1));
        var q = projected.Transpose(1, 2);
        var k = Tensor.Randn([2, 3, 8, 29], generator: new Generator(2)).Transpose(2, 3);
        var v = Tensor.Randn([2, 3, 29, 10], generator: new Generator(3)).Slice(3, 0, 10, 2);
        Assert.False(q.IsContiguous || k.IsContiguous || v.IsContiguous);

        var strided = F.ScaledDotProductAttention(q, k, v, isCausal: true).ToArray<float>();
        var dense = F.ScaledDotProductAttention(q.Contiguous(), k.Contiguous(), v.Contiguous(), isCausal: true).ToArray<float>();

        Assert.Equal(dense, strided);
    }

    [Theory]
    [InlineData(300, 280)]
    [InlineData(3, 3000)]
    public void Results_do_not_depend_on_the_thread_count(int l, int s)
    {
        var (q, k, v) = Inputs(3, l, s, 16, 8, seed: 1);
        int threads = Threading.NumThreads;
        try
        {
            Threading.NumThreads = 1;
            var one = F.ScaledDotProductAttention(q, k, v, isCausal: true).ToArray<float>();
            Threading.NumThreads = 2;
            var two = F.ScaledDotProductAttention(q, k, v, isCausal: true).ToArray<float>();
            Assert.Equal(one, two);
        }
        finally
        {
            Threading.NumThreads = threads;
        }
    }

    [Fact]
    public void Long_sequences_match_direct_attention()
    {
        var (q, k, v) = Inputs(2, 600, 700, 8, 4, seed: 3);

        var result = F.ScaledDotProductAttention(q, k, v, scale: 0.2);

        AssertClose(Direct(q, k, v, null, false, 0.2), result, 2e-5);
    }

    [Fact]
    public void Float64_float16_and_bfloat16_follow_the_float32_result()
    {
        var (q, k, v) = Inputs(2, 9, 11, 4, 3, seed: 8);
        var expected = Direct(q, k, v, null, true, 0.5);

        var wide = F.ScaledDotProductAttention(q.To(DType.Float64), k.To(DType.Float64), v.To(DType.Float64), isCausal: true);
        Assert.Equal(DType.Float64, wide.DType);
        AssertClose(expected, wide.To(DType.Float32), 1e-6);
        foreach (var low in new[] { DType.Float16, DType.BFloat16 })
        {
            var result = F.ScaledDotProductAttention(q.To(low), k.To(low), v.To(low), isCausal: true);
            Assert.Equal(low, result.DType);
            AssertClose(expected, result.To(DType.Float32), 3e-2);
        }
    }

    [Theory]
    [InlineData(64)]
    [InlineData(3)]
    public void Dropout_zeroes_weights_with_probability_p_and_scales_the_rest(int L)
    {
        // Equal scores give every weight 1/S; the identity as values turns output (i, j) into weight (i, j).
        const int S = 256;
        const double P = 0.3;
        var q = Tensor.Zeros(1, L, 4);
        var k = Tensor.Zeros(1, S, 4);
        var v = Tensor.Eye(S).Unsqueeze(0);

        var values = F.ScaledDotProductAttention(q, k, v, dropoutP: P, generator: new Generator(7)).ToArray<float>();
        Assert.Equal(L * S, values.Length);

        float kept = (float)(1.0 / S * (1 / (1 - P)));
        Assert.All(values, x => Assert.True(x == 0 || Math.Abs(x - kept) < 1e-6, $"{x} is neither 0 nor {kept}"));
        double dropped = values.Count(x => x == 0) / (double)values.Length;
        Assert.InRange(dropped, P - 5 * Math.Sqrt(P * (1 - P) / values.Length), P + 5 * Math.Sqrt(P * (1 - P) / values.Length));
    }

    [Theory]
    [InlineData(20)]
    [InlineData(2)]
    public void Dropout_is_reproducible_from_the_seed_and_its_edges_are_exact(int l)
    {
        var (q, k, v) = Inputs(2, l, 30, 8, 5, seed: 6);

        var first = F.ScaledDotProductAttention(q, k, v, dropoutP: 0.2, generator: new Generator(3)).ToArray<float>();
        var again = F.ScaledDotProductAttention(q, k, v, dropoutP: 0.2, generator: new Generator(3)).ToArray<float>();
        var other = F.ScaledDotProductAttention(q, k, v, dropoutP: 0.2, generator: new Generator(4)).ToArray<float>();
        var none = F.ScaledDotProductAttention(q, k, v, dropoutP: 1.0).ToArray<float>();
        var zero = F.ScaledDotProductAttention(q, k, v, dropoutP: 0.0).ToArray<float>();

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.All(none, x => Assert.Equal(0f, x));
        Assert.Equal(F.ScaledDotProductAttention(q, k, v).ToArray<float>(), zero);
    }

    [Fact]
    public void Invalid_calls_throw_naming_the_op_and_the_problem()
    {
        var (q, k, v) = Inputs(1, 4, 5, 3, 2, seed: 1);
        var mask = Tensor.Ones([4, 5], DType.Bool);

        var both = Assert.Throws<ArgumentException>(() => F.ScaledDotProductAttention(q, k, v, mask, isCausal: true));
        var dropout = Assert.Throws<ArgumentException>(() => F.ScaledDotProductAttention(q, k, v, dropoutP: 1.5));
        var maskType = Assert.Throws<ArgumentException>(() => F.ScaledDotProductAttention(q, k, v, Tensor.Ones([4, 5], DType.Int64)));
        var maskShape = Assert.Throws<ArgumentException>(() => F.ScaledDotProductAttention(q, k, v, Tensor.Ones([3, 5], DType.Bool)));
        var integers = Assert.Throws<ArgumentException>(() => F.ScaledDotProductAttention(q.To(DType.Int64), k.To(DType.Int64), v.To(DType.Int64)));

        Assert.Contains("is_causal", both.Message, StringComparison.Ordinal);
        Assert.Contains("1.5", dropout.Message, StringComparison.Ordinal);
        Assert.Contains("int64", maskType.Message, StringComparison.Ordinal);
        Assert.Contains("[3, 5]", maskShape.Message, StringComparison.Ordinal);
        Assert.Contains("int64", integers.Message, StringComparison.Ordinal);
        Assert.All(new[] { both, dropout, maskType, maskShape, integers }, e => Assert.Contains("scaled_dot_product_attention", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Softmax_exp_is_within_two_ulps_and_flushes_tiny_results_to_zero()
    {
        for (float x = -87.3f; x <= 0; x += 0.00731f)
        {
            float actual = SoftmaxExp.Exp(Vector256.Create(x)).GetElement(0), expected = MathF.Exp(x);
            Assert.True(Math.Abs(actual - expected) <= 2 * (MathF.BitIncrement(expected) - expected), $"exp({x}) = {actual}, expected {expected}");
        }
        Assert.Equal(0f, SoftmaxExp.Exp(Vector256.Create(float.NegativeInfinity)).GetElement(0));
        Assert.Equal(0f, SoftmaxExp.Exp(Vector256.Create(-200f)).GetElement(0));
        Assert.Equal(1f, SoftmaxExp.Exp(Vector256.Create(0f)).GetElement(0));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(3)]
    public void A_nan_score_makes_its_rows_nan_as_in_pytorch(int l)
    {
        var (q, k, v) = Inputs(1, l, 20, 4, 3, seed: 14);
        var keys = k.ToArray<float>();
        int hidden = Math.Min(7, l - 2);
        keys[hidden * 4 + 1] = float.NaN;
        k = Tensor.FromArray(keys, 1, 20, 4);

        var causal = F.ScaledDotProductAttention(q, k, v, isCausal: true).ToArray<float>();
        var full = F.ScaledDotProductAttention(q, k, v).ToArray<float>();

        // The NaN key is seen by every row, and under the causal mask by the rows from its position on only.
        Assert.All(full, x => Assert.True(float.IsNaN(x)));
        AssertClose(Direct(q, k, v, null, true, 0.5), causal, 2e-5);
        Assert.True(float.IsNaN(causal[^1]) && !float.IsNaN(causal[0]));
    }

    private static (Tensor Q, Tensor K, Tensor V) Inputs(int batch, int l, int s, int e, int ev, int seed)
    {
        var g = new Generator(seed);
        return (Tensor.Randn([batch, l, e], generator: g), Tensor.Randn([batch, s, e], generator: g), Tensor.Randn([batch, s, ev], generator: g));
    }

    /// <summary>softmax(q·kᵀ·scale + mask)·v in float64, row by row; a row with every key masked gives zeros.</summary>
    private static double[] Direct(Tensor query, Tensor key, Tensor value, Func<int, int, int, double>? mask, bool causal, double scale)
    {
        int batch = (int)query.Size(0), l = (int)query.Size(1), s = (int)key.Size(1), e = (int)query.Size(2), ev = (int)value.Size(2);
        float[] q = query.Contiguous().ToArray<float>(), k = key.Contiguous().ToArray<float>(), v = value.Contiguous().ToArray<float>();
        var output = new double[batch * l * ev];
        var scores = new double[s];
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < l; i++)
            {
                double max = double.NegativeInfinity;
                for (int j = 0; j < s; j++)
                {
                    double dot = 0;
                    for (int d = 0; d < e; d++) dot += (double)q[(b * l + i) * e + d] * k[(b * s + j) * e + d];
                    scores[j] = causal && j > i ? double.NegativeInfinity : dot * scale + (mask?.Invoke(b, i, j) ?? 0);
                    max = Math.Max(max, scores[j]);
                }
                if (double.IsNegativeInfinity(max)) continue;
                double sum = 0;
                for (int j = 0; j < s; j++) sum += scores[j] = Math.Exp(scores[j] - max);
                for (int d = 0; d < ev; d++)
                {
                    double acc = 0;
                    for (int j = 0; j < s; j++) acc += scores[j] * v[(b * s + j) * ev + d];
                    output[(b * l + i) * ev + d] = acc / sum;
                }
            }
        }
        return output;
    }

    private static void AssertClose(double[] expected, Tensor actual, double tolerance) =>
        AssertClose(expected, actual.ToArray<float>(), tolerance);

    private static void AssertClose(double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            bool close = double.IsNaN(expected[i]) ? float.IsNaN(actual[i]) : Math.Abs(actual[i] - expected[i]) <= tolerance * (1 + Math.Abs(expected[i]));
            Assert.True(close, $"element {i}: {actual[i]}, expected {expected[i]}");
        }
    }
}
