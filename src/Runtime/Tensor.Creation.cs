using System.Runtime.CompilerServices;
using Kiln.Kernels;

namespace Kiln;

public partial class Tensor
{
    /// <summary>A float32 tensor of zeros (<c>torch.zeros</c>); no sizes make a 0-d tensor.</summary>
    public static Tensor Zeros(params long[] shape) => Zeros(shape, null, null);

    /// <summary>A tensor of zeros of <paramref name="dtype"/> (float32 by default).</summary>
    /// <exception cref="ArgumentException">A size is negative.</exception>
    /// <exception cref="NotSupportedException">The device is not available.</exception>
    public static Tensor Zeros(long[] shape, DType? dtype = null, Device? device = null)
    {
        var s = CheckedShape("zeros", shape, device);
        var dt = dtype ?? DTypes.DefaultFloat;
        return new Tensor(Storage.AllocateZeroed(dt, Shapes.Numel(s)), dt, s, Shapes.ContiguousStrides(s), 0);
    }

    /// <summary>A float32 tensor of ones (<c>torch.ones</c>).</summary>
    public static Tensor Ones(params long[] shape) => Ones(shape, null, null);

    /// <summary>A tensor of ones of <paramref name="dtype"/> (float32 by default).</summary>
    /// <exception cref="ArgumentException">A size is negative.</exception>
    public static Tensor Ones(long[] shape, DType? dtype = null, Device? device = null) =>
        Full(shape, 1L, dtype ?? DTypes.DefaultFloat, device);

    /// <summary>A tensor filled with <paramref name="value"/> (<c>torch.full</c>); float32 unless <paramref name="dtype"/> says otherwise.</summary>
    /// <exception cref="ArgumentException">A size is negative, or the value overflows the dtype.</exception>
    public static Tensor Full(long[] shape, double value, DType? dtype = null, Device? device = null) =>
        FullOf(shape, Scalar(value), dtype ?? DTypes.DefaultFloat, device);

    /// <summary>A tensor filled with the integer <paramref name="value"/>; int64 unless <paramref name="dtype"/> says otherwise, as in PyTorch.</summary>
    /// <exception cref="ArgumentException">A size is negative, or the value overflows the dtype.</exception>
    public static Tensor Full(long[] shape, long value, DType? dtype = null, Device? device = null) =>
        FullOf(shape, Scalar(value), dtype ?? DType.Int64, device);

    /// <summary>A tensor filled with the boolean <paramref name="value"/>; bool unless <paramref name="dtype"/> says otherwise.</summary>
    /// <exception cref="ArgumentException">A size is negative.</exception>
    public static Tensor Full(long[] shape, bool value, DType? dtype = null, Device? device = null) =>
        FullOf(shape, Scalar(value), dtype ?? DType.Bool, device);

    /// <summary>A float32 tensor whose elements are not initialised (<c>torch.empty</c>).</summary>
    public static Tensor Empty(params long[] shape) => Empty(shape, null, null);

    /// <summary>A tensor of <paramref name="dtype"/> (float32 by default) whose elements are not initialised.</summary>
    /// <exception cref="ArgumentException">A size is negative.</exception>
    public static Tensor Empty(long[] shape, DType? dtype = null, Device? device = null) =>
        NewTensor("empty", shape, dtype ?? DTypes.DefaultFloat, device);

    /// <summary>A tensor of zeros with the shape of <paramref name="input"/> and, unless given, its dtype and device.</summary>
    public static Tensor ZerosLike(Tensor input, DType? dtype = null, Device? device = null) =>
        Zeros(LikeShape(input), dtype ?? input.DType, device ?? input.Device);

    /// <summary>A tensor of ones with the shape of <paramref name="input"/> and, unless given, its dtype and device.</summary>
    public static Tensor OnesLike(Tensor input, DType? dtype = null, Device? device = null) =>
        Ones(LikeShape(input), dtype ?? input.DType, device ?? input.Device);

    /// <summary>An uninitialised tensor with the shape of <paramref name="input"/> and, unless given, its dtype and device.</summary>
    public static Tensor EmptyLike(Tensor input, DType? dtype = null, Device? device = null) =>
        Empty(LikeShape(input), dtype ?? input.DType, device ?? input.Device);

