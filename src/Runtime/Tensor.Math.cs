using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels.Elementwise;

namespace Kiln;

// Unary elementwise math. Float functions give float32 for integer and bool inputs (as PyTorch does); their
// in-place forms therefore need a floating tensor. Each X_ writes into this tensor and returns it.
public partial class Tensor
{
    /// <summary><c>-x</c> (<c>torch.neg</c>); integers wrap.</summary>
    /// <exception cref="ArgumentException">The tensor is bool (use <see cref="LogicalNot"/>).</exception>
    public Tensor Neg() => GradRecorder.Track(NegInto(null), "neg", this);

    /// <summary>In place: <c>x = -x</c>.</summary>
    public Tensor Neg_() => InPlaceNeedsGrad() ? InPlaceWithGrad("neg_", static t => t.Neg()) : NegInto(this);

    /// <summary><c>|x|</c> (<c>torch.abs</c>; not defined on bool); integers wrap (<c>|-128|</c> is -128 in int8).</summary>
    public Tensor Abs() => UnaryNumber(UnaryMathOps.Abs, new AbsOp());

    /// <summary>In place: <c>x = |x|</c>.</summary>
    public Tensor Abs_() => UnaryNumberInPlace(UnaryMathOps.Abs, new AbsOp(), static t => t.Abs());

    /// <summary>-1, 0 or 1 by the sign of each element, in this tensor's dtype (<c>torch.sign</c>; NaN gives 0).</summary>
    public Tensor Sign() => UnaryNumber(UnaryMathOps.Sign, new SignOp());

    /// <summary>In place: <c>x = sign(x)</c>.</summary>
    public Tensor Sign_() => UnaryNumberInPlace(UnaryMathOps.Sign, new SignOp(), static t => t.Sign());

    /// <summary><c>x * x</c> in this tensor's dtype (<c>torch.square</c>); bool gives int64.</summary>
    public Tensor Square() => GradRecorder.Track(SquareInto(null), "square", this);

    /// <summary>In place: <c>x = x * x</c>.</summary>
    public Tensor Square_() => InPlaceNeedsGrad() ? InPlaceWithGrad("square_", static t => t.Square()) : SquareInto(this);

    /// <summary><c>e^x</c> (<c>torch.exp</c>).</summary>
    public Tensor Exp() => UnaryFloat(UnaryMathOps.Exp, new ExpOp());

    /// <summary>In place: <c>x = exp(x)</c> (this tensor must be floating point).</summary>
    public Tensor Exp_() => UnaryFloatInPlace(UnaryMathOps.Exp, new ExpOp(), static t => t.Exp());

    /// <summary><c>2^x</c> (<c>torch.exp2</c>).</summary>
    public Tensor Exp2() => UnaryFloat(UnaryMathOps.Exp2, new Exp2Op());

    /// <summary>In place: <c>x = exp2(x)</c> (this tensor must be floating point).</summary>
    public Tensor Exp2_() => UnaryFloatInPlace(UnaryMathOps.Exp2, new Exp2Op(), static t => t.Exp2());

    /// <summary><c>e^x - 1</c>, accurate near zero (<c>torch.expm1</c>).</summary>
    public Tensor Expm1() => UnaryFloat(UnaryMathOps.Expm1, new Expm1Op());

    /// <summary>In place: <c>x = expm1(x)</c> (this tensor must be floating point).</summary>
    public Tensor Expm1_() => UnaryFloatInPlace(UnaryMathOps.Expm1, new Expm1Op(), static t => t.Expm1());

    /// <summary>The natural logarithm (<c>torch.log</c>).</summary>
    public Tensor Log() => UnaryFloat(UnaryMathOps.Log, new LogOp());

    /// <summary>In place: <c>x = log(x)</c> (this tensor must be floating point).</summary>
    public Tensor Log_() => UnaryFloatInPlace(UnaryMathOps.Log, new LogOp(), static t => t.Log());

    /// <summary>The base-2 logarithm (<c>torch.log2</c>).</summary>
    public Tensor Log2() => UnaryFloat(UnaryMathOps.Log2, new Log2Op());

