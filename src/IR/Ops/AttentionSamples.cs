namespace Kiln.IR.Ops;

/// <summary>
/// The OpInfo samples of <c>scaled_dot_product_attention</c>: batch broadcasting, causal masks with L = S,
/// L &gt; S and L &lt; S, boolean and additive masks (broadcast along every dim, with rows masked entirely),
/// explicit scales, views, sequences longer than one block of the blocked kernel, empty sizes, every
/// floating dtype, and the calls PyTorch refuses.
/// </summary>
internal static class AttentionSamples
{
    private const DType F = DType.Float32;
    private const SampleLayout C = SampleLayout.Contiguous, T = SampleLayout.Transposed, S = SampleLayout.Strided, E = SampleLayout.Expanded;

    /// <summary>Float32 results are compared with float64 references, and the kernel sums in another order.</summary>
    private static readonly Tolerance Single = new(2e-5, 2e-5);

    /// <summary>float16 and bfloat16 are computed in float32 and rounded once, so they may differ by an ulp.</summary>
    private static readonly Tolerance LowPrecision = new(1e-2, 1e-2);

    internal static IEnumerable<OpSample> All()
    {
        // Batch dims of every kind.
        yield return Qkv(F, [2, 3, 4, 5], [2, 3, 6, 5], [2, 3, 6, 7]);
        yield return Qkv(F, [3, 4, 8], [3, 5, 8], [3, 5, 8]);
        yield return Qkv(F, [4, 8], [6, 8], [6, 3]);
        yield return Qkv(F, [2, 1, 4, 8], [3, 6, 8], [3, 6, 8]);
        yield return Qkv(F, [4, 8], [2, 6, 8], [6, 5]);
        yield return Qkv(F, [4, 8], [6, 8], [2, 6, 5]);

        // Causal masks: square, more queries than keys, fewer queries than keys.
        yield return Qkv(F, [2, 2, 5, 4], [2, 2, 5, 4], [2, 2, 5, 4], Causal);
        yield return Qkv(F, [1, 7, 4], [1, 4, 4], [1, 4, 3], Causal);
        yield return Qkv(F, [1, 3, 4], [1, 6, 4], [1, 6, 3], Causal);

        // Boolean masks (true = attend; two keys make rows with both masked likely) and additive masks.
        yield return Masked(F, [2, 4, 8], [2, 6, 8], [2, 6, 8], new(DType.Bool, [4, 6]));
        yield return Masked(F, [2, 3, 4, 8], [2, 3, 2, 8], [2, 3, 2, 8], new(DType.Bool, [2, 1, 4, 2]));
        yield return Masked(F, [2, 4, 8], [2, 6, 8], [2, 6, 8], new(F, [4, 6]));
        yield return Masked(F, [2, 3, 4, 5], [2, 3, 6, 5], [2, 3, 6, 7], new(F, [2, 3, 4, 6]));
        yield return Masked(F, [2, 4, 8], [2, 6, 8], [2, 6, 8], new(F, [6]));
        yield return Masked(F, [2, 4, 8], [2, 6, 8], [2, 6, 8], new(F, [4, 1]));
        yield return Masked(F, [2, 4, 8], [2, 6, 8], [2, 6, 8], new(DType.Bool, [2, 4, 6], E));
        yield return Masked(F, [2, 4, 8], [2, 6, 8], [2, 6, 8], new(F, [4, 6], T));

        // Explicit scales, including negative and zero (uniform weights).
        yield return Qkv(F, [2, 4, 8], [2, 6, 8], [2, 6, 3], Scale(0.5));
        yield return Qkv(F, [2, 4, 8], [2, 6, 8], [2, 6, 3], Scale(-0.3));
        yield return Qkv(F, [2, 4, 8], [2, 6, 8], [2, 6, 3], Scale(0.0));

        // Views.
        yield return new OpSample([new(F, [2, 4, 8], T), new(F, [2, 6, 8], S), new(F, [2, 6, 5], E)], Attrs.Empty, Single);
        yield return new OpSample([new(F, [3, 5, 4], S), new(F, [3, 5, 4], T), new(F, [3, 5, 6], T)], Causal, Single);

        // Longer than one block of queries (64) and of keys (256), with and without masks.
        yield return Qkv(F, [1, 70, 8], [1, 300, 8], [1, 300, 4]);
        yield return Qkv(F, [1, 300, 4], [1, 300, 4], [1, 300, 4], Causal);
        yield return Qkv(F, [2, 130, 4], [2, 20, 4], [2, 20, 3], Causal);
        yield return Masked(F, [1, 70, 4], [1, 300, 4], [1, 300, 2], new(DType.Bool, [70, 300]));

        // Empty sizes: no queries, no keys (zeros), no embedding (the mean of the values), no value dims, no batch.
        yield return Qkv(F, [2, 0, 4], [2, 3, 4], [2, 3, 5]);
        yield return Qkv(F, [2, 3, 4], [2, 0, 4], [2, 0, 5]);
        yield return Qkv(F, [2, 3, 0], [2, 4, 0], [2, 4, 5]);
        yield return Qkv(F, [2, 3, 4], [2, 4, 4], [2, 4, 0]);
        yield return Qkv(F, [0, 3, 4], [0, 5, 4], [0, 5, 2]);

        // Other dtypes; an additive float32 mask is allowed with float64 inputs.
        foreach (var d in new[] { DType.Float64, DType.Float16, DType.BFloat16 })
        {
            yield return Qkv(d, [2, 3, 4, 5], [2, 3, 6, 5], [2, 3, 6, 7]);
            yield return Qkv(d, [2, 5, 4], [2, 5, 4], [2, 5, 3], Causal);
            yield return Masked(d, [2, 4, 8], [2, 6, 8], [2, 6, 8], new(DType.Bool, [4, 6]));
            yield return Masked(d, [2, 4, 8], [2, 6, 8], [2, 6, 8], new(d, [2, 4, 6]));
        }
        yield return Masked(DType.Float64, [2, 4, 8], [2, 6, 8], [2, 6, 8], new(F, [4, 6]));

        // Calls PyTorch refuses.
        yield return Masked(F, [2, 4, 8], [2, 6, 8], [2, 6, 8], new(DType.Bool, [4, 6]), Causal);
        yield return Masked(F, [2, 4, 8], [2, 6, 8], [2, 6, 8], new(DType.Int64, [4, 6]));
        yield return Masked(F, [2, 4, 8], [2, 6, 8], [2, 6, 8], new(DType.Float64, [4, 6]));
        yield return Masked(F, [2, 4, 8], [2, 6, 8], [2, 6, 8], new(DType.Bool, [5, 6]));
        yield return new OpSample([new(F, [2, 4, 8]), new(DType.Float64, [2, 6, 8]), new(F, [2, 6, 8])], Attrs.Empty);
        yield return Qkv(F, [2, 4, 8], [2, 6, 8], [2, 5, 8]);
        yield return Qkv(F, [2, 4, 8], [3, 6, 8], [3, 6, 8]);
        yield return Qkv(F, [8], [6, 8], [6, 8]);
        yield return Qkv(F, [2, 4, 8], [2, 6, 8], [2, 6, 8], new Attrs { { "dropout_p", 1.5 } });
    }

    private static Attrs Causal => new() { { "is_causal", true } };

    private static Attrs Scale(double scale) => new() { { "scale", scale } };

    private static Tolerance? ToleranceFor(DType dtype) => dtype switch
    {
        DType.Float32 => Single,
        DType.Float16 or DType.BFloat16 => LowPrecision,
        _ => null,
    };

    private static OpSample Qkv(DType d, long[] q, long[] k, long[] v, Attrs? attrs = null) =>
        new([new(d, q), new(d, k), new(d, v)], attrs ?? Attrs.Empty, ToleranceFor(d));

    private static OpSample Masked(DType d, long[] q, long[] k, long[] v, TensorSpec mask, Attrs? attrs = null) =>
        new([new(d, q), new(d, k), new(d, v), mask], attrs ?? Attrs.Empty, ToleranceFor(d));
}
