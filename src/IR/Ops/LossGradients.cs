using Kiln.IR.Autodiff;

namespace Kiln.IR.Ops;

/// <summary>
/// The gradient rules of the losses: the derivative of each per-element loss times the incoming gradient,
/// scaled by the reduction (1/count for mean, 1/batch for batchmean), summed back over broadcast dims.
/// The class losses go through their backward primitives (a fused softmax pass for cross_entropy).
/// </summary>
internal static class LossGradients
{
    /// <summary>
    /// The incoming gradient as a factor of the per-element losses of shape <paramref name="unreduced"/>: itself for
    /// none, divided by the count for mean (by the batch size for batchmean), as is for sum.
    /// </summary>
    private static VjpValue Scale(VjpContext c, long[] unreduced, string op)
    {
        var reduction = LossRules.Reduction(op, c.Attrs, allowBatchMean: op == "kl_div");
        return reduction switch
        {
            LossReduction.Mean => c.Grad / Shapes.Numel(unreduced),
            LossReduction.BatchMean => c.Grad / (c.Input(0).Rank == 0 ? 1 : c.Input(0).Shape[0]),
            _ => c.Grad,
        };
    }

    private static long[] Broadcast(VjpValue a, VjpValue b) => Shapes.Broadcast("loss gradient", [a.Shape, b.Shape]);

    /// <summary>Input <paramref name="input"/>'s gradient when it needs one: <paramref name="grad"/> broadcast with the input, then summed back to its shape.</summary>
    private static VjpValue? To(VjpContext c, int input, Func<VjpValue> grad)
    {
        if (c.Inputs.Count <= input || c.Inputs[input] is not { } x || !c.NeedsInputGrad[input]) return null;
        var g = grad();
        return g.Expand(Shapes.Broadcast("loss gradient", [g.Shape, x.Shape])).SumTo(x.Shape, x.DType);
    }

    /// <summary>The gradients of the inputs given (the optional ones left out get none).</summary>
    private static VjpValue?[] PerInput(VjpContext c, VjpValue?[] grads) => grads[..c.Inputs.Count];

    /// <summary>A regression loss whose derivative with respect to d = input - target is <paramref name="derivative"/>(d).</summary>
    internal static VjpRule Regression(string op, Func<VjpValue, Attrs, VjpValue> derivative) => c =>
    {
        var (x, t) = (c.Input(0), c.Input(1));
        var scale = Scale(c, Broadcast(x, t), op);
        var dx = derivative(x - t, c.Attrs) * scale;
        return [To(c, 0, () => dx), To(c, 1, () => -dx)];
    };

    /// <summary>sign(d), the derivative of |d|.</summary>
    internal static VjpValue Sign(VjpValue d) => d.Call("sign");

    /// <summary>d inside the band |d| &lt; width, width·sign(d) outside (huber's derivative; smooth_l1's times 1/beta).</summary>
    internal static VjpValue Clipped(VjpValue d, double width) =>
        IndexingGradients.Op("where", Attrs.Empty, d.Call("abs").Call("lt", null, d.Const(width)), d, Sign(d) * width);

    /// <summary>binary_cross_entropy: PyTorch's (x - y)/max(x(1 - x), 1e-12) for the input, the clamped log ratio for the target.</summary>
    internal static VjpValue?[] BinaryCrossEntropy(VjpContext c)
    {
        var (x, y) = (c.Input(0), c.Input(1));
        var w = c.Inputs.Count > 2 ? c.Inputs[2] : null;
        var scale = Scale(c, x.Shape, "binary_cross_entropy");
        var weighted = w is null ? scale : scale * w;
        var logX = ClampedLog(x);
        var log1mX = ClampedLog(1.0 - x);
        return PerInput(c,
        [
            To(c, 0, () => weighted * (x - y) / (x * (1.0 - x)).Call("clamp", new Attrs { { "min", 1e-12 } })),
            To(c, 1, () => weighted * (log1mX - logX)),
            To(c, 2, () => -(y * logX + (1.0 - y) * log1mX) * scale),
        ]);
    }

    private static VjpValue ClampedLog(VjpValue v) => v.Call("log").Call("clamp", new Attrs { { "min", -100.0 } });

    /// <summary>binary_cross_entropy_with_logits: w·(l·σ(x) - p·y) with l = 1 + (p - 1)·y, and the target, weight and pos_weight terms.</summary>
    internal static VjpValue?[] BinaryCrossEntropyWithLogits(VjpContext c)
    {
        var (x, y) = (c.Input(0), c.Input(1));
        var w = c.Inputs.Count > 2 ? c.Inputs[2] : null;
        var p = c.Inputs.Count > 3 ? c.Inputs[3] : null;
        var scale = Scale(c, x.Shape, "binary_cross_entropy_with_logits");
        var weighted = w is null ? scale : scale * w;
        var softplus = (-x).Call("softplus");
        var pY = p is null ? y : p * y;
        var l = p is null ? y.ZerosLike() + 1 : (p - 1.0) * y + 1.0;
        return PerInput(c,
        [
            To(c, 0, () => weighted * (l * x.Call("sigmoid") - pY)),
            To(c, 1, () => weighted * (p is null ? -x : (p - 1.0) * softplus - x)),
            To(c, 2, () => scale * ((1.0 - y) * x + l * softplus)),
            To(c, 3, () => weighted * y * softplus),
        ]);
    }

