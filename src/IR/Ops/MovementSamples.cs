namespace Kiln.IR.Ops;

public static partial class MovementOps
{
    // OpInfo samples of the movement ops: the full set of shapes, layouts and edge cases for float32, a
    // short set for every other dtype, promotion where the op promotes, and calls torch rejects.

    private const DType F32 = DType.Float32, F64 = DType.Float64, F16 = DType.Float16, BF16 = DType.BFloat16;
    private const DType I64 = DType.Int64, I32 = DType.Int32, I16 = DType.Int16, I8 = DType.Int8, U8 = DType.UInt8, B = DType.Bool;
    private const SampleLayout C = SampleLayout.Contiguous, T = SampleLayout.Transposed, S = SampleLayout.Strided, E = SampleLayout.Expanded;

    private static IEnumerable<DType> OtherDTypes(IEnumerable<DType> dtypes) => dtypes.Where(d => d != F32);

    private static TensorSpec In(DType dtype, long[] shape, SampleLayout layout = C, SampleDomain domain = SampleDomain.Any, long high = 0) =>
        new(dtype, shape, layout, domain, high);

    private static Attrs With(params (string Name, object? Value)[] pairs)
    {
        var attrs = new Attrs();
        foreach (var (name, value) in pairs)
            attrs.Add(name, value);
        return attrs;
    }

    private static OpSample One(TensorSpec input, params (string, object?)[] attrs) => new([input], With(attrs));

    private static OpSample Many(TensorSpec[] inputs, params (string, object?)[] attrs) => new(inputs, With(attrs));

    private static IEnumerable<OpSample> CatSamples()
    {
        yield return Many([In(F32, [2, 3]), In(F32, [4, 3])], ("dim", 0));
        yield return Many([In(F32, [2, 3], T), In(F32, [2, 1]), In(F32, [2, 4], S)], ("dim", 1));
        yield return Many([In(F32, [2, 3]), In(F32, [2, 2])], ("dim", -1));
        yield return Many([In(F32, [1, 2]), In(F32, [2, 2]), In(F32, [3, 2], T), In(F32, [1, 2])], ("dim", 0));
        yield return Many([In(F32, [3, 4], E), In(F32, [1, 4])], ("dim", 0));
        yield return Many([In(F32, [2, 3, 4], S), In(F32, [2, 1, 4])], ("dim", 1));
        yield return Many([In(F32, [2, 3, 4]), In(F32, [2, 3, 1], S)], ("dim", 2));
        yield return Many([In(F32, [2, 3]), In(F32, [0, 3])], ("dim", 0));
        yield return Many([In(F32, [0]), In(F32, [2, 3])], ("dim", 1));
        yield return Many([In(F32, [2, 0]), In(F32, [2, 3])], ("dim", 1));
        yield return Many([In(F32, [0]), In(F32, [0])], ("dim", 0));
        yield return Many([In(F32, [5])], ("dim", 0));
        yield return Many([In(F32, [2, 3]), In(F32, [2, 4])], ("dim", 0));
        yield return Many([In(F32, [2, 3]), In(F32, [3])], ("dim", 0));
        yield return Many([In(F32, []), In(F32, [])], ("dim", 0));
        yield return Many([In(F32, [2, 3]), In(F32, [2, 3])], ("dim", 2));
        foreach (var d in OtherDTypes(DTypes.All))
            yield return Many([In(d, [2, 3]), In(d, [1, 3], T)], ("dim", 0));
        yield return Many([In(I32, [2, 2]), In(F16, [1, 2])], ("dim", 0));
        yield return Many([In(U8, [2]), In(I8, [3])], ("dim", 0));
        yield return Many([In(B, [2, 1]), In(I64, [2, 2])], ("dim", 1));
        yield return Many([In(BF16, [2]), In(F16, [2])], ("dim", 0));
        yield return Many([In(F64, [0]), In(F32, [2, 2])], ("dim", 0));
    }

    private static IEnumerable<OpSample> StackSamples()
    {
        foreach (long dim in new long[] { 0, 1, 2, -1 })
            yield return Many([In(F32, [2, 3]), In(F32, [2, 3])], ("dim", dim));
        yield return Many([In(F32, [2, 3], T), In(F32, [2, 3], S), In(F32, [2, 3], E)], ("dim", 1));
        yield return Many([In(F32, []), In(F32, [])], ("dim", 0));
        yield return Many([In(F32, [0, 3]), In(F32, [0, 3])], ("dim", 1));
        yield return Many([In(F32, [4])], ("dim", 0));
        yield return Many([In(F32, [2, 3]), In(F32, [2, 4])], ("dim", 0));
        yield return Many([In(F32, [2, 3]), In(F32, [2, 3])], ("dim", 3));
        foreach (var d in OtherDTypes(DTypes.All))
            yield return Many([In(d, [2, 3]), In(d, [2, 3])], ("dim", 1));
        yield return Many([In(I32, [2]), In(F16, [2])], ("dim", 0));
    }