    /// <summary>In place: <c>x = log2(x)</c> (this tensor must be floating point).</summary>
    public Tensor Log2_() => UnaryFloatInPlace(UnaryMathOps.Log2, new Log2Op(), static t => t.Log2());

    /// <summary>The base-10 logarithm (<c>torch.log10</c>).</summary>
    public Tensor Log10() => UnaryFloat(UnaryMathOps.Log10, new Log10Op());

    /// <summary>In place: <c>x = log10(x)</c> (this tensor must be floating point).</summary>
    public Tensor Log10_() => UnaryFloatInPlace(UnaryMathOps.Log10, new Log10Op(), static t => t.Log10());

    /// <summary><c>log(1 + x)</c>, accurate near zero (<c>torch.log1p</c>).</summary>
    public Tensor Log1p() => UnaryFloat(UnaryMathOps.Log1p, new Log1pOp());

    /// <summary>In place: <c>x = log1p(x)</c> (this tensor must be floating point).</summary>
    public Tensor Log1p_() => UnaryFloatInPlace(UnaryMathOps.Log1p, new Log1pOp(), static t => t.Log1p());

    /// <summary>The square root (<c>torch.sqrt</c>).</summary>
    public Tensor Sqrt() => UnaryFloat(UnaryMathOps.Sqrt, new SqrtOp());

    /// <summary>In place: <c>x = sqrt(x)</c> (this tensor must be floating point).</summary>
    public Tensor Sqrt_() => UnaryFloatInPlace(UnaryMathOps.Sqrt, new SqrtOp(), static t => t.Sqrt());

    /// <summary><c>1 / sqrt(x)</c> (<c>torch.rsqrt</c>).</summary>
    public Tensor Rsqrt() => UnaryFloat(UnaryMathOps.Rsqrt, new RsqrtOp());

    /// <summary>In place: <c>x = rsqrt(x)</c> (this tensor must be floating point).</summary>
    public Tensor Rsqrt_() => UnaryFloatInPlace(UnaryMathOps.Rsqrt, new RsqrtOp(), static t => t.Rsqrt());

    /// <summary><c>1 / x</c> (<c>torch.reciprocal</c>).</summary>
    public Tensor Reciprocal() => UnaryFloat(UnaryMathOps.Reciprocal, new ReciprocalOp());

    /// <summary>In place: <c>x = reciprocal(x)</c> (this tensor must be floating point).</summary>
    public Tensor Reciprocal_() => UnaryFloatInPlace(UnaryMathOps.Reciprocal, new ReciprocalOp(), static t => t.Reciprocal());

    /// <summary>The sine (<c>torch.sin</c>).</summary>
    public Tensor Sin() => UnaryFloat(UnaryMathOps.Sin, new SinOp());

    /// <summary>In place: <c>x = sin(x)</c> (this tensor must be floating point).</summary>
    public Tensor Sin_() => UnaryFloatInPlace(UnaryMathOps.Sin, new SinOp(), static t => t.Sin());

    /// <summary>The cosine (<c>torch.cos</c>).</summary>
    public Tensor Cos() => UnaryFloat(UnaryMathOps.Cos, new CosOp());

    /// <summary>In place: <c>x = cos(x)</c> (this tensor must be floating point).</summary>
    public Tensor Cos_() => UnaryFloatInPlace(UnaryMathOps.Cos, new CosOp(), static t => t.Cos());

    /// <summary>The tangent (<c>torch.tan</c>).</summary>
    public Tensor Tan() => UnaryFloat(UnaryMathOps.Tan, new TanOp());

    /// <summary>In place: <c>x = tan(x)</c> (this tensor must be floating point).</summary>
    public Tensor Tan_() => UnaryFloatInPlace(UnaryMathOps.Tan, new TanOp(), static t => t.Tan());

    /// <summary>The arcsine (<c>torch.asin</c>).</summary>
    public Tensor Asin() => UnaryFloat(UnaryMathOps.Asin, new AsinOp());

    /// <summary>In place: <c>x = asin(x)</c> (this tensor must be floating point).</summary>
    public Tensor Asin_() => UnaryFloatInPlace(UnaryMathOps.Asin, new AsinOp(), static t => t.Asin());

    /// <summary>The arccosine (<c>torch.acos</c>).</summary>
    public Tensor Acos() => UnaryFloat(UnaryMathOps.Acos, new AcosOp());

