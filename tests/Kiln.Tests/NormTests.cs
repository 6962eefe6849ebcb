using Kiln.IR;
using Kiln.Kernels;
using Kiln.NN;

namespace Kiln.Tests;

/// <summary>
/// batch_norm, instance_norm, layer_norm, group_norm and rms_norm beyond the OpInfo samples: the running
/// statistics and momentum (eager in-place updates and the registry op's extra results, against PyTorch
/// 1.13's values from <c>tests/reference/oracle_norm.py</c> run as a script), calls the IR cannot express,
/// error messages, and large inputs (the threaded and SIMD paths) against a two-pass reference in double.
/// </summary>
public class NormTests
{
    private static readonly float[] Mean = [0.5f, -1f, 2f];
    private static readonly float[] Var = [1f, 0.25f, 4f];
    private static readonly float[] Weight = [1.5f, -0.5f, 2f];
    private static readonly float[] Bias = [0.1f, 0.2f, -0.3f];

    /// <summary>((7·i) mod 11 - 5) / 4: exact in every float dtype (oracle_norm.py's <c>_sequence</c>).</summary>
    private static Tensor Sequence(params long[] shape)
    {
        var data = new float[Shapes.Numel(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = ((7 * i) % 11 - 5) / 4f;
        return Tensor.FromArray(data, shape);
    }

    private static Tensor Vector(float[] values) => Tensor.FromArray((float[])values.Clone(), values.Length);

    private static float[] Random(int seed, long count, double offset = 0, double spread = 2)
    {
        var rng = new System.Random(seed);
        var data = new float[count];
        for (long i = 0; i < count; i++) data[i] = (float)(offset + (rng.NextDouble() * 2 - 1) * spread);
        return data;
    }

    private static void AssertClose(ReadOnlySpan<double> expected, Tensor actual, double tolerance = 1e-5, string what = "")
    {
        Assert.Equal(expected.Length, actual.Numel);
        for (int i = 0; i < expected.Length; i++)
        {
            double v = actual.GetAsDouble(i);
            Assert.True(Math.Abs(v - expected[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"{what} element {i}: Kiln {v}, expected {expected[i]}");
        }
    }

    private static void AssertClose(float[] expected, Tensor actual, double tolerance = 1e-5, string what = "") =>
        AssertClose(expected.Select(v => (double)v).ToArray(), actual, tolerance, what);

    // ---- running statistics and momentum, against PyTorch ----

    /// <summary>batch_norm training on Sequence(4, 3, 5): momentum, then torch's new running mean and variance.</summary>
    public static TheoryData<double, float[], float[]> BatchNormUpdates => new()
    {
        { 0.1, [0.44624999165534973f, -0.8949999809265137f, 1.7999999523162842f], [0.9653124809265137f, 0.2872368395328522f, 3.672368288040161f] },
        { 0.0, [0.5f, -1.0f, 2.0f], [1.0f, 0.25f, 4.0f] },
        { 1.0, [-0.03750000149011612f, 0.05000000074505806f, 0.0f], [0.653124988079071f, 0.6223683953285217f, 0.7236841917037964f] },
        { 0.35, [0.31187498569488525f, -0.6324999928474426f, 1.2999999523162842f], [0.8785937428474426f, 0.3803289234638214f, 2.8532893657684326f] },
    };

    [Theory]
    [MemberData(nameof(BatchNormUpdates))]
    public void Batch_norm_training_updates_the_running_statistics_in_place_with_momentum(double momentum, float[] newMean, float[] newVar)
    {
        var mean = Vector(Mean);
        var variance = Vector(Var);
        Functional.BatchNorm(Sequence(4, 3, 5), mean, variance, Vector(Weight), Vector(Bias), training: true, momentum: momentum);
        AssertClose(newMean, mean, what: "running mean");
        AssertClose(newVar, variance, what: "running var");
    }

    [Theory]
    [MemberData(nameof(BatchNormUpdates))]
    public void Batch_norm_op_returns_the_updated_statistics_as_results_and_changes_no_input(double momentum, float[] newMean, float[] newVar)
    {
        var inputs = new[] { Sequence(4, 3, 5), Vector(Mean), Vector(Var), Vector(Weight), Vector(Bias) };
        var attrs = new Attrs { { "training", true }, { "momentum", momentum } };

        var (output, resultMean, resultVar) = CpuKernels.Invoke("batch_norm", inputs, attrs) switch
        {
            [var o, var m, var v] => (o, m, v),
            var other => throw new Xunit.Sdk.XunitException($"batch_norm returned {other.Length} results, expected 3"),
        };

        Assert.Equal(new long[] { 4, 3, 5 }, output.Shape);
        AssertClose(newMean, resultMean, what: "new_running_mean");
        AssertClose(newVar, resultVar, what: "new_running_var");
        AssertClose(Mean, inputs[1], 0, "running_mean input");
        AssertClose(Var, inputs[2], 0, "running_var input");
    }

    [Fact]
    public void Batch_norm_in_evaluation_uses_and_keeps_the_running_statistics()
    {
        var mean = Vector(Mean);
        var variance = Vector(Var);
        var x = Sequence(2, 3, 4);
        var output = Functional.BatchNorm(x, mean, variance, Vector(Weight), Vector(Bias), training: false);
        AssertClose(Mean, mean, 0, "running mean");
        AssertClose(Var, variance, 0, "running var");
        var expected = new double[24];
        for (int i = 0; i < 24; i++)
        {
            int ch = i / 4 % 3;
            expected[i] = (x.GetAsDouble(i) - Mean[ch]) / Math.Sqrt(Var[ch] + 1e-5) * Weight[ch] + Bias[ch];
        }
        AssertClose(expected, output);
    }

    [Fact]
    public void Batch_norm_training_without_running_statistics_takes_a_weight_and_bias()
    {
        // A call the IR's trailing optional inputs cannot express (running statistics absent, weight given).
        float[] torch =
        [
            -2.208923578262329f, 1.123543381690979f, -0.7807233929634094f, 2.551743507385254f, 0.6474767327308655f, 0.7202004790306091f,
            -0.41773808002471924f, 0.23251253366470337f, 0.882763147354126f, -0.2551754117012024f, -0.9030182957649231f, -3.315091371536255f,
            0.9060365557670593f, -1.5060365200042725f, 2.7150914669036865f, 0.6474767327308655f, -1.2567901611328125f, 2.075676918029785f,
            0.17141000926494598f, -1.7328568696975708f, -0.2551754117012024f, 0.3950752019882202f, 1.045325756072998f, -0.09261277318000793f,
            0.5576378107070923f, 2.7150914669036865f, 0.3030182719230652f, -2.1090548038482666f, 2.1120731830596924f, -0.30000001192092896f,
            -1.7328568696975708f, 1.5996100902557373f, -0.3046566843986511f, -2.208923578262329f, 1.123543381690979f, 0.5576378107070923f,
            -0.5803007483482361f, 0.06994988024234772f, 0.7202004790306091f, -0.41773808002471924f, -0.30000001192092896f, -2.7120730876922607f,
            1.5090548992156982f, -0.9030182957649231f, -3.315091371536255f, 1.123543381690979f, -0.7807233929634094f, 2.551743507385254f,
            0.6474767327308655f, -1.2567901611328125f, -0.41773808002471924f, 0.23251253366470337f, 0.882763147354126f, -0.2551754117012024f,
            0.3950752019882202f, -3.315091371536255f, 0.9060365557670593f, -1.5060365200042725f, 2.7150914669036865f, 0.3030182719230652f,
        ];
        var output = Functional.BatchNorm(Sequence(4, 3, 5), null, null, Vector(Weight), Vector(Bias), training: true);
        AssertClose(torch, output);
    }

    [Fact]
    public void Instance_norm_updates_the_running_statistics_with_their_batch_average()
    {
        var mean = Vector(Mean);
        var variance = Vector(Var);
        Functional.InstanceNorm(Sequence(2, 3, 4), mean, variance, Vector(Weight), Vector(Bias), useInputStats: true, momentum: 0.2);
        AssertClose([0.4375f, -0.8062500357627869f, 1.5499999523162842f], mean, what: "running mean");
        AssertClose([0.9729167222976685f, 0.33281248807907104f, 3.3614583015441895f], variance, what: "running var");
    }

    [Fact]
    public void Instance_norm_without_running_statistics_takes_a_weight_and_bias()
    {
        float[] torch =
        [
            -1.8695857524871826f, 0.8878343105316162f, -0.6878342628479004f, 2.0695858001708984f, 0.10000129044055939f, 0.8999910354614258f,
            -0.4999910295009613f, 0.2999987304210663f, -1.7457828521728516f, 2.7522082328796387f, 0.18192756175994873f, -2.388352870941162f,
            0.39999616146087646f, -1.999973177909851f, 2.1999731063842773f, -0.19999617338180542f, 0.5614457130432129f, -0.5630520582199097f,
            0.07951810210943222f, 0.7220882177352905f, 1.7883529663085938f, -0.7819275856018066f, -3.352208137512207f, 1.1457828283309937f,
        ];
        AssertClose(torch, Functional.InstanceNorm(Sequence(2, 3, 4), weight: Vector(Weight), bias: Vector(Bias)));
    }

    [Fact]
    public void Running_statistics_held_in_strided_views_are_updated_in_place()
    {
        var meanBuffer = Tensor.FromArray(new float[] { 0.5f, 9f, -1f, 9f, 2f, 9f }, 6);
        var varBuffer = Tensor.FromArray(new float[] { 1f, 9f, 0.25f, 9f, 4f, 9f }, 6);
        var mean = meanBuffer.Slice(0, step: 2);
        var variance = varBuffer.Slice(0, step: 2);
        Functional.BatchNorm(Sequence(4, 3, 5), mean, variance, training: true, momentum: 0.1);
        AssertClose(new[] { 0.44624999165534973, 9, -0.8949999809265137, 9, 1.7999999523162842, 9 }, meanBuffer);
        AssertClose(new[] { 0.9653124809265137, 9, 0.2872368395328522, 9, 3.672368288040161, 9 }, varBuffer);
    }

    [Fact]
    public void Batch_norm_over_an_empty_batch_keeps_the_running_statistics()
    {
        var mean = Vector(Mean);
        var variance = Vector(Var);
        var output = Functional.BatchNorm(Tensor.Zeros(0, 3, 4), mean, variance, training: true);
        Assert.Equal(new long[] { 0, 3, 4 }, output.Shape);
        AssertClose(Mean, mean, 0);
        AssertClose(Var, variance, 0);
    }

    // ---- errors ----

    public static TheoryData<string, Func<Tensor>, string[]> BadCalls => new()
    {
        { "one value per channel in training", () => Functional.BatchNorm(Sequence(1, 3), null, null, training: true), ["batch_norm", "more than 1 value per channel", "[1, 3]"] },
        { "evaluation without running statistics", () => Functional.BatchNorm(Sequence(2, 3), null, null), ["batch_norm", "evaluation mode"] },
        { "running mean of the wrong size", () => Functional.BatchNorm(Sequence(2, 3), Vector([1f, 2f, 3f, 4f]), Vector(Var)), ["batch_norm", "running_mean", "3 elements", "[4]"] },
        { "running mean without running var", () => Functional.BatchNorm(Sequence(2, 3), Vector(Mean), null, training: true), ["batch_norm", "together"] },
        { "weight of another dtype", () => Functional.BatchNorm(Sequence(2, 3), Vector(Mean), Vector(Var), Vector(Weight).To(DType.Float64)), ["batch_norm", "weight", "float64", "float32"] },
        { "integer input", () => Functional.BatchNorm(Tensor.Zeros([2, 3], DType.Int64), null, null, training: true), ["batch_norm", "int64"] },
        { "one spatial element per instance", () => Functional.InstanceNorm(Sequence(2, 3)), ["instance_norm", "more than 1 spatial element", "[2, 3]"] },
        { "instance norm without statistics of any kind", () => Functional.InstanceNorm(Sequence(2, 3, 4), useInputStats: false), ["instance_norm", "use_input_stats"] },
        { "channels not divisible by the groups", () => Functional.GroupNorm(Sequence(2, 6, 3), 4), ["group_norm", "divisible", "num_groups=4", "[2, 6, 3]"] },
        { "no groups", () => Functional.GroupNorm(Sequence(2, 6, 3), 0), ["group_norm", "num_groups must be positive"] },
        { "group weight of the wrong size", () => Functional.GroupNorm(Sequence(2, 6, 3), 3, Vector(Weight)), ["group_norm", "weight", "6 elements", "[3]"] },
        { "normalized shape not matching the trailing dims", () => Functional.LayerNorm(Sequence(2, 3, 5), [4]), ["layer_norm", "normalized_shape [4]", "[2, 3, 5]"] },
        { "empty normalized shape", () => Functional.LayerNorm(Sequence(2, 3), []), ["layer_norm", "at least one dim"] },
        { "layer weight of another shape", () => Functional.LayerNorm(Sequence(2, 3, 5), [5], Vector([1f, 2f, 3f, 4f])), ["layer_norm", "weight of shape [4]", "normalized_shape [5]"] },
        { "rms weight of another shape", () => Functional.RmsNorm(Sequence(2, 3, 5), [3, 5], Vector(Weight)), ["rms_norm", "weight of shape [3]", "normalized_shape [3, 5]"] },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public void Bad_calls_throw_messages_that_say_what_is_wrong(string what, Func<Tensor> call, string[] mentions)
    {
        var error = Assert.Throws<ArgumentException>(() => call());
        foreach (var m in mentions)
            Assert.True(error.Message.Contains(m, StringComparison.Ordinal), $"{what}: \"{error.Message}\" does not mention '{m}'");
    }

    // ---- large inputs (threaded, SIMD) against a two-pass reference in double ----

    /// <summary>Normalises rows: row r is the elements r·length .. r·length + length - 1; its affine map by element index in the row.</summary>
    private static double[] ReferenceRows(float[] x, long length, Func<long, long, (double Scale, double Shift)>? affine, double eps, bool rms = false)
    {
        var result = new double[x.Length];
        for (long r = 0; r < x.Length / length; r++)
        {
            double mean = 0, squares = 0;
            for (long j = 0; j < length; j++) mean += x[r * length + j];
            mean = rms ? 0 : mean / length;
            for (long j = 0; j < length; j++) squares += (x[r * length + j] - mean) * (x[r * length + j] - mean);
            double rstd = 1 / Math.Sqrt(squares / length + eps);
            for (long j = 0; j < length; j++)
            {
                var (scale, shift) = affine?.Invoke(r, j) ?? (1, 0);
                result[r * length + j] = (x[r * length + j] - mean) * rstd * scale + shift;
            }
        }
        return result;
    }

    [Fact]
    public void Layer_norm_of_a_large_input_matches_the_reference()
    {
        const int rows = 64, length = 1027;
        var x = Random(1, rows * length);
        var w = Random(2, length);
        var b = Random(3, length);
        var output = Functional.LayerNorm(Tensor.FromArray(x, rows, length), [length], Tensor.FromArray(w, length), Tensor.FromArray(b, length));
        AssertClose(ReferenceRows(x, length, (_, j) => (w[j], b[j]), 1e-5), output);
    }

    [Fact]
    public void Layer_norm_keeps_its_precision_when_the_mean_is_far_from_zero()
    {
        // Values 10000 ± 1: a float32 sum of squares minus the squared sum would lose every digit of the
        // variance. What remains is float32's resolution at 10000 (about 1e-3) in the output, as in PyTorch.
        const int rows = 8, length = 300;
        var x = Random(4, rows * length, offset: 10000, spread: 1);
        AssertClose(ReferenceRows(x, length, null, 1e-5), Functional.LayerNorm(Tensor.FromArray(x, rows, length), [length]), 5e-3);
        var xd = x.Select(v => (double)v + 1e8).ToArray();
        var outputDouble = Functional.LayerNorm(Tensor.FromArray(xd, rows, length), [length]);
        AssertClose(ReferenceRows(x, length, null, 1e-5), outputDouble, 1e-6);
    }

    [Fact]
    public void Rms_norm_of_a_large_input_matches_the_reference()
    {
        const int rows = 48, length = 2048;
        var x = Random(5, rows * length);
        var w = Random(6, length);
        var output = Functional.RmsNorm(Tensor.FromArray(x, rows, length), [length], Tensor.FromArray(w, length), eps: 1e-6);
        AssertClose(ReferenceRows(x, length, (_, j) => (w[j], 0), 1e-6, rms: true), output);
    }

    [Fact]
    public void Group_and_instance_norm_of_large_inputs_match_the_reference()
    {
        const int n = 8, c = 32, plane = 16 * 16, groups = 8;
        var x = Random(7, n * c * plane);
        var w = Random(8, c);
        var b = Random(9, c);
        var input = Tensor.FromArray(x, n, c, 16, 16);
        var grouped = Functional.GroupNorm(input, groups, Tensor.FromArray(w, c), Tensor.FromArray(b, c));
        const int perGroup = c / groups * plane;
        AssertClose(ReferenceRows(x, perGroup, (r, j) => Channel(r % groups * (c / groups) + j / plane), 1e-5), grouped, what: "group_norm");
        var instance = Functional.InstanceNorm(input, weight: Tensor.FromArray(w, c), bias: Tensor.FromArray(b, c));
        AssertClose(ReferenceRows(x, plane, (r, _) => Channel(r % c), 1e-5), instance, what: "instance_norm");

        (double, double) Channel(long ch) => (w[ch], b[ch]);
    }

    public static TheoryData<long[]> BatchNormShapes => new()
    {
        { [8, 16, 32, 32] },
        { [1024, 96] },
        { [512, 12, 5] },
        { [3, 5, 4000] },
    };

    [Theory]
    [MemberData(nameof(BatchNormShapes))]
    public void Batch_norm_training_of_a_large_input_matches_the_reference(long[] shape)
    {
        long n = shape[0], c = shape[1], plane = Shapes.Numel(shape.AsSpan(2));
        var x = Random(10, Shapes.Numel(shape), offset: 3);
        var w = Random(11, c);
        var b = Random(12, c);
        var mean = Tensor.Zeros(c);
        var variance = Tensor.Ones(c);
        var output = Functional.BatchNorm(Tensor.FromArray(x, shape), mean, variance, Tensor.FromArray(w, c), Tensor.FromArray(b, c), training: true, momentum: 0.5);

        // Channel ch holds the elements (i·c + ch)·plane + k; gather them as one row per channel.
        var channels = new float[x.Length];
        for (long i = 0; i < n; i++)
            for (long ch = 0; ch < c; ch++)
                Array.Copy(x, (i * c + ch) * plane, channels, (ch * n + i) * plane, plane);
        var byChannel = ReferenceRows(channels, n * plane, (ch, _) => (w[ch], b[ch]), 1e-5);
        var expected = new double[x.Length];
        for (long i = 0; i < n; i++)
            for (long ch = 0; ch < c; ch++)
                Array.Copy(byChannel, (ch * n + i) * plane, expected, (i * c + ch) * plane, plane);
        AssertClose(expected, output, what: "out");

        var expectedMean = new double[c];
        var expectedVar = new double[c];
        for (long ch = 0; ch < c; ch++)
        {
            var values = channels.AsSpan((int)(ch * n * plane), (int)(n * plane)).ToArray().Select(v => (double)v).ToArray();
            double m = values.Average();
            expectedMean[ch] = 0.5 * m;
            expectedVar[ch] = 0.5 + 0.5 * values.Sum(v => (v - m) * (v - m)) / (values.Length - 1);
        }
        AssertClose(expectedMean, mean, what: "running mean");
        AssertClose(expectedVar, variance, what: "running var");
    }

    [Fact]
    public void Non_contiguous_inputs_give_the_contiguous_results()
    {
        var x = Tensor.FromArray(Random(13, 4 * 6 * 20), 4, 6, 20);
        var transposed = x.Transpose(1, 2).Contiguous().Transpose(1, 2);
        Assert.False(transposed.IsContiguous);
        AssertClose(Functional.BatchNorm(x, null, null, training: true).ToArray<float>(), Functional.BatchNorm(transposed, null, null, training: true), 0);
        AssertClose(Functional.GroupNorm(x, 3).ToArray<float>(), Functional.GroupNorm(transposed, 3), 0);
        AssertClose(Functional.LayerNorm(x, [20]).ToArray<float>(), Functional.LayerNorm(transposed, [20]), 0);
    }

    [Fact]
    public void Low_precision_inputs_are_computed_in_float32_and_rounded_once()
    {
        var x = Tensor.FromArray(Random(14, 6 * 40), 6, 40);
        foreach (var dtype in new[] { DType.Float16, DType.BFloat16 })
        {
            var low = x.To(dtype);
            var output = Functional.LayerNorm(low, [40]);
            Assert.Equal(dtype, output.DType);
            AssertClose(Functional.LayerNorm(low.To(DType.Float32), [40]).To(dtype).To(DType.Float32).ToArray<float>(), output.To(DType.Float32), 0, dtype.Name());
        }
    }
}
