namespace Kiln.IR;

/// <summary>How a sample input is laid out in memory; the values are the same whatever the layout.</summary>
public enum SampleLayout : byte
{
    /// <summary>Row-major and dense.</summary>
    Contiguous,
    /// <summary>Stored with its last two dims swapped, then viewed through a transpose (rank ≥ 2).</summary>
    Transposed,
    /// <summary>Every other element of a buffer twice as long in the last dim (a step-2 slice).</summary>
    Strided,
    /// <summary>Stored with size 1 in dim 0 and expanded to the full size (stride 0).</summary>
    Expanded,
}

/// <summary>The range sample values are drawn from, so that each op is checked where it is defined.</summary>
public enum SampleDomain : byte
{
    /// <summary>Floats roughly in [-3, 3], including 0 and halves; integers in [-9, 9].</summary>
    Any,
    /// <summary>Strictly positive values in [0.1, 4] (log, sqrt, pow bases).</summary>
    Positive,
    /// <summary>Values in (-1, 1) (asin, acos, atanh).</summary>
    Unit,
    /// <summary>Values away from zero (divisors).</summary>
    NonZero,
    /// <summary>Small non-negative integers in [0, 4] (exponents, counts).</summary>
    Small,
    /// <summary>Like <see cref="Any"/> plus NaN, ±infinity and ±0 for floats (isnan, maximum, where...).</summary>
    Special,
    /// <summary>Valid indices: integers in [0, <see cref="TensorSpec.High"/>) (gather, embedding, class targets).</summary>
    Index,
    /// <summary>Indices that may count from the end: integers in [-<see cref="TensorSpec.High"/>, <see cref="TensorSpec.High"/>).</summary>
    SignedIndex,
    /// <summary>Values in [0, 1] (probabilities, binary targets).</summary>
    Probability,
}

/// <summary>One input of a sample: its dtype, shape, layout and the domain its values come from.</summary>
/// <param name="DType">The element type.</param>
/// <param name="Shape">The logical shape.</param>
/// <param name="Layout">How it is laid out in memory.</param>
/// <param name="Domain">Where its values come from.</param>
/// <param name="High">The exclusive bound of <see cref="SampleDomain.Index"/> and <see cref="SampleDomain.SignedIndex"/> values.</param>
public sealed record TensorSpec(DType DType, long[] Shape, SampleLayout Layout = SampleLayout.Contiguous, SampleDomain Domain = SampleDomain.Any, long High = 0)
{
    /// <summary>Formats like <c>float32[2, 3]/transposed/positive</c> or <c>int64[4]/index&lt;5</c>.</summary>
    public override string ToString() =>
        DType.Name() + Shapes.Format(Shape) + (Layout == SampleLayout.Contiguous ? "" : "/" + Layout.ToString().ToLowerInvariant())
        + (Domain == SampleDomain.Any ? "" : "/" + Domain.ToString().ToLowerInvariant())
        + (Domain is SampleDomain.Index or SampleDomain.SignedIndex ? "<" + High : "");
}

/// <summary>
/// One OpInfo-style sample of an op: inputs, attributes and the tolerance its results must meet against
/// PyTorch's. <see cref="Id"/> is unique within the op and stable, so reference files can be matched to it.
/// </summary>
/// <param name="Inputs">The tensor inputs.</param>
/// <param name="Attrs">The attributes.</param>
/// <param name="Tolerance">An override of the dtype's default tolerance, or null.</param>
public sealed record OpSample(IReadOnlyList<TensorSpec> Inputs, Attrs Attrs, Tolerance? Tolerance = null)
{
    /// <summary>A stable identifier made of the inputs and attributes.</summary>
    public string Id => string.Join(",", Inputs) + (Attrs.Any() ? " " + Attrs : "");
}

/// <summary>How close two results must be: |actual - expected| ≤ Atol + Rtol·|expected|.</summary>
/// <param name="Rtol">Relative tolerance.</param>
/// <param name="Atol">Absolute tolerance.</param>
public sealed record Tolerance(double Rtol, double Atol)
{
    /// <summary>The default tolerance for results of dtype <paramref name="dtype"/> (PyTorch's <c>assert_close</c> defaults).</summary>
    public static Tolerance For(DType dtype) => dtype switch
    {
        DType.Float16 => new(1e-3, 1e-5),
        DType.BFloat16 => new(1.6e-2, 1e-5),
        DType.Float32 => new(1.3e-6, 1e-5),
        DType.Float64 => new(1e-7, 1e-7),
        _ => new(0, 0),
    };
}
