using Kiln.Kernels;

namespace Kiln;

public partial class Tensor
{
    /// <summary>A float32 tensor of values uniform in [0, 1) from the default generator (<c>torch.rand</c>).</summary>
    public static Tensor Rand(params long[] shape) => Rand(shape, null, null, null);

    /// <summary>A tensor of values uniform in [0, 1) of a floating <paramref name="dtype"/> (float32 by default).</summary>
    /// <param name="shape">The sizes of the dims.</param>
    /// <param name="dtype">A floating-point dtype.</param>
    /// <param name="device">The device (the CPU).</param>
    /// <param name="generator">The generator to draw from; the default generator (<see cref="Random.ManualSeed"/>) when null.</param>
    /// <exception cref="ArgumentException">A size is negative, or the dtype is not floating-point.</exception>
    public static Tensor Rand(long[] shape, DType? dtype = null, Device? device = null, Generator? generator = null) =>
        NewTensor("rand", shape, dtype ?? DTypes.DefaultFloat, device).FillUniform("rand", 0, 1, generator);

    /// <summary>A float32 tensor of values from the standard normal distribution (<c>torch.randn</c>).</summary>
    public static Tensor Randn(params long[] shape) => Randn(shape, null, null, null);

    /// <summary>A tensor of standard normal values of a floating <paramref name="dtype"/> (float32 by default).</summary>
    /// <param name="shape">The sizes of the dims.</param>
    /// <param name="dtype">A floating-point dtype.</param>
    /// <param name="device">The device (the CPU).</param>
    /// <param name="generator">The generator to draw from; the default generator when null.</param>
    /// <exception cref="ArgumentException">A size is negative, or the dtype is not floating-point.</exception>
    public static Tensor Randn(long[] shape, DType? dtype = null, Device? device = null, Generator? generator = null) =>
        NewTensor("randn", shape, dtype ?? DTypes.DefaultFloat, device).FillNormal("randn", 0, 1, generator);

    /// <summary>An int64 tensor of integers uniform in [<paramref name="low"/>, <paramref name="high"/>) (<c>torch.randint</c>).</summary>
    public static Tensor Randint(long low, long high, params long[] shape) => Randint(low, high, shape, null, null, null);

    /// <summary>A tensor of integers uniform in [<paramref name="low"/>, <paramref name="high"/>), int64 unless <paramref name="dtype"/> says otherwise.</summary>
    /// <param name="low">The smallest value drawn.</param>
    /// <param name="high">One above the largest value drawn.</param>
    /// <param name="shape">The sizes of the dims.</param>
    /// <param name="dtype">Any dtype that holds every integer of the range.</param>
    /// <param name="device">The device (the CPU).</param>
    /// <param name="generator">The generator to draw from; the default generator when null.</param>
    /// <exception cref="ArgumentException">A size is negative, <paramref name="low"/> ≥ <paramref name="high"/>, or the dtype cannot hold the range.</exception>
    public static Tensor Randint(long low, long high, long[] shape, DType? dtype = null, Device? device = null, Generator? generator = null) =>
        NewTensor("randint", shape, dtype ?? DType.Int64, device).FillIntegers("randint", low, high, generator);

    /// <summary>Uniform values in [0, 1) with the shape of <paramref name="input"/> and, unless given, its dtype.</summary>
    public static Tensor RandLike(Tensor input, DType? dtype = null, Device? device = null, Generator? generator = null) =>
        Rand(LikeShape(input), dtype ?? input.DType, device ?? input.Device, generator);

    /// <summary>Standard normal values with the shape of <paramref name="input"/> and, unless given, its dtype.</summary>
    public static Tensor RandnLike(Tensor input, DType? dtype = null, Device? device = null, Generator? generator = null) =>
        Randn(LikeShape(input), dtype ?? input.DType, device ?? input.Device, generator);

    /// <summary>Integers uniform in [<paramref name="low"/>, <paramref name="high"/>) with the shape of <paramref name="input"/> and, unless given, its dtype.</summary>
    public static Tensor RandintLike(Tensor input, long low, long high, DType? dtype = null, Device? device = null, Generator? generator = null) =>
        Randint(low, high, LikeShape(input), dtype ?? input.DType, device ?? input.Device, generator);

    /// <summary>Fills this floating-point tensor with values uniform in [<paramref name="from"/>, <paramref name="to"/>) (<c>uniform_</c>).</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The dtype is not floating-point, or <paramref name="from"/> &gt; <paramref name="to"/>.</exception>
    public Tensor Uniform_(double from = 0, double to = 1, Generator? generator = null) => FillUniform("uniform_", from, to, generator);

