using Kiln.IR;
using Kiln.IR.Ops;
using Kiln.Kernels.Elementwise;

namespace Kiln;

// Unary elementwise math. Float functions give float32 for integer and bool inputs (as PyTorch does); their
// in-place forms therefore need a floating tensor. Each X_ writes into this tensor and returns it.
public sealed partial class Tensor
{
    /// <summary><c>-x</c> (<c>torch.neg</c>); integers wrap.</summary>
    /// <exception cref="ArgumentException">The tensor is bool (use <see cref="LogicalNot"/>).</exception>
    public Tensor Neg() => NegInto(null);

    /// <summary>In place: <c>x = -x</c>.</summary>
    public Tensor Neg_() => NegInto(this);

    /// <summary><c>|x|</c> (<c>torch.abs</c>; not defined on bool); integers wrap (<c>|-128|</c> is -128 in int8).</summary>
    public Tensor Abs() => UnaryNumber(UnaryMathOps.Abs, new AbsOp());

    /// <summary>In place: <c>x = |x|</c>.</summary>
    public Tensor Abs_() => UnaryNumber(UnaryMathOps.Abs, new AbsOp(), this);

    /// <summary>-1, 0 or 1 by the sign of each element, in this tensor's dtype (<c>torch.sign</c>; NaN gives 0).</summary>
    public Tensor Sign() => UnaryNumber(UnaryMathOps.Sign, new SignOp());

    /// <summary>In place: <c>x = sign(x)</c>.</summary>
    public Tensor Sign_() => UnaryNumber(UnaryMathOps.Sign, new SignOp(), this);

    /// <summary><c>x * x</c> in this tensor's dtype (<c>torch.square</c>); bool gives int64.</summary>
    public Tensor Square() => SquareInto(null);

    /// <summary>In place: <c>x = x * x</c>.</summary>
    public Tensor Square_() => SquareInto(this);

    /// <summary><c>e^x</c> (<c>torch.exp</c>).</summary>
    public Tensor Exp() => UnaryFloat(UnaryMathOps.Exp, new ExpOp());

    /// <summary>In place: <c>x = exp(x)</c> (this tensor must be floating point).</summary>
    public Tensor Exp_() => UnaryFloat(UnaryMathOps.Exp, new ExpOp(), this);

    /// <summary><c>2^x</c> (<c>torch.exp2</c>).</summary>
    public Tensor Exp2() => UnaryFloat(UnaryMathOps.Exp2, new Exp2Op());

    /// <summary>In place: <c>x = exp2(x)</c> (this tensor must be floating point).</summary>
    public Tensor Exp2_() => UnaryFloat(UnaryMathOps.Exp2, new Exp2Op(), this);

    /// <summary><c>e^x - 1</c>, accurate near zero (<c>torch.expm1</c>).</summary>
    public Tensor Expm1() => UnaryFloat(UnaryMathOps.Expm1, new Expm1Op());

    /// <summary>In place: <c>x = expm1(x)</c> (this tensor must be floating point).</summary>
    public Tensor Expm1_() => UnaryFloat(UnaryMathOps.Expm1, new Expm1Op(), this);

    /// <summary>The natural logarithm (<c>torch.log</c>).</summary>
    public Tensor Log() => UnaryFloat(UnaryMathOps.Log, new LogOp());

    /// <summary>In place: <c>x = log(x)</c> (this tensor must be floating point).</summary>
    public Tensor Log_() => UnaryFloat(UnaryMathOps.Log, new LogOp(), this);

    /// <summary>The base-2 logarithm (<c>torch.log2</c>).</summary>
    public Tensor Log2() => UnaryFloat(UnaryMathOps.Log2, new Log2Op());

    /// <summary>In place: <c>x = log2(x)</c> (this tensor must be floating point).</summary>
    public Tensor Log2_() => UnaryFloat(UnaryMathOps.Log2, new Log2Op(), this);

    /// <summary>The base-10 logarithm (<c>torch.log10</c>).</summary>
    public Tensor Log10() => UnaryFloat(UnaryMathOps.Log10, new Log10Op());

    /// <summary>In place: <c>x = log10(x)</c> (this tensor must be floating point).</summary>
    public Tensor Log10_() => UnaryFloat(UnaryMathOps.Log10, new Log10Op(), this);

    /// <summary><c>log(1 + x)</c>, accurate near zero (<c>torch.log1p</c>).</summary>
    public Tensor Log1p() => UnaryFloat(UnaryMathOps.Log1p, new Log1pOp());

    /// <summary>In place: <c>x = log1p(x)</c> (this tensor must be floating point).</summary>
    public Tensor Log1p_() => UnaryFloat(UnaryMathOps.Log1p, new Log1pOp(), this);