    private static IEnumerable<OpSample> SplitSamples()
    {
        const string Size = "split_size_or_sections";
        yield return One(In(F32, [5, 4]), (Size, 2), ("dim", 0));
        yield return One(In(F32, [5, 4]), (Size, 3), ("dim", 1));
        yield return One(In(F32, [5, 4]), (Size, 7), ("dim", 0));
        yield return One(In(F32, [5, 4]), (Size, new long[] { 1, 3, 1 }), ("dim", 0));
        yield return One(In(F32, [5, 4]), (Size, new long[] { 0, 4 }), ("dim", -1));
        yield return One(In(F32, [4, 3], T), (Size, 2), ("dim", 1));
        yield return One(In(F32, [4, 6], S), (Size, new long[] { 2, 4 }), ("dim", 1));
        yield return One(In(F32, [3, 4], E), (Size, 1), ("dim", 0));
        yield return One(In(F32, [0, 3]), (Size, 2), ("dim", 0));
        yield return One(In(F32, [0, 3]), (Size, 0), ("dim", 0));
        yield return One(In(F32, [5, 4]), (Size, 0), ("dim", 0));
        yield return One(In(F32, [5, 4]), (Size, -1), ("dim", 0));
        yield return One(In(F32, [5, 4]), (Size, new long[] { 1, 1 }), ("dim", 0));
        yield return One(In(F32, []), (Size, 1), ("dim", 0));
        foreach (var d in OtherDTypes(DTypes.All))
            yield return One(In(d, [4, 3]), (Size, 3), ("dim", 0));
    }

    private static IEnumerable<OpSample> ChunkSamples()
    {
        yield return One(In(F32, [5, 4]), ("chunks", 2), ("dim", 0));
        yield return One(In(F32, [5, 4]), ("chunks", 3), ("dim", 1));
        yield return One(In(F32, [5, 4]), ("chunks", 4), ("dim", 0));
        yield return One(In(F32, [6]), ("chunks", 4), ("dim", 0));
        yield return One(In(F32, [4, 3], T), ("chunks", 2), ("dim", -1));
        yield return One(In(F32, [2, 6], S), ("chunks", 5), ("dim", 1));
        yield return One(In(F32, [0]), ("chunks", 3), ("dim", 0));
        yield return One(In(F32, [5, 4]), ("chunks", 0), ("dim", 0));
        yield return One(In(F32, []), ("chunks", 1), ("dim", 0));
        foreach (var d in OtherDTypes(DTypes.All))
            yield return One(In(d, [5, 2]), ("chunks", 2), ("dim", 0));
    }

    private static IEnumerable<OpSample> UnbindSamples()
    {
        yield return One(In(F32, [3, 4]), ("dim", 0));
        yield return One(In(F32, [3, 4]), ("dim", 1));
        yield return One(In(F32, [3, 4], T), ("dim", -1));
        yield return One(In(F32, [2, 3, 4], S), ("dim", 1));
        yield return One(In(F32, [3, 4], E), ("dim", 0));
        yield return One(In(F32, [0, 3]), ("dim", 0));
        yield return One(In(F32, [3, 0]), ("dim", 0));
        yield return One(In(F32, []), ("dim", 0));
        foreach (var d in OtherDTypes(DTypes.All))
            yield return One(In(d, [2, 3]), ("dim", 1));
    }

