namespace Kiln.IR.Ops;

/// <summary>
/// The attribute, dtype and shape rules of the losses (PyTorch 1.13's), shared by the type rules in
/// <see cref="LossOps"/> and by the eager kernels, so each check and its message exist once. Messages
/// start with the call (<c>mse_loss(input float32[3, 5], target float32[3, 4])</c>) and say what is wrong.
/// </summary>
public static class LossRules
{
    /// <summary>The reduction named by <paramref name="reduction"/>; <c>batchmean</c> only where <paramref name="allowBatchMean"/>.</summary>
    /// <exception cref="ArgumentException">The name is not a reduction the op takes.</exception>
    public static LossReduction ParseReduction(string op, string reduction, bool allowBatchMean = false) => reduction switch
    {
        "none" => LossReduction.None,
        "mean" => LossReduction.Mean,
        "sum" => LossReduction.Sum,
        "batchmean" when allowBatchMean => LossReduction.BatchMean,
        _ => throw new ArgumentException($"{op}: '{reduction}' is not a valid value for reduction; expected "
            + (allowBatchMean ? "'none', 'batchmean', 'sum' or 'mean'" : "'none', 'mean' or 'sum'")),
    };

    /// <summary>The <c>reduction</c> attribute (default <c>mean</c>), parsed.</summary>
    /// <exception cref="ArgumentException">The value is not a reduction the op takes.</exception>
    public static LossReduction Reduction(string op, Attrs attrs, bool allowBatchMean = false) =>
        ParseReduction(op, attrs.GetString("reduction", "mean"), allowBatchMean);

    /// <summary>The result shape: the unreduced shape for <c>none</c>, 0-d otherwise.</summary>
    public static long[] ResultShape(LossReduction reduction, long[] unreduced) => reduction == LossReduction.None ? unreduced : [];

    /// <summary>Formats a call for error messages: <c>op(input float32[3, 4], target int64[3])</c>; null operands are left out.</summary>
    public static string Call(string op, params ReadOnlySpan<(string Name, TensorType? Type)> operands)
    {
        var parts = new List<string>(operands.Length);
        foreach (var (name, type) in operands)
        {
            if (type is not null) parts.Add(name + " " + type);
        }
        return $"{op}({string.Join(", ", parts)})";
    }

    /// <summary>Throws unless <paramref name="dtype"/> is a floating-point dtype.</summary>
    /// <exception cref="ArgumentException">It is not.</exception>
    public static void CheckFloat(string op, DType dtype, string what = "input") => TypeRules.CheckDType(op, dtype, DTypes.Floating, what);

    /// <summary>
    /// The promoted dtype of a loss's operands, ranks ignored (<c>torch.promote_types</c>): the regression losses
    /// broadcast their operands before they compute, so a 0-d operand promotes like any other.
    /// </summary>
    public static DType Promote(params ReadOnlySpan<TensorType> operands)
    {
        var dtype = operands[0].DType;
        foreach (var t in operands[1..]) dtype = DTypePromotion.Promote(dtype, t.DType);
        return dtype;
    }

    /// <summary>The dtype <c>torch.result_type</c> gives the operands (0-d operands only raise the category), for kl_div.</summary>
    public static DType ResultType(params ReadOnlySpan<TensorType> operands)
    {
        var kinds = new (DType, OperandKind)[operands.Length];
        for (int i = 0; i < operands.Length; i++)
            kinds[i] = (operands[i].DType, operands[i].Rank == 0 ? OperandKind.ZeroDim : OperandKind.Dimensioned);
        return DTypePromotion.ResultType(kinds);
    }

    /// <summary>The broadcast shape of the operands of an elementwise loss (the shape of its unreduced result).</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names the call.</exception>
    public static long[] Broadcast(string op, params ReadOnlySpan<(string Name, TensorType? Type)> operands)
    {
        long[]? shape = null;
        foreach (var (_, type) in operands)
        {
            if (type is null) continue;
            if (shape is null)
            {
                shape = type.Shape;
                continue;
            }
            try
            {
                shape = Shapes.Broadcast(op, shape, type.Shape);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{Call(op, operands)}: the shapes do not broadcast ({e.Message[(op.Length + 2)..]})", e);
            }
        }
        return shape ?? [];
    }

