using F = Kiln.NN.Functional;

namespace Kiln.Tests;

/// <summary>
/// The losses beyond their OpInfo samples: errors on values (class indices out of range, probabilities outside
/// [0, 1], ctc lengths), ctc cases the sample domains cannot express (concatenated targets of given lengths),
/// and the fused cross_entropy kernel on large inputs against log_softmax and a pick.
/// </summary>
public sealed class LossTests
{
    // Pasted from `/usr/bin/python3 tests/reference/oracle_loss.py` (PyTorch 1.13): log_softmax(randn(5, 2, 4)) with seed 3.
    private static readonly float[] LogProbs =
    [
        -1.4353127f, -0.998787f, -2.1406853f, -1.2871408f, -1.4087465f, -2.360366f, -0.45303506f, -3.670294f,
        -1.378386f, -1.6326808f, -1.0782033f, -1.5492659f, -1.0342709f, -1.7430817f, -1.3734381f, -1.5310915f,
        -1.2701464f, -0.6005231f, -2.0461097f, -3.183313f, -0.81539404f, -1.3392298f, -2.028226f, -1.8083835f,
        -2.8065257f, -0.5822096f, -1.538315f, -1.7946823f, -3.0198765f, -0.59147483f, -1.2501049f, -2.1963556f,
        -0.98175454f, -1.7914953f, -2.6233094f, -0.9517267f, -0.62629044f, -1.6997072f, -1.8795178f, -2.0400043f,
    ];

    private static Tensor LogProbsTensor() => Tensor.FromArray(LogProbs, 5, 2, 4);

    private static Tensor Longs(params long[] values) => Tensor.FromArray(values, values.Length);

