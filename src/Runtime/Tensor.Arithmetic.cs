using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels.Elementwise;

namespace Kiln;

// Binary arithmetic (torch.add, sub, mul, div, pow, remainder, fmod, atan2, maximum, minimum, lerp) with
// scalar overloads and in-place X_ variants. Scalar operands follow PyTorch's wrapped-number rule: they only
// change the result dtype when they belong to a higher category (an int tensor plus 2.5 is float32, a
// float16 tensor plus 2.5 stays float16, an int8 tensor plus 300 stays int8 and wraps).
public partial class Tensor
{
    /// <summary><c>this + alpha * other</c> with broadcasting and dtype promotion (<c>torch.add</c>).</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast, or alpha is fractional for integer inputs.</exception>
    public Tensor Add(Tensor other, double alpha = 1) =>
        TrackScaled(BinaryNumber(BinaryMathOps.Add, Scaled("add", other, alpha), new AddOp()), "add", other, alpha);

    /// <summary><c>this + value</c>.</summary>
    public Tensor Add(double value) => BinaryNumberTracked(BinaryMathOps.Add, Scalar(value, out var p), p, new AddOp());

    /// <summary><c>this + value</c> (keeps integer dtypes).</summary>
    public Tensor Add(long value) => BinaryNumberTracked(BinaryMathOps.Add, Scalar(value, out var p), p, new AddOp());

    /// <summary>In place: <c>this += alpha * other</c>; the result dtype must be castable to this tensor's dtype.</summary>
    /// <exception cref="InvalidOperationException">The result dtype cannot be stored in this tensor's dtype (e.g. float into int).</exception>
    public Tensor Add_(Tensor other, double alpha = 1) => InPlaceNeedsGrad(other)
        ? InPlaceWithGrad("add_", (other, alpha), static (s, a) => s.Add(a.other, a.alpha))
        : BinaryNumber(BinaryMathOps.Add, Scaled("add", other, alpha), new AddOp(), this);

    /// <summary>In place: <c>this += value</c>.</summary>
    public Tensor Add_(double value) => InPlaceNeedsGrad()
        ? InPlaceWithGrad("add_", value, static (s, v) => s.Add(v))
        : BinaryNumber(BinaryMathOps.Add, value, new AddOp(), this);

    /// <summary>In place: <c>this += value</c>.</summary>
    public Tensor Add_(long value) => InPlaceNeedsGrad()
        ? InPlaceWithGrad("add_", value, static (s, v) => s.Add(v))
        : BinaryNumber(BinaryMathOps.Add, value, new AddOp(), this);

    /// <summary><c>this - alpha * other</c> (<c>torch.sub</c>; not defined when either operand is bool).</summary>
    /// <exception cref="ArgumentException">An operand is bool, or the shapes do not broadcast.</exception>
    public Tensor Sub(Tensor other, double alpha = 1) => TrackScaled(SubInto(Scaled("sub", CheckNotBool(other), alpha), null), "sub", other, alpha);

    /// <summary><c>this - value</c>.</summary>
    public Tensor Sub(double value) => SubScalar(Scalar(value, out _));

    /// <summary><c>this - value</c> (keeps integer dtypes).</summary>
    public Tensor Sub(long value) => SubScalar(Scalar(value, out _));

    /// <summary>In place: <c>this -= alpha * other</c>.</summary>
    public Tensor Sub_(Tensor other, double alpha = 1) => InPlaceNeedsGrad(other)
        ? InPlaceWithGrad("sub_", (other, alpha), static (s, a) => s.Sub(a.other, a.alpha))
        : SubInto(Scaled("sub", CheckNotBool(other), alpha), this);

    /// <summary>In place: <c>this -= value</c>.</summary>
    public Tensor Sub_(double value) => InPlaceNeedsGrad()
        ? InPlaceWithGrad("sub_", value, static (s, v) => s.Sub(v))
        : SubInto(Scalar(value, out _), this);

    /// <summary>In place: <c>this -= value</c>.</summary>
    public Tensor Sub_(long value) => InPlaceNeedsGrad()
        ? InPlaceWithGrad("sub_", value, static (s, v) => s.Sub(v))
        : SubInto(Scalar(value, out _), this);

    /// <summary><c>this * other</c> (<c>torch.mul</c>; logical and on bool).</summary>
    public Tensor Mul(Tensor other) => BinaryNumberTracked(BinaryMathOps.Mul, other, new MulOp());