    private static IEnumerable<OpSample> PadSamples()
    {
        static OpSample Padded(TensorSpec input, long[] pad, string mode = "constant", double? value = null) =>
            value is { } v ? One(input, ("pad", pad), ("mode", mode), ("value", v)) : One(input, ("pad", pad), ("mode", mode));
        yield return Padded(In(F32, [2, 3]), [1, 2]);
        yield return Padded(In(F32, [2, 3]), [1, 1, 2, 0], value: 2.5);
        yield return Padded(In(F32, [2, 3, 4], T), [0, 1, 1, 0, 2, 2], value: -1.5);
        yield return Padded(In(F32, [2, 3]), [-1, 2]);
        yield return Padded(In(F32, [2, 3]), [-1, -1, 0, -2]);
        yield return Padded(In(F32, [3, 4], S), [2, -1, 1, 1], value: double.NegativeInfinity);
        yield return Padded(In(F32, [3, 4], E), [1, 1]);
        yield return Padded(In(F32, [2, 3]), []);
        yield return Padded(In(F32, []), []);
        yield return Padded(In(F32, [0, 3]), [1, 1, 1, 0]);
        yield return Padded(In(F32, [2, 3]), [1]);
        yield return Padded(In(F32, [2, 3]), [1, 1, 1, 1, 1, 1]);
        yield return Padded(In(F32, [2, 3]), [-2, -2]);
        foreach (var d in OtherDTypes(DTypes.All))
            yield return Padded(In(d, [2, 3]), [1, 2, 0, 1], value: 2.0);

        foreach (var mode in new[] { "reflect", "replicate", "circular" })
        {
            yield return Padded(In(F32, [1, 2, 5]), [2, 1], mode);
            yield return Padded(In(F32, [1, 2, 4, 5]), [1, 2, 3, 0], mode);
            yield return Padded(In(F32, [1, 1, 3, 3, 4]), [1, 1, 2, 1, 0, 2], mode);
            yield return Padded(In(F32, [1, 2, 6], T), [-1, 2], mode);
            yield return Padded(In(F32, [2, 3, 4, 5], S), [2, -2, 1, 0], mode);
            yield return Padded(In(F32, [0, 2, 6]), [1, 2], mode);
            foreach (var d in OtherDTypes(DTypes.All))
                yield return Padded(In(d, [1, 2, 5]), [2, 3], mode);
        }
        yield return Padded(In(F32, [2, 5]), [2, 1], "reflect");
        yield return Padded(In(F32, [2, 4, 5]), [1, 1, 2, 2], "reflect");
        yield return Padded(In(F32, [3, 4], E), [3, 3], "reflect");
        yield return Padded(In(F32, [2, 3]), [3, 0], "reflect");
        yield return Padded(In(F32, [2, 0]), [1, 1], "reflect");
        yield return Padded(In(F32, [2, 3]), [1, 1], "reflect", 1.0);
        yield return Padded(In(F32, [2, 5]), [3, 1], "replicate");
        yield return Padded(In(F32, [1, 6]), [10, 2], "replicate");
        yield return Padded(In(F32, [2, 3, 4], S), [2, 2, 1, 1], "replicate");
        yield return Padded(In(F32, [2, 0]), [1, 1], "replicate");
        yield return Padded(In(F32, [1, 1, 6]), [6, 6], "circular");
        yield return Padded(In(F32, [1, 1, 6]), [7, 2], "circular");
        yield return Padded(In(F32, [2, 3]), [1, 1], "wrap");
    }

    private static IEnumerable<OpSample> FlipSamples()
    {
        yield return One(In(F32, [2, 3, 4]), ("dims", new long[] { 0, 2 }));
        yield return One(In(F32, [3, 4]), ("dims", new long[] { -1 }));
        yield return One(In(F32, [3, 4], T), ("dims", new long[] { 0 }));
        yield return One(In(F32, [2, 3, 4], S), ("dims", new long[] { 1, 2 }));
        yield return One(In(F32, [3, 4], E), ("dims", new long[] { 0, 1 }));
        yield return One(In(F32, [7]), ("dims", new long[] { 0 }));
        yield return One(In(F32, [3, 4]), ("dims", Array.Empty<long>()));
        yield return One(In(F32, []), ("dims", new long[] { 0 }));
        yield return One(In(F32, [0, 3]), ("dims", new long[] { 0, 1 }));
        yield return One(In(F32, [3, 4]), ("dims", new long[] { 0, 0 }));
        yield return One(In(F32, [3, 4]), ("dims", new long[] { 2 }));
        foreach (var d in OtherDTypes(DTypes.All))
            yield return One(In(d, [3, 4]), ("dims", new long[] { 1 }));
    }

