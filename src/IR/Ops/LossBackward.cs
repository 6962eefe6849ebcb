namespace Kiln.IR.Ops;

public static partial class LossOps
{
    /// <summary>
    /// The input gradient of <c>cross_entropy</c> (PyTorch fuses log_softmax and nll_loss's backward the same way):
    /// at each position, grad·(Σq·softmax(input) - q), where q is the weighted (and smoothed) target distribution;
    /// zero at ignored targets. Inputs: grad_output (the loss's shape), then cross_entropy's inputs and attributes.
    /// </summary>
    public static OpDef CrossEntropyBackward => crossEntropyBackward ??= ClassLossBackward("cross_entropy", CrossEntropy, labelSmoothing: true);

    /// <summary>The input gradient of <c>nll_loss</c>: -weight[target]·grad at each target class, zero elsewhere and at ignored targets.</summary>
    public static OpDef NllLossBackward => nllLossBackward ??= ClassLossBackward("nll_loss", NllLoss, labelSmoothing: false);

    /// <summary>
    /// The log_probs gradient of <c>ctc_loss</c> by the forward-backward algorithm: inputs grad_output (the loss's
    /// shape), then ctc_loss's inputs and attributes.
    /// </summary>
    public static OpDef CtcLossBackward => ctcLossBackward ??= new()
    {
        Name = "ctc_loss_backward",
        Family = Family,
        Inputs = ["grad_output", "log_probs", "targets", "input_lengths", "target_lengths"],
        Attributes = CtcLoss.Attributes,
        DTypes = DTypes.Floating,
        InferTypes = (inputs, attrs) =>
        {
            CheckCount("ctc_loss_backward", 5, 5, inputs.Count);
            CheckGradOutput("ctc_loss_backward", inputs[0], CtcLoss.InferTypes([.. inputs.Skip(1)], attrs)[0], inputs[1], attrs);
            return [inputs[1]];
        },
        Samples = () => BackwardSamples(CtcLoss),
    };

    // Built on first use: they refer to the forward ops, which a static initializer of another file may not have set yet.
    private static OpDef? crossEntropyBackward, nllLossBackward, ctcLossBackward;

    private static OpDef ClassLossBackward(string forward, OpDef forwardDef, bool labelSmoothing) => new()
    {
        Name = forward + "_backward",
        Family = Family,
        Inputs = ["grad_output", "input", "target", "weight"],
        RequiredInputs = 3,
        Attributes = labelSmoothing ? [ReductionAttr, IgnoreIndex, new AttrDef("label_smoothing", "float", 0.0)] : [ReductionAttr, IgnoreIndex],
        DTypes = DTypes.Floating,
        InferTypes = (inputs, attrs) =>
        {
            string op = forward + "_backward";
            CheckCount(op, 3, 4, inputs.Count);
            var loss = forwardDef.InferTypes([.. inputs.Skip(1)], attrs)[0];
            CheckGradOutput(op, inputs[0], loss, inputs[1], attrs);
            return [new TensorType(inputs[1].DType, inputs[1].Shape)];
        },
        Samples = () => BackwardSamples(forwardDef),
    };

    /// <summary>Checks that a backward op's grad_output has the forward result's shape (the message names the input's shape and the reduction) and a floating dtype.</summary>
    /// <exception cref="ArgumentException">It does not.</exception>
    public static void CheckGradOutput(string op, TensorType grad, TensorType result, TensorType input, Attrs attrs)
    {
        LossRules.CheckFloat(op, grad.DType, "grad_output");
        if (!grad.Shape.AsSpan().SequenceEqual(result.Shape))
            throw new ArgumentException($"{op}: grad_output has shape {Shapes.Format(grad.Shape)} but the loss of an input of shape {Shapes.Format(input.Shape)} with reduction '{attrs.GetString("reduction", "mean")}' has shape {Shapes.Format(result.Shape)}");
    }

    /// <summary>The forward op's valid samples with a grad_output of the loss's shape and dtype in front.</summary>
    private static IEnumerable<OpSample> BackwardSamples(OpDef forward)
    {
        foreach (var sample in forward.Samples())
        {
            TensorType loss;
            try
            {
                loss = forward.InferTypes([.. sample.Inputs.Select(s => new TensorType(s.DType, s.Shape))], sample.Attrs)[0];
            }
            catch (ArgumentException)
            {
                continue;
            }
            yield return sample with { Inputs = [new TensorSpec(loss.DType, loss.Shape), .. sample.Inputs] };
        }
    }
}