    /// <summary>Throws unless <paramref name="from"/> can be broadcast to <paramref name="to"/> without growing it (a weight of a loss).</summary>
    /// <exception cref="ArgumentException">It cannot.</exception>
    public static void CheckExpandsTo(string call, string what, long[] from, long[] to)
    {
        if (!Shapes.CanExpand(from, to))
            throw new ArgumentException($"{call}: {what} of shape {Shapes.Format(from)} cannot be broadcast to the input's shape {Shapes.Format(to)}");
    }

    /// <summary>smooth_l1_loss's <c>beta</c>: any value ≥ 0 (0 makes it the L1 loss).</summary>
    /// <exception cref="ArgumentException"><paramref name="beta"/> is negative or NaN.</exception>
    public static double CheckBeta(double beta) => beta >= 0 ? beta
        : throw new ArgumentException($"smooth_l1_loss: beta must be ≥ 0, got {beta}");

    /// <summary>huber_loss's <c>delta</c>: any value &gt; 0.</summary>
    /// <exception cref="ArgumentException"><paramref name="delta"/> is not positive.</exception>
    public static double CheckDelta(double delta) => delta > 0 ? delta
        : throw new ArgumentException($"huber_loss: delta must be > 0, got {delta}");

    /// <summary>cross_entropy's <c>label_smoothing</c>: a value in [0, 1].</summary>
    /// <exception cref="ArgumentException">It is outside [0, 1] or NaN.</exception>
    public static double CheckLabelSmoothing(string op, double labelSmoothing) => labelSmoothing is >= 0 and <= 1 ? labelSmoothing
        : throw new ArgumentException($"{op}: label_smoothing must be between 0.0 and 1.0, got {labelSmoothing}");

    /// <summary>How a class loss (cross_entropy, nll_loss) reads its target, and what it returns.</summary>
    /// <param name="Probabilities">Whether the target holds class probabilities (it has the input's shape) rather than class indices.</param>
    /// <param name="Classes">The number of classes C (the input's dim 1, or dim 0 of an unbatched input).</param>
    /// <param name="ResultDType">The dtype of the result.</param>
    /// <param name="UnreducedShape">The shape of the unreduced loss: the input's shape without the class dim.</param>
    public sealed record ClassLossForm(bool Probabilities, long Classes, DType ResultDType, long[] UnreducedShape);

    /// <summary>
    /// Checks a class loss: input [C], [N, C] or [N, C, d1, ...] (floating); target int64 class indices of
    /// the input's shape without the class dim, or (where <paramref name="allowProbabilities"/>) floating class
    /// probabilities of the input's own shape; weight 1-d with one value per class.
    /// </summary>
    /// <exception cref="ArgumentException">A dtype, shape or attribute is wrong; the message names the call.</exception>
    public static ClassLossForm ClassLoss(string op, TensorType input, TensorType target, TensorType? weight, long ignoreIndex, double labelSmoothing, bool allowProbabilities)
    {
        string call = Call(op, ("input", input), ("target", target), ("weight", weight));
        CheckFloat(op, input.DType);
        if (input.Rank == 0)
            throw new ArgumentException($"{call}: the input must have 1 or more dims ([C], [N, C] or [N, C, d1, ...]), got a 0-d tensor");
        long classes = input.Shape[input.Rank == 1 ? 0 : 1];
        CheckLabelSmoothing(op, labelSmoothing);
        if (weight is not null)
        {
            CheckFloat(op, weight.DType, "weight");
            if (weight.Rank != 1 || weight.Shape[0] != classes)
                throw new ArgumentException($"{call}: the weight must be 1-d with one value for each of the {classes} classes");
        }
        var unreduced = input.Rank == 1 ? [] : input.Shape.Where((_, d) => d != 1).ToArray();
        if (allowProbabilities && target.Shape.AsSpan().SequenceEqual(input.Shape))
        {
            if (!target.DType.IsFloatingPoint())
                throw new ArgumentException($"{call}: a target of the input's shape holds class probabilities and must be floating point, got {target.DType.Name()}");
            if (ignoreIndex >= 0)
                throw new ArgumentException($"{call}: ignore_index ({ignoreIndex}) is not supported with class-probability targets");
            var result = weight is null ? Promote(input, target) : Promote(input, target, weight);
            return new ClassLossForm(true, classes, result, unreduced);
        }
        if (target.DType != DType.Int64)
        {
            throw new ArgumentException(allowProbabilities
                ? $"{call}: the target must hold int64 class indices of shape {Shapes.Format(unreduced)} or class probabilities of the input's shape, got {target.DType.Name()}"
                : $"{call}: the target must hold int64 class indices, got {target.DType.Name()}");
        }
        if (!target.Shape.AsSpan().SequenceEqual(unreduced))
            throw new ArgumentException($"{call}: expected a target of shape {Shapes.Format(unreduced)} (the input's shape without the class dim 1)");
        if (weight is not null && weight.DType != input.DType)
            throw new ArgumentException($"{call}: the weight's dtype {weight.DType.Name()} must match the input's {input.DType.Name()}");
        return new ClassLossForm(false, classes, input.DType, unreduced);
    }