    /// <summary>A tensor filled with <paramref name="value"/>, with the shape of <paramref name="input"/> and, unless given, its dtype.</summary>
    public static Tensor FullLike(Tensor input, double value, DType? dtype = null, Device? device = null) =>
        Full(LikeShape(input), value, dtype ?? input.DType, device ?? input.Device);

    /// <summary>A tensor filled with the integer <paramref name="value"/>, with the shape of <paramref name="input"/> and, unless given, its dtype.</summary>
    public static Tensor FullLike(Tensor input, long value, DType? dtype = null, Device? device = null) =>
        Full(LikeShape(input), value, dtype ?? input.DType, device ?? input.Device);

    /// <summary>A tensor filled with the boolean <paramref name="value"/>, with the shape of <paramref name="input"/> and, unless given, its dtype.</summary>
    public static Tensor FullLike(Tensor input, bool value, DType? dtype = null, Device? device = null) =>
        Full(LikeShape(input), value, dtype ?? input.DType, device ?? input.Device);

    /// <summary>The integers 0, 1, ..., <paramref name="end"/> - 1 as int64 unless <paramref name="dtype"/> says otherwise (<c>torch.arange</c>).</summary>
    public static Tensor Arange(long end, DType? dtype = null, Device? device = null) => Arange(0, end, 1, dtype, device);

    /// <summary>
    /// The values <paramref name="start"/>, <paramref name="start"/> + <paramref name="step"/>, ... short of
    /// <paramref name="end"/>, as int64 unless <paramref name="dtype"/> says otherwise.
    /// </summary>
    /// <exception cref="ArgumentException">The step is 0 or points away from <paramref name="end"/>, or the dtype is bool.</exception>
    // A literal 0 converts to DType as well as to long: Arange(5, 0) means start 5, end 0, not a dtype.
    [OverloadResolutionPriority(1)]
    public static Tensor Arange(long start, long end, long step = 1, DType? dtype = null, Device? device = null)
    {
        var dt = dtype ?? DType.Int64;
        return dt.IsFloatingPoint() ? ArangeFloating(start, end, step, dt, device) : ArangeIntegral(start, end, step, dt, device);
    }

    /// <summary>The values 0, 1, ... below <paramref name="end"/>, as float32 unless <paramref name="dtype"/> says otherwise.</summary>
    public static Tensor Arange(double end, DType? dtype = null, Device? device = null) => Arange(0.0, end, 1.0, dtype, device);

    /// <summary>
    /// The values <c>start + i * step</c> for i = 0 .. ⌈(end - start) / step⌉ - 1, as float32 unless
    /// <paramref name="dtype"/> says otherwise (an integer dtype truncates the bounds and step first, as PyTorch does).
    /// </summary>
    /// <exception cref="ArgumentException">The step is 0 or points away from <paramref name="end"/>, a bound is not finite, or the dtype is bool.</exception>
    [OverloadResolutionPriority(1)]
    public static Tensor Arange(double start, double end, double step = 1, DType? dtype = null, Device? device = null)
    {
        var dt = dtype ?? DTypes.DefaultFloat;
        if (!double.IsFinite(start) || !double.IsFinite(end))
            throw new ArgumentException($"arange: unsupported range {start} -> {end}: the bounds must be finite");
        if (dt.IsFloatingPoint()) return ArangeFloating(start, end, step, dt, device);
        return ArangeIntegral((long)start, (long)end, double.IsFinite(step) ? (long)step : 0, dt, device);
    }

    /// <summary>
    /// <paramref name="steps"/> evenly spaced values from <paramref name="start"/> to <paramref name="end"/>
    /// inclusive (<c>torch.linspace</c>), float32 unless <paramref name="dtype"/> says otherwise.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="steps"/> is negative, or the dtype is bool.</exception>
    public static Tensor Linspace(double start, double end, long steps, DType? dtype = null, Device? device = null)
    {
        var dt = dtype ?? DTypes.DefaultFloat;
        if (steps < 0) throw new ArgumentException($"linspace: the number of steps must be non-negative, got {steps}", nameof(steps));
        RejectBool("linspace", dt);
        var result = NewTensor("linspace", [steps], dt, device);
        var values = new double[steps];
        if (dt.IsIntegral())
        {
            start = Math.Truncate(start);
            end = Math.Truncate(end);
        }
        // PyTorch computes in the element type: single precision for float32, float16 and bfloat16.
        bool single = dt.IsFloatingPoint() && dt != DType.Float64;
        if (single)
        {
            float s = (float)start, e = (float)end, step = (e - s) / (steps - 1);
            for (long i = 0; i < steps; i++) values[i] = i < steps / 2 ? s + step * i : e - step * (steps - i - 1);
        }
        else
        {
            double step = (end - start) / (steps - 1);
            for (long i = 0; i < steps; i++) values[i] = i < steps / 2 ? start + step * i : end - step * (steps - i - 1);
        }
        // One step has no spacing: PyTorch returns [start].
        if (steps == 1) values[0] = start;
        return result.Copy_(FromArray(values));
    }

