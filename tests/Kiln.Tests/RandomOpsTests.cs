using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels;
using F = Kiln.NN.Functional;

namespace Kiln.Tests;

/// <summary>
/// The random ops (dropout, dropout2d, bernoulli, multinomial), which the PyTorch oracle skips: frequencies
/// within five standard errors of their probabilities for a fixed seed, the same seed giving the same
/// result, the p = 0 and p = 1 edges, eval mode, and the errors. Every test draws from its own generator.
/// </summary>
public class RandomOpsTests
{
    [Fact]
    public void Dropout_zeroes_a_fraction_p_and_scales_the_rest_by_one_over_one_minus_p()
    {
        const double P = 0.3;
        var input = Tensor.Rand([100_000], generator: new Generator(1)).Add(0.5);
        var x = input.ToArray<float>();

        var y = F.Dropout(input, P, generator: new Generator(2)).ToArray<float>();

        float scale = (float)(1 / (1 - P));
        for (int i = 0; i < x.Length; i++)
            Assert.True(y[i] == 0 || y[i] == x[i] * scale, $"element {i}: {y[i]} is neither 0 nor {x[i]} / (1 - p)");
        AssertFraction(y.Count(v => v == 0), y.Length, P);
        Assert.Equal(x.Average(), y.Average(), 0.01);
    }

    [Fact]
    public void Dropout_is_reproducible_and_independent_of_the_thread_count()
    {
        var input = Tensor.Randn([300, 200], generator: new Generator(5));
        int threads = Threading.NumThreads;
        try
        {
            Threading.NumThreads = 1;
            var one = F.Dropout(input, 0.4, generator: new Generator(9)).ToArray<float>();
            Threading.NumThreads = 2;
            var two = F.Dropout(input, 0.4, generator: new Generator(9)).ToArray<float>();
            var other = F.Dropout(input, 0.4, generator: new Generator(10)).ToArray<float>();
            Assert.Equal(one, two);
            Assert.NotEqual(one, other);
        }
        finally
        {
            Threading.NumThreads = threads;
        }
    }

