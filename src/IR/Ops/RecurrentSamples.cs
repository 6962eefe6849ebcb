namespace Kiln.IR.Ops;

/// <summary>
/// OpInfo samples of <c>lstm_layer</c>: both directions, with and without biases, one step and several, batch and
/// hidden and input sizes of 0 and 1, non-contiguous inputs and weights, float32 and float64, and the calls torch
/// refuses (no steps, mismatched sizes, mixed dtypes, integer inputs).
/// </summary>
internal static class RecurrentSamples
{
    private const DType F = DType.Float32, D = DType.Float64;
    private const SampleLayout C = SampleLayout.Contiguous, T = SampleLayout.Transposed, S = SampleLayout.Strided, E = SampleLayout.Expanded;

    /// <summary>Float32 results are compared with float64 references through several steps of rounding.</summary>
    private static readonly Tolerance Single = new(1e-5, 1e-5);

    private static readonly Attrs Reverse = new() { { "reverse", true } };

    internal static IEnumerable<OpSample> LstmLayer()
    {
        // The first sample passes every input (the bad-input checks append one more to it).
        yield return Lstm(F, 4, 3, 5, 6, bias: true);
        yield return Lstm(F, 4, 3, 5, 6, bias: true, Reverse);
        yield return Lstm(F, 4, 3, 5, 6, bias: false);
        yield return Lstm(F, 3, 2, 4, 3, bias: false, Reverse);
        yield return Lstm(D, 3, 2, 3, 2, bias: true);
        yield return Lstm(D, 3, 2, 3, 2, bias: true, Reverse);
        yield return Lstm(D, 2, 3, 2, 3, bias: false);
        yield return Lstm(F, 1, 1, 1, 1, bias: true);
        yield return Lstm(F, 5, 1, 3, 4, bias: true);
        yield return Lstm(F, 9, 5, 7, 17, bias: true);
        yield return Lstm(F, 9, 5, 7, 17, bias: true, Reverse);

        // Empty batch, input and hidden sizes.
        yield return Lstm(F, 3, 0, 3, 2, bias: true);
        yield return Lstm(F, 3, 2, 0, 2, bias: true);
        yield return Lstm(F, 3, 2, 3, 0, bias: true);

        // Views: a transposed and a strided input, transposed weights, strided states, an expanded bias.
        yield return new OpSample([new(F, [3, 4, 5], T), new(F, [4, 2], S), new(F, [4, 2], T), new(F, [8, 5], T), new(F, [8, 2], S),
            new(F, [8], S), new(F, [8], C)], Attrs.Empty, Single);
        yield return new OpSample([new(F, [3, 4, 5], S), new(F, [4, 2], E), new(F, [4, 2], E), new(F, [8, 5], S), new(F, [8, 2], T),
            new(F, [8], C), new(F, [8], S)], Reverse, Single);

        // What torch refuses: no steps, sizes that do not fit, mixed dtypes, integers.
        yield return Lstm(F, 0, 2, 3, 2, bias: true);
        yield return new OpSample([new(F, [3, 2, 4]), new(F, [2, 2]), new(F, [2, 2]), new(F, [8, 3]), new(F, [8, 2])], Attrs.Empty);
        yield return new OpSample([new(F, [3, 2, 3]), new(F, [2, 2]), new(F, [2, 2]), new(F, [8, 3]), new(F, [6, 2])], Attrs.Empty);
        yield return new OpSample([new(F, [3, 2, 3]), new(F, [3, 2]), new(F, [3, 2]), new(F, [8, 3]), new(F, [8, 2])], Attrs.Empty);
        yield return new OpSample([new(F, [3, 2, 3]), new(F, [2, 2]), new(F, [2, 2]), new(F, [8, 3]), new(F, [8, 2]), new(F, [6]), new(F, [8])], Attrs.Empty);
        yield return new OpSample([new(F, [3, 2, 3]), new(F, [2, 2]), new(F, [2, 2]), new(F, [8, 3]), new(D, [8, 2])], Attrs.Empty);
        yield return new OpSample([new(DType.Int64, [3, 2, 3]), new(DType.Int64, [2, 2]), new(DType.Int64, [2, 2]), new(DType.Int64, [8, 3]),
            new(DType.Int64, [8, 2])], Attrs.Empty);
    }

    /// <summary>An LSTM layer of <paramref name="steps"/> × <paramref name="batch"/> × <paramref name="input"/> inputs and <paramref name="hidden"/> units.</summary>
    private static OpSample Lstm(DType dtype, long steps, long batch, long input, long hidden, bool bias, Attrs? attrs = null)
    {
        var specs = new List<TensorSpec>
        {
            new(dtype, [steps, batch, input]), new(dtype, [batch, hidden]), new(dtype, [batch, hidden]),
            new(dtype, [4 * hidden, input]), new(dtype, [4 * hidden, hidden]),
        };
        if (bias) specs.AddRange([new(dtype, [4 * hidden]), new(dtype, [4 * hidden])]);
        return new OpSample(specs, attrs ?? Attrs.Empty, dtype == F ? Single : null);
    }
}