    /// <summary><c>this * value</c>.</summary>
    public Tensor Mul(double value) => BinaryNumberTracked(BinaryMathOps.Mul, Scalar(value, out var p), p, new MulOp());

    /// <summary><c>this * value</c> (keeps integer dtypes).</summary>
    public Tensor Mul(long value) => BinaryNumberTracked(BinaryMathOps.Mul, Scalar(value, out var p), p, new MulOp());

    /// <summary>In place: <c>this *= other</c>.</summary>
    public Tensor Mul_(Tensor other) => InPlaceNeedsGrad(other)
        ? InPlaceWithGrad("mul_", other, static (s, o) => s.Mul(o))
        : BinaryNumber(BinaryMathOps.Mul, other, new MulOp(), this);

    /// <summary>In place: <c>this *= value</c>.</summary>
    public Tensor Mul_(double value) => InPlaceNeedsGrad()
        ? InPlaceWithGrad("mul_", value, static (s, v) => s.Mul(v))
        : BinaryNumber(BinaryMathOps.Mul, value, new MulOp(), this);

    /// <summary>In place: <c>this *= value</c>.</summary>
    public Tensor Mul_(long value) => InPlaceNeedsGrad()
        ? InPlaceWithGrad("mul_", value, static (s, v) => s.Mul(v))
        : BinaryNumber(BinaryMathOps.Mul, value, new MulOp(), this);

    /// <summary>
    /// Division (<c>torch.div</c>): true division (integer inputs give float32) when <paramref name="roundingMode"/>
    /// is null; <c>"trunc"</c> rounds toward zero and <c>"floor"</c> rounds down, keeping integer dtypes (and
    /// giving zero gradients).
    /// </summary>
    /// <exception cref="ArgumentException">The rounding mode is not null, "trunc" or "floor"; or an integer division by zero.</exception>
    public Tensor Div(Tensor other, string? roundingMode = null) =>
        TrackDiv(this, other, DivInto(other, Operands.Promote(this, other), roundingMode, null), roundingMode);

    /// <summary><c>this / value</c>, rounded as <see cref="Div(Tensor, string)"/> says.</summary>
    public Tensor Div(double value, string? roundingMode = null)
    {
        var scalar = Scalar(value, out var p);
        return TrackDiv(this, scalar, DivInto(scalar, p, roundingMode, null), roundingMode);
    }

    /// <summary><c>this / value</c>; with a rounding mode, integer dtypes are kept.</summary>
    public Tensor Div(long value, string? roundingMode = null)
    {
        var scalar = Scalar(value, out var p);
        return TrackDiv(this, scalar, DivInto(scalar, p, roundingMode, null), roundingMode);
    }

    /// <summary>In place: <c>this /= other</c> (true division needs a floating dtype here).</summary>
    public Tensor Div_(Tensor other, string? roundingMode = null) => InPlaceNeedsGrad(other)
        ? InPlaceWithGrad("div_", (other, roundingMode), static (s, a) => s.Div(a.other, a.roundingMode))
        : DivInto(other, Operands.Promote(this, other), roundingMode, this);

    /// <summary>In place: <c>this /= value</c>.</summary>
    public Tensor Div_(double value, string? roundingMode = null) => InPlaceNeedsGrad()
        ? InPlaceWithGrad("div_", (value, roundingMode), static (s, a) => s.Div(a.value, a.roundingMode))
        : DivInto(Scalar(value, out var p), p, roundingMode, this);

    /// <summary><c>value / this</c>, true division (Python's <c>value / tensor</c>).</summary>
    private Tensor DivideInto(double value)
    {
        var scalar = Scalar(value, out var p);
        return TrackDiv(scalar, this, BinaryDriver.Float("div", scalar, this, p, new DivOp(), BinaryMathOps.Div.DTypes), null);
    }

    /// <summary>
    /// Python's modulo (<c>torch.remainder</c>): <c>this - floor(this / other) * other</c>, with the divisor's sign.
    /// </summary>
    /// <exception cref="ArgumentException">An integer division by zero, or bool operands.</exception>
    public Tensor Remainder(Tensor other) => BinaryNumberTracked(BinaryMathOps.Remainder, other, new RemainderOp());

    /// <summary><c>this % value</c>, Python style.</summary>
    public Tensor Remainder(double value) => BinaryNumberTracked(BinaryMathOps.Remainder, Scalar(value, out var p), p, new RemainderOp());