    /// <summary>Fills this floating-point tensor with normal values of mean <paramref name="mean"/> and standard deviation <paramref name="std"/> (<c>normal_</c>).</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The dtype is not floating-point, or <paramref name="std"/> is negative.</exception>
    public Tensor Normal_(double mean = 0, double std = 1, Generator? generator = null) => FillNormal("normal_", mean, std, generator);

    /// <summary>Fills this tensor with integers uniform in [<paramref name="low"/>, <paramref name="high"/>) (<c>random_(from, to)</c>).</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException"><paramref name="low"/> ≥ <paramref name="high"/>, or this dtype cannot hold the range.</exception>
    public Tensor Random_(long low, long high, Generator? generator = null) => FillIntegers("random_", low, high, generator);

    private Tensor FillUniform(string op, double from, double to, Generator? generator)
    {
        Scripting.Tracer.CheckRandom(op);
        int bits = PrecisionBits(op);
        if (!(from <= to))
            throw new ArgumentException($"{op}: expects from <= to, got from={from}, to={to}");
        if (!double.IsFinite(AsDouble(Scalar(to - from).To(DType))))
            throw new ArgumentException($"{op}: the range [{from}, {to}) is too wide for {DType.Name()}");
        var work = RandomWorkTensor(bits > 24);
        if (work.DType == DType.Float64) RandomFill.Uniform<double>(work, generator ?? Random.DefaultGenerator, bits, from, to);
        else RandomFill.Uniform<float>(work, generator ?? Random.DefaultGenerator, bits, from, to);
        return TakeRandom(work);
    }

    private Tensor FillNormal(string op, double mean, double std, Generator? generator)
    {
        Scripting.Tracer.CheckRandom(op);
        int bits = PrecisionBits(op);
        if (!(std >= 0))
            throw new ArgumentException($"{op}: expects std >= 0, got std={std}", nameof(std));
        var work = RandomWorkTensor(bits > 24);
        if (work.DType == DType.Float64) RandomFill.Normal<double>(work, generator ?? Random.DefaultGenerator, 53, mean, std);
        else RandomFill.Normal<float>(work, generator ?? Random.DefaultGenerator, 24, mean, std);
        return TakeRandom(work);
    }

    private Tensor FillIntegers(string op, long low, long high, Generator? generator)
    {
        Scripting.Tracer.CheckRandom(op);
        if (low >= high)
            throw new ArgumentException($"{op}: expects low < high, got low={low}, high={high}");
        var (min, max) = DType.IsFloatingPoint() ? (-(1L << PrecisionBits(op)), 1L << PrecisionBits(op)) : IntegralRange(DType);
        if (low < min || high - 1 > max)
            throw new ArgumentException($"{op}: the range [{low}, {high}) does not fit in {DType.Name()}, whose integers run from {min} to {max}");
        var work = DType == DType.Int64 && IsContiguous ? this : Empty(DType.Int64, Shape);
        RandomFill.Integers(work, generator ?? Random.DefaultGenerator, low, (ulong)(high - low));
        return TakeRandom(work);
    }

    /// <summary>
    /// This tensor with <paramref name="work"/>'s random values: copied in, or, where the generator filled this tensor
    /// itself, the write counted as Copy_ counts it (autograd's saved tensors and linear's packed weights rely on it).
    /// </summary>
    private Tensor TakeRandom(Tensor work)
    {
        if (!ReferenceEquals(work, this)) return Copy_(work);
        MarkModified();
        return this;
    }

    /// <summary>This tensor when the generator can write it directly, else a contiguous float32 or float64 tensor of its shape to fill and copy in.</summary>
    private Tensor RandomWorkTensor(bool doublePrecision)
    {
        var dtype = doublePrecision ? DType.Float64 : DType.Float32;
        return DType == dtype && IsContiguous ? this : Empty(dtype, Shape);
    }

    /// <summary>The significand bits of this floating dtype: uniform values are multiples of 2^-bits, so each is exact and below 1.</summary>
    private int PrecisionBits(string op) => DType switch
    {
        DType.Float64 => 53,
        DType.Float32 => 24,
        DType.Float16 => 11,
        DType.BFloat16 => 8,
        _ => throw new ArgumentException($"{op}: expects a floating-point dtype, got {DType.Name()}"),
    };
}