    /// <summary>In place: <c>x = acos(x)</c> (this tensor must be floating point).</summary>
    public Tensor Acos_() => UnaryFloatInPlace(UnaryMathOps.Acos, new AcosOp(), static t => t.Acos());

    /// <summary>The arctangent (<c>torch.atan</c>).</summary>
    public Tensor Atan() => UnaryFloat(UnaryMathOps.Atan, new AtanOp());

    /// <summary>In place: <c>x = atan(x)</c> (this tensor must be floating point).</summary>
    public Tensor Atan_() => UnaryFloatInPlace(UnaryMathOps.Atan, new AtanOp(), static t => t.Atan());

    /// <summary>The hyperbolic sine (<c>torch.sinh</c>).</summary>
    public Tensor Sinh() => UnaryFloat(UnaryMathOps.Sinh, new SinhOp());

    /// <summary>In place: <c>x = sinh(x)</c> (this tensor must be floating point).</summary>
    public Tensor Sinh_() => UnaryFloatInPlace(UnaryMathOps.Sinh, new SinhOp(), static t => t.Sinh());

    /// <summary>The hyperbolic cosine (<c>torch.cosh</c>).</summary>
    public Tensor Cosh() => UnaryFloat(UnaryMathOps.Cosh, new CoshOp());

    /// <summary>In place: <c>x = cosh(x)</c> (this tensor must be floating point).</summary>
    public Tensor Cosh_() => UnaryFloatInPlace(UnaryMathOps.Cosh, new CoshOp(), static t => t.Cosh());

    /// <summary>The hyperbolic tangent (<c>torch.tanh</c>).</summary>
    public Tensor Tanh() => UnaryFloat(UnaryMathOps.Tanh, new TanhOp());

    /// <summary>In place: <c>x = tanh(x)</c> (this tensor must be floating point).</summary>
    public Tensor Tanh_() => UnaryFloatInPlace(UnaryMathOps.Tanh, new TanhOp(), static t => t.Tanh());

    /// <summary>The logistic sigmoid <c>1 / (1 + e^-x)</c> (<c>torch.sigmoid</c>).</summary>
    public Tensor Sigmoid() => UnaryFloat(UnaryMathOps.Sigmoid, new SigmoidOp());

    /// <summary>In place: <c>x = sigmoid(x)</c> (this tensor must be floating point).</summary>
    public Tensor Sigmoid_() => UnaryFloatInPlace(UnaryMathOps.Sigmoid, new SigmoidOp(), static t => t.Sigmoid());

    /// <summary>The error function (<c>torch.erf</c>).</summary>
    public Tensor Erf() => UnaryFloat(UnaryMathOps.Erf, new ErfOp());

    /// <summary>In place: <c>x = erf(x)</c> (this tensor must be floating point).</summary>
    public Tensor Erf_() => UnaryFloatInPlace(UnaryMathOps.Erf, new ErfOp(), static t => t.Erf());

    /// <summary>The complementary error function <c>1 - erf(x)</c> (<c>torch.erfc</c>).</summary>
    public Tensor Erfc() => UnaryFloat(UnaryMathOps.Erfc, new ErfcOp());

    /// <summary>In place: <c>x = erfc(x)</c> (this tensor must be floating point).</summary>
    public Tensor Erfc_() => UnaryFloatInPlace(UnaryMathOps.Erfc, new ErfcOp(), static t => t.Erfc());

    /// <summary>Each element rounded down (<c>torch.floor</c>); integer tensors come back unchanged (not defined on bool).</summary>
    public Tensor Floor() => UnaryRounding(UnaryMathOps.Floor, new FloorOp());

    /// <summary>In place: <c>x = floor(x)</c>.</summary>
    public Tensor Floor_() => UnaryRoundingInPlace(UnaryMathOps.Floor, new FloorOp(), static t => t.Floor());

    /// <summary>Each element rounded up (<c>torch.ceil</c>); integer tensors come back unchanged (not defined on bool).</summary>
    public Tensor Ceil() => UnaryRounding(UnaryMathOps.Ceil, new CeilOp());