    /// <summary><c>this % value</c>, Python style (keeps integer dtypes).</summary>
    public Tensor Remainder(long value) => BinaryNumberTracked(BinaryMathOps.Remainder, Scalar(value, out var p), p, new RemainderOp());

    /// <summary>In place: Python-style <c>this %= other</c>.</summary>
    public Tensor Remainder_(Tensor other) => InPlaceNeedsGrad(other)
        ? InPlaceWithGrad("remainder_", other, static (s, o) => s.Remainder(o))
        : BinaryNumber(BinaryMathOps.Remainder, other, new RemainderOp(), this);

    /// <summary>C's fmod (<c>torch.fmod</c>): the remainder of truncated division, with the dividend's sign.</summary>
    /// <exception cref="ArgumentException">An integer division by zero, or bool operands.</exception>
    public Tensor Fmod(Tensor other) => BinaryNumberTracked(BinaryMathOps.Fmod, other, new FmodOp());

    /// <summary>C's fmod by a scalar.</summary>
    public Tensor Fmod(double value) => BinaryNumberTracked(BinaryMathOps.Fmod, Scalar(value, out var p), p, new FmodOp());

    /// <summary>C's fmod by an integer scalar (keeps integer dtypes).</summary>
    public Tensor Fmod(long value) => BinaryNumberTracked(BinaryMathOps.Fmod, Scalar(value, out var p), p, new FmodOp());

    /// <summary>In place: C's fmod.</summary>
    public Tensor Fmod_(Tensor other) => InPlaceNeedsGrad(other)
        ? InPlaceWithGrad("fmod_", other, static (s, o) => s.Fmod(o))
        : BinaryNumber(BinaryMathOps.Fmod, other, new FmodOp(), this);

    /// <summary>
    /// <c>this ** exponent</c> (<c>torch.pow</c>). Integer tensors stay integer (wrapping on overflow); a negative
    /// integer exponent tensor gives 0 except for bases 1 and -1.
    /// </summary>
    public Tensor Pow(Tensor exponent) => BinaryNumberTracked(BinaryMathOps.Pow, exponent, new PowOp());

    /// <summary><c>this ** exponent</c> (an integer tensor gives float32).</summary>
    public Tensor Pow(double exponent) => TrackPowScalar(PowScalar(exponent, null), exponent);

    /// <summary><c>this ** exponent</c>, keeping integer dtypes.</summary>
    /// <exception cref="ArgumentException">The tensor is integral and the exponent negative (as in PyTorch).</exception>
    public Tensor Pow(long exponent) => TrackPowScalar(PowScalar(exponent, null), exponent);

    /// <summary><c>self ** exponent</c> for a scalar base (<c>torch.pow(self, exponent)</c> with a number as self).</summary>
    public static Tensor Pow(double self, Tensor exponent)
    {
        ArgumentNullException.ThrowIfNull(exponent);
        var scalar = exponent.Scalar(self, out var promoted);
        return GradRecorder.Track(BinaryDriver.Number("pow", scalar, exponent, promoted, new PowOp(), BinaryMathOps.Pow.DTypes), "pow", scalar, exponent);
    }

    /// <summary>In place: <c>this **= exponent</c>.</summary>
    public Tensor Pow_(Tensor exponent) => InPlaceNeedsGrad(exponent)
        ? InPlaceWithGrad("pow_", exponent, static (s, e) => s.Pow(e))
        : BinaryNumber(BinaryMathOps.Pow, exponent, new PowOp(), this);

    /// <summary>In place: <c>this **= exponent</c>.</summary>
    public Tensor Pow_(double exponent) => InPlaceNeedsGrad()
        ? InPlaceWithGrad("pow_", exponent, static (s, e) => s.Pow(e))
        : PowScalar(exponent, this);

    /// <summary>In place: <c>this **= exponent</c>.</summary>
    public Tensor Pow_(long exponent) => InPlaceNeedsGrad()
        ? InPlaceWithGrad("pow_", exponent, static (s, e) => s.Pow(e))
        : PowScalar(exponent, this);

    /// <summary>The angle of the point (other, this): <c>atan2(this, other)</c>, always floating point.</summary>
    public Tensor Atan2(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return GradRecorder.Track(BinaryDriver.Float("atan2", this, other, Operands.Promote(this, other), new Atan2Op(), BinaryMathOps.Atan2.DTypes), "atan2", this, other);
    }

