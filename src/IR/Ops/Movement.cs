namespace Kiln.IR.Ops;

/// <summary>
/// Data movement: joining and cutting (cat, stack, split, chunk, unbind), padding, reordering (flip, roll),
/// repetition (repeat, tile, repeat_interleave), triangles and diagonals (tril, triu, diag), sorting and
/// searching (sort, argsort, topk, unique, searchsorted), with PyTorch's semantics and errors.
/// </summary>
public static partial class MovementOps
{
    /// <summary>Every dtype except bool (topk has no bool kernel in PyTorch).</summary>
    public static IReadOnlyList<DType> NumericDTypes { get; } = [.. DTypes.All.Where(d => d != DType.Bool)];

    /// <summary>The size a type rule gives a dim that is known only when the op runs (unique's output, repeat_interleave with a repeats tensor).</summary>
    public const long DataDependent = -1;

    private const string Family = "movement";
    private static readonly AttrDef DimZero = new("dim", "int", 0L);
    private static readonly AttrDef DimLast = new("dim", "int", -1L);
    private static readonly AttrDef Diagonal = new("diagonal", "int", 0L);
    private static readonly AttrDef[] SortAttributes = [DimLast, new AttrDef("descending", "bool", false), new AttrDef("stable", "bool", false)];

    /// <summary><c>torch.cat(tensors, dim)</c>: any number of tensors joined along an existing dim, dtypes promoted.</summary>
    public static OpDef Cat { get; } = Joining("cat", (inputs, a) =>
    {
        var (shape, _) = CatShape("cat", [.. inputs.Select(t => t.Shape)], a.GetLong("dim", 0));
        return [new TensorType(PromoteAll(inputs.Select(t => t.DType)), shape)];
    }, CatSamples) with { Gradient = MovementGradients.Cat };

    /// <summary><c>torch.stack(tensors, dim)</c>: tensors of one shape joined along a new dim, dtypes promoted.</summary>
    public static OpDef Stack { get; } = Joining("stack", (inputs, a) =>
    {
        var (shape, _) = StackShape("stack", [.. inputs.Select(t => t.Shape)], a.GetLong("dim", 0));
        return [new TensorType(PromoteAll(inputs.Select(t => t.DType)), shape)];
    }, StackSamples) with { Gradient = MovementGradients.Stack };

    /// <summary><c>torch.split(self, split_size_or_sections, dim)</c>: views of pieces of one size (an int) or of the listed sizes.</summary>
    public static OpDef Split { get; } = Pieces("split", new AttrDef("split_size_or_sections", "int|ints"), SplitSamples) with { Gradient = c => MovementGradients.Pieces(c, "split") };

    /// <summary><c>torch.chunk(self, chunks, dim)</c>: at most <c>chunks</c> views of ⌈size / chunks⌉ elements.</summary>
    public static OpDef Chunk { get; } = Pieces("chunk", new AttrDef("chunks", "int"), ChunkSamples) with { Gradient = c => MovementGradients.Pieces(c, "chunk") };

    /// <summary><c>torch.unbind(self, dim)</c>: the views at each index of a dim, with the dim removed.</summary>
    public static OpDef Unbind { get; } = new()
    {
        Name = "unbind",
        Family = Family,
        Inputs = ["self"],
        Outputs = ["outs"],
        Attributes = [DimZero],
        DTypes = DTypes.All,
        InferTypes = (inputs, a) =>
        {
            var t = Single("unbind", inputs);
            if (t.Rank == 0) throw new ArgumentException("unbind: a 0-d tensor has no dim to unbind");
            int d = Shapes.WrapDim("unbind", a.GetLong("dim", 0), t.Rank);
            long[] piece = [.. t.Shape[..d], .. t.Shape[(d + 1)..]];
            return [.. Enumerable.Range(0, (int)t.Shape[d]).Select(_ => new TensorType(t.DType, piece))];
        },
        Samples = UnbindSamples,
        Gradient = MovementGradients.Unbind,
    };

    /// <summary><c>torch.nn.functional.pad(input, pad, mode, value)</c>: constant, reflect, replicate or circular padding; negative amounts crop.</summary>
    public static OpDef Pad { get; } = new()
    {
        Name = "pad",
        Family = Family,
        Inputs = ["input"],
        Attributes = [new AttrDef("pad", "ints"), new AttrDef("mode", "str", "constant"), new AttrDef("value", "float")],
        DTypes = DTypes.All,
        InferTypes = (inputs, a) =>
        {
            var t = Single("pad", inputs);
            var mode = ParsePadMode(a.GetString("mode", "constant"));
            if (mode is PadMode.Reflect or PadMode.Replicate)
                TypeRules.CheckDType($"pad (mode '{a.GetString("mode", "")}')", t.DType, NumericDTypes);
            return [new TensorType(t.DType, PadShape(t.Shape, RequiredLongs("pad", a, "pad"), mode, a["value"] is not null))];
        },
        Samples = PadSamples,
        Gradient = MovementGradients.Pad,
    };