    /// <summary>The square root (<c>torch.sqrt</c>).</summary>
    public Tensor Sqrt() => UnaryFloat(UnaryMathOps.Sqrt, new SqrtOp());

    /// <summary>In place: <c>x = sqrt(x)</c> (this tensor must be floating point).</summary>
    public Tensor Sqrt_() => UnaryFloat(UnaryMathOps.Sqrt, new SqrtOp(), this);

    /// <summary><c>1 / sqrt(x)</c> (<c>torch.rsqrt</c>).</summary>
    public Tensor Rsqrt() => UnaryFloat(UnaryMathOps.Rsqrt, new RsqrtOp());

    /// <summary>In place: <c>x = rsqrt(x)</c> (this tensor must be floating point).</summary>
    public Tensor Rsqrt_() => UnaryFloat(UnaryMathOps.Rsqrt, new RsqrtOp(), this);

    /// <summary><c>1 / x</c> (<c>torch.reciprocal</c>).</summary>
    public Tensor Reciprocal() => UnaryFloat(UnaryMathOps.Reciprocal, new ReciprocalOp());

    /// <summary>In place: <c>x = reciprocal(x)</c> (this tensor must be floating point).</summary>
    public Tensor Reciprocal_() => UnaryFloat(UnaryMathOps.Reciprocal, new ReciprocalOp(), this);

    /// <summary>The sine (<c>torch.sin</c>).</summary>
    public Tensor Sin() => UnaryFloat(UnaryMathOps.Sin, new SinOp());

    /// <summary>In place: <c>x = sin(x)</c> (this tensor must be floating point).</summary>
    public Tensor Sin_() => UnaryFloat(UnaryMathOps.Sin, new SinOp(), this);

    /// <summary>The cosine (<c>torch.cos</c>).</summary>
    public Tensor Cos() => UnaryFloat(UnaryMathOps.Cos, new CosOp());

    /// <summary>In place: <c>x = cos(x)</c> (this tensor must be floating point).</summary>
    public Tensor Cos_() => UnaryFloat(UnaryMathOps.Cos, new CosOp(), this);

    /// <summary>The tangent (<c>torch.tan</c>).</summary>
    public Tensor Tan() => UnaryFloat(UnaryMathOps.Tan, new TanOp());

    /// <summary>In place: <c>x = tan(x)</c> (this tensor must be floating point).</summary>
    public Tensor Tan_() => UnaryFloat(UnaryMathOps.Tan, new TanOp(), this);

    /// <summary>The arcsine (<c>torch.asin</c>).</summary>
    public Tensor Asin() => UnaryFloat(UnaryMathOps.Asin, new AsinOp());

    /// <summary>In place: <c>x = asin(x)</c> (this tensor must be floating point).</summary>
    public Tensor Asin_() => UnaryFloat(UnaryMathOps.Asin, new AsinOp(), this);

    /// <summary>The arccosine (<c>torch.acos</c>).</summary>
    public Tensor Acos() => UnaryFloat(UnaryMathOps.Acos, new AcosOp());

    /// <summary>In place: <c>x = acos(x)</c> (this tensor must be floating point).</summary>
    public Tensor Acos_() => UnaryFloat(UnaryMathOps.Acos, new AcosOp(), this);

    /// <summary>The arctangent (<c>torch.atan</c>).</summary>
    public Tensor Atan() => UnaryFloat(UnaryMathOps.Atan, new AtanOp());

    /// <summary>In place: <c>x = atan(x)</c> (this tensor must be floating point).</summary>
    public Tensor Atan_() => UnaryFloat(UnaryMathOps.Atan, new AtanOp(), this);

    /// <summary>The hyperbolic sine (<c>torch.sinh</c>).</summary>
    public Tensor Sinh() => UnaryFloat(UnaryMathOps.Sinh, new SinhOp());

    /// <summary>In place: <c>x = sinh(x)</c> (this tensor must be floating point).</summary>
    public Tensor Sinh_() => UnaryFloat(UnaryMathOps.Sinh, new SinhOp(), this);

    /// <summary>The hyperbolic cosine (<c>torch.cosh</c>).</summary>
    public Tensor Cosh() => UnaryFloat(UnaryMathOps.Cosh, new CoshOp());

    /// <summary>In place: <c>x = cosh(x)</c> (this tensor must be floating point).</summary>
    public Tensor Cosh_() => UnaryFloat(UnaryMathOps.Cosh, new CoshOp(), this);

    /// <summary>The hyperbolic tangent (<c>torch.tanh</c>).</summary>
    public Tensor Tanh() => UnaryFloat(UnaryMathOps.Tanh, new TanhOp());

    /// <summary>In place: <c>x = tanh(x)</c> (this tensor must be floating point).</summary>
    public Tensor Tanh_() => UnaryFloat(UnaryMathOps.Tanh, new TanhOp(), this);