    /// <summary>In place: <c>this = atan2(this, other)</c>.</summary>
    public Tensor Atan2_(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return InPlaceNeedsGrad(other)
            ? InPlaceWithGrad("atan2_", other, static (s, o) => s.Atan2(o))
            : BinaryDriver.Float("atan2", this, other, Operands.Promote(this, other), new Atan2Op(), BinaryMathOps.Atan2.DTypes, this);
    }

    /// <summary>The elementwise maximum (<c>torch.maximum</c>); NaN where either is NaN; ties split the gradient evenly.</summary>
    public Tensor Maximum(Tensor other) => BinaryNumberTracked(BinaryMathOps.Maximum, other, new MaximumOp());

    /// <summary>The elementwise minimum (<c>torch.minimum</c>); NaN where either is NaN; ties split the gradient evenly.</summary>
    public Tensor Minimum(Tensor other) => BinaryNumberTracked(BinaryMathOps.Minimum, other, new MinimumOp());

    /// <summary>
    /// Linear interpolation <c>this + weight · (end − this)</c> (<c>torch.lerp</c>); the three tensors must share
    /// one floating dtype.
    /// </summary>
    /// <exception cref="ArgumentException">The dtypes differ or are not floating point, or the shapes do not broadcast.</exception>
    public Tensor Lerp(Tensor end, Tensor weight) => TrackLerp(end, weight, LerpInto(end, weight, null));

    /// <summary>Linear interpolation towards <paramref name="end"/> by a scalar weight.</summary>
    public Tensor Lerp(Tensor end, double weight)
    {
        var w = Operands.WrapScalar(weight, DType);
        return TrackLerp(end, w, LerpInto(end, w, null));
    }

    /// <summary>In place: <c>this = lerp(this, end, weight)</c>.</summary>
    public Tensor Lerp_(Tensor end, Tensor weight) => InPlaceNeedsGrad(end, weight)
        ? InPlaceWithGrad("lerp_", (end, weight), static (s, a) => s.Lerp(a.end, a.weight))
        : LerpInto(end, weight, this);

    /// <summary>In place: <c>this = lerp(this, end, weight)</c>.</summary>
    public Tensor Lerp_(Tensor end, double weight) => InPlaceNeedsGrad(end)
        ? InPlaceWithGrad("lerp_", (end, weight), static (s, a) => s.Lerp(a.end, a.weight))
        : LerpInto(end, Operands.WrapScalar(weight, DType), this);

    /// <summary>A 0-d tensor holding a C# double operand, in the dtype the op will compute in.</summary>
    private Tensor Scalar(double value, out DType promoted)
    {
        promoted = DTypePromotion.ResultType(DType, Dim, DType.Float64);
        return Operands.WrapScalar(value, promoted);
    }

    /// <summary>A 0-d tensor holding a C# integer operand, in the dtype the op will compute in.</summary>
    private Tensor Scalar(long value, out DType promoted)
    {
        promoted = DTypePromotion.ResultType(DType, Dim, DType.Int64);
        return Operands.WrapScalar(value, promoted);
    }

    /// <summary>A binary op on two tensors, recorded under its registry name.</summary>
    private Tensor BinaryNumberTracked<TOp>(OpDef def, Tensor other, TOp op) where TOp : struct, INumberBinaryOp =>
        GradRecorder.Track(BinaryNumber(def, other, op), def.Name, this, other);

    /// <summary>A binary op with a C# scalar operand (already wrapped as a 0-d tensor), recorded with it so only this tensor gets a gradient.</summary>
    private Tensor BinaryNumberTracked<TOp>(OpDef def, Tensor scalar, DType promoted, TOp op) where TOp : struct, INumberBinaryOp =>
        GradRecorder.Track(BinaryDriver.Number(def.Name, this, scalar, promoted, op, def.DTypes), def.Name, this, scalar);

    private Tensor SubScalar(Tensor scalar) => GradRecorder.Track(SubInto(scalar, null), "sub", this, scalar);

    /// <summary>Records div with its rounding mode (an attribute only when given).</summary>
    private static Tensor TrackDiv(Tensor self, Tensor other, Tensor result, string? roundingMode) =>
        roundingMode is null || !GradRecorder.IsNeeded(self, other)
            ? GradRecorder.Track(result, "div", self, other)
            : GradRecorder.Track(result, "div", self, other, new Attrs { { "rounding_mode", roundingMode } });

    /// <summary>Records a scalar power as pow with a 0-d exponent (made only when recording).</summary>
    private Tensor TrackPowScalar(Tensor result, double exponent) =>
        GradRecorder.IsNeeded(this) ? GradRecorder.Track(result, "pow", this, Operands.WrapScalar(exponent, result.DType)) : result;

