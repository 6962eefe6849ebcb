using Kiln.IR.Autodiff;

namespace Kiln.IR.Ops;

/// <summary>
/// The gradient rules of the indexing ops, PyTorch's formulas: what a gather reads, its backward adds back
/// (scatter_add into zeros); what a scatter overwrites gets no gradient; index and mask inputs get none.
/// </summary>
internal static class IndexingGradients
{
    /// <summary>Applies op <paramref name="op"/> to <paramref name="inputs"/>; its first result.</summary>
    internal static VjpValue Op(string op, Attrs attrs, params VjpValue[] inputs) => inputs[0].Emitter.Call(op, inputs, attrs)[0];

    private static Attrs DimOf(Attrs a) => new() { { "dim", IndexingRules.RequiredLong("gradient", a, "dim") } };

    /// <summary>gather: the gradient added back where each value was read.</summary>
    internal static VjpValue?[] Gather(VjpContext c) =>
        [c.NeedsInputGrad[0] ? Op("scatter_add", DimOf(c.Attrs), c.Input(0).ZerosLike(), c.Input(1), c.Grad) : null, null];

    /// <summary>scatter: self's overwritten positions get nothing; src gets the gradient of where it went.</summary>
    internal static VjpValue?[] Scatter(VjpContext c)
    {
        var self = c.NeedsInputGrad[0] ? Op("scatter", new Attrs { { "dim", c.Attrs["dim"] }, { "value", 0.0 } }, c.Grad, c.Input(1)) : null;
        return c.Inputs.Count == 2 ? [self, null] : [self, null, SourceGrad(c, 2)];
    }

    /// <summary>scatter_add: self's gradient passes through; src gets the gradient of where it was added.</summary>
    internal static VjpValue?[] ScatterAdd(VjpContext c) => [c.NeedsInputGrad[0] ? c.Grad : null, null, SourceGrad(c, 2)];

    /// <summary>The gradient of scatter's src: the output gradient gathered at the index, zero where src was not read.</summary>
    private static VjpValue? SourceGrad(VjpContext c, int input)
    {
        if (!c.NeedsInputGrad[input]) return null;
        return PadTo(Op("gather", DimOf(c.Attrs), c.Grad, c.Input(1)), c.Input(input).Shape);
    }

    /// <summary>
    /// <paramref name="value"/> zero-padded at the end of each dim to <paramref name="shape"/>: scatter reads only
    /// the leading block of a src larger than its index.
    /// </summary>
    internal static VjpValue PadTo(VjpValue value, long[] shape)
    {
        var have = value.Shape;
        if (have.AsSpan().SequenceEqual(shape)) return value;
        if (have.Length != shape.Length) return value.Reshape(shape);
        var pad = new long[2 * shape.Length];
        for (int i = 0; i < shape.Length; i++)
            pad[2 * i + 1] = shape[shape.Length - 1 - i] - have[shape.Length - 1 - i];
        return value.Call("pad", new Attrs { { "pad", pad }, { "mode", "constant" } });
    }

    /// <summary>scatter_reduce: PyTorch's rules for sum, mean, prod, amax and amin.</summary>
    internal static VjpValue?[] ScatterReduce(VjpContext c)
    {
        var reduce = c.Attrs.GetString("reduce", "");
        bool includeSelf = c.Attrs.GetBool("include_self", true);
        var dim = DimOf(c.Attrs);
        var (self, index, src, g) = (c.Input(0), c.Input(1), c.Input(2), c.Grad);
        VjpValue gradSelf, gradSrc;
        switch (reduce)
        {
            case "sum":
                gradSelf = g;
                gradSrc = Op("gather", dim, g, index);
                break;
            case "mean":
            {
                var counts = (includeSelf ? self.ZerosLike() + 1 : self.ZerosLike());
                counts = Op("scatter_add", dim, counts, index, src.ZerosLike() + 1);
                counts = Op("masked_fill", new Attrs { { "value", 1.0 } }, counts, counts.Call("eq", null, counts.Const(0)));
                gradSelf = g / counts;
                gradSrc = Op("gather", dim, g, index) / Op("gather", dim, counts, index);
                break;
            }
            case "amax" or "amin":
            {
                var result = c.Outputs[0];
                var value = Op("gather", dim, result, index);
                var selfIsResult = self.Call("eq", null, result).To(self.DType);
                var srcIsResult = src.Call("eq", null, value).To(self.DType);
                var shares = Op("scatter_add", dim, includeSelf ? selfIsResult : self.ZerosLike(), index, srcIsResult);
                // With include_self=false a position no index reaches keeps self and has no shares: its gradient passes whole.
                var distributed = g / (includeSelf ? shares : Op("masked_fill", new Attrs { { "value", 1.0 } }, shares, shares.Call("eq", null, shares.Const(0))));
                gradSelf = selfIsResult * distributed;
                gradSrc = srcIsResult * Op("gather", dim, distributed, index);
                break;
            }
            case "prod":
                (gradSelf, gradSrc) = ProdGrads(c, dim, includeSelf);
                break;
            default:
                throw new NotSupportedException($"scatter_reduce: no gradient for reduce='{reduce}'");
        }
        if (!includeSelf) gradSelf = Op("scatter", new Attrs { { "dim", dim["dim"] }, { "value", 0.0 } }, gradSelf, index);
        return [c.NeedsInputGrad[0] ? gradSelf : null, null, c.NeedsInputGrad[2] ? PadTo(gradSrc, src.Shape) : null];
    }