    /// <summary><c>torch.flip(self, dims)</c>: a copy with the order of the elements along <c>dims</c> reversed.</summary>
    public static OpDef Flip { get; } = SameShape("flip", [new AttrDef("dims", "ints")], (t, a) =>
        Shapes.DimMask("flip", RequiredLongs("flip", a, "dims"), t.Rank, emptyMeansAll: false), FlipSamples) with { Gradient = MovementGradients.Flip };

    /// <summary><c>torch.roll(self, shifts, dims)</c>: elements shifted cyclically along <c>dims</c> (along the flattened tensor when there are none).</summary>
    public static OpDef Roll { get; } = SameShape("roll", [new AttrDef("shifts", "ints"), new AttrDef("dims", "ints", Array.Empty<long>())], (t, a) =>
        CheckRoll(t.Shape, RequiredLongs("roll", a, "shifts"), a.GetLongs("dims")), RollSamples) with { Gradient = MovementGradients.Roll };

    /// <summary><c>self.repeat(repeats)</c>: the tensor tiled <c>repeats[i]</c> times along each dim (new leading dims as needed).</summary>
    public static OpDef Repeat { get; } = Tiling("repeat", "repeats", (shape, r) => RepeatShape("repeat", shape, r), RepeatSamples) with { Gradient = c => MovementGradients.Tiling(c, RequiredLongs("repeat", c.Attrs, "repeats")) };

    /// <summary><c>torch.tile(self, dims)</c>: <c>repeat</c> with 1s put in front of <c>dims</c> up to the tensor's rank.</summary>
    public static OpDef Tile { get; } = Tiling("tile", "dims", (shape, r) => RepeatShape("tile", shape, TileRepeats(shape.Length, r)), TileSamples) with { Gradient = c => MovementGradients.Tiling(c, TileRepeats(c.Input(0).Rank, RequiredLongs("tile", c.Attrs, "dims"))) };

    /// <summary>
    /// <c>torch.repeat_interleave(self, repeats, dim)</c>: each element repeated along <c>dim</c> (the flattened tensor
    /// when absent), by one count (the <c>repeats</c> attribute) or one count per element (an int64/int32 <c>repeats</c> tensor).
    /// </summary>
    public static OpDef RepeatInterleave { get; } = new()
    {
        Name = "repeat_interleave",
        Family = Family,
        Inputs = ["self", "repeats"],
        RequiredInputs = 1,
        Attributes = [new AttrDef("repeats", "int"), new AttrDef("dim", "int")],
        DTypes = DTypes.All,
        InferTypes = (inputs, a) =>
        {
            if (inputs.Count is not (1 or 2))
                throw new ArgumentException($"repeat_interleave: expected 1 or 2 inputs (self, repeats), got {inputs.Count}");
            long? count = a["repeats"] is null ? null : a.GetLong("repeats", 0);
            if (inputs.Count == 2 && count is not null)
                throw new ArgumentException("repeat_interleave: give the repeats either as a tensor or as the 'repeats' attribute, not both");
            long? dim = a["dim"] is null ? null : a.GetLong("dim", 0);
            return [new TensorType(inputs[0].DType, RepeatInterleaveShape(inputs[0].Shape, dim, count, inputs.Count == 2 ? inputs[1] : null))];
        },
        Samples = RepeatInterleaveSamples,
        Gradient = MovementGradients.RepeatInterleave,
    };

    /// <summary><c>torch.tril(self, diagonal)</c>: the lower triangle of each matrix (the last two dims), the rest zeroed.</summary>
    public static OpDef Tril { get; } = SameShape("tril", [Diagonal], (t, _) => CheckMatrices("tril", t.Shape), TriangleSamples) with { Gradient = c => MovementGradients.Triangle(c, "tril") };

    /// <summary><c>torch.triu(self, diagonal)</c>: the upper triangle of each matrix, the rest zeroed.</summary>
    public static OpDef Triu { get; } = SameShape("triu", [Diagonal], (t, _) => CheckMatrices("triu", t.Shape), TriangleSamples) with { Gradient = c => MovementGradients.Triangle(c, "triu") };