    /// <summary>kl_div: -target (or -e^target) for the input; log(target) + 1 - input where target &gt; 0 (or e^target·(target - input + 1)).</summary>
    internal static VjpValue?[] KlDiv(VjpContext c)
    {
        var (x, t) = (c.Input(0), c.Input(1));
        var scale = Scale(c, Broadcast(x, t), "kl_div");
        if (c.Attrs.GetBool("log_target", false))
        {
            var e = t.Call("exp");
            return [To(c, 0, () => -e * scale), To(c, 1, () => e * (t - x + 1.0) * scale)];
        }
        var positive = t.Call("gt", null, t.Const(0));
        return
        [
            To(c, 0, () => -t * scale),
            To(c, 1, () => IndexingGradients.Op("where", Attrs.Empty, positive, t.Call("log") + 1.0 - x, t.ZerosLike()) * scale),
        ];
    }

    /// <summary>margin_ranking_loss: ∓target and -(input1 - input2) where the hinge is ≥ 0 (torch's clamp_min passes the gradient at the kink).</summary>
    internal static VjpValue?[] MarginRanking(VjpContext c)
    {
        var (a, b, y) = (c.Input(0), c.Input(1), c.Input(2));
        var diff = a - b;
        var hinge = -y * diff + c.Attrs.GetDouble("margin", 0);
        var active = hinge.Call("ge", null, hinge.Const(0)).To(hinge.DType);
        var unreduced = Shapes.Broadcast("margin_ranking_loss", [a.Shape, b.Shape, y.Shape]);
        var g = active * Scale(c, unreduced, "margin_ranking_loss");
        return [To(c, 0, () => -y * g), To(c, 1, () => y * g), To(c, 2, () => -diff * g)];
    }

    /// <summary>
    /// cosine_embedding_loss: dL/dcos (-1 where target is 1, 1 where it is -1 and cos &gt; margin) times
    /// dcos/dx1 = x2/|x1||x2| - cos·x1/|x1|² (norms with PyTorch's 1e-12 added to the squares), and symmetrically.
    /// </summary>
    internal static VjpValue?[] CosineEmbedding(VjpContext c)
    {
        const double epsilon = 1e-12;
        var (a, b, y) = (c.Input(0), c.Input(1), c.Input(2));
        var dtype = DTypePromotion.Promote(a.DType, b.DType);
        (a, b) = (a.To(dtype), b.To(dtype));
        long[] last = [-1];
        var aa = (a * a).Sum(last, keepdim: true) + epsilon;
        var bb = (b * b).Sum(last, keepdim: true) + epsilon;
        var norm = (aa * bb).Call("sqrt");
        var cos = (a * b).Sum(last, keepdim: true) / norm;
        var labels = y.To(dtype).Reshape([.. y.Shape, 1]);
        var isPositive = labels.Call("eq", null, labels.Const(1)).To(dtype);
        var isNegative = labels.Call("eq", null, labels.Const(-1)).To(dtype);
        var above = cos.Call("gt", null, cos.Const(c.Attrs.GetDouble("margin", 0))).To(dtype);
        var unreduced = LossRules.CosineEmbeddingShape(new TensorType(a.DType, a.Shape), new TensorType(b.DType, b.Shape), new TensorType(y.DType, y.Shape));
        var g = Scale(c, unreduced, "cosine_embedding_loss");
        var k = (isNegative * above - isPositive) * g.Reshape([.. g.Shape, 1]);
        return
        [
            To(c, 0, () => k * (b / norm - cos * a / aa)),
            To(c, 1, () => k * (a / norm - cos * b / bb)),
            null,
        ];
    }

    /// <summary>
    /// cross_entropy: the input's gradient by cross_entropy_backward; class-probability targets also get
    /// -(1 - label_smoothing)·weight·log_softmax(input), scaled.
    /// </summary>
    internal static VjpValue?[] CrossEntropy(VjpContext c) => ClassLoss(c, "cross_entropy");

    /// <summary>nll_loss: the input's gradient by nll_loss_backward (-weight at each target class, scaled).</summary>
    internal static VjpValue?[] NllLoss(VjpContext c) => ClassLoss(c, "nll_loss");

