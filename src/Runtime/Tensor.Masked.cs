using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels.Indexing;

namespace Kiln;

public partial class Tensor
{
    /// <summary>
    /// This tensor with <paramref name="value"/> wherever the bool <paramref name="mask"/> is set
    /// (<c>torch.masked_fill</c>); self and mask broadcast together, and the value is converted to this dtype
    /// (floats truncate toward zero for integer tensors).
    /// </summary>
    /// <exception cref="ArgumentException">The mask is not bool (or uint8), the shapes do not broadcast, or the value overflows this dtype.</exception>
    public Tensor MaskedFill(Tensor mask, double value) =>
        Recorded("masked_fill", [this, mask], () => ValueAttrs(value), () => MaskedFillCopy(mask, FillValue("masked_fill", Scalar(value), DType), null));

    /// <summary>This tensor with the integer <paramref name="value"/> wherever <paramref name="mask"/> is set.</summary>
    /// <exception cref="ArgumentException">The mask is not bool, the shapes do not broadcast, or the value overflows this dtype.</exception>
    public Tensor MaskedFill(Tensor mask, long value) =>
        Recorded("masked_fill", [this, mask], () => ValueAttrs(value), () => MaskedFillCopy(mask, FillValue("masked_fill", Scalar(value), DType), null));

    /// <summary>This tensor with <paramref name="value"/> (1 or 0 in a numeric tensor) wherever <paramref name="mask"/> is set.</summary>
    /// <exception cref="ArgumentException">The mask is not bool, or the shapes do not broadcast.</exception>
    public Tensor MaskedFill(Tensor mask, bool value) =>
        Recorded("masked_fill", [this, mask], () => ValueAttrs(value ? 1 : 0), () => MaskedFillCopy(mask, FillValue("masked_fill", Scalar(value), DType), null));

    /// <summary>This tensor with the value of the 0-d tensor <paramref name="value"/> (of any dtype) wherever <paramref name="mask"/> is set.</summary>
    /// <exception cref="ArgumentException">The value tensor is not 0-d, the mask is not bool, the shapes do not broadcast, or the value overflows this dtype.</exception>
    public Tensor MaskedFill(Tensor mask, Tensor value) =>
        Recorded("masked_fill", [this, mask, value], () => Attrs.Empty, () => MaskedFillCopy(mask, TensorFillValue("masked_fill", mask, value), value));

    /// <summary>In-place <see cref="MaskedFill(Tensor, double)"/> (<c>masked_fill_</c>); the mask must broadcast to this shape.</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The mask is not bool, does not broadcast to this shape, or the value overflows this dtype.</exception>
    public Tensor MaskedFill_(Tensor mask, double value) =>
        InPlace("masked_fill_", [], () => MaskedFill(mask, value), () => MaskedFillInPlace(mask, FillValue("masked_fill_", Scalar(value), DType)));

    /// <summary>In-place <see cref="MaskedFill(Tensor, long)"/>.</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The mask is not bool, does not broadcast to this shape, or the value overflows this dtype.</exception>
    public Tensor MaskedFill_(Tensor mask, long value) =>
        InPlace("masked_fill_", [], () => MaskedFill(mask, value), () => MaskedFillInPlace(mask, FillValue("masked_fill_", Scalar(value), DType)));

    /// <summary>In-place <see cref="MaskedFill(Tensor, bool)"/>.</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The mask is not bool, or does not broadcast to this shape.</exception>
    public Tensor MaskedFill_(Tensor mask, bool value) =>
        InPlace("masked_fill_", [], () => MaskedFill(mask, value), () => MaskedFillInPlace(mask, FillValue("masked_fill_", Scalar(value), DType)));

    /// <summary>In-place <see cref="MaskedFill(Tensor, Tensor)"/>.</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The value tensor is not 0-d, the mask is not bool or does not broadcast to this shape, or the value overflows this dtype.</exception>
    public Tensor MaskedFill_(Tensor mask, Tensor value) =>
        InPlace("masked_fill_", [value], () => MaskedFill(mask, value), () => MaskedFillInPlace(mask, TensorFillValue("masked_fill_", mask, value)));

    /// <summary>
    /// The elements of this tensor where the bool <paramref name="mask"/> is set, self and mask broadcast
    /// together, as a 1-d tensor in row-major order (<c>torch.masked_select</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The mask is not bool (or uint8), or the shapes do not broadcast.</exception>
    public Tensor MaskedSelect(Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var call = Calls.Of("masked_select", IndexingOps.MaskedSelect, this, mask);
        var result = MaskedKernels.Select(this, mask, IndexingRules.MaskedShape(call, shape, mask.shape, mask.DType));
        return GradRecorder.IsNeeded(this) ? GradRecorder.Track(result, "masked_select", this, mask) : result;
    }

    /// <summary>
    /// The coordinates of the nonzero elements, an int64 tensor of shape [count, rank] in row-major order
    /// (<c>torch.nonzero</c>); NaN counts as nonzero, -0.0 as zero.
    /// </summary>
    public Tensor Nonzero() => NonzeroKernel.Run(this);

    private static Attrs ValueAttrs(double value) => new() { { "value", value } };

    private Tensor MaskedFillCopy(Tensor mask, Tensor value, Tensor? valueTensor)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var call = valueTensor is null ? Calls.Of("masked_fill", IndexingOps.MaskedFill, this, mask) : Calls.Of("masked_fill", IndexingOps.MaskedFill, this, mask, valueTensor);
        var result = Empty(DType, IndexingRules.MaskedShape(call, shape, mask.shape, mask.DType));
        MaskedKernels.Select(this, mask, value, result);
        return result;
    }

    private Tensor MaskedFillInPlace(Tensor mask, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var call = Calls.Of("masked_fill_", IndexingOps.MaskedFill, this, mask);
        IndexingRules.CheckIndexDType(call, mask.DType, IndexingRules.MaskDTypes, "mask");
        if (!Shapes.CanExpand(mask.shape, shape))
            throw new ArgumentException($"{call}: the mask cannot be broadcast to self's shape (an in-place fill keeps self's shape)");
        MaskedKernels.Fill(this, mask, value);
        return this;
    }

    /// <summary>The value of a 0-d value tensor converted to this dtype, with the overflow checks of a scalar value.</summary>
    private Tensor TensorFillValue(string op, Tensor mask, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(value);
        IndexingRules.CheckFillValue(Calls.Of(op, IndexingOps.MaskedFill, this, mask, value), value.shape);
        var wide = value.DType == DType.Bool ? value : value.To(value.DType.IsFloatingPoint() ? DType.Float64 : DType.Int64);
        return FillValue(op, wide, DType);
    }
}