    /// <summary>
    /// A 2-d tensor with ones on the diagonal and zeros elsewhere (<c>torch.eye</c>): <paramref name="n"/> rows
    /// and <paramref name="m"/> columns (<paramref name="n"/> when not given), float32 unless <paramref name="dtype"/> says otherwise.
    /// </summary>
    /// <exception cref="ArgumentException">A size is negative.</exception>
    public static Tensor Eye(long n, long? m = null, DType? dtype = null, Device? device = null)
    {
        long cols = m ?? n;
        if (n < 0 || cols < 0)
            throw new ArgumentException($"eye: sizes must be non-negative, got n={n}, m={cols}");
        var result = Zeros([n, cols], dtype, device);
        result.AsStrided([Math.Min(n, cols)], [cols + 1], 0).Fill_(1L);
        return result;
    }

    /// <summary>Sets every element to <paramref name="value"/> converted to this dtype (<c>fill_</c>); floats convert to integers by truncation.</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The value overflows this dtype.</exception>
    public Tensor Fill_(double value) => FillWith(FillValue("fill_", Scalar(value), DType));

    /// <summary>Sets every element to the integer <paramref name="value"/> converted to this dtype.</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The value overflows this dtype.</exception>
    public Tensor Fill_(long value) => FillWith(FillValue("fill_", Scalar(value), DType));

    /// <summary>Sets every element to the boolean <paramref name="value"/> (1 or 0 in a numeric dtype).</summary>
    /// <returns>This tensor.</returns>
    public Tensor Fill_(bool value) => FillWith(FillValue("fill_", Scalar(value), DType));

    /// <summary>Sets every element to zero (<c>zero_</c>).</summary>
    /// <returns>This tensor.</returns>
    public Tensor Zero_()
    {
        InPlaceGrad.CheckUnrecorded(this, "zero_");
        if (IsContiguous) ByteSpan().Clear();
        else CopyKernel.Copy(Zeros([], DType), this);
        return Overwritten();
    }

    private static Tensor FullOf(long[] shape, Tensor value, DType dtype, Device? device) =>
        NewTensor("full", shape, dtype, device).FillWith(FillValue("full", value, dtype));

    /// <summary>Writes the 0-d <paramref name="value"/> (of this dtype) into every element; writing through an expanded view writes shared elements repeatedly.</summary>
    private Tensor FillWith(Tensor value)
    {
        InPlaceGrad.CheckUnrecorded(this, "fill_");
        if (!IsContiguous)
        {
            CopyKernel.Copy(value, this);
            return Overwritten();
        }
        switch (DType.ElementSize())
        {
            case 1: Span<byte>().Fill(value.Ref<byte>()); break;
            case 2: Span<ushort>().Fill(value.Ref<ushort>()); break;
            case 4: Span<uint>().Fill(value.Ref<uint>()); break;
            default: Span<ulong>().Fill(value.Ref<ulong>()); break;
        }
        return Overwritten();
    }

    /// <summary>
    /// The 0-d <paramref name="value"/> converted to <paramref name="dtype"/>, refusing values the dtype cannot
    /// hold as PyTorch does: integers outside the dtype's range (an unsigned dtype also takes negatives down to
    /// minus its maximum, wrapping), NaN as an integer, and finite values that become infinite.
    /// </summary>
    private static Tensor FillValue(string op, Tensor value, DType dtype)
    {
        var converted = value.To(dtype);
        bool overflows = dtype switch
        {
            DType.Bool => false,
            _ when dtype.IsFloatingPoint() => double.IsFinite(AsDouble(value)) && !double.IsFinite(AsDouble(converted)),
            _ => IntegralOverflow(value, dtype),
        };
        if (overflows)
            throw new ArgumentException($"{op}: the value {FormatScalar(value)} cannot be converted to {dtype.Name()} without overflow");
        return converted;
    }

