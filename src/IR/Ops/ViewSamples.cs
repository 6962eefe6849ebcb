namespace Kiln.IR.Ops;

public static partial class ViewOps
{
    // OpInfo samples of the view ops: shapes, non-contiguous layouts (a view of a view must still be right),
    // 0-d and empty tensors, negative dims and the calls torch rejects for float32; a short set for the other dtypes.

    private const DType F32 = DType.Float32, F64 = DType.Float64;
    private const SampleLayout C = SampleLayout.Contiguous, T = SampleLayout.Transposed, S = SampleLayout.Strided, E = SampleLayout.Expanded;

    private static TensorSpec In(DType dtype, long[] shape, SampleLayout layout = C) => new(dtype, shape, layout);

    private static OpSample One(TensorSpec input, params (string Name, object? Value)[] attrs) => new([input], With(attrs));

    private static OpSample Two(TensorSpec self, TensorSpec src, params (string Name, object? Value)[] attrs) => new([self, src], With(attrs));

    private static Attrs With((string Name, object? Value)[] pairs)
    {
        var attrs = new Attrs();
        foreach (var (name, value) in pairs)
            attrs.Add(name, value);
        return attrs;
    }

    /// <summary>Every dtype but float32, with float64 first (so gradient checks see a float64 sample).</summary>
    private static IEnumerable<DType> OtherDTypes => DTypes.All.Where(d => d != F32).OrderBy(d => d != F64);

    private static IEnumerable<OpSample> ReshapeSamples()
    {
        yield return One(In(F32, [2, 3, 4]), ("shape", new long[] { 6, 4 }));
        yield return One(In(F32, [4, 3], T), ("shape", new long[] { 12 }));
        yield return One(In(F32, [2, 3, 6], S), ("shape", new long[] { 3, -1 }));
        yield return One(In(F32, [3, 4], E), ("shape", new long[] { 2, 2, 3 }));
        yield return One(In(F32, [2, 3, 4]), ("shape", new long[] { 4, -1, 3 }));
        yield return One(In(F32, []), ("shape", new long[] { 1, 1 }));
        yield return One(In(F32, [1]), ("shape", Array.Empty<long>()));
        yield return One(In(F32, [0, 3]), ("shape", new long[] { 3, 0, 2 }));
        yield return One(In(F32, [0, 3]), ("shape", new long[] { -1, 3 }));
        yield return One(In(F32, [0, 3]), ("shape", new long[] { -1, 0 }));
        yield return One(In(F32, [2, 3]), ("shape", new long[] { 4, 2 }));
        yield return One(In(F32, [2, 3]), ("shape", new long[] { -1, -1 }));
        yield return One(In(F32, [2, 3]), ("shape", new long[] { -2, -3 }));
        yield return One(In(F32, [2, 3]), ("shape", new long[] { 4, -1 }));
        foreach (var d in OtherDTypes)
            yield return One(In(d, [4, 3], T), ("shape", new long[] { 2, 6 }));
    }

    private static IEnumerable<OpSample> ExpandSamples()
    {
        yield return One(In(F32, [3, 1]), ("size", new long[] { 3, 4 }));
        yield return One(In(F32, [1, 4]), ("size", new long[] { 2, 3, 4 }));
        yield return One(In(F32, [1, 3], T), ("size", new long[] { 2, 5, 3 }));
        yield return One(In(F32, [2, 1, 3], S), ("size", new long[] { -1, 4, -1 }));
        yield return One(In(F32, [3, 4], E), ("size", new long[] { 2, 3, 4 }));
        yield return One(In(F32, []), ("size", new long[] { 2, 3 }));
        yield return One(In(F32, [3]), ("size", new long[] { 3 }));
        yield return One(In(F32, [0, 1]), ("size", new long[] { 0, 4 }));
        yield return One(In(F32, [1]), ("size", new long[] { 2, 0 }));
        yield return One(In(F32, [3, 2]), ("size", new long[] { 3, 4 }));
        yield return One(In(F32, [3]), ("size", Array.Empty<long>()));
        yield return One(In(F32, [3]), ("size", new long[] { -1, 3 }));
        yield return One(In(F32, [1]), ("size", new long[] { -2 }));
        foreach (var d in OtherDTypes)
            yield return One(In(d, [3, 1]), ("size", new long[] { 2, 3, 2 }));
    }