    private static IEnumerable<OpSample> RollSamples()
    {
        static OpSample Rolled(TensorSpec input, long[] shifts, long[] dims) => One(input, ("shifts", shifts), ("dims", dims));
        yield return Rolled(In(F32, [2, 3]), [1], []);
        yield return Rolled(In(F32, [3, 4], T), [7], []);
        yield return Rolled(In(F32, [2, 3]), [1], [1]);
        yield return Rolled(In(F32, [2, 3]), [-4], [1]);
        yield return Rolled(In(F32, [2, 3]), [1, -1], [0, 1]);
        yield return Rolled(In(F32, [2, 3, 4], S), [2, 5], [2, 0]);
        yield return Rolled(In(F32, [3, 4], T), [1], [0]);
        yield return Rolled(In(F32, [3, 4], E), [2], [1]);
        yield return Rolled(In(F32, [2, 3]), [1, 2], [1, 1]);
        yield return Rolled(In(F32, [0, 3]), [1], [0]);
        yield return Rolled(In(F32, []), [1], []);
        yield return Rolled(In(F32, [2, 3]), [1, 2], []);
        yield return Rolled(In(F32, [2, 3]), [1, 2], [0]);
        yield return Rolled(In(F32, [2, 3]), [1], [2]);
        foreach (var d in OtherDTypes(DTypes.All))
            yield return Rolled(In(d, [3, 4]), [1], [1]);
    }

    private static IEnumerable<OpSample> RepeatSamples()
    {
        yield return One(In(F32, [2, 3]), ("repeats", new long[] { 2, 1, 2 }));
        yield return One(In(F32, [2, 3]), ("repeats", new long[] { 1, 3 }));
        yield return One(In(F32, [2, 3], T), ("repeats", new long[] { 2, 2 }));
        yield return One(In(F32, [2, 3], S), ("repeats", new long[] { 1, 2 }));
        yield return One(In(F32, [3, 4], E), ("repeats", new long[] { 2, 1 }));
        yield return One(In(F32, []), ("repeats", new long[] { 2, 3 }));
        yield return One(In(F32, [2, 3]), ("repeats", new long[] { 0, 2 }));
        yield return One(In(F32, [0, 3]), ("repeats", new long[] { 2, 2 }));
        yield return One(In(F32, [2, 3]), ("repeats", new long[] { 2 }));
        yield return One(In(F32, [2, 3]), ("repeats", new long[] { -1, 2 }));
        foreach (var d in OtherDTypes(DTypes.All))
            yield return One(In(d, [2, 3]), ("repeats", new long[] { 2, 2 }));
    }

    private static IEnumerable<OpSample> TileSamples()
    {
        yield return One(In(F32, [2, 3]), ("dims", new long[] { 2 }));
        yield return One(In(F32, [2, 3]), ("dims", new long[] { 2, 1, 1 }));
        yield return One(In(F32, [2, 3]), ("dims", Array.Empty<long>()));
        yield return One(In(F32, [2, 3], T), ("dims", new long[] { 2, 2 }));
        yield return One(In(F32, []), ("dims", new long[] { 3 }));
        yield return One(In(F32, [2, 3]), ("dims", new long[] { -1 }));
        foreach (var d in OtherDTypes(DTypes.All))
            yield return One(In(d, [2, 3]), ("dims", new long[] { 1, 2 }));
    }

    private static IEnumerable<OpSample> RepeatInterleaveSamples()
    {
        yield return Many([In(F32, [2, 3]), In(I64, [3], C, SampleDomain.Index, 4)], ("dim", 1));
        yield return One(In(F32, [2, 3]), ("repeats", 2));
        yield return One(In(F32, [2, 3]), ("repeats", 2), ("dim", 1));
        yield return One(In(F32, [2, 3]), ("repeats", 3), ("dim", 0));
        yield return One(In(F32, [3, 4], T), ("repeats", 2), ("dim", -1));
        yield return One(In(F32, [2, 3], S), ("repeats", 3), ("dim", 1));
        yield return One(In(F32, [3, 4], E), ("repeats", 2), ("dim", 0));
        yield return One(In(F32, []), ("repeats", 2));
        yield return One(In(F32, [2, 3]), ("repeats", 0), ("dim", 1));
        yield return One(In(F32, [0, 3]), ("repeats", 2), ("dim", 0));
        yield return Many([In(F32, [2, 3], T), In(I32, [2], C, SampleDomain.Index, 3)], ("dim", 0));
        yield return Many([In(F32, [2, 3]), In(I64, [6], C, SampleDomain.Index, 3)]);
        yield return Many([In(F32, [2, 3]), In(I64, [1], C, SampleDomain.Index, 3)], ("dim", 1));
        yield return Many([In(F32, [2, 3]), In(I64, [], C, SampleDomain.Index, 3)], ("dim", 1));
        yield return Many([In(F32, [2, 3]), In(I64, [2], C, SampleDomain.Index, 3)], ("dim", 1));
        yield return Many([In(F32, [2, 3]), In(F32, [3], C, SampleDomain.Small)], ("dim", 1));
        yield return Many([In(F32, [2, 3]), In(I64, [1, 3], C, SampleDomain.Index, 3)], ("dim", 1));
        yield return One(In(F32, [2, 3]), ("repeats", -1), ("dim", 1));
        yield return One(In(F32, []), ("repeats", 2), ("dim", 0));
        foreach (var d in OtherDTypes(DTypes.All))
            yield return One(In(d, [2, 3]), ("repeats", 2), ("dim", 1));
    }

