using Kiln.IR;
using Kiln.Tests.OpInfo;

namespace Kiln.RefGen;

/// <summary>
/// Deterministic sample inputs: the same seed gives the same values, each exactly representable in the
/// spec's dtype and drawn from the spec's <see cref="SampleDomain"/>. Values are logical (row-major over
/// the spec's shape); the layout only changes how the tests and the oracle store them.
/// </summary>
internal static class InputGenerator
{
    /// <summary>Values every op should see: zero, halves (rounding ties) and small integers.</summary>
    private static readonly double[] NiceAny = [0, 0.5, -0.5, 1, -1, 1.5, -1.5, 2, -2, 2.5, -2.5, 3, -3];
    private static readonly double[] NicePositive = [0.5, 1, 2, 4];
    private static readonly double[] NiceUnit = [0, 0.5, -0.5];
    private static readonly double[] NiceNonZero = [0.5, -0.5, 1, -1, 2, -2];
    private static readonly double[] NiceProbability = [0, 0.5, 1];
    private static readonly double[] Specials = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0];

    /// <summary>The logical values of <paramref name="spec"/>, row-major.</summary>
    /// <exception cref="ArgumentException">The layout needs a higher rank than the spec has.</exception>
    public static double[] Generate(TensorSpec spec, ulong seed)
    {
        CheckLayout(spec);
        var rng = new SplitMix64(seed);
        long count = Shapes.Numel(spec.Shape);
        var values = new double[count];
        // An expanded input has stride 0 in dim 0, so its rows along dim 0 are all the same.
        long distinct = spec.Layout == SampleLayout.Expanded && spec.Shape[0] > 0 ? count / spec.Shape[0] : count;
        for (long i = 0; i < distinct; i++)
            values[i] = spec.Domain is SampleDomain.Index or SampleDomain.SignedIndex ? DrawIndex(spec, ref rng) : Draw(spec.DType, spec.Domain, ref rng);
        for (long i = distinct; i < count; i++)
            values[i] = values[i % distinct];
        return values;
    }

    private static void CheckLayout(TensorSpec spec)
    {
        int needed = spec.Layout switch
        {
            SampleLayout.Transposed => 2,
            SampleLayout.Strided or SampleLayout.Expanded => 1,
            _ => 0,
        };
        if (spec.Shape.Length < needed)
            throw new ArgumentException($"input {spec}: layout {SampleCodec.Name(spec.Layout)} needs rank ≥ {needed}");
    }

    private static double DrawIndex(TensorSpec spec, ref SplitMix64 rng)
    {
        if (spec.High <= 0)
            throw new ArgumentException($"input {spec}: an index domain needs a positive High bound");
        return rng.Integer(spec.Domain == SampleDomain.SignedIndex ? -spec.High : 0, spec.High - 1);
    }

    private static double Draw(DType dtype, SampleDomain domain, ref SplitMix64 rng) =>
        dtype == DType.Bool ? DrawBool(domain, ref rng)
        : dtype.IsFloatingPoint() ? RoundTo(dtype, DrawFloat(domain, ref rng))
        : DrawInteger(dtype.IsSigned(), domain, ref rng);

    private static double DrawBool(SampleDomain domain, ref SplitMix64 rng) =>
        domain is SampleDomain.Positive or SampleDomain.NonZero ? 1 : rng.Integer(0, 1);

    private static double DrawFloat(SampleDomain domain, ref SplitMix64 rng) => domain switch
    {
        SampleDomain.Positive => rng.Chance(0.2) ? rng.Pick(NicePositive) : rng.Uniform(0.1, 4),
        SampleDomain.Unit => rng.Chance(0.2) ? rng.Pick(NiceUnit) : rng.Uniform(-0.95, 0.95),
        SampleDomain.NonZero => rng.Chance(0.2) ? rng.Pick(NiceNonZero) : (rng.Chance(0.5) ? -1 : 1) * rng.Uniform(0.5, 3),
        SampleDomain.Small => rng.Integer(0, 4),
        SampleDomain.Probability => rng.Chance(0.2) ? rng.Pick(NiceProbability) : rng.Uniform(0, 1),
        SampleDomain.Special when rng.Chance(0.35) => rng.Pick(Specials),
        _ => rng.Chance(0.3) ? rng.Pick(NiceAny) : rng.Uniform(-3, 3),
    };

    private static double DrawInteger(bool signed, SampleDomain domain, ref SplitMix64 rng)
    {
        long low = signed ? -9 : 0;
        return domain switch
        {
            SampleDomain.Positive => rng.Integer(1, 4),
            SampleDomain.Small => rng.Integer(0, 4),
            SampleDomain.Probability => rng.Integer(0, 1),
            SampleDomain.Unit => rng.Integer(signed ? -1 : 0, 1),
            SampleDomain.NonZero => (signed && rng.Chance(0.5) ? -1 : 1) * rng.Integer(1, 9),
            _ => rng.Integer(low, 9),
        };
    }

    /// <summary>Rounds to the nearest value of <paramref name="dtype"/> (ties to even), so the data is exact in it.</summary>
    private static double RoundTo(DType dtype, double v) => dtype switch
    {
        DType.Float32 => (float)v,
        DType.Float16 => (double)(Half)v,
        DType.BFloat16 => RoundToBFloat16(v),
        _ => v,
    };

    private static double RoundToBFloat16(double v)
    {
        if (!double.IsFinite(v)) return v;
        uint bits = BitConverter.SingleToUInt32Bits((float)v);
        bits = (bits + 0x7FFFu + ((bits >> 16) & 1)) & 0xFFFF0000u;
        return BitConverter.UInt32BitsToSingle(bits);
    }
}