    private static IEnumerable<OpSample> PermuteSamples()
    {
        yield return One(In(F32, [2, 3, 4]), ("dims", new long[] { 2, 0, 1 }));
        yield return One(In(F32, [4, 3], T), ("dims", new long[] { 1, 0 }));
        yield return One(In(F32, [2, 3, 5], S), ("dims", new long[] { -1, 0, 1 }));
        yield return One(In(F32, [3, 4], E), ("dims", new long[] { 1, 0 }));
        yield return One(In(F32, []), ("dims", Array.Empty<long>()));
        yield return One(In(F32, [0, 3]), ("dims", new long[] { 1, 0 }));
        yield return One(In(F32, [2, 3, 4]), ("dims", new long[] { 0, 0, 1 }));
        yield return One(In(F32, [2, 3, 4]), ("dims", new long[] { 0, 1 }));
        yield return One(In(F32, [2, 3]), ("dims", new long[] { 0, 2 }));
        foreach (var d in OtherDTypes)
            yield return One(In(d, [2, 3, 2]), ("dims", new long[] { 1, 2, 0 }));
    }

    private static IEnumerable<OpSample> TransposeSamples()
    {
        yield return One(In(F32, [2, 3, 4]), ("dim0", 0), ("dim1", 2));
        yield return One(In(F32, [4, 3], T), ("dim0", 0), ("dim1", 1));
        yield return One(In(F32, [2, 3, 5], S), ("dim0", -1), ("dim1", -2));
        yield return One(In(F32, [3, 4], E), ("dim0", 1), ("dim1", 0));
        yield return One(In(F32, [3]), ("dim0", 0), ("dim1", 0));
        yield return One(In(F32, []), ("dim0", 0), ("dim1", -1));
        yield return One(In(F32, [0, 3]), ("dim0", 0), ("dim1", 1));
        yield return One(In(F32, [2, 3]), ("dim0", 0), ("dim1", 2));
        foreach (var d in OtherDTypes)
            yield return One(In(d, [2, 3]), ("dim0", 1), ("dim1", 0));
    }

    private static IEnumerable<OpSample> SqueezeSamples()
    {
        yield return One(In(F32, [1, 3, 1, 4]), ("dim", Array.Empty<long>()));
        yield return One(In(F32, [1, 3, 1, 4]), ("dim", new long[] { 0 }));
        yield return One(In(F32, [1, 3, 1]), ("dim", new long[] { -1, 0 }));
        yield return One(In(F32, [3, 1], T), ("dim", new long[] { 1 }));
        yield return One(In(F32, [2, 1, 4], S), ("dim", new long[] { 1 }));
        yield return One(In(F32, [3, 4], E), ("dim", new long[] { 0, 1 }));
        yield return One(In(F32, []), ("dim", Array.Empty<long>()));
        yield return One(In(F32, []), ("dim", new long[] { 0 }));
        yield return One(In(F32, [1]), ("dim", Array.Empty<long>()));
        yield return One(In(F32, [0, 1]), ("dim", Array.Empty<long>()));
        yield return One(In(F32, [3, 4]), ("dim", new long[] { 1 }));
        yield return One(In(F32, [3, 1]), ("dim", new long[] { 2 }));
        yield return One(In(F32, [1, 1]), ("dim", new long[] { 0, -2 }));
        foreach (var d in OtherDTypes)
            yield return One(In(d, [2, 1, 3]), ("dim", Array.Empty<long>()));
    }

    private static IEnumerable<OpSample> UnsqueezeSamples()
    {
        yield return One(In(F32, [3, 4]), ("dim", 0));
        yield return One(In(F32, [3, 4]), ("dim", 2));
        yield return One(In(F32, [4, 3], T), ("dim", 1));
        yield return One(In(F32, [2, 3, 5], S), ("dim", -2));
        yield return One(In(F32, [3, 4], E), ("dim", -3));
        yield return One(In(F32, []), ("dim", 0));
        yield return One(In(F32, []), ("dim", -1));
        yield return One(In(F32, [0]), ("dim", 1));
        yield return One(In(F32, [3, 4]), ("dim", 3));
        yield return One(In(F32, [3, 4]), ("dim", -4));
        foreach (var d in OtherDTypes)
            yield return One(In(d, [2, 3]), ("dim", -1));
    }