    private static IEnumerable<OpSample> TriangleSamples()
    {
        yield return One(In(F32, [3, 4]));
        yield return One(In(F32, [3, 4]), ("diagonal", 1));
        yield return One(In(F32, [3, 4]), ("diagonal", -1));
        yield return One(In(F32, [4, 3], T));
        yield return One(In(F32, [2, 3, 4], S), ("diagonal", -2));
        yield return One(In(F32, [3, 4], E), ("diagonal", 1));
        yield return One(In(F32, [3, 4]), ("diagonal", 10));
        yield return One(In(F32, [3, 4]), ("diagonal", -10));
        yield return One(In(F32, [0, 3]));
        yield return One(In(F32, [2, 3, 0]));
        yield return One(In(F32, [4]));
        foreach (var d in OtherDTypes(DTypes.All))
            yield return One(In(d, [3, 4]), ("diagonal", 1));
    }

    private static IEnumerable<OpSample> DiagSamples()
    {
        foreach (long k in new long[] { 0, 2, -1 })
            yield return One(In(F32, [4]), ("diagonal", k));
        foreach (long k in new long[] { 0, 1, -2, 3 })
            yield return One(In(F32, [3, 4]), ("diagonal", k));
        yield return One(In(F32, [4, 3], T), ("diagonal", 1));
        yield return One(In(F32, [3, 6], S));
        yield return One(In(F32, [5], S), ("diagonal", 1));
        yield return One(In(F32, [3, 4], E), ("diagonal", -1));
        yield return One(In(F32, [0]));
        yield return One(In(F32, [0, 3]), ("diagonal", 1));
        yield return One(In(F32, []));
        yield return One(In(F32, [2, 2, 2]));
        foreach (var d in OtherDTypes(DTypes.All))
        {
            yield return One(In(d, [4]), ("diagonal", 1));
            yield return One(In(d, [3, 3]), ("diagonal", -1));
        }
    }

    private static IEnumerable<OpSample> SortSamples() => Sorting(includeEveryDType: true);

    private static IEnumerable<OpSample> ArgsortSamples() => Sorting(includeEveryDType: false);

    private static IEnumerable<OpSample> Sorting(bool includeEveryDType)
    {
        yield return One(In(F32, [3, 5]));
        yield return One(In(F32, [3, 5]), ("dim", 0));
        yield return One(In(F32, [3, 5]), ("descending", true));
        yield return One(In(F32, [3, 5]), ("dim", 0), ("descending", true), ("stable", true));
        yield return One(In(F32, [2, 3, 4], S), ("dim", 1), ("descending", true));
        yield return One(In(F32, [4, 3], T), ("dim", 0), ("stable", true));
        yield return One(In(F32, [3, 4], E), ("dim", 0));
        yield return One(In(F32, [40], C, SampleDomain.Special));
        yield return One(In(F32, [6, 7], C, SampleDomain.Special), ("descending", true), ("stable", true));
        yield return One(In(F32, []), ("dim", 0));
        yield return One(In(F32, [0, 3]), ("dim", 0));
        yield return One(In(F32, [3, 0]));
        yield return One(In(F32, [3, 5]), ("dim", 2));
        yield return One(In(I64, [70]), ("stable", true));
        yield return One(In(I32, [3, 25]), ("descending", true), ("stable", true));
        yield return One(In(F64, [3, 8], C, SampleDomain.Special), ("descending", true));
        foreach (var d in OtherDTypes(DTypes.All).Where(d => includeEveryDType || d is B or U8 or F16 or BF16))
        {
            yield return One(In(d, [3, 6]), ("stable", true));
            yield return One(In(d, [3, 6], T), ("dim", 0), ("descending", true));
        }
    }