    private Tensor TrackLerp(Tensor end, Tensor weight, Tensor result) =>
        AnyAutograd(this, end, weight) ? GradRecorder.Track(result, "lerp", [this, end, weight]) : result;

    private Tensor BinaryNumber<TOp>(OpDef def, Tensor other, TOp op, Tensor? output = null) where TOp : struct, INumberBinaryOp
    {
        ArgumentNullException.ThrowIfNull(other);
        return BinaryDriver.Number(def.Name, this, other, Operands.Promote(this, other), op, def.DTypes, output);
    }

    private Tensor BinaryNumber<TOp>(OpDef def, double value, TOp op, Tensor? output = null) where TOp : struct, INumberBinaryOp =>
        BinaryDriver.Number(def.Name, this, Scalar(value, out var p), p, op, def.DTypes, output);

    private Tensor BinaryNumber<TOp>(OpDef def, long value, TOp op, Tensor? output = null) where TOp : struct, INumberBinaryOp =>
        BinaryDriver.Number(def.Name, this, Scalar(value, out var p), p, op, def.DTypes, output);

    private Tensor SubInto(Tensor other, Tensor? output)
    {
        CheckNotBool(this);
        return BinaryDriver.Number("sub", this, other, Operands.Promote(this, other), new SubOp(), BinaryMathOps.Sub.DTypes, output);
    }

    private static Tensor CheckNotBool(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.DType == DType.Bool)
            throw new ArgumentException("sub: subtraction, the `-` operator, with a bool tensor is not supported; use LogicalXor or LogicalNot (!) instead");
        return t;
    }

    private Tensor DivInto(Tensor other, DType promoted, string? roundingMode, Tensor? output)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!BinaryMathOps.IsRounding("div", roundingMode))
            return BinaryDriver.Float("div", this, other, promoted, new DivOp(), BinaryMathOps.Div.DTypes, output);
        return roundingMode == "trunc"
            ? BinaryDriver.Number("div", this, other, promoted, new DivTruncOp(), BinaryMathOps.RoundingDivDTypes, output)
            : BinaryDriver.Number("div", this, other, promoted, new DivFloorOp(), BinaryMathOps.RoundingDivDTypes, output);
    }

    /// <summary>A float tensor (or any tensor with a float exponent) to a scalar power, with PyTorch's special cases.</summary>
    private Tensor PowScalar(double exponent, Tensor? output)
    {
        var promoted = DTypePromotion.ResultType(DType, Dim, DType.Float64);
        return UnaryDriver.Float("pow", To(promoted), new PowScalarOp(exponent), BinaryMathOps.Pow.DTypes, output);
    }

    /// <summary>An integer scalar power: integers stay integers (no negative exponents), floats take the float path.</summary>
    private Tensor PowScalar(long exponent, Tensor? output)
    {
        if (DType.IsFloatingPoint()) return PowScalar((double)exponent, output);
        if (exponent < 0)
            throw new ArgumentException($"pow: integers to negative integer powers are not allowed (a {DType.Name()} tensor to the power {exponent})");
        return BinaryNumber(BinaryMathOps.Pow, exponent, new PowOp(), output);
    }

    private Tensor LerpInto(Tensor end, Tensor weight, Tensor? output)
    {
        ArgumentNullException.ThrowIfNull(end);
        ArgumentNullException.ThrowIfNull(weight);
        TernaryOps.CheckSameDType("lerp", DType, end.DType, "end");
        TernaryOps.CheckSameDType("lerp", DType, weight.DType, "weight");
        return TernaryDriver.Float("lerp", this, end, weight, DType, new LerpOp(), TernaryOps.Lerp.DTypes, output);
    }

    /// <summary><c>alpha * other</c>, or <paramref name="other"/> itself when alpha is 1.</summary>
    private static Tensor Scaled(string op, Tensor other, double alpha)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (alpha == 1) return other;
        if (!other.DType.IsFloatingPoint() && alpha != Math.Floor(alpha))
            throw new ArgumentException($"{op}: for integral input tensors, alpha must not be a floating point number (got {alpha})");
        return other.DType.IsFloatingPoint()
            ? other.BinaryNumber(BinaryMathOps.Mul, alpha, new MulOp())
            : other.BinaryNumber(BinaryMathOps.Mul, (long)alpha, new MulOp());
    }
}