    private static IEnumerable<OpSample> SliceSamples()
    {
        yield return One(In(F32, [5, 4]), ("dim", 0), ("start", 1), ("end", 4));
        yield return One(In(F32, [5, 4]), ("dim", 1), ("step", 2));
        yield return One(In(F32, [4, 5], T), ("dim", -1), ("start", -3));
        yield return One(In(F32, [2, 3, 8], S), ("dim", 2), ("start", 1), ("end", 7), ("step", 3));
        yield return One(In(F32, [3, 4], E), ("dim", 0), ("start", 0), ("end", 2));
        yield return One(In(F32, [5]), ("dim", 0), ("start", -100), ("end", 100));
        yield return One(In(F32, [5]), ("dim", 0), ("start", 3), ("end", 1));
        yield return One(In(F32, [5]), ("dim", 0), ("start", -2), ("end", -1));
        yield return One(In(F32, [5]), ("dim", 0), ("start", 7));
        yield return One(In(F32, [0, 3]), ("dim", 0), ("start", 0), ("end", 2));
        yield return One(In(F32, []), ("dim", 0));
        yield return One(In(F32, [5]), ("dim", 0), ("step", 0));
        yield return One(In(F32, [5]), ("dim", 0), ("step", -1));
        yield return One(In(F32, [3, 4]), ("dim", 2), ("start", 1));
        foreach (var d in OtherDTypes)
            yield return One(In(d, [4, 3]), ("dim", 1), ("start", 1));
    }

    private static IEnumerable<OpSample> SelectSamples()
    {
        yield return One(In(F32, [3, 4]), ("dim", 0), ("index", 1));
        yield return One(In(F32, [3, 4]), ("dim", 1), ("index", -1));
        yield return One(In(F32, [4, 3], T), ("dim", 0), ("index", 3));
        yield return One(In(F32, [2, 3, 5], S), ("dim", -1), ("index", 2));
        yield return One(In(F32, [3, 4], E), ("dim", 0), ("index", 2));
        yield return One(In(F32, [3]), ("dim", 0), ("index", 0));
        yield return One(In(F32, [0, 3]), ("dim", 1), ("index", 2));
        yield return One(In(F32, [3, 4]), ("dim", 0), ("index", 3));
        yield return One(In(F32, [3, 4]), ("dim", 1), ("index", -5));
        yield return One(In(F32, []), ("dim", 0), ("index", 0));
        yield return One(In(F32, [3, 4]), ("dim", 2), ("index", 0));
        foreach (var d in OtherDTypes)
            yield return One(In(d, [3, 2]), ("dim", 1), ("index", 1));
    }

    private static IEnumerable<OpSample> DiagonalSamples()
    {
        yield return One(In(F32, [3, 4]));
        yield return One(In(F32, [3, 4]), ("offset", 1));
        yield return One(In(F32, [3, 4]), ("offset", -2));
        yield return One(In(F32, [2, 3, 4]), ("dim1", 1), ("dim2", 2));
        yield return One(In(F32, [2, 3, 4]), ("offset", 1), ("dim1", -1), ("dim2", 0));
        yield return One(In(F32, [4, 3], T));
        yield return One(In(F32, [2, 3, 6], S), ("offset", -1), ("dim1", 0), ("dim2", 2));
        yield return One(In(F32, [3, 4], E), ("offset", 1));
        yield return One(In(F32, [3, 4]), ("offset", 5));
        yield return One(In(F32, [0, 3]));
        yield return One(In(F32, [3, 4]), ("dim1", 1), ("dim2", -1));
        yield return One(In(F32, [3]));
        yield return One(In(F32, [3, 4]), ("dim2", 2));
        foreach (var d in OtherDTypes)
            yield return One(In(d, [3, 3]), ("offset", -1));
    }

    private static IEnumerable<OpSample> CloneSamples() => SampleSets.Unary([F32, .. OtherDTypes]);