    /// <summary>
    /// scatter_reduce prod: each factor's gradient is the product of the others, found as result / factor when the
    /// factor is nonzero, and as the product with zeros taken as 1 when it is the only zero (PyTorch's rule).
    /// </summary>
    private static (VjpValue Self, VjpValue Src) ProdGrads(VjpContext c, Attrs dim, bool includeSelf)
    {
        var (self, index, src, g, result) = (c.Input(0), c.Input(1), c.Input(2), c.Grad, c.Outputs[0]);
        var selfZero = self.Call("eq", null, self.Const(0));
        var srcZero = src.Call("eq", null, src.Const(0));
        var one = new Attrs { { "value", 1.0 } };
        var maskedSelf = Op("masked_fill", one, self, selfZero);
        var maskedSrc = Op("masked_fill", one, src, srcZero);
        var maskedResult = Op("scatter_reduce", new Attrs { { "dim", dim["dim"] }, { "reduce", "prod" }, { "include_self", includeSelf } }, maskedSelf, index, maskedSrc);
        var zeros = Op("scatter_add", dim, includeSelf ? selfZero.To(self.DType) : self.ZerosLike(), index, srcZero.To(self.DType));
        var onlyZero = zeros.Call("eq", null, zeros.Const(1));
        var gradSelf = Op("where", Attrs.Empty, selfZero, Op("where", Attrs.Empty, onlyZero, g * maskedResult, g.ZerosLike()), g * result / maskedSelf);
        var gradAt = Op("where", Attrs.Empty, onlyZero, g * maskedResult, g.ZerosLike());
        var gradSrc = Op("where", Attrs.Empty, srcZero, Op("gather", dim, gradAt, index), Op("gather", dim, g * result, index) / maskedSrc);
        return (gradSelf, gradSrc);
    }

    /// <summary>index_select: the gradient added back into the selected slices.</summary>
    internal static VjpValue?[] IndexSelect(VjpContext c) =>
        [c.NeedsInputGrad[0] ? Op("index_add", DimOf(c.Attrs), c.Input(0).ZerosLike(), c.Input(1), c.Grad.Reshape(SelectedShape(c))) : null, null];

    /// <summary>The shape index_select's kernel gives before viewing it as the result: the same, except for a 0-d self.</summary>
    private static long[] SelectedShape(VjpContext c)
    {
        var self = c.Input(0).Shape;
        return self.Length == 0 ? [] : c.Grad.Shape;
    }

    /// <summary>index_add: self's gradient passes through; source gets alpha times the gradient of the slices it went to.</summary>
    internal static VjpValue?[] IndexAdd(VjpContext c)
    {
        VjpValue? source = null;
        if (c.NeedsInputGrad[2])
        {
            var selected = Op("index_select", DimOf(c.Attrs), c.Grad, c.Input(1)).Reshape(c.Input(2).Shape);
            double alpha = c.Attrs.GetDouble("alpha", 1);
            source = alpha == 1 ? selected : selected * alpha;
        }
        return [c.NeedsInputGrad[0] ? c.Grad : null, null, source];
    }

    /// <summary>index (advanced indexing): the gradient accumulated back into the positions read.</summary>
    internal static VjpValue?[] Index(VjpContext c)
    {
        var grads = new VjpValue?[c.Inputs.Count];
        if (c.NeedsInputGrad[0])
        {
            var attrs = new Attrs { { "accumulate", true } };
            if (c.Attrs["dims"] is not null) attrs.Add("dims", c.Attrs["dims"]);
            grads[0] = c.Emitter.Call("index_put", [c.Input(0).ZerosLike(), c.Grad, .. IndexInputs(c, 1)], attrs)[0];
        }
        return grads;
    }