    /// <summary><c>torch.diag(self, diagonal)</c>: a vector made into a (zero-filled) diagonal matrix, or a matrix's diagonal as a vector.</summary>
    public static OpDef Diag { get; } = new()
    {
        Name = "diag",
        Family = Family,
        Inputs = ["self"],
        Attributes = [Diagonal],
        DTypes = DTypes.All,
        InferTypes = (inputs, a) =>
        {
            var t = Single("diag", inputs);
            return [new TensorType(t.DType, DiagShape(t.Shape, a.GetLong("diagonal", 0)))];
        },
        Samples = DiagSamples,
        Gradient = MovementGradients.Diag,
    };

    /// <summary>
    /// <c>torch.sort(self, dim, descending, stable)</c>: sorted values and their int64 indices. NaN sorts as the
    /// largest value; equal values keep their order (Kiln's sort is always stable, which unstable sorts allow).
    /// </summary>
    public static OpDef Sort { get; } = new()
    {
        Name = "sort",
        Family = Family,
        Inputs = ["self"],
        Outputs = ["values", "indices"],
        Attributes = SortAttributes,
        DTypes = DTypes.All,
        InferTypes = (inputs, a) =>
        {
            var t = Single("sort", inputs);
            Shapes.WrapDim("sort", a.GetLong("dim", -1), t.Rank);
            return [t, new TensorType(DType.Int64, t.Shape)];
        },
        Samples = SortSamples,
        Gradient = MovementGradients.Sorted,
    };

    /// <summary><c>torch.argsort(self, dim, descending, stable)</c>: the int64 indices <c>sort</c> gives.</summary>
    public static OpDef Argsort { get; } = new()
    {
        Name = "argsort",
        Family = Family,
        Inputs = ["self"],
        Attributes = SortAttributes,
        DTypes = DTypes.All,
        InferTypes = (inputs, a) =>
        {
            var t = Single("argsort", inputs);
            Shapes.WrapDim("argsort", a.GetLong("dim", -1), t.Rank);
            return [new TensorType(DType.Int64, t.Shape)];
        },
        Samples = ArgsortSamples,
    };

    /// <summary>
    /// <c>torch.topk(self, k, dim, largest, sorted)</c>: the k largest (or smallest) values along a dim and their
    /// int64 indices; NaN counts as the largest; equal values come in index order, and the result is always sorted.
    /// </summary>
    public static OpDef Topk { get; } = new()
    {
        Name = "topk",
        Family = Family,
        Inputs = ["self"],
        Outputs = ["values", "indices"],
        Attributes = [new AttrDef("k", "int"), DimLast, new AttrDef("largest", "bool", true), new AttrDef("sorted", "bool", true)],
        DTypes = NumericDTypes,
        InferTypes = (inputs, a) =>
        {
            var t = Single("topk", inputs);
            TypeRules.CheckDType("topk", t.DType, NumericDTypes);
            var shape = TopkShape(t.Shape, RequiredLong("topk", a, "k"), a.GetLong("dim", -1));
            return [new TensorType(t.DType, shape), new TensorType(DType.Int64, shape)];
        },
        Samples = TopkSamples,
        Gradient = MovementGradients.Sorted,
    };

    /// <summary>
    /// <c>torch.unique(self, sorted, return_inverse, return_counts)</c> over the flattened tensor: the distinct values in
    /// ascending order (also when <c>sorted</c> is false, whose order PyTorch leaves open), then optionally each
    /// element's int64 position among them and each value's count. NaNs are all distinct; -0 equals 0.
    /// The number of distinct values is known only when the op runs: the type rule gives <see cref="DataDependent"/> for it.
    /// </summary>
    public static OpDef Unique { get; } = new()
    {
        Name = "unique",
        Family = Family,
        Inputs = ["self"],
        Outputs = ["output", "inverse_indices", "counts"],
        Attributes = [new AttrDef("sorted", "bool", true), new AttrDef("return_inverse", "bool", false), new AttrDef("return_counts", "bool", false)],
        DTypes = DTypes.All,
        InferTypes = (inputs, a) =>
        {
            var t = Single("unique", inputs);
            var types = new List<TensorType> { new(t.DType, [DataDependent]) };
            if (a.GetBool("return_inverse", false)) types.Add(new TensorType(DType.Int64, t.Shape));
            if (a.GetBool("return_counts", false)) types.Add(new TensorType(DType.Int64, [DataDependent]));
            return [.. types];
        },
        Samples = UniqueSamples,
    };

