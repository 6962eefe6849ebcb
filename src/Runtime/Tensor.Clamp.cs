using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels.Elementwise;

namespace Kiln;

// torch.clamp: bounds are scalars or tensors; either may be left out, not both. A lower bound above the
// upper one gives the upper bound everywhere, and NaN in any operand gives NaN, as in PyTorch.
public partial class Tensor
{
    /// <summary>
    /// Clamps every element into [<paramref name="min"/>, <paramref name="max"/>] (<c>torch.clamp</c>). Float
    /// bounds make an integer tensor's result float32. The gradient passes where the element is within the bounds.
    /// </summary>
    /// <exception cref="ArgumentException">Both bounds are null.</exception>
    public Tensor Clamp(double? min = null, double? max = null) => TrackClamp(ClampScalars(min, max, null), min, max);

    /// <summary>Clamps into integer bounds, keeping integer dtypes.</summary>
    /// <exception cref="ArgumentException">Both bounds are null, or a bound does not fit this tensor's integer dtype.</exception>
    public Tensor Clamp(long? min = null, long? max = null) => TrackClamp(ClampScalars(min, max, null), min, max);

    /// <summary>
    /// Clamps elementwise between tensor bounds (each broadcast with this tensor; either may be null). Under
    /// autograd the gradient goes to this tensor where it is within the bounds, else to the bound it was clamped to.
    /// </summary>
    public Tensor Clamp(Tensor? min, Tensor? max) => AnyAutograd(this, min, max) && GradRecorder.IsNeeded([this, min, max])
        ? ClampRecorded(min, max)
        : ClampTensors(min, max, null);

    /// <summary>In place: <c>x = clamp(x, min, max)</c>.</summary>
    public Tensor Clamp_(double? min = null, double? max = null) => InPlaceNeedsGrad()
        ? InPlaceWithGrad("clamp_", (min, max), static (t, b) => t.Clamp(b.min, b.max))
        : ClampScalars(min, max, this);

    /// <summary>In place: <c>x = clamp(x, min, max)</c> with integer bounds.</summary>
    public Tensor Clamp_(long? min = null, long? max = null) => InPlaceNeedsGrad()
        ? InPlaceWithGrad("clamp_", (min, max), static (t, b) => t.Clamp(b.min, b.max))
        : ClampScalars(min, max, this);

    /// <summary>In place: <c>x = clamp(x, min, max)</c> with tensor bounds.</summary>
    public Tensor Clamp_(Tensor? min, Tensor? max) => InPlaceNeedsGrad(min, max)
        ? InPlaceWithGrad("clamp_", (min, max), static (t, b) => t.Clamp(b.min, b.max))
        : ClampTensors(min, max, this);

    /// <summary>Records the registry's clamp, whose bounds are scalar attributes (made only when recording).</summary>
    private Tensor TrackClamp(Tensor result, object? min, object? max) =>
        GradRecorder.IsNeeded(this) ? GradRecorder.Track(result, "clamp", this, new Attrs { { "min", min }, { "max", max } }) : result;

    /// <summary>
    /// Tensor-bound clamp built from recorded where ops (the registry's clamp takes scalar bounds): first raise
    /// to min, then lower to max, so min &gt; max gives max and a NaN anywhere gives NaN, exactly as the kernel.
    /// </summary>
    private Tensor ClampRecorded(Tensor? min, Tensor? max)
    {
        if (min is null && max is null)
            throw new ArgumentException("clamp: at least one of 'min' and 'max' must be given");
        var result = this;
        if (min is not null) result = Where(result.Lt(min).LogicalOr(min.IsNan()), min, result);
        if (max is not null) result = Where(result.Gt(max).LogicalOr(max.IsNan()), max, result);
        return result;
    }

    /// <summary>Clamps with scalar bounds: each is null, a boxed long or a boxed double (the attribute forms).</summary>
    private Tensor ClampScalars(object? min, object? max, Tensor? output)
    {
        var promoted = UnaryMathOps.ClampResultDType(new TensorType(DType, shape), min, max);
        return ClampWith(Bound(min, promoted, "min"), Bound(max, promoted, "max"), promoted, output);
    }

    private Tensor ClampTensors(Tensor? min, Tensor? max, Tensor? output)
    {
        if (min is null && max is null)
            throw new ArgumentException("clamp: at least one of 'min' and 'max' must be given");
        var operands = new List<(DType, OperandKind)> { (DType, KindOf(this)) };
        if (min is not null) operands.Add((min.DType, KindOf(min)));
        if (max is not null) operands.Add((max.DType, KindOf(max)));
        return ClampWith(min, max, DTypePromotion.ResultType(operands.ToArray()), output);
    }

    private Tensor ClampWith(Tensor? low, Tensor? high, DType promoted, Tensor? output)
    {
        var dtypes = UnaryMathOps.Clamp.DTypes;
        if (low is not null && high is not null)
            return TernaryDriver.Number("clamp", this, low, high, promoted, new ClampOp(), dtypes, output);
        return low is not null
            ? BinaryDriver.Number("clamp", this, low, promoted, new MaximumOp(), dtypes, output)
            : BinaryDriver.Number("clamp", this, high!, promoted, new MinimumOp(), dtypes, output);
    }

    private static OperandKind KindOf(Tensor t) => t.Dim == 0 ? OperandKind.ZeroDim : OperandKind.Dimensioned;

    /// <summary>A scalar bound as a 0-d tensor of the result dtype; integer bounds must fit it, as PyTorch checks.</summary>
    private static Tensor? Bound(object? value, DType dtype, string name)
    {
        switch (value)
        {
            case null:
                return null;
            case long l:
                if (dtype.IsIntegral() && !Operands.FitsInteger(l, dtype))
                    throw new ArgumentException($"clamp: {name} value {l} cannot be converted to {dtype.Name()} without overflow");
                return Operands.WrapScalar(l, dtype);
            default:
                return Operands.WrapScalar((double)value, dtype);
        }
    }
}