    private static VjpValue?[] ClassLoss(VjpContext c, string op)
    {
        var (x, t) = (c.Input(0), c.Input(1));
        var w = c.Inputs.Count > 2 ? c.Inputs[2] : null;
        VjpValue[] operands = w is null ? [c.Grad, x, t] : [c.Grad, x, t, w];
        var gradInput = c.NeedsInputGrad[0] ? c.Emitter.Call(op + "_backward", operands, c.Attrs)[0] : null;
        VjpValue? gradTarget = null;
        if (t.DType.IsFloatingPoint() && c.NeedsInputGrad[1])
        {
            int classDim = x.Rank == 1 ? 0 : 1;
            var scale = Scale(c, x.Rank == 1 ? [] : [.. x.Shape.Where((_, d) => d != 1)], op);
            var perClass = (long[])x.Shape.Clone();
            for (int d = 0; d < perClass.Length; d++) perClass[d] = d == classDim ? x.Shape[d] : 1;
            var factor = scale.Rank == 0 ? scale : scale.Reshape([.. x.Shape.Select((s, d) => d == classDim ? 1 : s)]);
            if (w is not null) factor = factor * w.Reshape(perClass);
            var logSoftmax = x.Call("log_softmax", new Attrs { { "dim", (long)classDim } });
            gradTarget = logSoftmax * factor * -(1 - c.Attrs.GetDouble("label_smoothing", 0));
        }
        if (w is null) return [gradInput, gradTarget];
        return [gradInput, gradTarget, c.NeedsInputGrad[2] ? WeightGrad(c, op, w) : null];
    }

    /// <summary>
    /// The class weights' gradient (PyTorch computes none): Σ over positions of the incoming gradient times each
    /// class's unweighted loss terms; a weighted mean also divides by the summed target weights W, whose own
    /// dependence on the weights subtracts loss·count(class)/W.
    /// </summary>
    private static VjpValue WeightGrad(VjpContext c, string op, VjpValue w)
    {
        var (x, t, g) = (c.Input(0), c.Input(1), c.Grad);
        int classDim = x.Rank == 1 ? 0 : 1;
        long classes = x.Shape[classDim];
        double smoothing = c.Attrs.GetDouble("label_smoothing", 0);
        var reduction = LossRules.Reduction(op, c.Attrs);
        var logp = op == "cross_entropy" ? x.Call("log_softmax", new Attrs { { "dim", (long)classDim } }) : x;
        long[] otherDims = [.. Enumerable.Range(0, x.Rank).Where(d => d != classDim).Select(d => (long)d)];
        long[] classShape = [.. x.Shape.Select((s, d) => d == classDim ? s : 1)];
        VjpValue PerClass(VjpValue v) => (otherDims.Length == 0 ? v : v.Sum(otherDims)).Reshape([classes]);
        VjpValue Unsqueezed(VjpValue v) => v.Rank == 0 ? v : v.Reshape([.. x.Shape.Select((s, d) => d == classDim ? 1 : s)]);
        if (t.DType.IsFloatingPoint())
        {
            var q = t * (1 - smoothing) + smoothing / classes;
            var factor = reduction == LossReduction.Mean ? g / (Shapes.Numel(x.Shape) / Math.Max(classes, 1)) : Unsqueezed(g);
            return PerClass(-logp * q * factor);
        }
        var ignored = t.Call("eq", null, t.Const(c.Attrs.GetLong("ignore_index", -100)));
        var valid = ignored.Call("logical_not").To(x.DType);
        long positions = Math.Max(1, Shapes.Numel(t.Shape));
        var index = IndexingGradients.Op("masked_fill", new Attrs { { "value", 0.0 } }, t, ignored).Reshape([positions]);
        var picked = IndexingGradients.Op("gather", new Attrs { { "dim", (long)classDim } }, logp, index.Reshape(x.Rank == 1 ? [1] : [.. t.Shape.Take(1), 1, .. t.Shape.Skip(1)]));
        var gPerPosition = reduction == LossReduction.None ? g.Reshape(t.Shape) : g;
        var nllTerms = (picked.Reshape(t.Shape) * gPerPosition * valid * -(1 - smoothing)).Reshape([positions]);
        var grad = IndexingGradients.Op("index_add", new Attrs { { "dim", 0L } }, c.Emitter.Zeros(nllTerms.DType, [classes]), index, nllTerms);
        if (smoothing > 0)
            grad = grad + PerClass(-logp * Unsqueezed(gPerPosition * valid)) * (smoothing / classes);
        if (reduction != LossReduction.Mean) return grad;
        var validFlat = valid.Reshape([positions]);
        var counts = IndexingGradients.Op("index_add", new Attrs { { "dim", 0L } }, c.Emitter.Zeros(validFlat.DType, [classes]), index, validFlat);
        var total = (IndexingGradients.Op("index_select", new Attrs { { "dim", 0L } }, w, index).To(validFlat.DType) * validFlat).Sum([]);
        return (grad - g * c.Outputs[0] * counts) / total;
    }
}