    /// <summary>
    /// <c>torch.searchsorted(sorted_sequence, input, out_int32, right)</c>: for each value, the index where it would be
    /// inserted into its (last-dim) sorted sequence to keep it sorted: before equal elements, or after them when
    /// <c>right</c>. Both operands are compared in their promoted dtype; the indices are int64, or int32 with <c>out_int32</c>.
    /// </summary>
    public static OpDef Searchsorted { get; } = new()
    {
        Name = "searchsorted",
        Family = Family,
        Inputs = ["sorted_sequence", "input"],
        Attributes = [new AttrDef("out_int32", "bool", false), new AttrDef("right", "bool", false)],
        DTypes = DTypes.All,
        InferTypes = (inputs, a) =>
        {
            TypeRules.CheckArity("searchsorted", 2, inputs.Count);
            CheckSearchsorted(inputs[0], inputs[1]);
            return [new TensorType(a.GetBool("out_int32", false) ? DType.Int32 : DType.Int64, inputs[1].Shape)];
        },
        Samples = SearchsortedSamples,
    };

    /// <summary>Every op of the family.</summary>
    public static IReadOnlyList<OpDef> All { get; } =
    [
        Cat, Stack, Split, Chunk, Unbind, Pad, Flip, Roll, Repeat, Tile, RepeatInterleave, Tril, Triu, Diag,
        Sort, Argsort, Topk, Unique, Searchsorted,
    ];

    /// <summary>Checks <c>roll</c>'s shifts and dims: one shift per dim, or a single shift of the flattened tensor when there are no dims.</summary>
    /// <exception cref="ArgumentException">The counts do not align, or a dim is given for a 0-d tensor.</exception>
    public static void CheckRoll(ReadOnlySpan<long> shape, ReadOnlySpan<long> shifts, ReadOnlySpan<long> dims)
    {
        if (dims.IsEmpty ? shifts.Length != 1 : shifts.Length != dims.Length)
            throw new ArgumentException($"roll: shifts [{string.Join(", ", shifts.ToArray())}] and dims [{string.Join(", ", dims.ToArray())}] must align (one shift per dim, or one shift and no dims)");
        if (shape.Length == 0 && !dims.IsEmpty)
            throw new ArgumentException($"roll: cannot roll a 0-d tensor along dims [{string.Join(", ", dims.ToArray())}]");
        foreach (var d in dims)
            Shapes.WrapDim("roll", d, shape.Length);
    }

    private static TensorType Single(string op, IReadOnlyList<TensorType> inputs)
    {
        TypeRules.CheckArity(op, 1, inputs.Count);
        return inputs[0];
    }

    private static OpDef Joining(string name, TypeRule rule, Func<IEnumerable<OpSample>> samples) => new()
    {
        Name = name,
        Family = Family,
        Inputs = ["tensors"],
        RequiredInputs = 1,
        IsVariadic = true,
        Attributes = [DimZero],
        DTypes = DTypes.All,
        InferTypes = rule,
        Samples = samples,
    };

    private static OpDef Pieces(string name, AttrDef size, Func<IEnumerable<OpSample>> samples) => new()
    {
        Name = name,
        Family = Family,
        Inputs = ["self"],
        Outputs = ["outs"],
        Attributes = [size, DimZero],
        DTypes = DTypes.All,
        InferTypes = (inputs, a) =>
        {
            var t = Single(name, inputs);
            var (sizes, d) = PieceSizes(name, t.Shape, a);
            return [.. sizes.Select(s => { var shape = (long[])t.Shape.Clone(); shape[d] = s; return new TensorType(t.DType, shape); })];
        },
        Samples = samples,
    };

    private static OpDef SameShape(string name, IReadOnlyList<AttrDef> attributes, Action<TensorType, Attrs> check, Func<IEnumerable<OpSample>> samples) => new()
    {
        Name = name,
        Family = Family,
        Inputs = ["self"],
        Attributes = attributes,
        DTypes = DTypes.All,
        InferTypes = (inputs, a) =>
        {
            var t = Single(name, inputs);
            check(t, a);
            return [t];
        },
        Samples = samples,
    };

    private static OpDef Tiling(string name, string attribute, Func<long[], long[], long[]> shape, Func<IEnumerable<OpSample>> samples) => new()
    {
        Name = name,
        Family = Family,
        Inputs = ["self"],
        Attributes = [new AttrDef(attribute, "ints")],
        DTypes = DTypes.All,
        InferTypes = (inputs, a) =>
        {
            var t = Single(name, inputs);
            return [new TensorType(t.DType, shape(t.Shape, RequiredLongs(name, a, attribute)))];
        },
        Samples = samples,
    };
}