    /// <summary>The logistic sigmoid <c>1 / (1 + e^-x)</c> (<c>torch.sigmoid</c>).</summary>
    public Tensor Sigmoid() => UnaryFloat(UnaryMathOps.Sigmoid, new SigmoidOp());

    /// <summary>In place: <c>x = sigmoid(x)</c> (this tensor must be floating point).</summary>
    public Tensor Sigmoid_() => UnaryFloat(UnaryMathOps.Sigmoid, new SigmoidOp(), this);

    /// <summary>The error function (<c>torch.erf</c>).</summary>
    public Tensor Erf() => UnaryFloat(UnaryMathOps.Erf, new ErfOp());

    /// <summary>In place: <c>x = erf(x)</c> (this tensor must be floating point).</summary>
    public Tensor Erf_() => UnaryFloat(UnaryMathOps.Erf, new ErfOp(), this);

    /// <summary>The complementary error function <c>1 - erf(x)</c> (<c>torch.erfc</c>).</summary>
    public Tensor Erfc() => UnaryFloat(UnaryMathOps.Erfc, new ErfcOp());

    /// <summary>In place: <c>x = erfc(x)</c> (this tensor must be floating point).</summary>
    public Tensor Erfc_() => UnaryFloat(UnaryMathOps.Erfc, new ErfcOp(), this);

    /// <summary>Each element rounded down (<c>torch.floor</c>); integer tensors come back unchanged (not defined on bool).</summary>
    public Tensor Floor() => UnaryRounding(UnaryMathOps.Floor, new FloorOp());

    /// <summary>In place: <c>x = floor(x)</c>.</summary>
    public Tensor Floor_() => UnaryRounding(UnaryMathOps.Floor, new FloorOp(), this);

    /// <summary>Each element rounded up (<c>torch.ceil</c>); integer tensors come back unchanged (not defined on bool).</summary>
    public Tensor Ceil() => UnaryRounding(UnaryMathOps.Ceil, new CeilOp());

    /// <summary>In place: <c>x = ceil(x)</c>.</summary>
    public Tensor Ceil_() => UnaryRounding(UnaryMathOps.Ceil, new CeilOp(), this);

    /// <summary>Each element rounded to the nearest integer, halves to even (<c>torch.round</c>); integer tensors come back unchanged (not defined on bool).</summary>
    public Tensor Round() => UnaryRounding(UnaryMathOps.Round, new RoundOp());

    /// <summary>In place: <c>x = round(x)</c>.</summary>
    public Tensor Round_() => UnaryRounding(UnaryMathOps.Round, new RoundOp(), this);

    /// <summary>Each element rounded toward zero (<c>torch.trunc</c>); integer tensors come back unchanged (not defined on bool).</summary>
    public Tensor Trunc() => UnaryRounding(UnaryMathOps.Trunc, new TruncOp());

    /// <summary>In place: <c>x = trunc(x)</c>.</summary>
    public Tensor Trunc_() => UnaryRounding(UnaryMathOps.Trunc, new TruncOp(), this);

    /// <summary><c>max(x, 0)</c> in this tensor's dtype (<c>torch.relu</c>; not defined on bool; NaN stays NaN).</summary>
    public Tensor Relu() => UnaryNumber(ActivationOps.Relu, new ReluOp());

    /// <summary>In place: <c>x = max(x, 0)</c>.</summary>
    public Tensor Relu_() => UnaryNumber(ActivationOps.Relu, new ReluOp(), this);

    private Tensor UnaryFloat<TOp>(OpDef def, TOp op, Tensor? output = null) where TOp : struct, IFloatUnaryOp =>
        UnaryDriver.Float(def.Name, this, op, def.DTypes, output);

    private Tensor UnaryNumber<TOp>(OpDef def, TOp op, Tensor? output = null) where TOp : struct, INumberUnaryOp =>
        UnaryDriver.Number(def.Name, this, op, def.DTypes, output);

    private Tensor UnaryRounding<TOp>(OpDef def, TOp op, Tensor? output = null) where TOp : struct, IFloatUnaryOp =>
        UnaryDriver.Rounding(def.Name, this, op, def.DTypes, output);

    private Tensor NegInto(Tensor? output)
    {
        if (DType == DType.Bool)
            throw new ArgumentException("neg: negation, the `-` operator, on a bool tensor is not supported; to invert a mask use LogicalNot() or the ! operator");
        return UnaryNumber(UnaryMathOps.Neg, new NegOp(), output);
    }

    // PyTorch computes square as pow(x, 2), so bool (an integer exponent on a bool base) gives int64.
    private Tensor SquareInto(Tensor? output) =>
        UnaryDriver.Number("square", DType == DType.Bool ? To(DType.Int64) : this, new SquareOp(), UnaryMathOps.Square.DTypes, output);
}