    /// <summary>
    /// binary_cross_entropy: probabilities in [0, 1] and a target of the same shape and dtype; a weight
    /// broadcastable to that shape. The result has the input's dtype.
    /// </summary>
    /// <exception cref="ArgumentException">A dtype or shape is wrong.</exception>
    public static TensorType BinaryCrossEntropy(TensorType input, TensorType target, TensorType? weight, LossReduction reduction)
    {
        const string op = "binary_cross_entropy";
        string call = Call(op, ("input", input), ("target", target), ("weight", weight));
        CheckFloat(op, input.DType);
        if (!target.Shape.AsSpan().SequenceEqual(input.Shape))
            throw new ArgumentException($"{call}: the target must have the input's shape");
        if (target.DType != input.DType)
            throw new ArgumentException($"{call}: the target's dtype {target.DType.Name()} must match the input's {input.DType.Name()}");
        if (weight is not null)
        {
            CheckFloat(op, weight.DType, "weight");
            CheckExpandsTo(call, "the weight", weight.Shape, input.Shape);
        }
        return new TensorType(input.DType, ResultShape(reduction, input.Shape));
    }

    /// <summary>
    /// binary_cross_entropy_with_logits: logits and a floating target of the same shape; weight and
    /// pos_weight broadcastable to it. The result has the target's dtype, as in PyTorch (which computes the
    /// loss in place in a tensor made from the target).
    /// </summary>
    /// <exception cref="ArgumentException">A dtype or shape is wrong.</exception>
    public static TensorType BinaryCrossEntropyWithLogits(TensorType input, TensorType target, TensorType? weight, TensorType? posWeight, LossReduction reduction)
    {
        const string op = "binary_cross_entropy_with_logits";
        string call = Call(op, ("input", input), ("target", target), ("weight", weight), ("pos_weight", posWeight));
        CheckFloat(op, input.DType);
        if (!target.Shape.AsSpan().SequenceEqual(input.Shape))
            throw new ArgumentException($"{call}: the target must have the input's shape");
        CheckFloat(op, target.DType, "target");
        foreach (var (name, type) in new[] { ("weight", weight), ("pos_weight", posWeight) })
        {
            if (type is null) continue;
            CheckFloat(op, type.DType, name);
            CheckExpandsTo(call, "the " + name, type.Shape, input.Shape);
        }
        return new TensorType(target.DType, ResultShape(reduction, input.Shape));
    }