    private static double AsDouble(Tensor scalar) => scalar.To(DType.Float64).Item<double>();

    private static bool IntegralOverflow(Tensor value, DType dtype)
    {
        var (min, max) = IntegralRange(dtype);
        if (!dtype.IsSigned()) min = -max;
        return value.DType switch
        {
            DType.Float64 => value.Item<double>() is var v && (double.IsNaN(v) || v < min || v > max),
            DType.Int64 => value.Item<long>() is var i && (i < min || i > max),
            _ => false,
        };
    }

    /// <summary>The smallest and largest value of an integer dtype (bool: 0 and 1).</summary>
    internal static (long Min, long Max) IntegralRange(DType dtype)
    {
        int bits = dtype == DType.Bool ? 1 : 8 * dtype.ElementSize();
        if (!dtype.IsSigned()) return (0, (1L << bits) - 1);
        return bits == 64 ? (long.MinValue, long.MaxValue) : (-(1L << (bits - 1)), (1L << (bits - 1)) - 1);
    }

    private static string FormatScalar(Tensor value) => value.DType switch
    {
        DType.Float64 => value.Item<double>().ToString(System.Globalization.CultureInfo.InvariantCulture),
        DType.Int64 => value.Item<long>().ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => value.Item<bool>() ? "true" : "false",
    };

    private static Tensor ArangeIntegral(long start, long end, long step, DType dtype, Device? device)
    {
        RejectBool("arange", dtype);
        CheckArangeStep(start, end, step);
        long sign = step > 0 ? 1 : -1;
        long n = (long)(((Int128)end - start + step - sign) / step);
        var values = new long[Math.Max(n, 0)];
        for (long i = 0; i < values.Length; i++) values[i] = start + step * i;
        return NewTensor("arange", [values.Length], dtype, device).Copy_(FromArray(values));
    }

    private static Tensor ArangeFloating(double start, double end, double step, DType dtype, Device? device)
    {
        CheckArangeStep(start, end, step);
        double size = Math.Ceiling((end - start) / step);
        if (size > int.MaxValue)
            throw new ArgumentException($"arange: the range {start} -> {end} with step {step} has {size} elements, too many for one tensor");
        var values = new double[(long)size];
        for (long i = 0; i < values.Length; i++) values[i] = start + step * i;
        return NewTensor("arange", [values.Length], dtype, device).Copy_(FromArray(values));
    }

    private static void CheckArangeStep(double start, double end, double step)
    {
        if (step == 0 || double.IsNaN(step)) throw new ArgumentException($"arange: step must be nonzero, got {step}", nameof(step));
        if ((step > 0 && end < start) || (step < 0 && end > start))
            throw new ArgumentException($"arange: the range {start} -> {end} runs against the sign of step {step}");
    }

    private static void RejectBool(string op, DType dtype)
    {
        if (dtype == DType.Bool) throw new ArgumentException($"{op}: not supported for dtype bool");
    }

    /// <summary>A new uninitialised contiguous tensor, after checking the shape and device.</summary>
    private static Tensor NewTensor(string op, long[] shape, DType dtype, Device? device) => Empty(dtype, CheckedShape(op, shape, device));

    /// <summary>A copy of <paramref name="shape"/> once every size is known to be non-negative and the device available.</summary>
    private static long[] CheckedShape(string op, long[] shape, Device? device)
    {
        ArgumentNullException.ThrowIfNull(shape);
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"{op}: negative size {d} in shape {Shapes.Format(shape)}", nameof(shape));
        }
        if (device is { } dev && dev != Device.Cpu)
            throw new NotSupportedException($"{op}: device {dev} is not available; this build of Kiln runs on the CPU only");
        return (long[])shape.Clone();
    }

    private static long[] LikeShape(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Shape;
    }

    /// <summary>After every element was overwritten with a constant: bumps the version and drops the gradient history (the gradient through a constant is zero).</summary>
    private Tensor Overwritten()
    {
        MarkModified();
        if (autograd is { GradFn: not null } meta) meta.GradFn = null;
        return this;
    }
}