    private static IEnumerable<OpSample> SliceScatterSamples()
    {
        yield return Two(In(F32, [5, 4]), In(F32, [2, 4]), ("dim", 0), ("start", 1), ("end", 4), ("step", 2));
        yield return Two(In(F32, [4, 5], T), In(F32, [4, 2], S), ("dim", -1), ("start", -2));
        yield return Two(In(F32, [3, 4], E), In(F32, [3, 2], T), ("dim", 1), ("end", 2));
        yield return Two(In(F32, [2, 3, 4], S), In(F32, [2, 1, 4]), ("dim", 1), ("start", 1), ("end", 2));
        yield return Two(In(F32, [5]), In(F32, [5]), ("dim", 0));
        yield return Two(In(F32, [5]), In(F32, [0]), ("dim", 0), ("start", 3), ("end", 1));
        yield return Two(In(F32, [0, 3]), In(F32, [0, 3]), ("dim", 0));
        yield return Two(In(F32, [3, 4]), In(F32, [3, 3]), ("dim", 1), ("end", 2));
        yield return Two(In(F32, [3, 4]), In(F32, [2]), ("dim", 1), ("end", 2));
        yield return Two(In(F32, []), In(F32, []), ("dim", 0));
        yield return Two(In(F32, [5]), In(F32, [5]), ("dim", 0), ("step", 0));
        yield return Two(In(F32, [3, 4]), In(F32, [3, 4]), ("dim", 2));
        yield return Two(In(F32, [3, 4]), In(DType.Int32, [3, 2]), ("dim", 1), ("start", 1), ("end", 3));
        yield return Two(In(DType.Int64, [3, 4]), In(F32, [1, 4]), ("dim", 0), ("start", -1));
        foreach (var d in OtherDTypes)
            yield return Two(In(d, [4, 3]), In(d, [2, 3]), ("dim", 0), ("end", 2));
    }

    private static IEnumerable<OpSample> SelectScatterSamples()
    {
        yield return Two(In(F32, [3, 4]), In(F32, [4]), ("dim", 0), ("index", 1));
        yield return Two(In(F32, [3, 4]), In(F32, [3]), ("dim", 1), ("index", -1));
        yield return Two(In(F32, [4, 3], T), In(F32, [3]), ("dim", 0), ("index", 3));
        yield return Two(In(F32, [2, 3, 5], S), In(F32, [2, 3], T), ("dim", -1), ("index", 4));
        yield return Two(In(F32, [3, 4], E), In(F32, [4]), ("dim", 0), ("index", 0));
        yield return Two(In(F32, [3]), In(F32, []), ("dim", 0), ("index", 2));
        yield return Two(In(F32, [0, 3]), In(F32, [0]), ("dim", 1), ("index", 1));
        yield return Two(In(F32, [3, 4]), In(F32, [4]), ("dim", 0), ("index", 3));
        yield return Two(In(F32, [3, 4]), In(F32, [3]), ("dim", 0), ("index", 0));
        yield return Two(In(F32, []), In(F32, []), ("dim", 0), ("index", 0));
        yield return Two(In(F32, [3, 4]), In(F32, [4]), ("dim", 2), ("index", 0));
        yield return Two(In(F32, [3, 4]), In(F64, [4]), ("dim", 0), ("index", 2));
        foreach (var d in OtherDTypes)
            yield return Two(In(d, [3, 2]), In(d, [3]), ("dim", 1), ("index", 0));
    }

    private static IEnumerable<OpSample> DiagonalScatterSamples()
    {
        yield return Two(In(F32, [3, 4]), In(F32, [3]));
        yield return Two(In(F32, [3, 4]), In(F32, [3]), ("offset", 1));
        yield return Two(In(F32, [3, 4]), In(F32, [2]), ("offset", -1));
        yield return Two(In(F32, [2, 3, 4]), In(F32, [2, 3], T), ("dim1", 1), ("dim2", 2));
        yield return Two(In(F32, [4, 3], T), In(F32, [3], S));
        yield return Two(In(F32, [3, 4], E), In(F32, [2]), ("offset", 1), ("dim1", 1), ("dim2", 0));
        yield return Two(In(F32, [3, 4]), In(F32, [0]), ("offset", 5));
        yield return Two(In(F32, [3, 4]), In(F32, [2]));
        yield return Two(In(F32, [3, 4]), In(F32, [3]), ("dim1", 1), ("dim2", 1));
        yield return Two(In(F32, [3]), In(F32, [3]));
        foreach (var d in OtherDTypes)
            yield return Two(In(d, [3, 3]), In(d, [3]));
    }
}