    /// <summary>
    /// The unreduced shape of cosine_embedding_loss: inputs [N, D] with a target [N], or inputs [D] with a
    /// 0-d target; the inputs broadcast with each other and the per-row losses with the target.
    /// </summary>
    /// <exception cref="ArgumentException">The ranks or shapes do not fit.</exception>
    public static long[] CosineEmbeddingShape(TensorType input1, TensorType input2, TensorType target)
    {
        const string op = "cosine_embedding_loss";
        string call = Call(op, ("input1", input1), ("input2", input2), ("target", target));
        if (target.Rank > 1)
            throw new ArgumentException($"{call}: expected a 0-d or 1-d target (multi-target is not supported)");
        int rank = target.Rank + 1;
        if (input1.Rank != rank || input2.Rank != rank)
            throw new ArgumentException($"{call}: a {target.Rank}-d target expects {rank}-d inputs");
        var rows = Broadcast(op, ("input1", input1), ("input2", input2))[..^1];
        try
        {
            return Shapes.Broadcast(op, rows, target.Shape);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{call}: the target does not broadcast with the inputs' {Shapes.Format(rows)} rows", e);
        }
    }

    /// <summary>The unreduced shape of margin_ranking_loss: three operands of one rank, broadcast.</summary>
    /// <exception cref="ArgumentException">The ranks differ or the shapes do not broadcast.</exception>
    public static long[] MarginRankingShape(TensorType input1, TensorType input2, TensorType target)
    {
        const string op = "margin_ranking_loss";
        if (input1.Rank != input2.Rank || input1.Rank != target.Rank)
            throw new ArgumentException($"{Call(op, ("input1", input1), ("input2", input2), ("target", target))}: all operands must have the same number of dims");
        return Broadcast(op, ("input1", input1), ("input2", input2), ("target", target));
    }

    /// <summary>How ctc_loss reads its inputs.</summary>
    /// <param name="Batched">Whether log_probs is [T, N, C] (otherwise [T, C], a batch of one without the dim).</param>
    /// <param name="Batch">N (1 when unbatched).</param>
    /// <param name="Classes">C, blank included.</param>
    /// <param name="Padded">Whether targets is [N, S] (padded) rather than the 1-d concatenation of every target.</param>
    public sealed record CtcForm(bool Batched, long Batch, long Classes, bool Padded);

    /// <summary>
    /// Checks ctc_loss's operands: log_probs [T, N, C] or [T, C] (floating), targets [N, S] or 1-d
    /// (integers), one integer length per batch element in each of input_lengths and target_lengths, and a
    /// blank in [0, C). The lengths' values are checked by the kernel.
    /// </summary>
    /// <exception cref="ArgumentException">A dtype, shape or the blank is wrong.</exception>
    public static CtcForm Ctc(TensorType logProbs, TensorType targets, TensorType inputLengths, TensorType targetLengths, long blank)
    {
        const string op = "ctc_loss";
        string call = Call(op, ("log_probs", logProbs), ("targets", targets), ("input_lengths", inputLengths), ("target_lengths", targetLengths));
        CheckFloat(op, logProbs.DType, "log_probs");
        if (logProbs.Rank is not (2 or 3))
            throw new ArgumentException($"{call}: log_probs must be [T, N, C] or unbatched [T, C]");
        bool batched = logProbs.Rank == 3;
        long batch = batched ? logProbs.Shape[1] : 1, classes = logProbs.Shape[^1];
        foreach (var (name, type) in new[] { ("targets", targets), ("input_lengths", inputLengths), ("target_lengths", targetLengths) })
        {
            if (!type.DType.IsIntegral())
                throw new ArgumentException($"{call}: {name} must hold integers, got {type.DType.Name()}");
        }
        foreach (var (name, type) in new[] { ("input_lengths", inputLengths), ("target_lengths", targetLengths) })
        {
            if (type.Rank > 1 || Shapes.Numel(type.Shape) != batch)
                throw new ArgumentException($"{call}: {name} must be {(batched ? "1-d" : "0-d or 1-d")} with one length for each of the {batch} batch elements");
        }
        if (targets.Rank is not (1 or 2))
            throw new ArgumentException($"{call}: targets must be [N, S] (padded) or 1-d (concatenated)");
        if (targets.Rank == 2 && targets.Shape[0] != batch)
            throw new ArgumentException($"{call}: padded targets must have one row for each of the {batch} batch elements");
        if (blank < 0 || blank >= classes)
            throw new ArgumentException($"{call}: blank ({blank}) must be a class index in [0, {classes})");
        return new CtcForm(batched, batch, classes, targets.Rank == 2);
    }
}