    private static IEnumerable<OpSample> TopkSamples()
    {
        yield return One(In(F32, [3, 6]), ("k", 2));
        yield return One(In(F32, [3, 6]), ("k", 6), ("dim", -1));
        yield return One(In(F32, [3, 6]), ("k", 0));
        yield return One(In(F32, [3, 6]), ("k", 3), ("largest", false));
        yield return One(In(F32, [3, 6]), ("k", 2), ("dim", 0));
        yield return One(In(F32, [3, 6]), ("k", 4), ("sorted", false));
        yield return One(In(F32, [2, 3, 5], S), ("k", 3), ("dim", 2));
        yield return One(In(F32, [4, 5], T), ("k", 2), ("dim", 0), ("largest", false));
        yield return One(In(F32, [3, 4], E), ("k", 2), ("dim", 0));
        yield return One(In(F32, [200]), ("k", 5));
        yield return One(In(F32, [30], C, SampleDomain.Special), ("k", 6));
        yield return One(In(F32, [30], C, SampleDomain.Special), ("k", 6), ("largest", false));
        yield return One(In(F32, []), ("k", 1));
        yield return One(In(F32, []), ("k", 0));
        yield return One(In(F32, [0, 3]), ("k", 2));
        yield return One(In(F32, [3, 6]), ("k", 7));
        yield return One(In(F32, [3, 6]), ("k", -1));
        yield return One(In(F32, []), ("k", 2));
        yield return One(In(B, [3, 6]), ("k", 1));
        foreach (var d in OtherDTypes(NumericDTypes))
            yield return One(In(d, [3, 6]), ("k", 3));
        yield return One(In(I64, [50]), ("k", 10), ("largest", false));
    }

    private static IEnumerable<OpSample> UniqueSamples()
    {
        const string Inverse = "return_inverse", Counts = "return_counts";
        yield return One(In(F32, [12]));
        yield return One(In(F32, [3, 4]), (Inverse, true));
        yield return One(In(F32, [3, 4]), (Counts, true));
        yield return One(In(F32, [3, 4]), (Inverse, true), (Counts, true));
        yield return One(In(F32, [3, 4]), ("sorted", false), (Inverse, true), (Counts, true));
        yield return One(In(F32, [4, 3], T), (Inverse, true), (Counts, true));
        yield return One(In(F32, [2, 3], S), (Inverse, true));
        yield return One(In(F32, [3, 4], E), (Inverse, true), (Counts, true));
        yield return One(In(F32, []), (Inverse, true), (Counts, true));
        yield return One(In(F32, [0, 3]), (Inverse, true), (Counts, true));
        yield return One(In(I64, [60]), (Inverse, true), (Counts, true));
        foreach (var d in OtherDTypes(DTypes.All))
            yield return One(In(d, [3, 4]), (Inverse, true), (Counts, true));
    }

    private static IEnumerable<OpSample> SearchsortedSamples()
    {
        static OpSample Search(TensorSpec sequence, TensorSpec values, params (string, object?)[] attrs) => Many([sequence, values], attrs);
        yield return Search(In(F32, [6]), In(F32, [4]));
        yield return Search(In(F32, [6]), In(F32, [2, 3]), ("right", true));
        yield return Search(In(F32, [2, 5]), In(F32, [2, 3]));
        yield return Search(In(F32, [2, 5], T), In(F32, [2, 4], S), ("right", true));
        yield return Search(In(F32, [3, 4, 5]), In(F32, [3, 4, 2]), ("out_int32", true), ("right", true));
        yield return Search(In(F32, [8], C, SampleDomain.Special), In(F32, [6], C, SampleDomain.Special));
        yield return Search(In(F32, [8], C, SampleDomain.Special), In(F32, [6], C, SampleDomain.Special), ("right", true));
        yield return Search(In(F32, [6]), In(F32, []));
        yield return Search(In(F32, [0]), In(F32, [3]));
        yield return Search(In(F32, [6]), In(F32, [0]), ("out_int32", true));
        yield return Search(In(F32, [3, 6], E), In(F32, [3, 2]));
        yield return Search(In(I64, [5]), In(F32, [3]));
        yield return Search(In(U8, [5]), In(I8, [4]));
        yield return Search(In(F16, [5]), In(BF16, [3]));
        yield return Search(In(B, [4]), In(I64, [3]));
        yield return Search(In(F32, [2, 5]), In(F32, [3, 3]));
        yield return Search(In(F32, []), In(F32, [3]));
        yield return Search(In(F32, [2, 5]), In(F32, []));
        yield return Search(In(B, [4]), In(B, [3]));
        foreach (var d in OtherDTypes(NumericDTypes))
            yield return Search(In(d, [6]), In(d, [2, 4]));
    }
}