    /// <summary>In place: <c>x = ceil(x)</c>.</summary>
    public Tensor Ceil_() => UnaryRoundingInPlace(UnaryMathOps.Ceil, new CeilOp(), static t => t.Ceil());

    /// <summary>Each element rounded to the nearest integer, halves to even (<c>torch.round</c>); integer tensors come back unchanged (not defined on bool).</summary>
    public Tensor Round() => UnaryRounding(UnaryMathOps.Round, new RoundOp());

    /// <summary>In place: <c>x = round(x)</c>.</summary>
    public Tensor Round_() => UnaryRoundingInPlace(UnaryMathOps.Round, new RoundOp(), static t => t.Round());

    /// <summary>Each element rounded toward zero (<c>torch.trunc</c>); integer tensors come back unchanged (not defined on bool).</summary>
    public Tensor Trunc() => UnaryRounding(UnaryMathOps.Trunc, new TruncOp());

    /// <summary>In place: <c>x = trunc(x)</c>.</summary>
    public Tensor Trunc_() => UnaryRoundingInPlace(UnaryMathOps.Trunc, new TruncOp(), static t => t.Trunc());

    /// <summary><c>max(x, 0)</c> in this tensor's dtype (<c>torch.relu</c>; not defined on bool; NaN stays NaN).</summary>
    public Tensor Relu() => UnaryNumber(ActivationOps.Relu, new ReluOp());

    /// <summary>In place: <c>x = max(x, 0)</c>.</summary>
    public Tensor Relu_() => UnaryNumberInPlace(ActivationOps.Relu, new ReluOp(), static t => t.Relu());

    private Tensor UnaryFloat<TOp>(OpDef def, TOp op) where TOp : struct, IFloatUnaryOp =>
        GradRecorder.Track(UnaryDriver.Float(def.Name, this, op, def.DTypes), def.Name, this);

    private Tensor UnaryNumber<TOp>(OpDef def, TOp op) where TOp : struct, INumberUnaryOp =>
        GradRecorder.Track(UnaryDriver.Number(def.Name, this, op, def.DTypes), def.Name, this);

    private Tensor UnaryRounding<TOp>(OpDef def, TOp op) where TOp : struct, IFloatUnaryOp =>
        GradRecorder.Track(UnaryDriver.Rounding(def.Name, this, op, def.DTypes), def.Name, this);

    // The in-place forms: under autograd, the out-of-place method on a copy (see InPlaceWithGrad); else the kernel writes here.
    private Tensor UnaryFloatInPlace<TOp>(OpDef def, TOp op, Func<Tensor, Tensor> outOfPlace) where TOp : struct, IFloatUnaryOp =>
        InPlaceNeedsGrad() ? InPlaceWithGrad(def.Name + "_", outOfPlace) : UnaryDriver.Float(def.Name, this, op, def.DTypes, this);

    private Tensor UnaryNumberInPlace<TOp>(OpDef def, TOp op, Func<Tensor, Tensor> outOfPlace) where TOp : struct, INumberUnaryOp =>
        InPlaceNeedsGrad() ? InPlaceWithGrad(def.Name + "_", outOfPlace) : UnaryDriver.Number(def.Name, this, op, def.DTypes, this);

    private Tensor UnaryRoundingInPlace<TOp>(OpDef def, TOp op, Func<Tensor, Tensor> outOfPlace) where TOp : struct, IFloatUnaryOp =>
        InPlaceNeedsGrad() ? InPlaceWithGrad(def.Name + "_", outOfPlace) : UnaryDriver.Rounding(def.Name, this, op, def.DTypes, this);

    private Tensor NegInto(Tensor? output)
    {
        if (DType == DType.Bool)
            throw new ArgumentException("neg: negation, the `-` operator, on a bool tensor is not supported; to invert a mask use LogicalNot() or the ! operator");
        return UnaryDriver.Number("neg", this, new NegOp(), UnaryMathOps.Neg.DTypes, output);
    }

    // PyTorch computes square as pow(x, 2), so bool (an integer exponent on a bool base) gives int64.
    private Tensor SquareInto(Tensor? output) =>
        UnaryDriver.Number("square", DType == DType.Bool ? To(DType.Int64) : this, new SquareOp(), UnaryMathOps.Square.DTypes, output);
}
