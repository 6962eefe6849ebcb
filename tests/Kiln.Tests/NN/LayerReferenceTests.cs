using Kiln.NN;
using Xunit.Sdk;

namespace Kiln.Tests.NN;

/// <summary>
/// Each built-in layer against PyTorch: the same weights (loaded from torch's state dict), the same inputs,
/// compared outputs, parameter and input gradients, and the state after the call (running statistics).
/// </summary>
public sealed class LayerReferenceTests
{
    private const DType F64 = DType.Float64;

    /// <summary>How to build each case's Kiln layer (float64) and call it, returning its outputs in torch's order.</summary>
    private static readonly Dictionary<string, (Func<Module> Make, Func<Module, Tensor[], Tensor[]> Call)> Layers = new(StringComparer.Ordinal)
    {
        ["linear"] = (() => new Linear(5, 3, dtype: F64), One),
        ["linear_nobias_3d"] = (() => new Linear(5, 3, bias: false, dtype: F64), One),
        ["bilinear"] = (() => new Bilinear(3, 4, 2, dtype: F64), (m, x) => [((Bilinear)m).Forward(x[0], x[1])]),
        ["conv1d"] = (() => new Conv1d(2, 4, 3, stride: 2, padding: 1, dtype: F64), One),
        ["conv1d_same_dilated"] = (() => new Conv1d(2, 2, 3, "same", dilation: 2, dtype: F64), One),
        ["conv2d"] = (() => new Conv2d(3, 4, 3, padding: 1, dtype: F64), One),
        ["conv2d_strided_groups"] = (() => new Conv2d(4, 6, [3, 2], [2, 1], [1, 0], groups: 2, dtype: F64), One),
        ["conv2d_reflect"] = (() => new Conv2d(2, 3, 3, padding: 1, paddingMode: "reflect", dtype: F64), One),
        ["conv2d_circular_nobias"] = (() => new Conv2d(2, 2, 3, padding: 1, paddingMode: "circular", bias: false, dtype: F64), One),
        ["conv_transpose2d"] = (() => new ConvTranspose2d(3, 2, 3, stride: 2, padding: 1, outputPadding: 1, dtype: F64), One),
        ["max_pool1d"] = (() => new MaxPool1d(3, stride: 2, padding: 1), One),
        ["max_pool2d"] = (() => new MaxPool2d(2), One),
        ["max_pool2d_ceil"] = (() => new MaxPool2d(3, stride: 2, ceilMode: true), One),
        ["avg_pool1d"] = (() => new AvgPool1d(3, stride: 2, padding: 1, countIncludePad: false), One),
        ["avg_pool2d"] = (() => new AvgPool2d(2, stride: 1), One),
        ["adaptive_avg_pool2d"] = (() => new AdaptiveAvgPool2d([3, 2]), One),
        ["batch_norm1d_train"] = (() => new BatchNorm1d(3, dtype: F64), One),
        ["batch_norm1d_3d_train_cumulative"] = (() => new BatchNorm1d(3, momentum: null, dtype: F64), One),
        ["batch_norm2d_train"] = (() => new BatchNorm2d(3, dtype: F64), One),
        ["batch_norm2d_eval"] = (() => new BatchNorm2d(3, dtype: F64), One),
        ["batch_norm2d_no_affine_train"] = (() => new BatchNorm2d(2, affine: false, dtype: F64), One),
        ["layer_norm"] = (() => new LayerNorm(6, dtype: F64), One),
        ["layer_norm_2d_shape"] = (() => new LayerNorm([4, 6], eps: 1e-3, dtype: F64), One),
        ["group_norm"] = (() => new GroupNorm(2, 6, dtype: F64), One),
        ["rms_norm"] = (() => new RMSNorm(5, dtype: F64), One),
        ["rms_norm_eps"] = (() => new RMSNorm([2, 5], eps: 1e-2, dtype: F64), One),
        ["embedding"] = (() => new Embedding(7, 4, dtype: F64), One),
        ["embedding_padding"] = (() => new Embedding(7, 4, paddingIdx: 2, dtype: F64), One),
        ["flatten"] = (() => new Flatten(), One),
        ["unflatten"] = (() => new Unflatten(1, [2, 3]), One),
        ["identity"] = (() => new Identity(), One),
        ["dropout_eval"] = (() => new Dropout(0.5), One),
        ["relu"] = (() => new ReLU(), One),
        ["leaky_relu"] = (() => new LeakyReLU(0.2), One),
        ["gelu"] = (() => new GELU(), One),
        ["gelu_tanh"] = (() => new GELU("tanh"), One),
        ["silu"] = (() => new SiLU(), One),
        ["sigmoid"] = (() => new Sigmoid(), One),
        ["tanh"] = (() => new Tanh(), One),
        ["softplus"] = (() => new Softplus(beta: 2, threshold: 1), One),
        ["softmax"] = (() => new Softmax(1), One),
        ["log_softmax"] = (() => new LogSoftmax(0), One),
        ["cross_entropy_loss"] = (() => new CrossEntropyLoss(labelSmoothing: 0.1), Loss),
        ["nll_loss_weighted"] = (() => new NLLLoss(Tensor.FromArray([1.0, 2.0, 0.5]), reduction: "sum"), Loss),
        ["mse_loss"] = (() => new MSELoss(), Loss),
        ["l1_loss"] = (() => new L1Loss("sum"), Loss),
        ["smooth_l1_loss"] = (() => new SmoothL1Loss(beta: 0.5), Loss),
        ["huber_loss"] = (() => new HuberLoss(delta: 0.7), Loss),
        ["bce_loss"] = (() => new BCELoss(), Loss),
        ["bce_with_logits_loss"] = (() => new BCEWithLogitsLoss(posWeight: Tensor.FromArray([1.0, 2.0, 0.5, 3.0])), Loss),
        ["kl_div_loss"] = (() => new KLDivLoss("batchmean"), Loss),
        ["rnn_tanh"] = (() => new RNN(3, 4, dtype: F64), (m, x) => Pair(((RNN)m).Forward(x[0]))),
        ["rnn_relu_2layer_batch_first_h0"] = (() => new RNN(3, 4, numLayers: 2, nonlinearity: "relu", batchFirst: true, dtype: F64), (m, x) => Pair(((RNN)m).Forward(x[0], x[1]))),
        ["lstm"] = (() => new LSTM(3, 4, dtype: F64), (m, x) => Triple(((LSTM)m).Forward(x[0]))),
        ["lstm_2layer_bidirectional_states"] = (() => new LSTM(3, 4, numLayers: 2, bidirectional: true, dtype: F64), (m, x) => Triple(((LSTM)m).Forward(x[0], (x[1], x[2])))),
        ["lstm_unbatched_batch_first_nobias"] = (() => new LSTM(3, 2, bias: false, batchFirst: true, dtype: F64), (m, x) => Triple(((LSTM)m).Forward(x[0]))),
        ["gru"] = (() => new GRU(3, 4, dtype: F64), (m, x) => Pair(((GRU)m).Forward(x[0]))),
        ["gru_bidirectional_batch_first_h0"] = (() => new GRU(3, 4, bidirectional: true, batchFirst: true, dtype: F64), (m, x) => Pair(((GRU)m).Forward(x[0], x[1]))),
        ["multihead_attention"] = (() => new MultiheadAttention(8, 2, dtype: F64), (m, x) => Pair(((MultiheadAttention)m).Forward(x[0], x[1], x[2]))),
        ["multihead_attention_masks_batch_first_kvdim"] = (() => new MultiheadAttention(8, 4, kdim: 6, vdim: 5, batchFirst: true, dtype: F64),
            (m, x) => Pair(((MultiheadAttention)m).Forward(x[0], x[1], x[2], keyPaddingMask: x[3], attnMask: x[4], averageAttnWeights: false))),
        ["transformer_encoder_layer"] = (() => new TransformerEncoderLayer(8, 2, dimFeedforward: 16, dtype: F64), (m, x) => [((TransformerEncoderLayer)m).Forward(x[0])]),
        ["transformer_encoder_layer_norm_first_gelu_batch_first"] = (() => new TransformerEncoderLayer(8, 4, dimFeedforward: 12, activation: "gelu", batchFirst: true, normFirst: true, dtype: F64),
            (m, x) => [((TransformerEncoderLayer)m).Forward(x[0])]),
        ["transformer_decoder_layer"] = (() => new TransformerDecoderLayer(8, 2, dimFeedforward: 16, dtype: F64),
            (m, x) => [((TransformerDecoderLayer)m).Forward(x[0], x[1], tgtMask: Tensor.Ones([4, 4], DType.Bool).Triu(1))]),
        ["transformer_encoder"] = (() => new TransformerEncoder(new TransformerEncoderLayer(8, 2, dimFeedforward: 16, dtype: F64), 2, new LayerNorm(8, dtype: F64)),
            (m, x) => [((TransformerEncoder)m).Forward(x[0], mask: Tensor.Full([5, 5], double.NegativeInfinity, F64).Triu(1))]),
    };