    /// <summary>index_put: values get the gradient at the positions written; self gets it except where values replaced it.</summary>
    internal static VjpValue?[] IndexPut(VjpContext c)
    {
        var grads = new VjpValue?[c.Inputs.Count];
        var indices = IndexInputs(c, 2);
        if (c.NeedsInputGrad[0])
        {
            if (c.Attrs.GetBool("accumulate", false)) grads[0] = c.Grad;
            else
            {
                var attrs = new Attrs { { "accumulate", false } };
                if (c.Attrs["dims"] is not null) attrs.Add("dims", c.Attrs["dims"]);
                grads[0] = c.Emitter.Call("index_put", [c.Grad, c.Emitter.Scalar(0, c.Grad.DType), .. indices], attrs)[0];
            }
        }
        if (c.NeedsInputGrad[1])
        {
            var attrs = c.Attrs["dims"] is null ? Attrs.Empty : new Attrs { { "dims", c.Attrs["dims"] } };
            var read = c.Emitter.Call("index", [c.Grad, .. indices], attrs)[0];
            grads[1] = read.SumTo(c.Input(1).Shape, c.Input(1).DType);
        }
        return grads;
    }

    private static VjpValue[] IndexInputs(VjpContext c, int first)
    {
        var indices = new VjpValue[c.Inputs.Count - first];
        for (int i = 0; i < indices.Length; i++) indices[i] = c.Input(first + i);
        return indices;
    }

    /// <summary>masked_fill: self gets the gradient where the mask is clear; a value tensor gets the sum where it is set.</summary>
    internal static VjpValue?[] MaskedFill(VjpContext c)
    {
        var (self, mask, g) = (c.Input(0), c.Input(1), c.Grad);
        var gradSelf = c.NeedsInputGrad[0] ? Op("masked_fill", new Attrs { { "value", 0.0 } }, g, mask).SumTo(self.Shape, self.DType) : null;
        if (c.Inputs.Count == 2) return [gradSelf, null];
        var gradValue = c.NeedsInputGrad[2] ? (g * mask.To(g.DType)).Sum([]).Reshape(c.Input(2).Shape) : null;
        return [gradSelf, null, gradValue];
    }

    /// <summary>masked_select: the gradient put back where the mask is set, zeros elsewhere.</summary>
    internal static VjpValue?[] MaskedSelect(VjpContext c)
    {
        if (!c.NeedsInputGrad[0]) return [null, null];
        var (self, mask) = (c.Input(0), c.Input(1));
        var shape = Shapes.Broadcast("masked_select", [self.Shape, mask.Shape]);
        var zeros = c.Emitter.Zeros(c.Grad.DType, shape);
        var placed = Op("index_put", new Attrs { { "accumulate", false } }, zeros, c.Grad, mask.Expand(shape));
        return [placed.SumTo(self.Shape, self.DType), null];
    }

    /// <summary>embedding: the rows read get the gradient added up (padding_idx's row none), by embedding_backward.</summary>
    internal static VjpValue?[] Embedding(VjpContext c)
    {
        if (!c.NeedsInputGrad[1]) return [null, null];
        var attrs = new Attrs { { "num_weights", c.Input(1).Shape[0] } };
        if (c.Attrs["padding_idx"] is not null) attrs.Add("padding_idx", c.Attrs["padding_idx"]);
        return [null, Op("embedding_backward", attrs, c.Grad, c.Input(0))];
    }

    /// <summary>embedding_backward (linear in grad_output): the rows of its gradient read back at the indices, padding_idx's row as zeros.</summary>
    internal static VjpValue?[] EmbeddingBackward(VjpContext c)
    {
        if (!c.NeedsInputGrad[0]) return [null, null];
        var rows = c.Grad;
        if (IndexingOps.PaddingIdx(c.Attrs) is { } p)
        {
            long n = rows.Shape[0];
            var keep = MovementGradients.Ramp(c.Emitter, n).Call("ne", null, c.Emitter.Scalar(p < 0 ? p + n : p, DType.Float64));
            rows = rows * keep.To(rows.DType).Reshape([n, 1]);
        }
        return [Op("embedding", Attrs.Empty, c.Input(1), rows), null];
    }
}