    [Fact]
    public void Dropout_edges_eval_mode_and_p_zero_return_the_input_and_p_one_gives_zeros()
    {
        var input = Tensor.Randn([4, 5], generator: new Generator(3));
        var integers = Tensor.Arange(6);

        Assert.Same(input, F.Dropout(input, 0.5, training: false));
        Assert.Same(input, F.Dropout(input, 0.0));
        Assert.Same(integers, F.Dropout(integers, 0.5, training: false));
        Assert.Same(input, F.Dropout2d(input, 0.5, training: false));
        Assert.All(F.Dropout(input, 1.0).ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.All(F.Dropout2d(input.Reshape(2, 2, 5), 1.0).ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.True(float.IsNaN(F.Dropout(Tensor.FromArray(new[] { float.PositiveInfinity }, 1), 1.0).Item<float>()));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Dropout_rejects_p_outside_zero_to_one(double p)
    {
        var input = Tensor.Ones(3);

        var error = Assert.Throws<ArgumentException>(() => F.Dropout(input, p));
        var feature = Assert.Throws<ArgumentException>(() => F.Dropout2d(input.Reshape(1, 3), p, training: false));

        Assert.Contains("dropout", error.Message, StringComparison.Ordinal);
        Assert.Contains(p.ToString(System.Globalization.CultureInfo.CurrentCulture), error.Message, StringComparison.Ordinal);
        Assert.Contains("dropout2d", feature.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dropout_needs_floats_while_training_and_dropout2d_two_dims()
    {
        var integers = Assert.Throws<ArgumentException>(() => F.Dropout(Tensor.Arange(6), 0.5));
        var flat = Assert.Throws<ArgumentException>(() => F.Dropout2d(Tensor.Ones(6), 0.5));

        Assert.Contains("int64", integers.Message, StringComparison.Ordinal);
        Assert.Contains("[6]", flat.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float16)]
    [InlineData(DType.BFloat16)]
    public void Dropout_keeps_the_dtype_and_strided_inputs_work(DType dtype)
    {
        var input = Tensor.Ones([40, 30], dtype).Transpose(0, 1);

        var result = F.Dropout(input, 0.5, generator: new Generator(4));

        Assert.Equal(dtype, result.DType);
        Assert.Equal(new long[] { 30, 40 }, result.Shape);
        var values = result.To(DType.Float32).ToArray<float>();
        Assert.All(values, v => Assert.True(v is 0 or 2, $"{v}"));
        AssertFraction(values.Count(v => v == 0), values.Length, 0.5);
    }

    [Fact]
    public void Inplace_dropout_overwrites_its_input()
    {
        var input = Tensor.Ones(1000);

        var result = F.Dropout(input, 0.5, inplace: true, generator: new Generator(8));

        Assert.Same(input, result);
        Assert.Contains(0f, input.ToArray<float>());
        Assert.Contains(2f, input.ToArray<float>());
    }

    [Fact]
    public void Dropout2d_zeroes_whole_channels()
    {
        const double P = 0.3;
        var input = Tensor.Ones(40, 100, 3, 3);

        var values = F.Dropout2d(input, P, generator: new Generator(6)).ToArray<float>();

        int dropped = 0;
        for (int map = 0; map < 4000; map++)
        {
            var channel = values.AsSpan(map * 9, 9).ToArray();
            Assert.True(channel.All(v => v == 0) || channel.All(v => Math.Abs(v - 1 / (1 - P)) < 1e-6), $"channel {map} is partly dropped: {string.Join(", ", channel)}");
            if (channel[0] == 0) dropped++;
        }
        AssertFraction(dropped, 4000, P);
    }

    [Fact]
    public void Dropout2d_reads_a_3d_input_as_batch_channel_length_like_pytorch()
    {
        var values = F.Dropout2d(Tensor.Ones(30, 40, 5), 0.5, generator: new Generator(7)).ToArray<float>();

        var rows = Enumerable.Range(0, 1200).Select(r => values.AsSpan(r * 5, 5).ToArray()).ToArray();
        Assert.All(rows, row => Assert.True(row.All(v => v == 0) || row.All(v => v == 2)));
        // Whole (n, c) rows vary within one n: the first dim is a batch, not the channels of one image.
        Assert.Contains(Enumerable.Range(0, 30), n => rows.Skip(n * 40).Take(40).Select(r => r[0]).Distinct().Count() == 2);
    }

    [Fact]
    public void Bernoulli_draws_ones_with_each_elements_probability()
    {
        const int Rows = 20_000;
        double[] probabilities = [0, 0.1, 0.5, 0.9, 1];
        var input = Tensor.FromArray(Enumerable.Range(0, Rows).SelectMany(_ => probabilities).ToArray(), Rows, probabilities.Length);

        var draws = input.Bernoulli(new Generator(1));

        Assert.Equal(DType.Float64, draws.DType);
        var values = draws.ToArray<double>();
        Assert.All(values, v => Assert.True(v is 0 or 1));
        for (int c = 0; c < probabilities.Length; c++)
            AssertFraction(Enumerable.Range(0, Rows).Count(r => values[r * probabilities.Length + c] == 1), Rows, probabilities[c]);
    }

    [Fact]
    public void Bernoulli_with_one_p_keeps_any_dtype_and_is_reproducible()
    {
        var integers = Tensor.Zeros([50_000], DType.Int64);

        var first = integers.Bernoulli(0.25, new Generator(3));
        var again = integers.Bernoulli(0.25, new Generator(3));
        var flags = Tensor.Zeros([10], DType.Bool).Bernoulli(1.0);

        Assert.Equal(DType.Int64, first.DType);
        Assert.Equal(first.ToArray<long>(), again.ToArray<long>());
        AssertFraction((int)first.ToArray<long>().Sum(), 50_000, 0.25);
        Assert.Equal(DType.Bool, flags.DType);
        Assert.All(flags.ToArray<bool>(), Assert.True);
        Assert.All(Tensor.Ones(100).Bernoulli(0.0).ToArray<float>(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Bernoulli_rejects_probabilities_outside_zero_to_one()
    {
        var high = Assert.Throws<ArgumentException>(() => Tensor.FromArray(new[] { 0.5f, 1.5f }, 2).Bernoulli());
        var nan = Assert.Throws<ArgumentException>(() => Tensor.FromArray(new[] { float.NaN }, 1).Bernoulli());
        var p = Assert.Throws<ArgumentException>(() => Tensor.Ones(2).Bernoulli(-0.5));
        var integers = Assert.Throws<ArgumentException>(() => Tensor.Arange(3).Bernoulli());

        Assert.Contains("1.5", high.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", nan.Message, StringComparison.Ordinal);
        Assert.Contains("-0.5", p.Message, StringComparison.Ordinal);
        Assert.Contains("int64", integers.Message, StringComparison.Ordinal);
        Assert.All(new[] { high, nan, p, integers }, e => Assert.StartsWith("bernoulli", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Multinomial_with_replacement_draws_categories_in_proportion_to_their_weights()
    {
        double[] weights = [1, 0, 2, 3, 4];
        const int N = 50_000;

        var samples = Tensor.FromArray(weights, weights.Length).Multinomial(N, replacement: true, generator: new Generator(2));

        Assert.Equal(DType.Int64, samples.DType);
        Assert.Equal(new long[] { N }, samples.Shape);
        var values = samples.ToArray<long>();
        for (int c = 0; c < weights.Length; c++)
            AssertFraction(values.Count(v => v == c), N, weights[c] / weights.Sum());
    }

    [Fact]
    public void Multinomial_without_replacement_draws_distinct_categories_first_in_proportion_to_their_weights()
    {
        float[] weights = [1, 2, 3, 4];
        const int Rows = 20_000;
        var input = Tensor.FromArray(Enumerable.Range(0, Rows).SelectMany(_ => weights).ToArray(), Rows, weights.Length);

        var values = input.Multinomial(3, generator: new Generator(4)).ToArray<long>();

        for (int r = 0; r < Rows; r++)
            Assert.Equal(3, values.AsSpan(r * 3, 3).ToArray().Distinct().Count());
        for (int c = 0; c < weights.Length; c++)
            AssertFraction(Enumerable.Range(0, Rows).Count(r => values[r * 3] == c), Rows, weights[c] / weights.Sum());
    }

    [Fact]
    public void Multinomial_without_replacement_gives_zero_weight_categories_last_as_pytorch_does()
    {
        // PyTorch's CPU kernel does not refuse more samples than positive weights: the rest are the zero-weight categories.
        var input = Tensor.FromArray(new[] { 0f, 5f, 0f, 1f, 0f }, 5);

        var values = input.Multinomial(5, generator: new Generator(1)).ToArray<long>();

        Assert.Equal(new long[] { 1, 3 }, values[..2].Order().ToArray());
        Assert.Equal(new long[] { 0, 2, 4 }, values[2..]);
    }

    [Fact]
    public void Multinomial_is_reproducible_and_handles_empty_batches()
    {
        var input = Tensor.Rand([6, 10], generator: new Generator(1));

        var first = input.Multinomial(4, generator: new Generator(5)).ToArray<long>();
        var again = input.Multinomial(4, generator: new Generator(5)).ToArray<long>();
        var empty = Tensor.Ones(0, 3).Multinomial(2, replacement: true);

        Assert.Equal(first, again);
        Assert.Equal(new long[] { 0, 2 }, empty.Shape);
    }

    [Fact]
    public void Multinomial_rejects_invalid_calls_with_pytorchs_reasons()
    {
        var cases = new (Func<Tensor> Call, string Mentions)[]
        {
            (() => Tensor.Ones(3).Multinomial(4), "without replacement"),
            (() => Tensor.Ones(3).Multinomial(0), "num_samples=0"),
            (() => Tensor.FromArray(new[] { 1f, -1f }, 2).Multinomial(1), "element < 0"),
            (() => Tensor.FromArray(new[] { 1f, float.PositiveInfinity }, 2).Multinomial(1, replacement: true), "inf"),
            (() => Tensor.Zeros(2, 3).Multinomial(1), "sum of probabilities <= 0"),
            (() => Tensor.Ones(2, 2, 2).Multinomial(1), "[2, 2, 2]"),
            (() => Tensor.Arange(3).Multinomial(1), "int64"),
        };
        foreach (var (call, mentions) in cases)
        {
            var error = Assert.Throws<ArgumentException>(() => call());
            Assert.StartsWith("multinomial", error.Message, StringComparison.Ordinal);
            Assert.Contains(mentions, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_random_op_sample_runs_through_the_kernel_table_with_the_type_rules_result()
    {
        foreach (var op in RandomOps.All)
        {
            Assert.True(op.IsRandom, $"{op.Name} draws random numbers, so the oracle must skip it");
            foreach (var sample in op.Samples())
            {
                var inputs = sample.Inputs.Select(s => Tensor.Full(s.Shape, s.DType.IsFloatingPoint() ? 0.5 : 0, s.DType)).ToArray();
                var expected = op.InferTypes(sample.Inputs.Select(s => new TensorType(s.DType, s.Shape)).ToArray(), sample.Attrs);

                var outputs = CpuKernels.Invoke(op.Name, inputs, sample.Attrs);

                Assert.Equal(expected.Length, outputs.Length);
                for (int i = 0; i < outputs.Length; i++)
                    Assert.Equal(expected[i], new TensorType(outputs[i].DType, outputs[i].Shape));
            }
        }
    }

    /// <summary>Asserts that <paramref name="count"/> of <paramref name="n"/> is within five standard errors of <paramref name="p"/>.</summary>
    private static void AssertFraction(int count, int n, double p)
    {
        double fraction = (double)count / n, error = 5 * Math.Sqrt(p * (1 - p) / n);
        Assert.True(Math.Abs(fraction - p) <= error, $"{count} of {n} ({fraction:F4}) is not within {error:F4} of {p}");
    }
}