    private static void AssertClose(double[] expected, Tensor actual, double rtol = 2e-6, double atol = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Numel);
        for (int i = 0; i < expected.Length; i++)
        {
            double a = actual.GetAsDouble(i), e = expected[i];
            if (double.IsNaN(e)) Assert.True(double.IsNaN(a), $"element {i}: expected NaN, got {a}");
            else if (double.IsInfinity(e)) Assert.Equal(e, a);
            else Assert.True(Math.Abs(a - e) <= atol + rtol * Math.Abs(e), $"element {i}: expected {e}, got {a}");
        }
    }

    [Fact]
    public void Ctc_with_concatenated_targets_matches_torch()
    {
        var targets = Longs(1, 2, 3);
        var inputLengths = Longs(5, 4);
        var targetLengths = Longs(2, 1);

        var none = F.CtcLoss(LogProbsTensor(), targets, inputLengths, targetLengths, reduction: "none");

        Assert.Equal([2L], none.Shape);
        AssertClose([3.6344419f, 4.6519613f], none);
        AssertClose([3.234591f], F.CtcLoss(LogProbsTensor(), targets, inputLengths, targetLengths));
        AssertClose([8.286404f], F.CtcLoss(LogProbsTensor(), targets, inputLengths, targetLengths, reduction: "sum"));
    }

    [Fact]
    public void Ctc_padded_targets_give_the_losses_of_the_same_targets_concatenated()
    {
        var padded = Tensor.FromArray(new long[] { 1, 2, 3, 0 }, 2, 2);

        var fromPadded = F.CtcLoss(LogProbsTensor(), padded, Longs(5, 4), Longs(2, 1), reduction: "none");
        var fromArrays = F.CtcLoss(LogProbsTensor(), padded, [5, 4], [2, 1], reduction: "none");

        AssertClose([3.6344419f, 4.6519613f], fromPadded);
        Assert.Equal(fromPadded.ToArray<float>(), fromArrays.ToArray<float>());
    }

    [Fact]
    public void Ctc_needs_a_blank_between_repeated_labels_and_zero_infinity_clears_impossible_alignments()
    {
        var targets = Tensor.FromArray(new long[] { 1, 1, 1, 1 }, 2, 2);

        var losses = F.CtcLoss(LogProbsTensor(), targets, Longs(5, 2), Longs(2, 2), reduction: "none");
        var zeroed = F.CtcLoss(LogProbsTensor(), targets, Longs(5, 2), Longs(2, 2), reduction: "none", zeroInfinity: true);

        AssertClose([3.3220968f, double.PositiveInfinity], losses);
        AssertClose([3.3220968f, 0], zeroed);
    }

    [Fact]
    public void Ctc_unbatched_input_with_a_1d_target_matches_torch()
    {
        var logProbs = LogProbsTensor().Select(1, 0);

        var loss = F.CtcLoss(logProbs, Longs(2, 3), Tensor.Scalar(5L), Tensor.Scalar(2L), reduction: "none");

        Assert.Empty(loss.Shape);
        AssertClose([4.239596f], loss);
    }

    [Fact]
    public void Ctc_of_an_empty_input_is_zero_for_an_empty_target_and_infinite_otherwise()
    {
        var loss = F.CtcLoss(LogProbsTensor(), Tensor.FromArray(new long[] { 1, 1, 1, 1 }, 2, 2), Longs(0, 0), Longs(0, 1), reduction: "none");

        AssertClose([0, double.PositiveInfinity], loss);
    }

    [Fact]
    public void Ctc_rejects_lengths_that_do_not_fit_and_labels_outside_the_classes()
    {
        var padded = Tensor.FromArray(new long[] { 1, 2, 3, 0 }, 2, 2);

        var tooLong = Assert.Throws<ArgumentException>(() => F.CtcLoss(LogProbsTensor(), padded, Longs(6, 4), Longs(2, 1)));
        var negative = Assert.Throws<ArgumentException>(() => F.CtcLoss(LogProbsTensor(), padded, Longs(5, 4), Longs(2, -1)));
        var beyondPadding = Assert.Throws<ArgumentException>(() => F.CtcLoss(LogProbsTensor(), padded, Longs(5, 4), Longs(3, 1)));
        var concatenated = Assert.Throws<ArgumentException>(() => F.CtcLoss(LogProbsTensor(), Longs(1, 2, 3, 3), Longs(5, 4), Longs(2, 1)));
        var label = Assert.Throws<IndexOutOfRangeException>(() => F.CtcLoss(LogProbsTensor(), Tensor.FromArray(new long[] { 1, 9, 3, 0 }, 2, 2), Longs(5, 4), Longs(2, 1)));

        Assert.Contains("input_lengths[0] is 6", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains("[0, 5]", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains("target_lengths[1] is -1", negative.Message, StringComparison.Ordinal);
        Assert.Contains("target_lengths[0] is 3", beyondPadding.Message, StringComparison.Ordinal);
        Assert.Contains("hold 4 labels, but target_lengths add up to 3", concatenated.Message, StringComparison.Ordinal);
        Assert.Contains("ctc_loss: target 9", label.Message, StringComparison.Ordinal);
        Assert.Contains("4 classes", label.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cross_entropy", 5L)]
    [InlineData("cross_entropy", -1L)]
    [InlineData("nll_loss", 3L)]
    public void A_class_index_out_of_range_throws_naming_the_op_the_value_and_the_class_count(string op, long bad)
    {
        var input = Tensor.Zeros(4, 3);
        var target = Longs(0, 2, bad, 1);

        var error = Assert.Throws<IndexOutOfRangeException>(() => op == "cross_entropy" ? F.CrossEntropy(input, target) : F.NllLoss(input, target));

        Assert.StartsWith($"{op}: target {bad} at index [2]", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 classes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_out_of_range_class_index_in_spatial_dims_is_reported_at_its_position()
    {
        var target = Tensor.Zeros([2, 3, 2], DType.Int64);
        target.Select(0, 1).Select(0, 2).Select(0, 1).Fill_(7L);

        var error = Assert.Throws<IndexOutOfRangeException>(() => F.CrossEntropy(Tensor.Zeros(2, 4, 3, 2), target, reduction: "none"));

        Assert.Contains("target 7 at index [1, 2, 1]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Targets_equal_to_ignore_index_may_lie_outside_the_classes_and_count_for_nothing()
    {
        var input = Tensor.FromArray(new float[] { 1, 2, 3, 0, 0, 0 }, 2, 3);

        var loss = F.CrossEntropy(input, Longs(2, 7), ignoreIndex: 7, reduction: "none");
        var mean = F.CrossEntropy(input, Longs(2, 7), ignoreIndex: 7);

        // log(e + e² + e³) - 3 for the first row; the ignored row is 0 and leaves the mean's denominator.
        double first = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)) - 3;
        AssertClose([first, 0], loss);
        AssertClose([first], mean);
    }

    [Fact]
    public void Cross_entropy_with_no_classes_takes_only_ignored_targets_and_their_mean_is_nan()
    {
        var target = Tensor.Zeros([2, 3], DType.Int64);

        var rows = F.CrossEntropy(Tensor.Zeros(2, 0), target.Select(1, 0), ignoreIndex: 0);
        var spatial = F.CrossEntropy(Tensor.Zeros(2, 0, 3), target, ignoreIndex: 0, reduction: "none");
        var error = Assert.Throws<IndexOutOfRangeException>(() => F.CrossEntropy(Tensor.Zeros(2, 0, 3), target));

        Assert.True(float.IsNaN(rows.Item<float>()));
        AssertClose([0, 0, 0, 0, 0, 0], spatial);
        Assert.Contains("target 0 at index [0, 0] is out of bounds for 0 classes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_reduction_is_rejected_with_the_valid_names()
    {
        var x = Tensor.Zeros(2, 3);

        var mse = Assert.Throws<ArgumentException>(() => F.MseLoss(x, x, reduction: "avg"));
        var kl = Assert.Throws<ArgumentException>(() => F.KlDiv(x, x, reduction: "avg"));
        var batchmean = Assert.Throws<ArgumentException>(() => F.L1Loss(x, x, reduction: "batchmean"));

        Assert.Equal("mse_loss: 'avg' is not a valid value for reduction; expected 'none', 'mean' or 'sum'", mse.Message);
        Assert.Contains("'batchmean'", kl.Message, StringComparison.Ordinal);
        Assert.StartsWith("l1_loss: 'batchmean' is not a valid value", batchmean.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1.5f)]
    [InlineData(-0.25f)]
    [InlineData(float.NaN)]
    public void Binary_cross_entropy_rejects_inputs_that_are_not_probabilities(float value)
    {
        var input = Tensor.FromArray(new[] { 0.5f, value });

        var error = Assert.Throws<ArgumentException>(() => F.BinaryCrossEntropy(input, Tensor.FromArray(new[] { 1f, 0f })));

        Assert.StartsWith("binary_cross_entropy: all elements of input should be between 0 and 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cross_entropy_on_a_large_batch_matches_log_softmax_and_a_pick()
    {
        var generator = new Generator(11);
        var input = Tensor.Randn([700, 333], generator: generator).Mul(4.0);
        var target = Tensor.Randint(0, 333, [700], generator: generator);
        var weight = Tensor.Rand([333], generator: generator).Add(0.5);
        var logp = F.LogSoftmax(input.To(DType.Float64), 1).ToArray<double>();
        var t = target.ToArray<long>();
        var w = weight.ToArray<float>();
        var expected = new double[700];
        double weightSum = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double smooth = 0;
            for (int c = 0; c < 333; c++) smooth -= w[c] * logp[i * 333 + c];
            expected[i] = 0.9 * -w[t[i]] * logp[i * 333 + t[i]] + 0.1 / 333 * smooth;
            weightSum += w[t[i]];
        }

        var none = F.CrossEntropy(input, target, weight, reduction: "none", labelSmoothing: 0.1);
        var mean = F.CrossEntropy(input, target, weight, labelSmoothing: 0.1);

        AssertClose(expected, none, rtol: 1e-5);
        AssertClose([expected.Sum() / weightSum], mean, rtol: 1e-5);
    }

    [Fact]
    public void Cross_entropy_over_spatial_dims_equals_cross_entropy_of_the_rows_moved_last()
    {
        var generator = new Generator(5);
        var input = Tensor.Randn([3, 7, 20, 30], generator: generator);
        var target = Tensor.Randint(0, 7, [3, 20, 30], generator: generator);
        var rows = input.Permute(0, 2, 3, 1).Reshape(-1, 7);

        var spatial = F.CrossEntropy(input, target, reduction: "none");
        var flat = F.CrossEntropy(rows, target.Reshape(-1), reduction: "none");

        Assert.Equal([3L, 20, 30], spatial.Shape);
        AssertClose(flat.ToArray<float>().Select(v => (double)v).ToArray(), spatial);
        AssertClose([flat.Mean().Item<float>()], F.CrossEntropy(input, target));
    }

    [Fact]
    public void Class_probability_targets_of_one_hot_rows_give_the_class_index_loss()
    {
        var generator = new Generator(2);
        var input = Tensor.Randn([64, 10], generator: generator);
        var target = Tensor.Randint(0, 10, [64], generator: generator);
        var oneHot = Tensor.Zeros(64, 10);
        var labels = target.ToArray<long>();
        for (int i = 0; i < 64; i++) oneHot.Select(0, i).Select(0, labels[i]).Fill_(1.0);

        var fromIndices = F.CrossEntropy(input, target, reduction: "none", labelSmoothing: 0.2);
        var fromProbabilities = F.CrossEntropy(input, oneHot, reduction: "none", labelSmoothing: 0.2);

        AssertClose(fromIndices.ToArray<float>().Select(v => (double)v).ToArray(), fromProbabilities);
    }
}