    private static Tensor[] One(Module m, Tensor[] x) => [((Module<Tensor, Tensor>)m).Forward(x[0])];

    private static Tensor[] Loss(Module m, Tensor[] x) => [((Kiln.NN.Loss)m).Forward(x[0], x[1])];

    private static Tensor[] Pair((Tensor A, Tensor? B) r) => r.B is null ? [r.A] : [r.A, r.B];

    private static Tensor[] Triple((Tensor Output, (Tensor H, Tensor C) State) r) => [r.Output, r.State.H, r.State.C];

    /// <summary>Every case in the reference file.</summary>
    public static TheoryData<string> Cases() => new(LayerReference.All.Keys.Order(StringComparer.Ordinal));

    [Fact]
    public void Every_reference_case_has_a_Kiln_layer()
    {
        var missing = LayerReference.All.Keys.Where(k => !Layers.ContainsKey(k)).ToArray();
        Assert.True(missing.Length == 0, $"cases without a Kiln layer: {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Layer_matches_torch(string name)
    {
        var reference = LayerReference.All[name];
        var (make, call) = Layers[name];
        var layer = make();
        layer.LoadStateDict(reference.State);
        layer.Train(reference.Train);
        var inputs = reference.Inputs.Select(t => t.DType.IsFloatingPoint() ? t.Clone().RequiresGrad_() : t).ToArray();
        var outputs = call(layer, inputs);
        Assert.True(outputs.Length == reference.Outputs.Length, $"{name}: Kiln gives {outputs.Length} outputs, torch {reference.Outputs.Length}");
        for (int i = 0; i < outputs.Length; i++)
            AssertClose($"{name} output {i}", reference.Outputs[i], outputs[i]);

        var loss = outputs.Zip(reference.Cotangents).Select(p => (p.First * p.Second).Sum()).Aggregate((a, b) => a + b);
        var named = layer.NamedParameters().Select(p => (p.Name, Tensor: (Tensor)p.Parameter))
            .Concat(inputs.Select((t, i) => (Name: $"input{i}", Tensor: t)).Where(p => p.Tensor.RequiresGrad)).ToArray();
        var grads = Kiln.Autograd.Grad([loss], named.Select(n => n.Tensor).ToArray(), allowUnused: true);
        for (int i = 0; i < named.Length; i++)
        {
            if (reference.Grads.TryGetValue(named[i].Name, out var expected))
                AssertClose($"{name} gradient of {named[i].Name}", expected, grads[i] ?? Tensor.ZerosLike(expected));
            else
                Assert.True(grads[i] is null || grads[i]!.Abs().Max().Item<double>() == 0, $"{name}: torch gives no gradient for {named[i].Name}, Kiln a non-zero one");
        }
        var after = layer.StateDict();
        foreach (var (key, expected) in reference.StateAfter)
            AssertClose($"{name} state '{key}' after the call", expected, after[key]);
    }

    private static void AssertClose(string what, Tensor expected, Tensor actual)
    {
        if (!expected.Shape.SequenceEqual(actual.Shape))
            throw new XunitException($"{what}: shape {Shapes.Format(actual.Shape)}, torch {Shapes.Format(expected.Shape)}");
        var e = expected.To(DType.Float64).Contiguous().ToArray<double>();
        var a = actual.Detach().To(DType.Float64).Contiguous().ToArray<double>();
        for (int i = 0; i < e.Length; i++)
        {
            bool same = (double.IsNaN(e[i]) && double.IsNaN(a[i])) || e[i] == a[i] || Math.Abs(e[i] - a[i]) <= 1e-8 + 1e-6 * Math.Abs(e[i]);
            if (!same) throw new XunitException($"{what}: element {i} is {a[i]:R}, torch {e[i]:R}");
        }
    }
}
